"""Dead, merged points and dead units: the lecture's narrow ReLU net folds points to zero and
sends points of both classes to one place; the panels mark both, and a chart follows each layer's
share over time, from the start of each network. Activations without exact zeros say that they
have no dead points."""

from __future__ import annotations

from .charts import figure, record, recorded, wait_drawn
from .support import Tab

# Read from one drawn frame, once some fold has dead points in it (null until then): for every
# stage the points its frame marks dead so far (the union of the folds up to it) and merged (at
# the last fold up to it), the marks its panel drew, its caption; and the marks in the input plane.
MARKS = """() => {
  const frame = window.spacefold.lastFrame;
  const panels = window.spacefold.views.stages.panels;
  const stages = [];
  let soFar = null;
  let merged = null;
  const sum = (mask) => (mask ? mask.reduce((a, b) => a + b, 0) : 0);
  frame.header.stages.forEach((stage, p) => {
    const dead = frame.arrays.get(`stage${stage.index}/dead`);
    if (dead) soFar = soFar ? soFar.map((v, i) => v | dead[i]) : Uint8Array.from(dead);
    merged = frame.arrays.get(`stage${stage.index}/merged`) ?? merged;
    const fold = frame.header.folds.find((f) => f.stage === stage.index);
    stages.push({p, kind: stage.kind, share: fold?.dead_share ?? 0, expected: sum(soFar),
                 drawn: panels[p].drawn.dead, merged: sum(merged),
                 mergedShare: fold?.merged_share ?? 0, mergedDrawn: panels[p].drawn.merged,
                 caption: panels[p].node.querySelector('.stage-detail').textContent});
  });
  const input = window.spacefold.views.input.drawn;
  return stages.some((stage) => stage.kind === 'fold' && stage.drawn > 0) && {stages, input};
}"""
CHART = "[window.spacefold.views.folds.chart]"


def test_dead_points_are_marked_and_charted_for_the_lecture_net(tab: Tab) -> None:
    tab.open("?preset=lecture")
    # The lecture's net: 4 hidden layers of width 2 on the spiral; some points soon die.
    marks = tab.wait(MARKS, timeout_ms=40_000)
    stages = marks["stages"]
    assert [m["drawn"] for m in stages] == [m["expected"] for m in stages]
    assert [m["mergedDrawn"] for m in stages] == [m["merged"] for m in stages]
    assert marks["input"]["dead"] == stages[-1]["expected"] > 0  # in the input plane too
    assert marks["input"]["merged"] == stages[-1]["merged"] > 0  # lost for good
    for stage in stages:
        if stage["share"] > 0:
            assert "% dead" in stage["caption"], stage
        if stage["mergedShare"] > 0:
            assert "% merged" in stage["caption"], stage
    legend = tab.page.get_by_test_id("legend").inner_text()
    assert "folded to zero" in legend and "merged with another class" in legend

    # The chart, per layer over the steps: the share of points merged with another class
    # (solid) and of dead points (dotted), flatness on hover; the numbers of the frames it was
    # given.
    record(tab, "folds")
    tab.wait("() => window.chartHeaders.folds.length >= 4", timeout_ms=10_000)
    wait_drawn(tab, CHART, "#plot-dead")
    traces = figure(tab, "#plot-dead")
    merged = [t for t in traces if t["uid"].startswith("merged")]
    dead = [t for t in traces if t["uid"].startswith("dead")]
    assert [t["name"] for t in merged] == ["layer 1", "layer 2", "layer 3", "layer 4"]
    assert [t["name"] for t in dead] == [t["name"] for t in merged]
    assert {t["dash"] for t in merged} == {"solid"} and {t["dash"] for t in dead} == {"dot"}
    x = merged[0]["x"]
    drawn = [h for h in recorded(tab, "folds") if h["step"] <= x[-1]]
    assert len(drawn) >= 3
    for header in drawn:
        i = x.index(header["step"])
        assert [t["y"][i] for t in merged] == [f["merged_share"] for f in header["folds"]]
        assert [t["y"][i] for t in dead] == [f["dead_share"] for f in header["folds"]]
        assert [t["customdata"][i] for t in merged] == [f["flatness"] for f in header["folds"]]
    assert max(max(t["y"]) for t in dead) > 0
    assert (
        tab.page.get_by_test_id("dead-note")
        .inner_text()
        .startswith(("Dead units now:", "No dead units now."))
    )

    # A new network starts a new history.
    before = len(x)
    generation = tab.js("window.spacefold.state.generation")
    tab.page.locator("#btn-pause").click()
    tab.page.locator("#btn-reset").click()
    tab.wait(f"() => window.spacefold.lastHeader.generation > {generation}")
    tab.page.locator("#plot-dead").scroll_into_view_if_needed()  # (charts out of sight wait)
    tab.wait(
        f"() => (document.getElementById('plot-dead').data[0]?.x.length ?? 0) < {before}",
        timeout_ms=5_000,
    )
    assert tab.errors == []


def test_tanh_has_no_dead_points_and_says_so(tab: Tab) -> None:
    tab.open("?activation=tanh&paused=1")
    note = tab.page.get_by_test_id("dead-note")
    tab.wait("() => document.getElementById('dead-note').innerText.includes('never')")
    assert note.inner_text().startswith("tanh never outputs exactly zero")
    # Its folds still merge points (they are charted), but none is dead: no dotted lines.
    wait_drawn(tab, CHART, "#plot-dead")
    traces = figure(tab, "#plot-dead")
    assert [t["uid"] for t in traces] == ["merged-1", "merged-2", "merged-3"]
    folds = tab.js("window.spacefold.lastHeader.folds")
    assert [t["y"][-1] for t in traces] == [f["merged_share"] for f in folds]
    assert tab.errors == []
