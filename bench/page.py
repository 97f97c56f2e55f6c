"""What the page benchmarks share: the server and headless chromium, the page served from
frontend/ or from another folder (an older page, to compare against)."""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, sync_playwright

from tests.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.live_server import LiveServer, live_server


def add_frontend_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--frontend",
        type=Path,
        help="serve the page from this folder (e.g. an older frontend/, from git archive)",
    )


def serve_frontend(frontend: Path | None) -> None:
    """Have the server started next serve the page from ``frontend`` (None: frontend/)."""
    if frontend is not None:
        os.environ["SPACEFOLD_FRONTEND_DIR"] = str(frontend.resolve())


@contextlib.contextmanager
def server_and_browser() -> Iterator[tuple[LiveServer, Browser]]:
    """A running server, its drawing processes started, and headless chromium; both stopped
    after."""
    with live_server(drawing=True) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield server, browser
        finally:
            browser.close()
