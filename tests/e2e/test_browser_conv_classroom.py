"""The convolution mode's classroom in the page: a lesson opened from its link (caption beside
the feature maps, ← → stepping it, Shift+arrows moving the input), a save reopened from its
short link, a follower's read-only page, and presenter mode at a projector's size."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, FilePayload, FloatRect

from engine.conv.detector import templates
from engine.conv.lessons import CONV_LESSONS, ConvLesson
from engine.lessons import load_lesson
from server.settings import LESSONS_DIR
from tests.live_server import LiveServer

from .support import Tab, second_tab

CONV = "window.spacefold.conv"
CAPTION = "() => document.querySelector('[data-testid=conv-lesson-caption]')?.textContent ?? ''"
# The first layer's kernel and bias as the last drawn frame holds them, and its step.
KERNEL = f"""() => {{
  const frame = {CONV}.lastFrame;
  return {{ step: frame.header.step, kernel: Array.from(frame.arrays.get('kernel/0')),
           bias: Array.from(frame.arrays.get('bias/0')) }};
}}"""


def captions(name: str) -> list[str]:
    lesson = load_lesson(LESSONS_DIR / CONV_LESSONS / f"{name}.json", ConvLesson)
    return [step.caption.en for step in lesson.steps]


def open_conv(tab: Tab, query: str) -> None:
    tab.page.goto(f"{tab.server.url}?mode=conv{query}")
    tab.wait(f"() => ({CONV}?.frames ?? 0) >= 1 && {CONV}.state.connected")


def shows(tab: Tab, text: str) -> None:
    tab.wait(f"(want) => ({CAPTION})() === want", text)


def config(tab: Tab) -> dict[str, Any]:
    result: dict[str, Any] = tab.js(f"{CONV}.state.config")
    return result


def box(tab: Tab, testid: str) -> FloatRect:
    found = tab.page.get_by_test_id(testid).bounding_box()
    assert found is not None, f"{testid} has no box"
    return found


def upload(name: str, body: bytes) -> FilePayload:
    return {"name": name, "mimeType": "application/json", "buffer": body}


@pytest.fixture
def student(browser: Browser, server: LiveServer) -> Iterator[Tab]:
    with second_tab(browser, server, 1280, 720) as tab:
        yield tab


def test_a_lesson_link_shows_its_step_and_the_arrows_step_it(tab: Tab) -> None:
    texts = captions("03-shift")
    open_conv(tab, "&lesson=03-shift&step=2")
    shows(tab, texts[1])
    tab.wait(f"() => {CONV}.lastFrame.header.shift?.by?.[0] === 6")
    assert config(tab)["view"]["shift"] == [6]
    assert tab.page.get_by_test_id("conv-shift-by").inner_text() == "moved → 6"
    assert tab.js(f"{CONV}.state.running") is False  # the step says pause
    # The caption sits in the feature maps' card, right above the maps.
    caption = box(tab, "conv-lesson-bar")
    maps = box(tab, "conv-maps")
    assert 0 <= maps["y"] - (caption["y"] + caption["height"]) < 40

    tab.page.keyboard.press("ArrowRight")  # a lesson is open: the next step, not a shift
    shows(tab, texts[2])
    tab.wait("() => new URLSearchParams(location.search).get('step') === '3'")
    tab.wait(f"() => {CONV}.state.config.view.shift[0] === 3")
    assert config(tab)["model"]["layers"][0]["stride"] == 2
    assert "lesson=03-shift" in tab.page.url

    tab.page.keyboard.press("Shift+ArrowRight")  # Shift+arrows move the input
    tab.wait(f"() => {CONV}.state.config.view.shift[0] === 4")
    assert tab.js(CAPTION) == texts[2]  # still the same step
    tab.page.keyboard.press("ArrowLeft")
    shows(tab, texts[1])
    tab.wait(f"() => {CONV}.state.config.view.shift[0] === 6")

    # The help says which keys do what.
    tab.page.keyboard.press("?")
    help_text = tab.page.get_by_test_id("conv-help").inner_text()
    assert "Shift+←" in help_text and "previous or next step" in help_text
    assert tab.errors == []


def test_a_save_reopens_from_its_link_with_its_step_and_kernels(tab: Tab, student: Tab) -> None:
    open_conv(tab, "&paused=1")
    for count in (1, 2, 3):
        tab.page.get_by_test_id("conv-step").click()
        tab.wait(f"() => {CONV}.lastFrame.header.step === {count}")
    saved = tab.js(KERNEL)
    tab.page.get_by_test_id("conv-save-name").fill("three steps")
    tab.page.get_by_test_id("conv-save-btn").click()
    link = tab.page.get_by_test_id("conv-save-link")
    link.wait_for(state="visible")
    href = link.get_attribute("href")
    assert href is not None and href.startswith("/?mode=conv&open=")
    tab.page.get_by_test_id("conv-save-item").filter(has_text="three steps").wait_for()

    # Another page opens the link: a new session, the saved network in it, paused.
    student.page.goto(tab.server.url + href.lstrip("/"))
    student.wait(f"() => {CONV}?.lastFrame?.header.step === 3")
    opened = student.js(KERNEL)
    assert opened == saved
    assert student.js(f"{CONV}.state.session") != tab.js(f"{CONV}.state.session")
    assert student.js(f"{CONV}.state.running") is False
    assert (
        student.page.get_by_test_id("conv-numbers").locator("[data-metric=step]").inner_text()
        == "3"
    )
    assert tab.errors == [] and student.errors == []


def test_a_follower_watches_read_only_and_the_leader_counts_it(tab: Tab, student: Tab) -> None:
    texts = captions("03-shift")
    open_conv(tab, "&lesson=03-shift&step=1")  # step 1 trains
    shows(tab, texts[0])
    tab.wait(f"() => {CONV}.state.running")
    session = tab.js(f"{CONV}.state.session")

    open_conv(student, f"&follow={session}")
    shows(student, texts[0])
    first = int(student.js(f"{CONV}.lastFrame.header.step"))
    student.wait(f"() => {CONV}.lastFrame.header.step > {first + 3}")  # the leader's training
    assert (
        student.page.get_by_test_id("conv-play").is_disabled()
        or student.page.get_by_test_id("conv-pause").is_disabled()
    )
    assert student.page.get_by_test_id("conv-step").is_disabled()
    assert student.js("document.getElementById('conv-side').inert") is True
    assert student.page.get_by_test_id("conv-lesson-next").is_hidden()  # the teacher steps
    assert student.page.get_by_test_id("conv-follow-badge").inner_text() == "Following (read-only)"
    badge = "document.querySelector('[data-testid=conv-follow-badge]')"
    tab.wait(f"() => {badge}.textContent === '1 following' && !{badge}.hidden")
    assert f"follow={session}" in tab.page.get_by_test_id("conv-follow-link").input_value()

    # The teacher steps on: the student's caption follows; the student's keys change nothing.
    tab.page.keyboard.press("ArrowRight")
    shows(tab, texts[1])
    shows(student, texts[1])
    student.page.keyboard.press("Shift+ArrowRight")
    student.page.keyboard.press("s")
    tab.wait(f"() => {CONV}.state.config.view.shift[0] === 6")
    student.wait(f"() => {CONV}.state.config.view.shift[0] === 6")
    assert f"follow={session}" in student.page.url
    assert tab.errors == [] and student.errors == []


def test_presenter_mode_hides_the_controls_and_keeps_the_caption_in_sight(student: Tab) -> None:
    texts = captions("03-shift")
    open_conv(student, "&lesson=03-shift&step=2")  # a 1280×720 page
    shows(student, texts[1])
    assert student.page.get_by_test_id("conv-side").is_visible()
    student.page.keyboard.press("p")
    student.page.get_by_test_id("conv-side").wait_for(state="hidden")
    assert "presenter=1" in student.page.url
    assert student.page.get_by_test_id("conv-btn-presenter").inner_text() == "Leave presenting"
    caption = box(student, "conv-lesson-caption")
    assert caption["y"] >= 0 and caption["y"] + caption["height"] <= 720
    size = student.js(
        "parseFloat(getComputedStyle(document.querySelector('[data-testid=conv-lesson-caption]')).fontSize)"
    )
    assert size >= 20
    assert student.page.get_by_test_id("conv-input").is_visible()
    assert student.page.get_by_test_id("conv-maps").is_visible()

    # Full screen for the maps: the caption is in it.
    student.page.keyboard.press("f")
    student.wait(
        "() => document.querySelector('[data-testid=conv-maps-card]').classList.contains('is-full')"
    )
    assert student.page.get_by_test_id("conv-lesson-caption").is_visible()
    student.page.keyboard.press("f")
    student.page.keyboard.press("p")
    student.page.get_by_test_id("conv-side").wait_for(state="visible")

    # Scrolled down to the matrix (some steps talk about it), the caption floats in sight.
    student.page.get_by_test_id("conv-matrix-card").scroll_into_view_if_needed()
    student.wait(
        "() => document.querySelector('[data-testid=conv-lesson-bar]').matches('.floating')"
    )
    caption = box(student, "conv-lesson-caption")
    assert caption["y"] >= 0 and caption["y"] + caption["height"] <= 720
    student.js("window.scrollTo(0, 0)")
    student.wait(
        "() => !document.querySelector('[data-testid=conv-lesson-bar]').matches('.floating')"
    )
    assert student.errors == []


def test_an_exported_experiment_imports_back_and_a_bad_file_is_refused(tab: Tab) -> None:
    open_conv(tab, "&paused=1")
    tab.page.get_by_test_id("conv-step").click()
    tab.wait(f"() => {CONV}.lastFrame.header.step === 1")
    with tab.page.expect_download() as download:
        tab.page.get_by_test_id("conv-export-json").click()
    exported = Path(download.value.path()).read_bytes()
    assert json.loads(exported)["step"] == 1

    chooser = tab.page.get_by_test_id("conv-import-file")
    chooser.set_input_files(files=upload("bad.json", b'{"config": 3}'))
    problem = tab.page.get_by_test_id("conv-saves-error")
    problem.wait_for(state="visible")
    assert problem.inner_text().startswith("Not imported, nothing changed:")
    assert tab.js(f"{CONV}.lastFrame.header.step") == 1

    tab.page.get_by_test_id("conv-step").click()
    tab.wait(f"() => {CONV}.lastFrame.header.step === 2")
    chooser.set_input_files(files=upload("good.json", exported))
    tab.wait(f"() => {CONV}.lastFrame.header.step === 1")  # back to the exported network
    problem.wait_for(state="hidden")
    # The browser logs the refused upload (a 422) itself; nothing else went wrong.
    assert [e for e in tab.errors if "status of 422" not in e] == []


def test_the_hand_built_detector_lesson_sets_its_templates_and_is_right_at_once(tab: Tab) -> None:
    open_conv(tab, "&lesson=07-c-versus-d-by-hand&step=1")
    shows(tab, captions("07-c-versus-d-by-hand")[0])
    tab.wait(f"() => {CONV}.lastFrame.header.metrics.test_acc === 1")  # untrained, step 0
    header = tab.js(f"{CONV}.lastFrame.header")
    assert header["step"] == 0 and header["metrics"]["train_acc"] == 1
    drawn = tab.js(f"Array.from({CONV}.lastFrame.arrays.get('kernel/0'))")
    assert drawn == [float(v) for t in templates().values() for v in t.ravel()]
