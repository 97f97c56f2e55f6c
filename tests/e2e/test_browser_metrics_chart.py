"""The loss and accuracy chart is a Plotly figure of every frame's metrics over the steps: train
and test loss and accuracy (no accuracy for a regression task). What the user does to it (a line
toggled off in the legend, a zoom) stays while training goes on, until a new network starts."""

from __future__ import annotations

from .charts import figure, record, recorded, wait_drawn
from .support import Tab

CHART = "[window.spacefold.views.metrics.chart]"
KEYS = ["train_loss", "test_loss", "train_acc", "test_acc"]


def test_the_chart_draws_the_metrics_of_every_frame_it_was_given(tab: Tab) -> None:
    tab.open()
    record(tab, "metrics")
    tab.wait("() => window.chartHeaders.metrics.length >= 6")
    wait_drawn(tab, CHART, "#plot-metrics")
    traces = figure(tab, "#plot-metrics")
    assert [t["name"] for t in traces] == ["train loss", "test loss", "train acc.", "test acc."]
    assert [t["yaxis"] for t in traces] == ["y", "y", "y2", "y2"]
    assert [t["dash"] for t in traces] == ["solid", "dot", "solid", "dot"]
    x = traces[0]["x"]
    assert x == sorted(set(x)) and all(t["x"] == x for t in traces)
    drawn = [h for h in recorded(tab, "metrics") if h["step"] <= x[-1]]
    assert len(drawn) >= 5
    for header in drawn:
        i = x.index(header["step"])  # every frame given is charted, at its step
        assert [t["y"][i] for t in traces] == [header["metrics"][k] for k in KEYS], header["step"]
    assert tab.errors == []


def test_legend_toggles_and_zoom_stay_while_training_until_a_new_network(tab: Tab) -> None:
    tab.open()
    wait_drawn(tab, CHART, "#plot-metrics")
    # A click on "test loss" in the legend hides that line (Plotly waits to rule out a double
    # click first).
    tab.page.locator("#plot-metrics .legend .traces").nth(1).click()
    tab.wait("() => document.getElementById('plot-metrics')._fullData[1].visible === 'legendonly'")
    tab.js("Plotly.relayout('plot-metrics', {'xaxis.range': [0, 10]})")  # what a zoom does
    steps = len(figure(tab, "#plot-metrics")[0]["x"])
    tab.wait(f"() => document.getElementById('plot-metrics').data[0].x.length > {steps + 3}")
    wait_drawn(tab, CHART, "#plot-metrics")
    traces = figure(tab, "#plot-metrics")
    assert [t["visible"] for t in traces] == [True, "legendonly", True, True]
    assert tab.js("document.getElementById('plot-metrics').layout.xaxis.range") == [0, 10]

    # A new network: a new history, every line shown, the whole of it in sight.
    last_step = traces[0]["x"][-1]
    generation = tab.js("window.spacefold.state.generation")
    tab.page.locator("#btn-reset").click()
    tab.wait(f"() => window.spacefold.lastHeader.generation > {generation}")
    tab.wait("() => window.spacefold.views.metrics.history.step.length >= 3")
    wait_drawn(tab, CHART, "#plot-metrics")
    traces = figure(tab, "#plot-metrics")
    assert [t["visible"] for t in traces] == [True, True, True, True]
    assert traces[0]["x"][0] < last_step  # from the new network's start
    assert tab.js("document.getElementById('plot-metrics')._fullLayout.xaxis.autorange") is True
    assert tab.errors == []


def test_a_regression_task_has_no_accuracy_line(tab: Tab) -> None:
    tab.open("?dataset=plane&points=40")
    tab.wait("() => window.spacefold.lastHeader.task === 'regression'")
    tab.wait("() => window.spacefold.views.metrics.history.step.length >= 3")
    wait_drawn(tab, CHART, "#plot-metrics")
    traces = figure(tab, "#plot-metrics")
    assert [t["name"] for t in traces] == ["train loss", "test loss"]
    assert all(v is None or v > 0 for v in traces[0]["y"]) and traces[0]["y"][-1] is not None
    assert tab.js("document.getElementById('plot-metrics').layout.yaxis2") is None
    assert tab.errors == []


def test_before_a_new_network_s_first_frame_the_chart_says_no_data_yet(tab: Tab) -> None:
    tab.open("?paused=1")
    tab.settle()  # no frame of this network on its way any more
    # The server says a new network exists; until its first frame there is nothing to chart.
    tab.js("""window.spacefold.dispatch({type: 'state', generation: 1000, step: 0,
             running: false, config: window.spacefold.state.config})""")
    wait_drawn(tab, CHART, "#plot-metrics")
    assert figure(tab, "#plot-metrics") == []
    assert "no data yet" in tab.page.locator("#plot-metrics").inner_text()
    assert tab.errors == []


# Holds the page's animation frames while window.__hold is true; __release() runs them.
HOLD_ANIMATION_FRAMES = """(() => {
  const later = window.requestAnimationFrame.bind(window);
  window.__hold = false;
  window.__held = [];
  window.requestAnimationFrame = (callback) => {
    if (!window.__hold) return later(callback);
    window.__held.push(callback);
    return 0;
  };
  window.__release = () => {
    window.__hold = false;
    for (const callback of window.__held.splice(0)) later(callback);
  };
})()"""


def test_a_frame_whose_network_went_while_it_waited_to_be_drawn_is_not_drawn(tab: Tab) -> None:
    # Drawn, its numbers would enter the new network's charts (a ReLU frame's dead shares in a
    # tanh network's chart, say).
    tab.page.add_init_script(HOLD_ANIMATION_FRAMES)
    tab.open("?paused=1")
    tab.settle()
    drawn = tab.frames()
    tab.js("() => { window.__hold = true; }")
    tab.page.locator("#btn-step").click()
    # A frame of this network waits to be drawn (polled by time: animation frames are held).
    tab.page.wait_for_function("() => window.spacefold.pending", polling=50)
    tab.js("""window.spacefold.dispatch({type: 'state', generation: 1000, step: 0,
             running: false, config: window.spacefold.state.config})""")
    tab.js("() => window.__release()")
    tab.js("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert tab.js("window.spacefold.pending") is False
    assert tab.frames() == drawn
    assert tab.js("window.spacefold.views.metrics.history.step.length") == 0
    assert tab.errors == []


def test_the_chart_relabels_when_the_language_changes(tab: Tab) -> None:
    tab.open("?paused=1")
    wait_drawn(tab, CHART, "#plot-metrics")
    tab.page.locator("#btn-lang").click()
    wait_drawn(tab, CHART, "#plot-metrics")
    names = [t["name"] for t in figure(tab, "#plot-metrics")]
    assert names == ["训练损失", "测试损失", "训练准确率", "测试准确率"]
    layout = tab.js("document.getElementById('plot-metrics').layout")
    assert [layout[k]["title"]["text"] for k in ("xaxis", "yaxis", "yaxis2")] == [
        "步数",
        "损失",
        "准确率",
    ]
    assert tab.errors == []
