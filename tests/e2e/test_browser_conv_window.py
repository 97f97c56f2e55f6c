"""The sliding window in the page: stepping the window along the input fills the output with
the numbers the network's first layer computes, and flipping the kernel (convolution) says
where it differs."""

from __future__ import annotations

import re

from .support import Tab

CONV = "window.spacefold.conv"
MOTIFS = '&conv={"data":{"kind":"motifs"},"model":{"layers":[{"channels":4}]}}&paused=1'


def test_stepping_the_window_fills_the_layers_own_output_and_a_flip_is_told(tab: Tab) -> None:
    tab.page.goto(f"{tab.server.url}?mode=conv{MOTIFS}")
    tab.wait(f"() => ({CONV}?.frames ?? 0) >= 1 && {CONV}.lastFrame.header.stages.length === 5")
    card = tab.page.get_by_test_id("slide-position")
    card.scroll_into_view_if_needed()
    for position in (0, 7, 30):
        card.fill(str(position))
        text = tab.page.get_by_test_id("slide-at").inner_text().replace("\u2212", "-")
        assert re.match(rf"\D*{position}\D", text), text
        shown = float(re.findall(r"-?\d+\.\d+", text)[-1])  # Σ w·x + b, as the card says it
        want = tab.js(f"{CONV}.lastFrame.arrays.get('stage/1')[{position}]")  # channel 0
        assert abs(shown - want) < 1e-3, (position, shown, want)
    match = tab.page.get_by_test_id("slide-match")
    assert "yes" in match.inner_text()
    tab.page.get_by_test_id("slide-conv").check()
    tab.wait(
        "() => !document.querySelector('[data-testid=slide-match]').textContent.includes('yes')"
    )


def test_dragging_the_input_moves_it_and_the_maps_move_with_it(tab: Tab) -> None:
    tab.page.goto(f"{tab.server.url}?mode=conv&paused=1")
    tab.wait(f"() => ({CONV}?.frames ?? 0) >= 1")
    canvas = tab.page.get_by_test_id("conv-input")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    cell = min(box["width"], box["height"]) / 16  # the default image: 16 pixels a side
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    tab.page.mouse.move(x, y)
    tab.page.mouse.down()
    tab.page.mouse.move(x + 3 * cell, y + 2 * cell, steps=6)
    tab.page.mouse.up()
    tab.wait(f"() => JSON.stringify({CONV}.lastFrame.header.shift?.by) === '[2,3]'")
    errors = tab.js(f"{CONV}.lastFrame.header.shift.equivariance")
    assert all(e is None or e < 1e-5 for e in errors) and any(e is not None for e in errors)
