"""Controls change the experiment live: depth sets the number of panels, width the units."""

from __future__ import annotations

from .support import Tab


def test_depth_sets_the_number_of_stage_panels(tab: Tab) -> None:
    tab.open()
    tab.wait("() => window.spacefold.stageCount === 8")
    assert tab.panel_count() == 8  # input + 3 x (affine, fold) + output

    depth = tab.page.locator("#ctl-model-depth")
    depth.fill("1")
    depth.press("Enter")
    tab.wait("() => window.spacefold.stageCount === 4")
    assert tab.panel_count() == 4  # input, affine 1, fold 1, output
    assert "depth=1" in tab.page.url

    tab.page.locator("#ctl-model-depth-inc").click()
    tab.wait("() => window.spacefold.stageCount === 6")
    assert tab.panel_count() == 6
    assert depth.input_value() == "2"
    # Training went on through the changes.
    tab.wait("() => window.spacefold.state.running && window.spacefold.lastHeader.step > 0")
    assert tab.errors == []


def test_width_change_shows_frames_of_the_new_width(tab: Tab) -> None:
    tab.open()
    width = tab.page.locator("#ctl-model-width")
    width.fill("8")
    width.press("Enter")
    tab.wait("() => window.spacefold.lastHeader.stages[1].width === 8")
    tab.wait_more_frames(2)
    assert any("units 1,2 of 8" in text for text in tab.panel_texts())
    assert tab.js("window.spacefold.state.running") is True
    assert "width=8" in tab.page.url
    assert tab.errors == []


def test_dataset_and_preset_apply_while_paused(tab: Tab) -> None:
    tab.open("?paused=1")
    tab.page.locator("#ctl-data-dataset").select_option("circles")
    tab.wait("() => window.spacefold.state.config.data.dataset === 'circles'")
    tab.page.locator("#ctl-preset").select_option("lecture")
    tab.wait("() => window.spacefold.stageCount === 10")
    config = tab.js("window.spacefold.state.config")
    assert (config["data"]["dataset"], config["model"]["width"]) == ("spiral", 2)
    assert tab.page.locator("#ctl-preset").input_value() == "lecture"
    assert tab.js("window.spacefold.state.running") is False
    assert tab.errors == []


def test_refused_values_are_shown_and_nothing_changes(tab: Tab) -> None:
    tab.open("?width=999&paused=1")
    # A bad value in the link is reported and left out.
    warning = tab.page.get_by_test_id("message-warn")
    assert "width=999" in warning.first.inner_text()
    assert tab.js("window.spacefold.state.config.model.width") == 2
    # A value the server refuses is reported, and the control shows the kept value again.
    width = tab.page.locator("#ctl-model-width")
    width.fill("99")
    width.press("Enter")
    error = tab.page.get_by_test_id("message-error")
    error.wait_for()
    assert "model.width" in error.inner_text()
    assert width.input_value() == "2"
    error.locator("button.close").click()
    assert error.count() == 0
