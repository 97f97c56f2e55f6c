"""The page's layout at a projector's sizes: the run controls, the input plane, every stage
panel and the live numbers on the first screen; nothing floating over a view; messages that
move nothing; keys that act wherever the focus is; presenter mode and full screen."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser

from tests.live_server import LiveServer

from .support import WAIT_MS, Tab

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
LESSON = "08-optimizers"  # three steps, the first a spiral on 3 × 8

SizedTab = Callable[[int, int], Tab]

# What must be on the first screen, besides the stage panels.
RUN_CONTROLS = [
    "#btn-play",
    "#btn-pause",
    "#btn-step",
    "#btn-reset",
    "#ctl-data-dataset",
    "#ctl-preset",
    "#ctl-model-width",
    "#ctl-model-depth",
    "#ctl-model-activation",
    "#ctl-train-lr",
]
NUMBERS = [
    "#metric-step",
    "#metric-train-loss",
    "#metric-train-acc",
    "#metric-test-loss",
    "#metric-test-acc",
]

# Every element's box in the viewport, by CSS selector (null where there is none).
BOXES = """(selectors) => Object.fromEntries(selectors.map((s) => {
  const node = document.querySelector(s);
  if (!node) return [s, null];
  const b = node.getBoundingClientRect();
  return [s, {left: b.left, top: b.top, right: b.right, bottom: b.bottom}];
}))"""
PANEL_BOXES = """() => Array.from(document.querySelectorAll('[data-testid=stage-panel]'), (n) => {
  const b = n.getBoundingClientRect();
  const c = n.querySelector('canvas').getBoundingClientRect();
  return {left: b.left, top: b.top, right: b.right, bottom: b.bottom, plot: c.width};
})"""

# Controls and plots hidden under an element that is fixed or sticky (the element itself,
# what is inside it, and empty boxes excepted), at the current scroll position.
COVERED = """() => {
  const floating = Array.from(document.querySelectorAll('body *')).filter((node) => {
    const style = getComputedStyle(node);
    if (style.position !== 'fixed' && style.position !== 'sticky') return false;
    const b = node.getBoundingClientRect();
    return b.width > 0 && b.height > 0 && style.visibility !== 'hidden';
  });
  const targets = Array.from(document.querySelectorAll(
    '.card button, .card select, .card input, .card canvas, .card .plot'));
  const hits = [];
  for (const over of floating) {
    const a = over.getBoundingClientRect();
    for (const node of targets) {
      if (over.contains(node) || node.contains(over)) continue;
      const b = node.getBoundingClientRect();
      if (b.width === 0 || b.height === 0) continue;
      const overlap = Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1
        && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
      const name = over.className || over.tagName;
      if (overlap) hits.push(`${name} covers ${node.id || node.className}`);
    }
  }
  return hits;
}"""


@pytest.fixture
def sized(browser: Browser, server: LiveServer) -> Iterator[SizedTab]:
    """Pages of the app in windows of a given size, each in a context of its own."""
    contexts = []

    def make(width: int, height: int) -> Tab:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        tab = Tab(page=page, server=server)
        page.on("pageerror", lambda error: tab.errors.append(f"page error: {error}"))
        return tab

    yield make
    for context in contexts:
        context.close()


def steps_of(name: str) -> int:
    lesson: dict[str, Any] = json.loads((LESSONS / f"{name}.json").read_text(encoding="utf-8"))
    return len(lesson["steps"])


def inside(box: dict[str, float], width: int, height: int) -> bool:
    return (
        box["left"] >= 0 and box["top"] >= 0 and box["right"] <= width and box["bottom"] <= height
    )


def wait_for_panels(tab: Tab, count: int) -> None:
    """Wait until the strip has ``count`` panels and the last frame sent is drawn on them."""
    tab.wait(f"() => window.spacefold.stageCount === {count}")
    tab.settle()


def stage_count(depth: int) -> int:
    return 2 * depth + 2  # input, an affine map and a fold per layer, the output


@pytest.mark.parametrize("size", [(1280, 720), (1024, 640)], ids=["1280x720", "1024x640"])
@pytest.mark.parametrize("preset", ["default", "lecture"])
def test_the_first_screen_holds_the_controls_the_input_every_panel_and_the_numbers(
    sized: SizedTab, size: tuple[int, int], preset: str
) -> None:
    width, height = size
    tab = sized(width, height)
    tab.open(f"?paused=1&preset={preset}")
    depth = {"default": 3, "lecture": 4}[preset]
    wait_for_panels(tab, stage_count(depth))
    assert tab.js("window.scrollY") == 0

    panels = tab.js(PANEL_BOXES)
    assert len(panels) == stage_count(depth)
    for panel in panels:
        assert inside(panel, width, height), panel
        assert panel["plot"] >= 95, panel  # legible from a few rows back
    rows = {round(panel["top"]) for panel in panels}
    assert len(rows) <= 2

    boxes = tab.js(BOXES, ["#plot-input", *RUN_CONTROLS, *NUMBERS])
    for selector, box in boxes.items():
        assert box is not None and inside(box, width, height), (selector, box)
    assert boxes["#plot-input"]["right"] - boxes["#plot-input"]["left"] >= 240

    # The numbers shown are the last frame's.
    header = tab.js("window.spacefold.lastHeader")
    assert tab.page.locator("#metric-step").inner_text() == f"{header['step']:,}"
    assert tab.page.locator("#metric-train-acc").inner_text() == (
        f"{100 * header['metrics']['train_acc']:.1f}%"
    )
    assert tab.errors == []


@pytest.mark.parametrize("size", [(1280, 720), (1440, 900)], ids=["1280x720", "1440x900"])
def test_nothing_fixed_or_sticky_covers_a_control_or_a_plot(
    sized: SizedTab, size: tuple[int, int]
) -> None:
    tab = sized(*size)
    tab.open(f"?paused=1&lesson={LESSON}")
    tab.page.get_by_test_id("lesson-bar").wait_for()
    height = int(tab.js("document.documentElement.scrollHeight"))
    for y in range(0, height, size[1] // 2):
        tab.js(f"window.scrollTo(0, {y})")
        assert tab.js(COVERED) == [], y
    assert tab.errors == []


def test_a_message_moves_no_plot_and_covers_no_run_control(sized: SizedTab) -> None:
    tab = sized(1280, 720)
    tab.open("?paused=1")
    wanted = ["#plot-input", "#plot-stages", *RUN_CONTROLS]
    before = tab.js(BOXES, wanted)
    tab.js("window.spacefold.dispatch({type: 'error', message: 'that point is off the plane'})")
    message = tab.page.get_by_test_id("message-error")
    message.wait_for()
    assert tab.js(BOXES, wanted) == before
    box = message.bounding_box()
    assert box is not None
    for selector in ["#plot-input", *RUN_CONTROLS]:
        other = before[selector]
        apart = (
            box["x"] >= other["right"]
            or box["x"] + box["width"] <= other["left"]
            or box["y"] >= other["bottom"]
            or box["y"] + box["height"] <= other["top"]
        )
        assert apart, selector
    message.locator("button.close").click()
    assert tab.page.get_by_test_id("message-error").count() == 0


def test_after_choosing_a_lesson_the_keys_step_it_and_play(sized: SizedTab) -> None:
    tab = sized(1280, 720)
    tab.open("?paused=1")
    picker = tab.page.get_by_test_id("lesson-pick")
    picker.focus()
    picker.select_option(LESSON)
    counter = tab.page.get_by_test_id("lesson-counter")
    tab.wait(
        "(n) => document.querySelector('[data-testid=lesson-counter]')?.textContent"
        " === `Step 1 of ${n}`",
        steps_of(LESSON),
    )
    tab.page.keyboard.press("ArrowRight")
    tab.wait(
        "(n) => document.querySelector('[data-testid=lesson-counter]').textContent"
        " === `Step 2 of ${n}`",
        steps_of(LESSON),
    )
    assert picker.input_value() == LESSON  # the same lesson, one step on
    running = bool(tab.js("window.spacefold.state.running"))
    tab.page.keyboard.press("Space")
    tab.wait(f"() => window.spacefold.state.running === {'false' if running else 'true'}")
    assert picker.input_value() == LESSON
    assert counter.inner_text() == f"Step 2 of {steps_of(LESSON)}"
    assert tab.errors == []


@pytest.mark.parametrize("size", [(1280, 720), (1024, 640)], ids=["1280x720", "1024x640"])
def test_presenter_mode_shows_the_strip_and_the_caption_on_one_screen(
    sized: SizedTab, size: tuple[int, int]
) -> None:
    width, height = size
    tab = sized(width, height)
    tab.open(f"?paused=1&presenter=1&lesson={LESSON}&step=2")
    tab.wait(
        "(n) => document.querySelector('[data-testid=lesson-counter]')?.textContent"
        " === `Step 2 of ${n}`",
        steps_of(LESSON),
    )
    wait_for_panels(tab, stage_count(3))
    assert tab.page.get_by_test_id("sidebar").is_hidden()
    assert tab.page.locator("#btn-play").is_hidden()
    caption = tab.js(BOXES, ["#lesson-caption"])["#lesson-caption"]
    assert inside(caption, width, height)
    font = tab.js(
        "parseFloat(getComputedStyle(document.getElementById('lesson-caption')).fontSize)"
    )
    assert font >= 22
    panels = tab.js(PANEL_BOXES)
    for panel in panels:
        assert inside(panel, width, height), panel
        assert panel["plot"] >= 95, panel
        assert panel["top"] > caption["bottom"]  # the caption is over the strip it talks about
    assert tab.errors == []


def test_f_fills_the_screen_with_the_strip_or_the_view_last_clicked(sized: SizedTab) -> None:
    tab = sized(1280, 720)
    tab.open(f"?paused=1&lesson={LESSON}")
    tab.page.get_by_test_id("lesson-bar").wait_for()
    tab.page.locator("h1").click()
    tab.page.keyboard.press("f")
    tab.wait("() => document.querySelector('.card-stages').classList.contains('is-full')")
    panels = tab.js(PANEL_BOXES)
    assert all(inside(panel, 1280, 720) for panel in panels)
    tab.page.keyboard.press("Escape")
    tab.wait("() => !document.querySelector('.card.is-full')")

    # The close-up, clicked, then f: it fills the screen, with the caption over it.
    tab.page.locator(".card-focus h2").click()
    tab.page.keyboard.press("f")
    tab.wait("() => document.querySelector('.card-focus').classList.contains('is-full')")
    assert tab.js(
        "document.querySelector('.card-focus').contains(document.querySelector('#lesson-bar'))"
    )
    caption = tab.js(BOXES, ["#lesson-caption"])["#lesson-caption"]
    assert inside(caption, 1280, 720)
    tab.page.keyboard.press("f")
    tab.wait("() => !document.querySelector('.card.is-full')")
    assert tab.js(
        "document.querySelector('.card-stages').contains(document.querySelector('#lesson-bar'))"
    )
    assert tab.errors == []


def test_the_settings_drawer_opens_beside_the_views_and_covers_none(sized: SizedTab) -> None:
    tab = sized(1280, 720)
    tab.open("?paused=1")
    noise = tab.page.locator("#ctl-data-noise")
    tab.page.get_by_test_id("btn-settings").click()
    tab.wait("() => document.body.classList.contains('drawer-open')")
    assert noise.is_visible()
    drawer = tab.js(BOXES, ["#sidebar"])["#sidebar"]
    assert inside(drawer, 1280, 720)
    views = tab.js(BOXES, [".card-input", ".card-stages"])
    assert all(box["right"] <= drawer["left"] for box in views.values())
    tab.page.keyboard.press("Escape")
    tab.wait("() => !document.body.classList.contains('drawer-open')")
    assert tab.errors == []


# Share of non-white pixels in the plot's right and bottom edges (where a stale picture leaves
# white bands after a resize).
EDGES = """async (selector) => {
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  await frame();
  await frame();
  const canvas = document.querySelector(selector);
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height;
  const f = Math.floor;
  const strips = [ctx.getImageData(f(w * 0.86), f(h * 0.1), 1, f(h * 0.6)),
                  ctx.getImageData(f(w * 0.2), f(h * 0.82), f(w * 0.6), 1)];
  let ink = 0, all = 0;
  for (const {data} of strips) {
    for (let i = 0; i < data.length; i += 4, all++) {
      if (data[i] < 245 || data[i + 1] < 245 || data[i + 2] < 245) ink++;
    }
  }
  return {ink: ink / all, width: w, css: canvas.clientWidth * devicePixelRatio};
}"""


def test_a_resize_or_presenter_mode_while_paused_redraws_the_views(sized: SizedTab) -> None:
    tab = sized(1280, 720)
    tab.open("?paused=1")
    tab.settle()
    tab.page.set_viewport_size({"width": 1440, "height": 900})
    tab.wait("() => window.innerWidth === 1440")
    for selector in ["#plot-input", "[data-testid=stage-panel][data-stage='0'] canvas"]:
        edges = tab.js(EDGES, selector)
        assert edges["width"] == round(edges["css"]), selector
        assert edges["ink"] > 0.9, (selector, edges)
    tab.page.locator("h1").click()
    tab.page.keyboard.press("p")
    tab.wait("() => document.body.classList.contains('presenter')")
    edges = tab.js(EDGES, "[data-testid=stage-panel][data-stage='0'] canvas")
    assert edges["width"] == round(edges["css"])
    assert edges["ink"] > 0.9, edges
    assert tab.errors == []
