"""Browser tests: the real server as a subprocess, the page in Debian's chromium (Playwright).

Fixtures:
- ``server``: ``python -m server --no-open --port 0`` via ``tests.live_server``, once per session;
  its address is read from its first lines of output, then ``GET /api/health`` is awaited.
- ``browser``: one headless chromium per session (``/usr/bin/chromium``, never a downloaded one).
- ``tab``: a fresh browser context and page per test that records console errors and page
  errors. When the test fails it saves a screenshot under ``test-artifacts/`` and prints its
  path, the page's errors and the end of the server's log.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, sync_playwright

from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.live_server import LiveServer, live_server

from .support import WAIT_MS, Tab

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
START_TIMEOUT_S = 60.0

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


@pytest.fixture(scope="session")
def server() -> Iterator[LiveServer]:
    with live_server(timeout=START_TIMEOUT_S) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def tab(browser: Browser, server: LiveServer, request: pytest.FixtureRequest) -> Iterator[Tab]:
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
        print(f"--- end of the server log ---\n{server.log(80)}")
    context.close()
