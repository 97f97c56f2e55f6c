"""Milliseconds from a hand edit of a layer to the redrawn views, in the real page.

Starts the real server, opens the page in Debian's chromium (as the browser tests do), pauses
on moons with two hidden layers of width 2 and edits layer 1 by hand N times, one edit at a
time, through the inspector's own controls:
- ``slider``: the first-rotation slider moved (an input event), which rebuilds W from its parts
  and sends ``set_layer``;
- ``entry``: a matrix entry typed (a change event), which sends ``set_weight``;
- ``drag``: the tip of W e₁ dragged with the mouse on the inspector's canvas (``set_layer``).
Each edit is timed by the page itself (``window.spacefold.views.inspector.edits.log``): from the
input event's time stamp to the end of the animation frame that drew the frame carrying the
new weights (every view: input plane, stages, close-up, inspector). Median and 95th percentile.

Run: python -m bench.edit [--edits 40] [--frontend DIR]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics

from playwright.sync_api import Page

from bench.page import add_frontend_option, serve_frontend, server_and_browser
from bench.stats import percentile
from tests.chromium import CHROMIUM

QUERY = "?depth=2&paused=1"
WAIT_MS = 30_000

SLIDE = """(value) => {
  const input = document.querySelector('[data-testid=insp-angle_in]');
  input.value = String(value);
  input.dispatchEvent(new Event('input', {bubbles: true}));
}"""

TYPE = """(value) => {
  const input = document.querySelector('[data-testid=insp-w-0-1]');
  input.value = String(value);
  input.dispatchEvent(new Event('change', {bubbles: true}));
}"""

LOGGED = "window.spacefold.views.inspector.edits.log.length"


def answered(page: Page, count: int) -> None:
    """Wait until `count` edits have been answered and drawn, and nothing is in flight."""
    page.wait_for_function(
        f"() => {LOGGED} >= {count} && !window.spacefold.views.inspector.edits.inFlight",
        timeout=WAIT_MS,
    )


def timings(page: Page, start: int) -> list[float]:
    return [
        float(ms)
        for ms in page.evaluate(
            f"() => window.spacefold.views.inspector.edits.log.slice({start}).map((e) => e.ms)"
        )
    ]


def slider(page: Page, edits: int) -> list[float]:
    start = int(page.evaluate(LOGGED))
    for i in range(edits):
        page.evaluate(SLIDE, -90 + 4.5 * i)
        answered(page, start + i + 1)
    return timings(page, start)


def entry(page: Page, edits: int) -> list[float]:
    start = int(page.evaluate(LOGGED))
    for i in range(edits):
        page.evaluate(TYPE, round(-1 + 0.05 * i, 3))
        answered(page, start + i + 1)
    return timings(page, start)


def drag(page: Page, edits: int) -> list[float]:
    canvas = page.get_by_test_id("insp-basis")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    to_pixel = "([x, y]) => window.spacefold.views.inspector.basis.toPixel(x, y)"
    weight = page.evaluate("window.spacefold.lastFrame.header.layers[0].weight")
    tip = page.evaluate(to_pixel, [weight[0][0], weight[1][0]])
    start = int(page.evaluate(LOGGED))
    page.mouse.move(box["x"] + tip[0], box["y"] + tip[1])
    page.mouse.down()
    for i in range(edits):
        # Around a circle of radius 1.2: every move a new column, one answered at a time.
        angle = 2 * math.pi * i / edits
        goal = page.evaluate(to_pixel, [1.2 * math.cos(angle), 1.2 * math.sin(angle)])
        page.mouse.move(box["x"] + goal[0], box["y"] + goal[1])
        answered(page, start + i + 1)
    page.mouse.up()
    return timings(page, start)


def report(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    p95 = percentile(values, 0.95)
    return (
        f"{name:7s} {len(values):3d} edits: median {statistics.median(values):6.1f} ms, "
        f"p95 {p95:6.1f} ms, min {ordered[0]:6.1f} ms, max {ordered[-1]:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edits", type=int, default=40, help="edits of each kind")
    add_frontend_option(parser)
    args = parser.parse_args()
    serve_frontend(args.frontend)
    print(
        f"chromium {CHROMIUM} headless; page {QUERY} (moons, 2 hidden layers of width 2, "
        f"paused); {os.cpu_count()} CPU cores shared with the server; each edit waits for the "
        f"previous one to be drawn; from the input event to the end of the animation frame "
        f"that drew the answer"
    )
    with server_and_browser() as (server, browser):
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(server.url + QUERY)
        page.wait_for_function("() => (window.spacefold?.frames ?? 0) >= 1", timeout=WAIT_MS)
        page.wait_for_function(
            "() => window.spacefold.state.config?.model.depth === 2"
            " && window.spacefold.lastHeader.stages.length === 6",
            timeout=WAIT_MS,
        )
        page.get_by_test_id("inspector").scroll_into_view_if_needed()
        page.wait_for_function(
            "() => window.spacefold.views.inspector.shown?.layer === 1", timeout=WAIT_MS
        )
        for name, run in (("slider", slider), ("entry", entry), ("drag", drag)):
            print(report(name, run(page, args.edits)))


if __name__ == "__main__":
    main()
