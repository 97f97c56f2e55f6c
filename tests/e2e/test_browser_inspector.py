"""Inside one layer: the inspector shows W, b and W's decomposition as the frame has them; a
dragged basis vector, a typed entry and a slider set the layer by hand and every stage is
redrawn from the new weights; the close-up steps through a layer's operations one at a time;
the xor challenge loads, shows its hint, and the hint's slider settings solve it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .support import Tab

MINUS = "\u2212"  # the page writes negative numbers with a true minus sign

# The layer's map as the last drawn frame carries it (1-based layer).
LAYER = """(layer) => window.spacefold.lastFrame.header.layers.find((l) => l.layer === layer)"""

# The numbers the inspector shows.
SHOWN = "() => window.spacefold.views.inspector.shown"

# Stage p's drawn points in the last frame, and the points of stage p - 1 mapped by layer's
# W·x + b: the largest gap between the two, relative to the size of the points.
AFFINE_GAP = """([p, layer]) => {
  const {header, arrays} = window.spacefold.lastFrame;
  const a = arrays.get(`stage${header.stages[p - 1].index}/points`);
  const b = arrays.get(`stage${header.stages[p].index}/points`);
  const {weight: w, bias: c} = header.layers.find((l) => l.layer === layer);
  let gap = 0;
  let size = 0;
  for (let i = 0; i < a.length / 2; i++) {
    const x = w[0][0] * a[2 * i] + w[0][1] * a[2 * i + 1] + c[0];
    const y = w[1][0] * a[2 * i] + w[1][1] * a[2 * i + 1] + c[1];
    gap = Math.max(gap, Math.abs(x - b[2 * i]), Math.abs(y - b[2 * i + 1]));
    size = Math.max(size, Math.abs(x), Math.abs(y));
  }
  return gap / Math.max(size, 1e-12);
}"""

# Set a slider as a hand does: its value, then its input event.
SLIDE = """([name, value]) => {
  const input = document.querySelector(`[data-testid=insp-${name}]`);
  input.value = String(value);
  input.dispatchEvent(new Event('input', {bubbles: true}));
}"""


def rebuilt(d: dict[str, Any]) -> np.ndarray:
    """R(angle_out) · diag(scales) · F · R(angle_in), F a reflection when it reflects."""

    def rotation(a: float) -> np.ndarray:
        return np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])

    flip = np.diag([1.0, -1.0]) if d["reflect"] else np.eye(2)
    out: np.ndarray = (
        rotation(d["angle_out"]) @ np.diag(d["scales"]) @ flip @ rotation(d["angle_in"])
    )
    return out


def open_paused(tab: Tab, query: str = "?depth=2&paused=1") -> None:
    """Moons, 2 hidden layers of width 2 (every map 2×2), paused; the inspector in sight."""
    tab.open(query)
    tab.settle()
    tab.page.get_by_test_id("inspector").scroll_into_view_if_needed()


def points(tab: Tab, p: int) -> list[float]:
    return list(
        tab.js(
            "(p) => Array.from(window.spacefold.lastFrame.arrays.get("
            "`stage${window.spacefold.lastHeader.stages[p].index}/points`))",
            p,
        )
    )


def test_the_inspector_shows_w_and_b_and_the_decomposition_rebuilds_w(tab: Tab) -> None:
    open_paused(tab)
    tab.wait("() => window.spacefold.views.inspector.shown?.layer === 1")
    for layer in (1, 3):  # the first hidden layer, then the classifier (picked in the menu)
        if layer != 1:
            tab.page.get_by_test_id("insp-layer").select_option(str(layer))
        shown = tab.js(SHOWN)
        frame = tab.js(LAYER, layer)
        assert shown["layer"] == layer and shown["shape"] == [2, 2]
        assert shown["weight"] == frame["weight"] and shown["bias"] == frame["bias"]
        w = np.array(shown["weight"])
        assert np.abs(rebuilt(shown["decomposition"]) - w).max() <= 1e-4
        assert shown["decomposition"]["reflect"] == (np.linalg.det(w) < 0)
        assert np.allclose(
            sorted(shown["decomposition"]["scales"]),
            sorted(np.linalg.svd(w, compute_uv=False)),
            atol=1e-4,
        )
        # The entries on screen are the frame's weights and biases.
        for i in range(2):
            for j in range(2):
                text = tab.page.get_by_test_id(f"insp-w-{i}-{j}").input_value()
                assert abs(float(text.replace(MINUS, "-")) - w[i, j]) <= 1e-4
            text = tab.page.get_by_test_id(f"insp-b-{i}").input_value()
            assert abs(float(text.replace(MINUS, "-")) - frame["bias"][i]) <= 1e-4
        facts = tab.page.get_by_test_id("insp-facts").inner_text()
        assert f"det W = {np.linalg.det(w):.3f}".replace("-", MINUS) in facts
        assert ("reflects: yes" if np.linalg.det(w) < 0 else "reflects: no") in facts
        assert "Shear form" in facts
        dims = tab.page.get_by_test_id("insp-dims")
        assert dims.get_attribute("data-change") == "same"
    # A click on the stage panel of fold 2 picks layer 2.
    tab.page.locator("[data-testid=stage-panel][data-stage='4']").click()
    tab.wait("() => window.spacefold.views.inspector.shown.layer === 2")
    assert tab.page.get_by_test_id("insp-layer").input_value() == "2"
    assert tab.errors == []


def test_dragging_a_basis_vector_sets_that_column_and_redraws_the_stages(tab: Tab) -> None:
    open_paused(tab)
    canvas = tab.page.get_by_test_id("insp-basis")
    canvas.scroll_into_view_if_needed()
    tab.wait("() => window.spacefold.views.inspector.shown?.layer === 1")
    before = tab.js(LAYER, 1)["weight"]
    stage1 = points(tab, 1)
    panel = tab.js("Array.from(window.spacefold.views.stages.panels[1].drawn.x)")
    box = canvas.bounding_box()
    assert box is not None
    tip = tab.js(
        "([x, y]) => window.spacefold.views.inspector.basis.toPixel(x, y)",
        [before[0][0], before[1][0]],
    )
    target = [0.75, -0.5]
    goal = tab.js("([x, y]) => window.spacefold.views.inspector.basis.toPixel(x, y)", target)
    mouse = tab.page.mouse
    mouse.move(box["x"] + tip[0], box["y"] + tip[1])
    mouse.down()
    mouse.move(box["x"] + goal[0], box["y"] + goal[1], steps=8)
    mouse.up()
    # The next frames carry the dragged column; the other column is as it was.
    tab.wait(
        "([x, y]) => { const w = window.spacefold.lastFrame.header.layers[0].weight;"
        " return Math.abs(w[0][0] - x) < 0.02 && Math.abs(w[1][0] - y) < 0.02; }",
        target,
    )
    tab.wait(
        "() => !window.spacefold.views.inspector.edits.inFlight"
        " && !window.spacefold.views.inspector.edits.queue.length"
    )
    after = tab.js(LAYER, 1)["weight"]
    assert abs(after[0][0] - target[0]) < 0.02 and abs(after[1][0] - target[1]) < 0.02
    assert np.allclose([after[0][1], after[1][1]], [before[0][1], before[1][1]], atol=1e-6)
    # Every stage from layer 1 on moved; stage 1 is exactly the new W·x + b of stage 0.
    assert np.abs(np.array(points(tab, 1)) - np.array(stage1)).max() > 1e-2
    assert tab.js(AFFINE_GAP, [1, 1]) <= 1e-4
    redrawn = tab.js("Array.from(window.spacefold.views.stages.panels[1].drawn.x)")
    assert np.abs(np.array(redrawn) - np.array(panel)).max() > 1e-2
    assert tab.js("window.spacefold.state.running") is False
    assert tab.js("window.spacefold.views.inspector.edits.log.length") >= 1
    assert tab.page.get_by_test_id("insp-after").inner_text().startswith("After your edit")
    assert tab.errors == []


def test_typing_an_entry_sets_that_weight_exactly_and_a_bad_one_is_refused(tab: Tab) -> None:
    open_paused(tab)
    before = tab.js(LAYER, 1)
    entry = tab.page.get_by_test_id("insp-w-1-0")
    entry.fill("0.625")
    entry.press("Enter")
    tab.wait("() => window.spacefold.lastFrame.header.layers[0].weight[1][0] === 0.625")
    after = tab.js(LAYER, 1)
    assert after["weight"][0] == before["weight"][0]
    assert after["weight"][1][1] == before["weight"][1][1]
    assert after["bias"] == before["bias"]
    assert tab.js(AFFINE_GAP, [1, 1]) <= 1e-4
    # A bias, and then something that is not a number: a clear message, nothing changes.
    bias = tab.page.get_by_test_id("insp-b-0")
    bias.fill("-1.5")
    bias.press("Enter")
    tab.wait("() => window.spacefold.lastFrame.header.layers[0].bias[0] === -1.5")
    frames = tab.frames()
    entry.fill("two")
    entry.press("Enter")
    bad = tab.page.get_by_test_id("insp-bad")
    assert bad.is_visible() and "“two” is not a number" in bad.inner_text()
    assert "from \u2212100 to 100:" in bad.inner_text()  # the schema's max_weight
    assert entry.input_value() == "0.6250"  # put back
    assert tab.frames() == frames and tab.js(LAYER, 1)["weight"][1][0] == 0.625
    assert tab.errors == []


def test_the_scale_slider_sets_a_singular_value(tab: Tab) -> None:
    open_paused(tab)
    start = tab.js(LAYER, 1)["decomposition"]
    assert start["scales"][0] < 3.2
    tab.js(SLIDE, ["s1", 3.25])
    tab.wait(
        "() => Math.abs(window.spacefold.lastFrame.header.layers[0]"
        ".decomposition.scales[0] - 3.25) < 1e-4"
    )
    d = tab.js(LAYER, 1)["decomposition"]
    assert abs(d["scales"][1] - start["scales"][1]) < 0.01  # the slider's two decimals
    assert d["reflect"] == start["reflect"]
    assert np.abs(rebuilt(d) - np.array(tab.js(LAYER, 1)["weight"])).max() <= 1e-4
    assert tab.js(AFFINE_GAP, [1, 1]) <= 1e-4
    assert tab.js("window.spacefold.state.running") is False
    assert tab.errors == []


def test_stepping_through_a_layer_names_each_operation_in_order(tab: Tab) -> None:
    open_paused(tab)
    label = tab.page.get_by_test_id("steps-label")
    caption = tab.page.get_by_test_id("morph-caption")
    label.scroll_into_view_if_needed()
    names = {
        "rotate": "rotate",
        "reflect": "reflect",
        "scale": "scale",
        "rotate2": "rotate again",
        "shift": "shift",
        "fold": "fold",
    }
    seen = []
    for i, phase in enumerate(names, start=1):
        tab.page.get_by_test_id("steps-next").click()
        assert label.get_attribute("data-step") == phase
        assert label.inner_text() == f"Layer 1, step {i} of 6: {names[phase]}"
        step = caption.get_attribute("data-step")
        assert step == phase or (phase == "reflect" and step == "noReflect")
        tab.wait(
            "(s) => Math.abs(window.spacefold.views.focus.drawn?.s - s) < 1e-12",
            tab.js("window.spacefold.views.player.s"),
        )
        seen.append(tab.js("window.spacefold.views.focus.drawn.s"))
    assert seen == sorted(seen) and 0 < seen[0] < 1 and 1 < seen[-1] < 2
    assert tab.page.get_by_test_id("steps-next").is_disabled()
    tab.page.get_by_test_id("steps-prev").click()
    assert label.get_attribute("data-step") == "shift"
    tab.page.locator("#btn-lang").click()
    assert label.inner_text() == "第 1 层，第 5 步（共 6 步）：平移"  # noqa: RUF001
    assert tab.errors == []


# The hint's construction, as the sliders set it (tests/server/test_presets.py wins with it).
XOR_SLIDERS: list[dict[str, Any]] = [
    {"angle_in": 0, "s1": 2, "s2": 2, "angle_out": 0, "reflect": False, "b1": 0, "b2": 0},
    {"angle_in": -135, "s1": 3.3, "s2": 2.7, "angle_out": 135, "reflect": True, "b1": 0, "b2": 0},
    {"angle_in": -45, "s1": 2.83, "s2": 0, "angle_out": 90, "reflect": False, "b1": 0.03, "b2": 0},
]

# Move every slider of the layer shown (and the reflection switch), then one input event.
SET_SLIDERS = """(values) => {
  for (const [name, value] of Object.entries(values)) {
    const input = document.querySelector(`[data-testid=insp-${name}]`);
    if (name === 'reflect') input.checked = value; else input.value = String(value);
  }
  document.querySelector('[data-testid=insp-b2]')
    .dispatchEvent(new Event('input', {bubbles: true}));
}"""


def test_the_xor_challenge_shows_its_hint_and_the_sliders_solve_it(tab: Tab) -> None:
    open_paused(tab, "?paused=1")
    challenge = tab.page.get_by_test_id("challenge")
    challenge.scroll_into_view_if_needed()
    hint = tab.page.get_by_test_id("challenge-hint")
    assert hint.is_hidden()
    tab.page.get_by_test_id("challenge-pick").select_option("xor")
    tab.wait(
        "() => { const s = window.spacefold.state; const c = s.config;"
        " return c.data.dataset === 'xor' && c.model.width === 2 && c.model.depth === 2"
        " && c.model.init === 'zero' && !s.running"
        " && window.spacefold.lastHeader.generation === s.generation; }"
    )
    goal = tab.js("window.spacefold.state.schema.challenges.xor.goal")
    assert "95.0%" in tab.page.get_by_test_id("challenge-goal").inner_text() and goal == 0.95
    tab.wait("() => document.querySelector('[data-testid=challenge]').dataset.state === 'open'")
    assert "not yet" in tab.page.get_by_test_id("challenge-status").inner_text()
    # The hint: folded at first, then the idea and one line per layer.
    assert hint.is_visible() and hint.get_attribute("open") is None
    hint.locator("summary").click()
    lines = hint.locator("li").all_inner_texts()
    assert len(lines) == 4 and lines[0].startswith("The idea:")
    assert lines[2].startswith(f"Layer 2: W = [[0.3, {MINUS}3], [{MINUS}3, 0.3]]")
    # Every layer is 2×2: its sliders are there; set each as the hint says.
    for layer, values in enumerate(XOR_SLIDERS, start=1):
        tab.page.get_by_test_id("insp-layer").select_option(str(layer))
        tab.wait(f"() => window.spacefold.views.inspector.shown?.layer === {layer}")
        assert tab.page.get_by_test_id("insp-plane").is_visible()
        tab.js(SET_SLIDERS, values)
        tab.wait(
            f"(b) => Math.abs(window.spacefold.lastFrame.header.layers[{layer - 1}]"
            ".bias[0] - b) < 1e-6 && !window.spacefold.views.inspector.edits.inFlight",
            values["b1"],
        )
    tab.wait("() => document.querySelector('[data-testid=challenge]').dataset.state === 'solved'")
    assert tab.page.get_by_test_id("challenge-status").inner_text().startswith("Solved!")
    assert tab.js("window.spacefold.lastHeader.metrics.train_acc") >= goal
    tab.page.locator("#btn-lang").click()
    assert tab.page.get_by_test_id("challenge-status").inner_text().startswith("成功！")  # noqa: RUF001
    assert hint.locator("summary").inner_text() == "提示：怎样搭出来"  # noqa: RUF001
    assert hint.locator("li").first.inner_text().startswith("思路：")  # noqa: RUF001
    assert tab.errors == []
