"""Frames drawn per second and main-thread time per frame in the real page, in headless chromium.

Starts the real server, opens the page in Debian's chromium (as the browser tests do) and, for
each experiment, counts the frames the page draws (``window.spacefold.frames``) over a few
seconds and reads chromium's own counters (``Performance.getMetrics``): JavaScript time and all
main-thread task time, per frame drawn. ``--profile`` also lists the functions that took the
most JavaScript time (chromium's sampling profiler).

``--latency N`` instead times N width changes in the default experiment (training): from the
click on the width's + or - button to the animation frame after the first frame of the new
network was drawn, median and 95th percentile.

``--size 1280x720`` sets the window (the default is 1600x1000); the charts' own time is reported
as ms of chart work per second of wall time.

Run: python -m bench.browser [--seconds 8] [--profile] [--only NAME] [--size WxH] [--frontend DIR]
     python -m bench.browser --latency 40

Against an older page: git archive COMMIT frontend | tar -x -C /tmp/old, then
--frontend /tmp/old/frontend.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, CDPSession, Page, ViewportSize

from bench.page import add_frontend_option, serve_frontend, server_and_browser
from bench.stats import percentile
from tests.chromium import CHROMIUM, CHROMIUM_ARGS

VIEWPORT: ViewportSize = {"width": 1600, "height": 1000}


@dataclass(frozen=True)
class Scenario:
    name: str
    query: str  # the page's link: the experiment
    focus: str | None = None  # a JavaScript expression: the stage position to open in the focus
    height: int | None = None  # of the window, if not the run's: a tall one shows every view
    morph: bool = False  # play the morph (slowest speed, so that it plays all along)
    into_view: str | None = None  # a CSS selector: scroll it into the middle of the window
    counts: str = "window.spacefold"  # what holds the mode's counters (frames, received)


SCENARIOS = [
    Scenario("default", ""),
    Scenario("lecture (4 hidden layers of width 2 on the spiral)", "?preset=lecture"),
    Scenario("default, the training charts in sight", "", into_view="#plot-dead"),
    Scenario("lecture, the training charts in sight", "?preset=lecture", into_view="#plot-dead"),
    Scenario(
        "depth 4 x width 2, every view (regions in every stage, the close-up on the last "
        "fold, scrolled into sight with the strip's last row above it)",
        "?depth=4&width=2&regions=true",
        focus="window.spacefold.lastHeader.stages.length - 2",
    ),
    Scenario("depth 4 x width 8", "?depth=4&width=8"),
    Scenario(
        "depth 4 x width 2, every view, a window tall enough to show them all (1600x2400)",
        "?depth=4&width=2&regions=true",
        focus="window.spacefold.lastHeader.stages.length - 2",
        height=2400,
    ),
    Scenario(
        "depth 4 x width 2, the morph playing in the close-up while training runs",
        "?depth=4&width=2&regions=true",
        focus="0",
        morph=True,
    ),
    Scenario(
        "conv: the Convolution mode's defaults (C against D, layers of 4 and 8 channels, "
        "60 steps/s)",
        "?mode=conv",
        counts="window.spacefold?.conv",
    ),
]


@dataclass
class Figures:
    seconds: float
    frames: int
    received: int
    script_s: float
    task_s: float
    layout_s: float
    draw_ms: float | None  # the page's own count of ms in its draw function, when it keeps one
    parts: dict[str, float]  # ... by view
    closeups: int  # times the close-up was drawn (every animation frame while the morph plays)
    samples: Counter[str]

    def report(self) -> str:
        per = max(self.frames, 1)
        text = (
            f"  {self.frames / self.seconds:5.1f} frames drawn/s "
            f"({self.received / self.seconds:.1f} received/s); per frame drawn: "
            f"JS {1e3 * self.script_s / per:.1f} ms, main thread busy "
            f"{1e3 * self.task_s / per:.1f} ms (layout {1e3 * self.layout_s / per:.1f} ms)"
        )
        if self.draw_ms is not None:
            text += f", in the page's draw() {self.draw_ms / per:.1f} ms"
        if self.parts:
            text += " (" + ", ".join(f"{k} {v / per:.1f}" for k, v in self.parts.items()) + ")"
        if "charts" in self.parts:
            text += f"; charts {self.parts['charts'] / self.seconds:.0f} ms per second"
        if self.closeups:
            text += f"; close-up drawn {self.closeups / self.seconds:.1f} times/s"
        return text


def metrics(cdp: CDPSession) -> dict[str, float]:
    answer = cdp.send("Performance.getMetrics")
    return {entry["name"]: float(entry["value"]) for entry in answer["metrics"]}


@dataclass
class Counters:
    """What the page counts: frames drawn and received, ms drawing (all, by view), close-ups."""

    frames: int
    received: int
    draw_ms: float | None
    parts: dict[str, float]
    closeups: int


def counters(page: Page, counts: str = "window.spacefold") -> Counters:
    """The counters of the mode whose counts are in ``counts`` (a JavaScript expression)."""
    values = page.evaluate(
        f"() => [{counts}.frames, {counts}.received, {counts}.drawTotalMs ?? null,"
        f" {counts}.drawParts ?? {{}}, {counts}.views?.focus?.draws ?? 0]"
    )
    return Counters(
        frames=int(values[0]),
        received=int(values[1]),
        draw_ms=None if values[2] is None else float(values[2]),
        parts={str(k): float(v) for k, v in values[3].items()},
        closeups=int(values[4]),
    )


def hot_functions(profile: dict[str, Any]) -> Counter[str]:
    """Sampled JavaScript time (in samples) per function, from a CDP Profiler profile."""
    names: dict[int, str] = {}
    for node in profile["nodes"]:
        frame = node["callFrame"]
        url = Path(frame["url"]).name or "(native)"
        names[node["id"]] = f"{frame['functionName'] or '(anonymous)'} {url}:{frame['lineNumber']}"
    return Counter(names[sample] for sample in profile.get("samples", []))


def measure(
    browser: Browser,
    url: str,
    scenario: Scenario,
    seconds: float,
    profile: bool,
    window: ViewportSize = VIEWPORT,
) -> Figures:
    height = scenario.height or window["height"]
    context = browser.new_context(viewport={"width": window["width"], "height": height})
    page = context.new_page()
    try:
        page.goto(url + scenario.query)
        page.wait_for_function(f"() => ({scenario.counts}?.frames ?? 0) >= 3", timeout=60_000)
        if scenario.focus:
            page.evaluate(f"() => window.spacefold.focusStage?.({scenario.focus})")
            page.evaluate("() => document.getElementById('focus')?.scrollIntoView({block: 'end'})")
        if scenario.into_view:
            page.evaluate(
                "(s) => document.querySelector(s)?.scrollIntoView({block: 'center'})",
                scenario.into_view,
            )
        if scenario.morph and page.locator("#morph-play").count():  # an older page has none
            page.select_option("#morph-speed", "8")
            page.click("#morph-play")
        page.wait_for_timeout(2000)  # warm up: caches, JIT, the server's first chunks
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        if profile:
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 500})
            cdp.send("Profiler.start")
        before, first = metrics(cdp), counters(page, scenario.counts)
        start = time.monotonic()
        page.wait_for_timeout(seconds * 1000)
        elapsed = time.monotonic() - start
        after, last = metrics(cdp), counters(page, scenario.counts)
        samples: Counter[str] = Counter()
        if profile:
            samples = hot_functions(cdp.send("Profiler.stop")["profile"])
        return Figures(
            seconds=elapsed,
            frames=last.frames - first.frames,
            received=last.received - first.received,
            script_s=after["ScriptDuration"] - before["ScriptDuration"],
            task_s=after["TaskDuration"] - before["TaskDuration"],
            layout_s=after["LayoutDuration"] - before["LayoutDuration"],
            draw_ms=(
                None
                if first.draw_ms is None or last.draw_ms is None
                else last.draw_ms - first.draw_ms
            ),
            parts={k: v - first.parts.get(k, 0.0) for k, v in last.parts.items()},
            closeups=last.closeups - first.closeups if scenario.morph else 0,
            samples=samples,
        )
    finally:
        context.close()


# Click + (or -) on the hidden width, then wait for the animation frame after the first frame of
# a network of that width was drawn: milliseconds in between.
WIDTH_CHANGE = """async (up) => {
  const sf = window.spacefold;
  const hidden = () => sf.lastFrame?.header.stages.find((s) => s.kind === "affine")?.width;
  const want = hidden() + (up ? 1 : -1);
  const started = performance.now();
  document.getElementById(up ? "ctl-model-width-inc" : "ctl-model-width-dec").click();
  return await new Promise((resolve) => {
    const check = () => {
      if (hidden() === want) requestAnimationFrame(() => resolve(performance.now() - started));
      else requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  });
}"""


def width_latency(browser: Browser, url: str, changes: int) -> list[float]:
    """Milliseconds from each width click to the new network on screen (widths 2 to 5, back)."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    try:
        page.goto(url)
        page.wait_for_function("() => (window.spacefold?.frames ?? 0) >= 3", timeout=60_000)
        page.wait_for_timeout(1000)
        out = []
        for i in range(changes):
            out.append(float(page.evaluate(WIDTH_CHANGE, i % 6 < 3)))
            page.wait_for_timeout(150)  # as a person would click: not back to back
        return out
    finally:
        context.close()


def window_size(text: str) -> ViewportSize:
    """``1280x720`` as a window size."""
    width, sep, height = text.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit() or int(width) * int(height) == 0:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, such as 1280x720: {text!r}")
    return {"width": int(width), "height": int(height)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0, help="measured per experiment")
    parser.add_argument("--profile", action="store_true", help="list the hottest JS functions")
    parser.add_argument("--only", help="run only the experiments whose name contains this")
    parser.add_argument(
        "--latency",
        type=int,
        metavar="N",
        help="instead: time N width changes, click to the new network on screen",
    )
    parser.add_argument(
        "--size",
        type=window_size,
        default=VIEWPORT,
        metavar="WxH",
        help="the window, in CSS pixels (default 1600x1000)",
    )
    add_frontend_option(parser)
    args = parser.parse_args()
    window: ViewportSize = args.size
    serve_frontend(args.frontend)
    scenarios = [s for s in SCENARIOS if not args.only or args.only in s.name]
    print(
        f"chromium {CHROMIUM} headless {' '.join(CHROMIUM_ARGS)}; window "
        f"{window['width']}x{window['height']} unless said; {os.cpu_count()} CPU cores "
        f"shared with the server (python -m server, frames capped at SPACEFOLD_MAX_FPS="
        f"{os.environ.get('SPACEFOLD_MAX_FPS', '60 (default)')} a second; training at the "
        f"default speed, 150 steps a second); {args.seconds:g} s measured per experiment after "
        f"2 s of warm-up; page from "
        f"{os.environ.get('SPACEFOLD_FRONTEND_DIR', 'frontend/')}"
    )
    with server_and_browser() as (server, browser):
        if args.latency:
            times = sorted(width_latency(browser, server.url, args.latency))
            p95 = percentile(times, 0.95)
            print(
                f"width change to the new network on screen, {len(times)} changes: "
                f"median {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
                f"max {times[-1]:.0f} ms"
            )
            return
        for scenario in scenarios:
            figures = measure(browser, server.url, scenario, args.seconds, args.profile, window)
            print(f"{scenario.name}: page {scenario.query or '(no query: the defaults)'}")
            print(figures.report())
            total = sum(figures.samples.values())
            for name, count in figures.samples.most_common(15):
                print(f"    {100 * count / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()
