// Per layer over time, on a log scale: the update-to-weight ratio |ΔW| / |W| of every Linear
// map (healthy near 10⁻³, drawn as a dashed line) and the norm of its weights' gradient.

import "../strings/playground.js";
import { t } from "../i18n.js";
import { StepHistory } from "./history.js";
import { LAYER_COLORS, MUTED } from "./palette.js";
import { chartStep, clearCharts, line, PlotChart } from "./plotchart.js";

const MAX_POINTS = 1000; // past this, the older half of the history is thinned
const HEALTHY = 1e-3; // the healthy update ratio

/** A positive finite number, else null (a gap in a line on a log scale). */
function positiveOrNull(v) {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? v : null;
}

/** A y axis on a log scale, a tick every decade. */
function logAxis(title) {
  return { title, type: "log", exponentformat: "power", dtick: 1 };
}

export class LayerStatsView {
  /**
   * @param {{ratio: HTMLElement, grad: HTMLElement}} el the charts' elements
   * @param {() => void} wake asks the page for a redraw
   */
  constructor(el, wake) {
    this.ratioChart = new PlotChart(el.ratio, wake, () => this.ratioFigure());
    this.gradChart = new PlotChart(el.grad, wake, () => this.gradFigure());
    this.history = new StepHistory(MAX_POINTS);
  }

  clear() {
    clearCharts(this.history, this.charts);
  }

  /** The charts it draws (the page redraws them, a few times a second). */
  get charts() {
    return [this.ratioChart, this.gradChart];
  }

  /** Record one frame's layer_stats (a frame at the last step again is not charted twice). */
  push(header) {
    const stats = header.layer_stats;
    if (!stats || !Array.isArray(stats.update_ratio) || !Array.isArray(stats.grad_norm)) return;
    chartStep(this.history, this.charts, header.step, {
      ratio: stats.update_ratio.map(positiveOrNull),
      grad: stats.grad_norm.map(positiveOrNull),
    });
  }

  /** The name of Linear map i (0-based) of n: hidden layers by number, the last "output". */
  layerName(i, n) {
    return i === n - 1 ? t("layerStats.output") : t("layerStats.layer", { layer: i + 1 });
  }

  /** One trace per layer of column `name`. */
  layerTraces(name) {
    const lines = this.history.lines(name);
    return lines.map((y, i) => {
      const label = this.layerName(i, lines.length);
      return line({
        uid: `${name}-${i + 1}`,
        name: label,
        x: this.history.step,
        y,
        color: LAYER_COLORS[i % LAYER_COLORS.length],
        width: 1.6,
        hovertemplate: `${label} %{y:.2e}<extra></extra>`,
      });
    });
  }

  /** The update ratios per layer, and the healthy ratio as a dashed line across. */
  ratioFigure() {
    const h = this.history;
    const ends = h.empty ? [] : [h.step[0], h.step.at(-1)];
    const healthy = line({
      uid: "healthy",
      name: t("layerStats.healthy"),
      x: ends,
      y: ends.map(() => HEALTHY),
      color: MUTED,
      dash: "dash",
      width: 1,
      hoverinfo: "skip",
    });
    const traces = [...this.layerTraces("ratio"), healthy];
    return { traces, layout: { yaxis: logAxis(t("layerStats.ratio")) }, empty: h.empty };
  }

  /** The gradients' norms per layer. */
  gradFigure() {
    const layout = { yaxis: logAxis(t("layerStats.grad")) };
    return { traces: this.layerTraces("grad"), layout, empty: this.history.empty };
  }

  relabel() {
    for (const chart of this.charts) chart.relabel();
  }
}
