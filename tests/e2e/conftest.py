"""Browser tests: the real server as a subprocess, the page in Debian's chromium (Playwright).

Fixtures:
- ``server``: ``python -m server --no-open --port 0`` from the repository root, once per session;
  its address is read from its first lines of output, then ``GET /api/health`` is awaited.
- ``browser``: one headless chromium per session (``/usr/bin/chromium``, never a downloaded one).
- ``tab``: a fresh browser context and page per test that records console errors and page
  errors. When the test fails it saves a screenshot under ``test-artifacts/`` and prints its
  path, the page's errors and the end of the server's log.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, sync_playwright

from tests.chromium import CHROMIUM, CHROMIUM_ARGS

from .support import WAIT_MS, Server, Tab

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
START_TIMEOUT_S = 60.0
URL_PATTERN = re.compile(r"http://[^\s/]+/")

REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, so fixtures can tell that a test failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def _failed(request: pytest.FixtureRequest) -> bool:
    reports = request.node.stash.get(REPORTS, {})
    return any(report.failed for report in reports.values())


def _pump(
    process: subprocess.Popen[str], lines: list[str], found: list[str], ready: threading.Event
) -> None:
    """Copy the server's output into ``lines``; note the first address it prints."""
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        match = URL_PATTERN.search(line)
        if match and not found:
            found.append(match.group(0))
            ready.set()
    ready.set()  # the output ended: the process is gone


def _wait_healthy(url: str, process: subprocess.Popen[str], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url + "api/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    raise RuntimeError("the server did not answer GET /api/health in time")


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "server", "--no-open", "--port", "0",
         "--data-dir", tempfile.mkdtemp(prefix="spacefold-e2e-")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: list[str] = []
    found: list[str] = []
    ready = threading.Event()
    threading.Thread(target=_pump, args=(process, lines, found, ready), daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        ready.wait(START_TIMEOUT_S)
        if not found:
            raise RuntimeError("the server printed no address")
        _wait_healthy(found[0], process, deadline)
    except RuntimeError as exc:
        process.kill()
        process.wait()
        log = "".join(lines) or "(nothing)\n"
        pytest.fail(f"could not start the server: {exc}\n--- server output ---\n{log}")
    running = Server(url=found[0], process=process, lines=lines)
    yield running
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def tab(browser: Browser, server: Server, request: pytest.FixtureRequest) -> Iterator[Tab]:
    locale = getattr(request, "param", "en-US")
    context = browser.new_context(viewport={"width": 1400, "height": 950}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    current = Tab(page=page, server=server)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            current.errors.append(f"console error: {message.text} ({message.location})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: current.errors.append(f"page error: {error}"))
    yield current
    if _failed(request):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        shot = ARTIFACTS / f"{name}.png"
        try:
            page.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot of the failed page: {shot}")
        except Exception as exc:  # the page may be what broke
            print(f"\nno screenshot: {exc}")
        print("page errors:", *(current.errors or ["(none)"]), sep="\n  ")
        print(f"--- end of the server log ---\n{server.log()}")
    context.close()
