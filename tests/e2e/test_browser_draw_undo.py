"""Point edits on the input plane can be taken back: Undo (the button, Ctrl+Z) restores the
points exactly and the preset they came from; a right-click far from every point still removes
the nearest one."""

from __future__ import annotations

from .support import Tab
from .test_browser_playground import click_at, points, wait_count

DATASET = "() => window.spacefold.state.config.data.dataset"


def test_a_far_right_click_removes_the_nearest_and_undo_brings_the_preset_back(
    tab: Tab,
) -> None:
    tab.open("?paused=1&points=60&dataset=circles")
    original = points(tab)
    undo = tab.page.get_by_test_id("draw-undo")
    assert undo.is_disabled() and undo.inner_text() == "Undo"
    hint = tab.page.get_by_test_id("draw-hint").inner_text()
    assert "remove the point nearest the pointer" in hint and "Ctrl+Z: undo" in hint
    # A corner of the plane, far from every point of the circles (which lie within radius 1).
    corner = tab.js(
        "() => { const v = window.spacefold.views.input.plane.view;"
        " return [v.x1 - 0.02 * (v.x1 - v.x0), v.y1 - 0.02 * (v.y1 - v.y0)]; }"
    )
    assert (
        min(((p["x"] - corner[0]) ** 2 + (p["y"] - corner[1]) ** 2) ** 0.5 for p in original) > 0.3
    )
    click_at(tab, corner[0], corner[1], button="right")
    wait_count(tab, 59)
    assert tab.js(DATASET) == "custom"
    click_at(tab, 0.1, 0.1)
    wait_count(tab, 60)
    tab.wait("() => !document.querySelector('[data-testid=draw-undo]').disabled")
    # Ctrl+Z takes back the added point, the button the removal: the circles come back.
    tab.page.locator("h1").click()
    tab.page.keyboard.press("Control+z")
    tab.wait("() => window.spacefold.state.undo === 1")
    assert points(tab) != original and len(points(tab)) == 59
    undo.click()
    tab.wait(f"() => ({DATASET})() === 'circles' && window.spacefold.state.undo === 0")
    wait_count(tab, 60)
    assert points(tab) == original  # exactly the points, in order
    assert tab.page.get_by_test_id("draw-undo").is_disabled()
    # Ctrl+Z with nothing to undo does nothing, and says nothing.
    tab.page.keyboard.press("Control+z")
    tab.page.wait_for_timeout(300)
    assert tab.js(DATASET) == "circles"
    tab.page.locator("#btn-lang").click()
    assert undo.inner_text() == "撤销"
    assert tab.errors == []


def test_clearing_and_importing_are_taken_back_too(tab: Tab) -> None:
    tab.open("?paused=1&points=20&dataset=moons")
    original = points(tab)
    tab.page.get_by_test_id("draw-clear").click()
    wait_count(tab, 0)
    tab.page.locator("#csv-file").set_input_files(
        {"name": "two.csv", "mimeType": "text/csv", "buffer": b"x,y,label\n0.1,0.2,0\n0.3,0.4,1\n"}
    )
    wait_count(tab, 2)
    tab.wait("() => window.spacefold.state.undo === 2")
    tab.page.get_by_test_id("draw-undo").click()
    wait_count(tab, 0)
    tab.page.get_by_test_id("draw-undo").click()
    wait_count(tab, 20)
    assert points(tab) == original and tab.js(DATASET) == "moons"
    assert tab.errors == []
