"""Keeping and sharing work in the page: saved experiments and their links, import, exports,
follow mode."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Download, FilePayload

from tests.live_server import LiveServer

from .support import Tab, second_tab

WEIGHTS = "() => window.spacefold.lastHeader.layers.map((l) => [l.weight, l.bias])"


@pytest.fixture
def other(browser: Browser, server: LiveServer) -> Iterator[Tab]:
    """A second page, in a browser context of its own (another student's laptop)."""
    with second_tab(browser, server, 1400, 950) as tab:
        yield tab


def train_steps(tab: Tab, count: int) -> int:
    """Press s ``count`` times; return the step the session is then at."""
    tab.page.locator("h1").click()
    start = tab.step()
    for _ in range(count):
        tab.page.keyboard.press("s")
    tab.wait(f"() => window.spacefold.lastHeader.step === {start + count}")
    tab.settle()
    return start + count


def flat(nested: Any) -> list[float]:
    """Every number in nested lists, in order."""
    if isinstance(nested, list):
        return [x for item in nested for x in flat(item)]
    return [float(nested)]


def json_file(body: bytes) -> FilePayload:
    return {"name": "experiment.json", "mimeType": "application/json", "buffer": body}


def downloaded(download: Download) -> bytes:
    path = download.path()
    assert path is not None
    return Path(path).read_bytes()


def test_a_saved_link_reopens_the_experiment_with_the_same_weights(tab: Tab, other: Tab) -> None:
    tab.open("?paused=1&dataset=xor&depth=2")
    step = train_steps(tab, 4)
    weights = tab.js(WEIGHTS)
    tab.page.get_by_test_id("save-name").fill("xor after four steps")
    tab.page.get_by_test_id("save-btn").click()
    link = tab.page.get_by_test_id("save-link")
    link.wait_for()
    address = link.inner_text()
    assert "/?open=" in address
    item = tab.page.get_by_test_id("save-item").filter(has_text="xor after four steps")
    item.wait_for()

    other.page.goto(address)
    other.wait(f"() => window.spacefold.lastHeader?.step === {step}")
    assert other.js(WEIGHTS) == weights
    config = other.js("window.spacefold.state.config")
    assert (config["data"]["dataset"], config["model"]["depth"]) == ("xor", 2)
    assert other.js("window.spacefold.state.running") is False
    assert "open=" not in other.page.url  # opened once; the address now holds the config

    # Rename it, then delete it.
    item.get_by_test_id("save-rename").click()
    field = tab.page.get_by_test_id("save-rename-input")
    field.fill("xor, renamed")
    field.press("Enter")
    renamed = tab.page.get_by_test_id("save-item").filter(has_text="xor, renamed")
    renamed.wait_for()
    renamed.get_by_test_id("save-delete").click()
    renamed.wait_for(state="detached")
    assert tab.errors == [] and other.errors == []


def test_a_bad_import_says_why_and_changes_nothing(tab: Tab) -> None:
    tab.open("?paused=1")
    train_steps(tab, 2)
    before = (tab.js(WEIGHTS), tab.js("window.spacefold.state.config"), tab.step())
    hostile = {
        "format": "spacefold-experiment",
        "version": 1,
        "config": {},
        "points": {"x_train": [[0, 0]], "y_train": [7], "x_test": [], "y_test": [], "classes": 2},
        "layers": [{"weight": [[1e308, 0]], "bias": [0]}],
        "step": -5,
    }
    for body, why in (
        (b'{"format": "spacefold-exp', "the file"),
        (json.dumps(hostile).encode(), "layers.0.weight"),
    ):
        tab.page.get_by_test_id("import-file").set_input_files(files=[json_file(body)])
        problem = tab.page.get_by_test_id("saves-error")
        problem.wait_for()
        text = problem.inner_text()
        assert text.startswith("Not imported, nothing changed:")
        assert why in text, text
        tab.js("document.querySelector('[data-testid=saves-error]').hidden = true")
    # The server answered 422 before the message showed: nothing was applied, nothing sent.
    assert (tab.js(WEIGHTS), tab.js("window.spacefold.state.config"), tab.step()) == before
    # The browser logs each refused request; nothing else went wrong.
    assert [error for error in tab.errors if "status of 422" not in error] == []


def test_exported_json_imports_back_into_another_session(tab: Tab, other: Tab) -> None:
    tab.open("?paused=1&dataset=circles&width=2&depth=2")
    step = train_steps(tab, 3)
    weights = tab.js(WEIGHTS)
    with tab.page.expect_download() as info:
        tab.page.get_by_test_id("export-json").click()
    body = downloaded(info.value)
    experiment = json.loads(body)
    assert experiment["format"] == "spacefold-experiment"
    assert experiment["step"] == step
    assert flat([[layer["weight"], layer["bias"]] for layer in experiment["layers"]]) == (
        pytest.approx(flat(weights), rel=1e-6)
    )
    # The save it took to export is gone again.
    assert tab.page.get_by_test_id("save-item").filter(has_text="export ").count() == 0

    other.open("?paused=1")
    other.page.get_by_test_id("import-file").set_input_files(files=[json_file(body)])
    other.wait(f"() => window.spacefold.lastHeader.step === {step}")
    assert other.js(WEIGHTS) == weights
    assert other.js("window.spacefold.state.config")["data"]["dataset"] == "circles"
    assert tab.errors == [] and other.errors == []


def test_png_of_a_view_and_csv_of_the_data_download(tab: Tab) -> None:
    tab.open("?paused=1&points=100")
    for card in (".card-input", ".card-stages"):
        with tab.page.expect_download() as info:
            tab.page.locator(f"{card} [data-testid=card-png]").click()
        png = downloaded(info.value)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        assert info.value.suggested_filename.endswith(".png")
        assert len(png) > 2000  # a drawn plot, not an empty picture

    with tab.page.expect_download() as info:
        tab.page.get_by_test_id("export-csv").click()
    lines = downloaded(info.value).decode().strip().splitlines()
    assert lines[0] == "x,y,label,split"
    assert len(lines) == 1 + 100
    assert tab.errors == []


def test_the_morph_is_recorded_as_a_webm_video(tab: Tab) -> None:
    tab.open("?paused=1&depth=1&points=50")
    if not tab.js("typeof MediaRecorder !== 'undefined'"):
        pytest.skip("this chromium has no MediaRecorder")
    tab.page.get_by_test_id("morph-speed").select_option("1")
    button = tab.page.get_by_test_id("export-video")
    with tab.page.expect_download(timeout=30_000) as info:
        button.click()
        assert button.inner_text() == "Recording the morph…"
    video = downloaded(info.value)
    assert video.startswith(b"\x1a\x45\xdf\xa3")  # the EBML magic of WebM
    assert info.value.suggested_filename.endswith(".webm")
    assert button.inner_text() == "Morph video (WebM)"
    assert tab.errors == []


def follower_count(tab: Tab) -> Any:
    return tab.js(
        "document.querySelector('[data-testid=follow-badge]').hidden ? ''"
        " : document.querySelector('[data-testid=follow-badge]').textContent"
    )


def test_a_follower_sees_the_teachers_frames_read_only(tab: Tab, other: Tab) -> None:
    tab.open("?paused=1&dataset=gaussians&points=100")
    session = tab.js("window.spacefold.state.session")
    assert follower_count(tab) == ""
    assert tab.page.get_by_test_id("follow-link").input_value().endswith(f"/?follow={session}")

    other.open(f"?follow={session}")
    tab.wait(
        "() => document.querySelector('[data-testid=follow-badge]').textContent === '1 following'"
    )
    assert follower_count(other) == "Following (read-only)"
    assert other.js("document.getElementById('controls').inert") is True
    assert other.js("window.spacefold.state.config")["data"]["dataset"] == "gaussians"

    # The teacher steps: the student's page draws that very frame.
    step = train_steps(tab, 3)
    other.wait(f"() => window.spacefold.lastHeader.step === {step}")
    assert other.js(WEIGHTS) == tab.js(WEIGHTS)
    # The student's keys drive nothing.
    other.page.locator("h1").click()
    other.page.keyboard.press("Space")
    other.page.keyboard.press("s")
    other.page.wait_for_timeout(300)
    assert tab.js("window.spacefold.state.running") is False
    assert tab.step() == step
    assert other.js("Array.from(document.querySelectorAll('.message'), (m) => m.innerText)") == []

    other.page.close()
    tab.wait("() => document.querySelector('[data-testid=follow-badge]').hidden")
    assert tab.errors == [] and other.errors == []


def test_following_a_session_that_is_gone_says_so(tab: Tab) -> None:
    tab.page.goto(tab.server.url + "?follow=000000000000")
    message = tab.page.get_by_test_id("message-warn")
    message.wait_for()
    assert "No session 000000000000 to follow" in message.inner_text()
    assert follower_count(tab) == "Following (read-only)"
    # The page stops knocking: one refusal, not one every few seconds.
    tab.wait("() => !window.spacefold.state.connected")
    assert message.count() == 1
