"""A hand edit is read as a whole gesture: "loss a → b" compares with the network before the
drag (or slider movement) began, not with its last increment; the close-up's step-through and
the lines under it speak of one and the same layer."""

from __future__ import annotations

from typing import Any

from .support import Tab

METRICS = "() => window.spacefold.lastFrame.header.metrics"
RESULT = "() => window.spacefold.views.inspector.edits.result"
IDLE = (
    "() => !window.spacefold.views.inspector.edits.inFlight"
    " && !window.spacefold.views.inspector.edits.queue.length"
)
# The page's own way of writing a loss (views/dom.js fmt with 3 digits).
FMT = "(v) => v.toFixed(3).replace('-', '\u2212')"


def open_paused(tab: Tab) -> None:
    tab.open("?depth=2&paused=1")
    tab.settle()
    tab.page.get_by_test_id("inspector").scroll_into_view_if_needed()
    tab.wait("() => window.spacefold.views.inspector.shown?.layer === 1")


def answered(tab: Tab, column: list[float]) -> None:
    """Wait until the frame drawn carries ``column`` as layer 1's first column."""
    tab.wait(
        "([x, y]) => { const w = window.spacefold.lastFrame.header.layers[0].weight;"
        " return Math.abs(w[0][0] - x) < 0.02 && Math.abs(w[1][0] - y) < 0.02; }",
        column,
    )
    tab.wait(IDLE)


def test_after_a_drag_the_card_compares_with_the_network_before_the_drag(tab: Tab) -> None:
    open_paused(tab)
    before = tab.js(METRICS)
    canvas = tab.page.get_by_test_id("insp-basis")
    box = canvas.bounding_box()
    assert box is not None
    w = tab.js("() => window.spacefold.lastFrame.header.layers[0].weight")
    pixel = "([x, y]) => window.spacefold.views.inspector.basis.toPixel(x, y)"
    tip = tab.js(pixel, [w[0][0], w[1][0]])
    mouse = tab.page.mouse
    mouse.move(box["x"] + tip[0], box["y"] + tip[1])
    mouse.down()
    # Two legs, each answered by the server before the next: two increments of one drag.
    for target in ([1.5, -1.2], [-0.4, 1.6]):
        goal = tab.js(pixel, target)
        mouse.move(box["x"] + goal[0], box["y"] + goal[1], steps=4)
        answered(tab, target)
    middle = tab.js(RESULT)["before"]
    mouse.up()
    result = tab.js(RESULT)
    assert result["before"]["train_loss"] == before["train_loss"]
    assert middle["train_loss"] == before["train_loss"]
    assert result["after"]["train_loss"] == tab.js(METRICS)["train_loss"]
    assert result["after"]["train_loss"] != before["train_loss"]
    text = tab.page.get_by_test_id("insp-after").inner_text()
    loss0, loss1 = tab.js(FMT, before["train_loss"]), tab.js(FMT, result["after"]["train_loss"])
    assert f"loss {loss0} → {loss1}" in text
    assert tab.errors == []


def test_one_slider_movement_is_one_gesture_and_the_next_starts_anew(tab: Tab) -> None:
    open_paused(tab)
    before = tab.js(METRICS)
    slider = tab.page.get_by_test_id("insp-s1")
    slider.dispatch_event("pointerdown")
    for value in (2.5, 0.4):
        tab.js(
            "(v) => { const s = document.querySelector('[data-testid=insp-s1]');"
            " s.value = String(v); s.dispatchEvent(new Event('input', {bubbles: true})); }",
            value,
        )
        tab.wait(
            "(v) => Math.abs(window.spacefold.lastFrame.header.layers[0]"
            ".decomposition.scales[0] - v) < 1e-3"
            " || Math.abs(window.spacefold.lastFrame.header.layers[0]"
            ".decomposition.scales[1] - v) < 1e-3",
            value,
        )
        tab.wait(IDLE)
    slider.dispatch_event("change")
    slider.dispatch_event("pointerup")
    assert tab.js(RESULT)["before"]["train_loss"] == before["train_loss"]
    # A typed entry afterwards is a gesture of its own: it starts from the slider's result.
    between = tab.js(METRICS)
    entry = tab.page.get_by_test_id("insp-b-0")
    entry.fill("0.5")
    entry.press("Enter")
    tab.wait("() => window.spacefold.lastFrame.header.layers[0].bias[0] === 0.5")
    tab.wait(IDLE)
    assert tab.js(RESULT)["before"]["train_loss"] == between["train_loss"]
    assert tab.errors == []


# The layer the step-through names, the layer the close-up's lines are about, and the layers
# whose W those lines quote.
ABOUT = """() => {
  const label = document.querySelector('[data-testid=steps-label]').textContent;
  const list = document.querySelector('[data-testid=focus-info]');
  const round = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)).replace('-', '\u2212');
  const quoted = window.spacefold.lastFrame.header.layers.filter((l) => l.weight
    && list.textContent.includes(
      'W = ' + l.weight.map((row) => '[' + row.map(round).join(', ') + ']').join(' ')));
  return {steps: Number(label.match(/Layer (\\d+)/)?.[1]), lines: Number(list.dataset.layer),
          quoted: quoted.map((l) => l.layer), inspector: window.spacefold.views.inspector.layer};
}"""


def about(tab: Tab, s: float) -> dict[str, Any]:
    """Move the close-up to morph position ``s`` as a hand does; what it is about once drawn."""
    tab.js("(s) => window.spacefold.views.player.goTo(s)", s)
    tab.wait("(s) => Math.abs(window.spacefold.views.focus.drawn?.s - s) < 1e-9", s)
    return dict(tab.js(ABOUT))


def test_the_step_through_and_the_close_ups_lines_are_about_one_layer(tab: Tab) -> None:
    open_paused(tab)
    tab.page.get_by_test_id("focus-steps").scroll_into_view_if_needed()
    # The inspector picks layer 2: the step-through and the lines under it are about layer 2.
    tab.page.get_by_test_id("insp-layer").select_option("2")
    tab.wait("() => window.spacefold.views.focus.drawn")
    first = tab.js(ABOUT)
    assert (first["steps"], first["lines"], first["inspector"]) == (2, 2, 2)
    assert set(first["quoted"]) <= {2}
    # Moved by hand (layer 1's affine step, its stage, into layer 2, the classifier): the
    # step-through, the lines and the inspector follow the close-up together.
    for s, layer in ((1.5, 1), (1.0, 1), (0.0, 1), (3.0, 2), (3.5, 2), (5.0, 3), (2.0, 1)):
        seen = about(tab, s)
        assert (seen["steps"], seen["lines"], seen["inspector"]) == (layer,) * 3, (s, seen)
        assert set(seen["quoted"]) <= {layer}, (s, seen)
        if s in (1.0, 3.0, 5.0):  # on an affine stage: its own W is quoted
            assert seen["quoted"] == [layer], (s, seen)
    assert tab.errors == []
