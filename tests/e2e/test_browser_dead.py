"""Dead points and dead units: the lecture's narrow ReLU net folds points to zero for good; the
panels mark them, and a chart follows each layer's share over time, from the start of each
network. Activations without exact zeros say that they have none."""

from __future__ import annotations

from .support import Tab

# Read from one drawn frame, once some fold has dead points in it (null until then): for every
# stage the points its frame marks dead so far (the union of the folds up to it), the marks its
# panel drew, its caption; and the marks in the input plane.
MARKS = """() => {
  const frame = window.spacefold.lastFrame;
  const panels = window.spacefold.views.stages.panels;
  const stages = [];
  let soFar = null;
  frame.header.stages.forEach((stage, p) => {
    const dead = frame.arrays.get(`stage${stage.index}/dead`);
    if (dead) soFar = soFar ? soFar.map((v, i) => v | dead[i]) : Uint8Array.from(dead);
    const expected = soFar ? soFar.reduce((a, b) => a + b, 0) : 0;
    stages.push({p, kind: stage.kind, share: stage.dead_share ?? 0, expected,
                 drawn: panels[p].drawn.dead,
                 caption: panels[p].node.querySelector('.stage-detail').textContent});
  });
  const input = window.spacefold.views.input.drawn.dead;
  return stages.some((stage) => stage.kind === 'fold' && stage.drawn > 0) && {stages, input};
}"""
DEAD_TRACES = "(window.spacefold.views.dead.chart.drawn?.series ?? [])"


def test_dead_points_are_marked_and_charted_for_the_lecture_net(tab: Tab) -> None:
    tab.open("?preset=lecture")
    # The lecture's net: 4 hidden layers of width 2 on the spiral; some points soon die.
    marks = tab.wait(MARKS, timeout_ms=40_000)
    stages = marks["stages"]
    assert [m["drawn"] for m in stages] == [m["expected"] for m in stages]
    assert marks["input"] == stages[-1]["expected"] > 0  # lost for good, in the input plane
    for stage in stages:
        if stage["share"] > 0:
            assert "% dead" in stage["caption"], stage
    assert "folded to zero" in tab.page.get_by_test_id("legend").inner_text()

    # The chart: one solid line (points) and one dotted (units) per layer, over the steps.
    tab.wait(f"() => {DEAD_TRACES}.length === 8 && {DEAD_TRACES}[0].y.length >= 3",
             timeout_ms=10_000)
    traces = tab.js(DEAD_TRACES)
    assert [t["name"] for t in traces[::2]] == ["layer 1", "layer 2", "layer 3", "layer 4"]
    assert max(max(t["y"]) for t in traces[::2]) > 0
    assert tab.painted("#plot-dead") > 0.02
    assert "layer 4" in tab.page.locator("#dead-legend").inner_text()
    assert tab.page.get_by_test_id("dead-note").inner_text().startswith(
        ("Dead units now:", "No dead units now.")
    )

    # A new network starts a new history.
    before = len(traces[0]["y"])
    generation = tab.js("window.spacefold.state.generation")
    tab.page.locator("#btn-pause").click()
    tab.page.locator("#btn-reset").click()
    tab.wait(f"() => window.spacefold.lastHeader.generation > {generation}")
    # (Until the new network's first frame the chart has no lines at all.)
    tab.wait(f"() => ({DEAD_TRACES}[0]?.y.length ?? 0) < {before}", timeout_ms=5_000)
    assert tab.errors == []


def test_tanh_has_no_dead_points_and_says_so(tab: Tab) -> None:
    tab.open("?activation=tanh&paused=1")
    note = tab.page.get_by_test_id("dead-note")
    tab.wait("() => document.getElementById('dead-note').innerText.includes('never')")
    assert note.inner_text().startswith("tanh never outputs exactly zero")
    assert tab.page.get_by_test_id("plot-dead").is_hidden()
    assert tab.errors == []
