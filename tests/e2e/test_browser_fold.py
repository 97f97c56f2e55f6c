"""See the fold: the morph moves the close-up's points, lands exactly on every stage's points
(a 2×2 layer along its rotate, reflect, scale, rotate, shift path ends on W·x+b), plays while
training runs, and a click on a stage panel shows that stage large."""

from __future__ import annotations

from typing import Any

from .support import Tab

TOLERANCE = 1e-4  # relative to the largest coordinate of the stage

# Move the scrubber as a hand would: set its value, fire its input event.
SCRUB = """(s) => {
  const scrub = document.getElementById('morph-scrub');
  scrub.value = String(s);
  scrub.dispatchEvent(new Event('input', {bubbles: true}));
  return Number(scrub.value);
}"""

# The close-up's drawn points against stage p's points in the frame it drew (first 2 columns).
AGAINST_STAGE = """(p) => {
  const drawn = window.spacefold.views.focus.drawn;
  const frame = drawn.frame;
  const name = `stage${frame.header.stages[p].index}/points`;
  const values = frame.arrays.get(name);
  const d = frame.shapes.get(name)[1];
  let error = 0;
  let scale = 0;
  for (let i = 0; i < drawn.x.length; i++) {
    error = Math.max(error, Math.abs(drawn.x[i] - values[d * i]),
                     Math.abs(drawn.y[i] - values[d * i + 1]));
    scale = Math.max(scale, Math.abs(values[d * i]), Math.abs(values[d * i + 1]));
  }
  return {n: drawn.x.length, expected: values.length / d, error: error / Math.max(scale, 1e-12)};
}"""

# How far the drawn points are from the straight interpolation between stages k and k + 1.
FROM_STRAIGHT = """() => {
  const drawn = window.spacefold.views.focus.drawn;
  const {header, arrays} = drawn.frame;
  const k = Math.floor(drawn.s);
  const u = drawn.s - k;
  const a = arrays.get(`stage${header.stages[k].index}/points`);
  const b = arrays.get(`stage${header.stages[k + 1].index}/points`);
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < drawn.x.length; i++) {
    const x = (1 - u) * a[2 * i] + u * b[2 * i];
    const y = (1 - u) * a[2 * i + 1] + u * b[2 * i + 1];
    gap = Math.max(gap, Math.abs(drawn.x[i] - x), Math.abs(drawn.y[i] - y));
    scale = Math.max(scale, Math.abs(x), Math.abs(y));
  }
  return gap / Math.max(scale, 1e-12);
}"""


def scrub(tab: Tab, s: float) -> Any:
    """Drag the scrubber to s; wait until the close-up has drawn that position."""
    value = tab.js(SCRUB, s)
    assert value == s
    tab.wait("(s) => window.spacefold.views.focus.drawn?.s === s", s)
    return tab.js("window.spacefold.views.focus.drawn")


def test_scrubbing_the_morph_moves_the_points_and_lands_on_every_stage(tab: Tab) -> None:
    # Moons, two hidden layers of width 2: every affine step, the classifier's too, is 2×2.
    tab.open("?depth=2&paused=1")
    tab.settle()
    stages = tab.js("window.spacefold.lastHeader.stages.length")
    assert stages == 6
    before = scrub(tab, 0.3)
    after = scrub(tab, 0.6)
    assert before["x"] != after["x"], "the close-up's points did not move with the scrubber"
    assert tab.page.locator("[data-testid=focus]").get_attribute("data-kind") == "morph"
    # The lecture's path, not a straight line: halfway, the points are elsewhere.
    scrub(tab, 0.5)
    assert tab.js(FROM_STRAIGHT) > 1e-2
    assert tab.js("window.spacefold.views.focus.drawn.carried") is True  # regions move along
    # At every whole position the drawn points are that stage's points.
    for k in range(stages):
        scrub(tab, k)
        check = tab.js(AGAINST_STAGE, k)
        assert check["n"] == check["expected"] == 400
        assert check["error"] <= TOLERANCE, (k, check)
    # The ends of the 2×2 paths (the first layer's, the classifier's) are W·x + b, computed in
    # the page from the layer's rotations, reflection, scales and bias.
    for k in (1, stages - 1):
        s = k - 1e-7
        tab.js(f"window.spacefold.views.player.set({s})")
        tab.wait(f"() => window.spacefold.views.focus.drawn.s === {s}")
        assert tab.js("window.spacefold.views.focus.drawn.stage") is None  # on the path
        check = tab.js(AGAINST_STAGE, k)
        assert check["error"] <= TOLERANCE, (k, check)
    # The caption names the sub-step: rotate first, then the fold (ReLU) between A1 and F1.
    caption = tab.page.get_by_test_id("morph-caption")
    scrub(tab, 0.1)
    assert caption.get_attribute("data-step") == "rotate"
    assert caption.inner_text().startswith("Rotate by")
    scrub(tab, 0.7)
    assert caption.get_attribute("data-step") == "rotate2"
    scrub(tab, 1.5)
    assert caption.get_attribute("data-step") == "fold"
    assert "ReLU" in caption.inner_text()
    assert tab.errors == []


def test_the_morph_plays_while_training_runs(tab: Tab) -> None:
    tab.open(frames=2)
    tab.page.get_by_test_id("morph-speed").select_option("1")  # one second per stage
    tab.page.get_by_test_id("morph-play").click()
    tab.wait("() => window.spacefold.views.focus.drawn?.s > 0")
    step = tab.js("window.spacefold.views.focus.drawn.frame.header.step")
    # It moves on, drawing the newest frame each time.
    tab.wait(
        f"() => window.spacefold.views.focus.drawn.s > 1.2"
        f" && window.spacefold.views.focus.drawn.frame.header.step > {step}"
    )
    assert tab.js("window.spacefold.state.running") is True
    tab.page.get_by_test_id("morph-play").click()  # pause the morph
    s = tab.js("window.spacefold.views.player.s")
    tab.page.wait_for_timeout(300)
    assert tab.js("window.spacefold.views.player.s") == s
    assert tab.errors == []


def test_clicking_a_stage_panel_shows_it_large(tab: Tab) -> None:
    tab.open("?paused=1")
    tab.settle()
    # The close-up opens on the last hidden stage, which feeds the classifier: there the
    # classes should lie either side of its straight decision line, which is drawn.
    focus = tab.page.get_by_test_id("focus")
    tab.wait("() => window.spacefold.views.focus.drawn?.stage === 6")
    assert focus.get_attribute("data-kind") == "fold"
    assert tab.page.get_by_test_id("focus-title").inner_text() == "fold 3 · ReLU"
    assert tab.js("window.spacefold.views.focus.drawn.line") is True
    assert "classifier's line" in tab.page.get_by_test_id("focus-info").inner_text()
    assert tab.js(AGAINST_STAGE, 6)["error"] == 0

    tab.page.locator("[data-testid=stage-panel][data-stage='1']").click()
    tab.wait("() => document.querySelector('[data-testid=focus]').dataset.stage === '1'")
    assert focus.get_attribute("data-kind") == "affine"
    assert tab.page.get_by_test_id("focus-title").inner_text() == "affine 1 · W·x+b"
    assert tab.js(AGAINST_STAGE, 1)["error"] == 0
    drawn = tab.js("window.spacefold.views.focus.drawn")
    assert drawn["regions"] is True and drawn["stage"] == 1 and drawn["line"] is False
    assert "W is 2×2" in tab.page.get_by_test_id("focus-info").inner_text()
    assert tab.page.get_by_test_id("morph-scrub").input_value() == "1"
    assert tab.page.locator("[data-stage='1'].selected").count() == 1
    assert tab.page.locator(".selected[data-testid=stage-panel]").count() == 1
    assert tab.painted("#focus-canvas") > 0.5
    assert tab.page.get_by_test_id("focus-notice").is_hidden()
    assert tab.errors == []


# Every panel's axis range and its stage's extent, from one drawn frame.
RANGES = """() => window.spacefold.views.stages.panels.map((panel, p) => ({
  range: panel.drawn.range,
  extent: window.spacefold.lastFrame.header.stages[p].extent,
}))"""


def test_locked_axes_stay_put_while_training_moves_the_points(tab: Tab) -> None:
    tab.open(frames=2)
    tab.page.get_by_test_id("lock-axes").check()
    tab.wait_more_frames(1)
    locked = [panel["range"] for panel in tab.js(RANGES)]
    points = tab.js("window.spacefold.views.stages.panels[7].drawn.x.slice(0, 20)")
    step = tab.step()
    tab.wait_more_frames(6)
    tab.wait(f"() => window.spacefold.lastHeader.step > {step + 20}")
    assert [panel["range"] for panel in tab.js(RANGES)] == locked
    assert tab.js("window.spacefold.views.stages.panels[7].drawn.x.slice(0, 20)") != points
    focus = tab.js("window.spacefold.views.focus.drawn")
    assert focus["range"] == locked[focus["stage"]]
    # Unlocked, each panel's axes hold its stage's extent again.
    tab.page.get_by_test_id("lock-axes").uncheck()
    tab.wait_more_frames(2)
    for panel in tab.js(RANGES):
        (x0, x1), (y0, y1) = panel["range"]["x"], panel["range"]["y"]
        e = panel["extent"]
        assert x0 <= e[0] and x1 >= e[1] and y0 <= e[2] and y1 >= e[3], panel
    assert tab.errors == []
