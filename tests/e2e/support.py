"""What the browser tests share: the running server and a page with helpers to wait on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser, Page

from tests.live_server import LiveServer

WAIT_MS = 20_000  # default for explicit waits on the page


@dataclass
class Tab:
    """One page of the app, with the errors it logged and small helpers for waiting on it."""

    page: Page
    server: LiveServer
    errors: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Tab({self.page.url!r}, errors={self.errors!r})"

    def open(self, query: str = "", frames: int = 1) -> None:
        """Load the page (with an optional ``?query``) and wait for ``frames`` drawn frames."""
        self.page.goto(self.server.url + query)
        self.wait(f"() => (window.spacefold?.frames ?? 0) >= {frames}")

    def wait(self, predicate: str, arg: Any = None, timeout_ms: int = WAIT_MS) -> Any:
        """Wait until the JavaScript function ``predicate`` returns something truthy."""
        handle = self.page.wait_for_function(predicate, arg=arg, timeout=timeout_ms)
        return handle.json_value()

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def frames(self) -> int:
        return int(self.js("window.spacefold.frames"))

    def step(self) -> int:
        return int(self.js("window.spacefold.lastHeader.step"))

    def wait_more_frames(self, count: int = 2) -> int:
        """Wait until ``count`` more frames have been drawn; return the new total."""
        start = self.frames()
        return int(
            self.wait(
                f"() => window.spacefold.frames >= {start + count} && window.spacefold.frames"
            )
        )

    def panel_count(self) -> int:
        """Panels in the stage strip."""
        return int(self.js("document.querySelectorAll('[data-testid=stage-panel]').length"))

    def panel_texts(self) -> list[str]:
        """Every stage panel's title and caption, as shown."""
        return [
            str(text)
            for text in self.js(
                "Array.from(document.querySelectorAll('[data-testid=stage-panel] .stage-head'),"
                " (head) => head.innerText.replace(/\\s+/g, ' '))"
            )
        ]

    def painted(self, selector: str) -> float:
        """Share of a canvas's pixels that are not white: 0 is an empty plot. The canvas is
        scrolled into sight first (the page draws only what can be seen)."""
        self.page.locator(selector).scroll_into_view_if_needed()
        return float(self.js(PAINTED, selector))

    def settle(self) -> None:
        """Wait until training is paused and the last frame sent has been drawn."""
        self.wait(
            "() => !window.spacefold.state.running && !window.spacefold.pending"
            " && performance.now() - window.spacefold.receivedAt > 300"
        )


PAINTED = """async (selector) => {
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  await frame();
  await frame();
  const canvas = document.querySelector(selector);
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] < 245 || data[i + 1] < 245 || data[i + 2] < 245) ink++;
  }
  return ink / (data.length / 4);
}"""


@contextmanager
def second_tab(browser: Browser, server: LiveServer, width: int, height: int) -> Iterator[Tab]:
    """A second page, in a browser context of its own (another laptop in the class)."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    second = Tab(page=page, server=server)
    page.on("pageerror", lambda error: second.errors.append(f"page error: {error}"))
    try:
        yield second
    finally:
        context.close()
