"""The page opens already training the default experiment, with nothing logged as an error;
its config goes into the URL, and a link brings an experiment back."""

from __future__ import annotations

from .support import Tab


def test_page_loads_and_trains_without_console_errors(tab: Tab) -> None:
    tab.open(frames=3)
    tab.wait("() => window.spacefold.state.running && window.spacefold.lastHeader.step > 0")
    # The default experiment: input + 3 hidden layers x (affine, fold) + output.
    assert tab.js("window.spacefold.stageCount") == 8
    assert tab.panel_count() == 8
    # The input plane has its decision regions behind the points, and its points: painted.
    drawn = tab.js("window.spacefold.views.input.drawn")
    assert drawn["regions"] is True
    assert len(drawn["x"]) == 400
    assert tab.painted("#plot-input") > 0.5
    # Every stage panel and the focus view have something drawn on them.
    for p in range(8):
        assert tab.painted(f"[data-testid=stage-panel][data-stage='{p}'] canvas") > 0.2, p
    assert tab.painted("#focus-canvas") > 0.5
    assert tab.page.locator("#metric-train-acc").inner_text().endswith("%")
    # The experiment is in the address bar, so that a copied link reproduces it.
    tab.wait("() => location.search.includes('dataset=moons')")
    assert "depth=3" in tab.page.url
    assert "paused" not in tab.page.url
    tab.wait_more_frames(2)
    assert tab.errors == []


def test_link_reproduces_an_experiment(tab: Tab) -> None:
    tab.open("?dataset=spiral&width=4&depth=2&lr=0.01&paused=1")
    header = tab.wait(
        "() => { const h = window.spacefold.lastHeader;"
        " return h && h.stages.length === 6 && h.stages[1].width === 4 && h; }"
    )
    config = tab.js("window.spacefold.state.config")
    assert config["data"]["dataset"] == "spiral"
    assert (config["model"]["width"], config["model"]["depth"]) == (4, 2)
    assert config["train"]["lr"] == 0.01
    assert tab.js("window.spacefold.state.running") is False
    assert header["classes"] == 2
    assert tab.page.locator("#ctl-data-dataset").input_value() == "spiral"
    assert tab.page.locator("#ctl-model-width").input_value() == "4"
    assert tab.errors == []
