"""A page whose server died: it reconnects to the server started again in its place, gets its
experiment back from the last autosave (its step, not step 0), says what happened, and trains
on; a student's page following it follows the reopened session."""

from __future__ import annotations

import os
import re
import signal
import tempfile

from playwright.sync_api import Browser

from tests.live_server import live_server
from tests.services import free_port

from .support import Tab

ENV = {**os.environ, "SPACEFOLD_AUTOSAVE_SECONDS": "0.5"}
# At the default speed (150 steps/s): the steps of the interval and 1.5 s of lateness, and of
# the frames still on their way when the server died.
STEPS_LOST, STEPS_AHEAD = 300, 150


def test_a_page_gets_its_experiment_back_after_its_server_was_killed(browser: Browser) -> None:
    port, data = str(free_port()), tempfile.mkdtemp(prefix="spacefold-data-")
    args = ("--port", port, "--data-dir", data)
    teacher = browser.new_context(viewport={"width": 1280, "height": 720})
    student = browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        with live_server(*args, env=ENV) as first:
            tab = Tab(page=teacher.new_page(), server=first)
            tab.open("?width=3")
            tab.wait("() => (window.spacefold.lastHeader?.step ?? 0) > 300")
            before = tab.js("window.spacefold.state.session")
            follower = Tab(page=student.new_page(), server=first)
            follower.open(f"?follow={before}")
            tab.page.wait_for_timeout(1500)  # a few autosaves
            first.process.send_signal(signal.SIGKILL)
            first.process.wait(10)
            killed_at = tab.js("window.spacefold.lastHeader.step")
        with live_server(*args, env=ENV) as second:
            tab.server = follower.server = second
            warning = tab.page.get_by_test_id("message-warn").filter(has_text="autosave")
            warning.wait_for(timeout=30_000)
            text = warning.inner_text()
            found = re.search(r"at step (\d+)", text)
            assert found is not None, text
            restored = int(found.group(1))
            # The last autosave may be a little ahead of the last frame drawn (frames in flight)
            # and at most an interval and a busy machine's lateness behind it.
            assert killed_at - STEPS_LOST <= restored <= killed_at + STEPS_AHEAD, (killed_at, text)
            now = tab.js("window.spacefold.state.session")
            assert now != before
            assert tab.js("window.spacefold.state.config.model.width") == 3
            tab.wait("(n) => window.spacefold.lastHeader.step > n + 50", restored)  # trains on

            # The student's page follows the reopened session: its address says so, and its
            # frames go on past the restored step.
            said = "() => Array.from(document.querySelectorAll('.message'), (m) => m.innerText)"
            try:
                follower.wait("(id) => location.search.includes(`follow=${id}`)", now, 30_000)
            except Exception as exc:
                raise AssertionError(f"{follower.page.url}: {follower.js(said)}") from exc
            follower.wait("(n) => (window.spacefold.lastHeader?.step ?? 0) > n + 50", restored)
            assert tab.errors == [] and follower.errors == [], (tab.errors, follower.errors)
    finally:
        teacher.close()
        student.close()
