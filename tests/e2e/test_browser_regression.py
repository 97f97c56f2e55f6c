"""The page names things for the task: a regression net has an output map and a loss, not
decision regions and an accuracy; choosing bumps brings a network that learns it; "Hidden
width" says the truth when the layers have widths of their own."""

from __future__ import annotations

from .support import Tab

CONFIG = "() => window.spacefold.state.config"


def test_a_regression_dataset_is_not_called_decision_regions_nor_scored_by_accuracy(
    tab: Tab,
) -> None:
    tab.open("?paused=1&dataset=plane&points=60")
    tab.wait("() => window.spacefold.lastHeader.task === 'regression'")
    title = tab.page.locator(".card-input h2")
    assert title.inner_text() == "Input plane · network output"
    table = tab.page.locator(".metric-table")
    assert table.get_by_text("Accuracy").is_hidden()
    assert tab.page.locator("#metric-train-acc").is_hidden()
    assert tab.page.locator("#metric-train-loss").is_visible()
    assert "decision" not in tab.page.locator(".card-input").inner_text().lower()
    tab.page.locator("#btn-lang").click()
    assert title.inner_text() == "输入平面 · 网络输出"
    tab.page.locator("#btn-lang").click()
    # Back to a classification dataset: regions and accuracy again.
    tab.page.get_by_test_id("ctl-data-dataset").select_option("moons")
    tab.wait("() => window.spacefold.lastHeader.task !== 'regression'")
    assert title.inner_text() == "Input plane · decision regions"
    assert tab.page.locator("#metric-train-acc").is_visible()
    assert tab.errors == []


def test_choosing_bumps_brings_its_recipe_and_it_learns(tab: Tab) -> None:
    tab.open("?paused=1")
    recipe = tab.js("window.spacefold.state.schema.recipes.bumps")
    tab.page.get_by_test_id("ctl-data-dataset").select_option("bumps")
    tab.wait(
        "() => window.spacefold.state.config.data.dataset === 'bumps'"
        " && window.spacefold.lastHeader.task === 'regression'"
    )
    model = tab.js(CONFIG)["model"]
    assert (model["width"], model["depth"]) == (recipe["model"]["width"], recipe["model"]["depth"])
    start = tab.js("window.spacefold.lastHeader.metrics.train_loss")
    tab.page.locator("#btn-play").click()
    tab.wait("() => window.spacefold.lastHeader.step >= 300", timeout_ms=60_000)
    tab.page.locator("#btn-pause").click()
    tab.settle()
    assert tab.js("window.spacefold.lastHeader.metrics.train_loss") < min(0.05, start / 4)
    assert tab.errors == []


def test_hidden_width_shows_the_widths_when_the_layers_differ(tab: Tab) -> None:
    tab.open("?paused=1&widths=4,6,3")
    tab.wait("() => window.spacefold.state.config.model.widths?.join() === '4,6,3'")
    width = tab.page.get_by_test_id("ctl-model-width")
    assert width.input_value() == ""
    assert width.get_attribute("placeholder") == "4/6/3"
    row_title = tab.js("document.querySelector('#ctl-model-width').closest('.field').title")
    assert "4/6/3" in row_title
    # + from 4/6/3 makes every layer one wider than the widest.
    tab.page.locator("#ctl-model-width-inc").click()
    tab.wait(
        "() => window.spacefold.state.config.model.widths === null"
        " && window.spacefold.state.config.model.width === 7"
    )
    assert width.input_value() == "7" and width.get_attribute("placeholder") == ""
    assert tab.errors == []
