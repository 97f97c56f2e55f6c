"""Layers wider than 2: a chosen pair of units, or the PCA plane, each captioned; projections
have no decision regions, and the page says so; a 3-wide stage turns in a real 3D scene."""

from __future__ import annotations

from .support import Tab

PANEL = "[data-testid=stage-panel][data-stage='{p}']"
# The first points of a stage panel as drawn.
PANEL_X = "(p) => Array.from(window.spacefold.views.stages.panels[p].drawn.x.slice(0, 30))"


def caption(tab: Tab, p: int) -> str:
    return tab.page.locator(PANEL.format(p=p) + " .stage-detail").inner_text()


def test_a_wide_layer_switches_between_a_unit_pair_and_pca(tab: Tab) -> None:
    tab.open("?width=8&paused=1")
    tab.wait("() => window.spacefold.lastHeader.stages[2].width === 8")
    tab.settle()
    fold = 2  # fold 1: 8 units
    assert caption(tab, fold).startswith("units 1,2 of 8")
    pair_12 = tab.js(PANEL_X, fold)

    first, second = tab.page.locator("#ctl-view-pair-a"), tab.page.locator("#ctl-view-pair-b")
    first.fill("3")
    first.press("Enter")
    second.fill("4")
    second.press("Enter")
    tab.wait(
        f'() => document.querySelector("{PANEL.format(p=fold)}").innerText'
        ".includes('units 3,4 of 8')"
    )
    pair_34 = tab.js(PANEL_X, fold)
    assert pair_34 != pair_12, "the panel still draws units 1 and 2"
    header = tab.js("window.spacefold.lastHeader.stages[2]")
    assert header["units"] == [2, 3]
    assert tab.js("window.spacefold.views.stages.panels[2].drawn.regions") is False

    tab.page.locator("#ctl-view-projection").select_option("pca")
    tab.wait(
        f'() => document.querySelector("{PANEL.format(p=fold)}").innerText'
        ".includes('PCA of 8 units')"
    )
    pca = tab.js(PANEL_X, fold)
    assert pca not in (pair_12, pair_34), "the panel did not switch to the PCA plane"
    assert tab.js("window.spacefold.views.stages.panels[2].drawn.note") == "projection · no regions"
    assert tab.page.get_by_test_id("stages-note").is_visible()

    # Large, a projection says it has no regions instead of drawing any.
    tab.page.locator(PANEL.format(p=fold)).click()
    notice = tab.page.get_by_test_id("focus-notice")
    notice.wait_for()
    assert "No decision regions here" in notice.inner_text()
    assert "PCA of 8 units" in notice.inner_text()
    assert tab.js("window.spacefold.views.focus.drawn.regions") is False
    # The 2-wide output stage has its own plane: regions, and no notice.
    tab.page.locator(PANEL.format(p=tab.js("window.spacefold.stageCount") - 1)).click()
    notice.wait_for(state="hidden")
    assert tab.js("window.spacefold.views.focus.drawn.regions") is True
    assert tab.errors == []


def test_a_three_wide_stage_turns_in_3d(tab: Tab) -> None:
    tab.open("?width=3&projection=3d&paused=1")
    tab.wait("() => window.spacefold.lastHeader.stages[2].projection === '3d'")
    tab.settle()
    tab.page.locator(PANEL.format(p=2)).click()
    tab.wait("() => window.spacefold.views.focus.drawn?.mode === '3d'")
    assert tab.page.get_by_test_id("focus-3d").is_visible()
    assert tab.page.get_by_test_id("focus-canvas").is_hidden()
    kinds = tab.js("document.getElementById('focus-3d').data.map((trace) => trace.type)")
    assert set(kinds) == {"scatter3d"}
    same = tab.js(
        """() => {
          const drawn = window.spacefold.views.focus.drawn;
          const values = drawn.frame.arrays.get('stage2/points');
          return drawn.x.length === values.length / 3 && drawn.x.every((x, i) =>
            x === values[3 * i] && drawn.y[i] === values[3 * i + 1]
            && drawn.z[i] === values[3 * i + 2]);
        }"""
    )
    assert same is True
    assert "No decision regions here" in tab.page.get_by_test_id("focus-notice").inner_text()
    # Back to a flat stage: the 3D scene goes (one WebGL scene at most, and only while shown).
    tab.page.locator(PANEL.format(p=0)).click()
    tab.wait("() => window.spacefold.views.focus.drawn.mode === '2d'")
    assert tab.page.get_by_test_id("focus-3d").is_hidden()
    assert tab.errors == []
