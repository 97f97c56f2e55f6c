"""Follow mode and lessons: a student's page shows the caption of the step the teacher shows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from engine.lessons import load_lesson
from server.settings import LESSONS_DIR
from tests.live_server import LiveServer

from .support import Tab, second_tab

CAPTION = "() => document.querySelector('[data-testid=lesson-caption]')?.textContent ?? ''"


@pytest.fixture
def student(browser: Browser, server: LiveServer) -> Iterator[Tab]:
    """A second page, in a browser context of its own (a student's laptop)."""
    with second_tab(browser, server, 1280, 720) as tab:
        yield tab


def shows(tab: Tab, text: str) -> None:
    tab.wait(f"(want) => ({CAPTION})() === want", text)


def test_a_follower_shows_the_caption_of_the_teachers_lesson_step(tab: Tab, student: Tab) -> None:
    name = "01-linear-layer"
    captions = [step.caption.en for step in load_lesson(LESSONS_DIR / f"{name}.json").steps]
    tab.open(f"?paused=1&lesson={name}&step=1")
    shows(tab, captions[0])
    session = tab.js("window.spacefold.state.session")

    # Joining after the lesson opened: the hello names the step.
    student.open(f"?follow={session}")
    shows(student, captions[0])
    bar = student.page.get_by_test_id("lesson-bar")
    assert bar.is_visible()
    assert student.page.get_by_test_id("lesson-next").is_hidden()  # the teacher steps, not we
    assert student.page.get_by_test_id("lesson-close").is_hidden()

    # The teacher steps on, and back: the student's caption follows.
    tab.page.get_by_test_id("lesson-next").click()
    shows(tab, captions[1])
    shows(student, captions[1])
    tab.page.get_by_test_id("lesson-prev").click()
    shows(student, captions[0])
    assert student.js("window.spacefold.state.running") is False  # the caption only: nothing ran

    # The teacher closes the lesson: the student's bar goes too.
    tab.page.get_by_test_id("lesson-close").click()
    bar.wait_for(state="hidden")
    assert tab.errors == [] and student.errors == []
