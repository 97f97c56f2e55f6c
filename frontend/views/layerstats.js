// Per layer over time, on a log scale: the update-to-weight ratio |ΔW| / |W| of every Linear
// map (healthy near 10⁻³, drawn as a dashed line) and the norm of its weights' gradient.

import "../strings/playground.js";
import { t } from "../i18n.js";
import { halveHistory, LineChart, renderLegend } from "./chart.js";
import { LAYER_COLORS, MUTED } from "./palette.js";

const MAX_POINTS = 1000; // history is halved (every other point kept) past this
const HEALTHY = -3; // log10 of the healthy update ratio
const DASHED = [5, 4];

/** log10 of a positive finite number, else null (a gap in the line). */
export function log10OrNull(v) {
  return typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.log10(v) : null;
}

/** A y range of whole decades around every value (and `always`, when given). */
function decades(lines, always = null) {
  let lo = always ?? Infinity;
  let hi = always ?? -Infinity;
  for (const line of lines) {
    for (const v of line) {
      if (v === null) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo)) return [-4, 0];
  lo = Math.floor(lo);
  hi = Math.ceil(hi);
  return hi > lo ? [lo, hi] : [lo - 1, hi + 1];
}

export class LayerStatsView {
  /**
   * @param {object} el {ratio, grad: canvases, legend: an element for the layers' legend}
   */
  constructor(el) {
    this.ratioChart = new LineChart(el.ratio, { left: { range: [-4, 0] } });
    this.gradChart = new LineChart(el.grad, { left: { range: [-4, 0] } });
    this.legend = el.legend;
    this.legendKey = "";
    this.revision = 0;
    this.drawn = -1;
    this.clear();
  }

  clear() {
    this.history = { step: [], ratio: [], grad: [] };
    this.revision++;
  }

  /** Record one frame's layer_stats (a frame at a step not after the last one is skipped). */
  push(header) {
    const stats = header.layer_stats;
    if (!stats || !Array.isArray(stats.update_ratio) || !Array.isArray(stats.grad_norm)) return;
    const h = this.history;
    const last = h.step.at(-1);
    if (last !== undefined && header.step <= last) {
      if (header.step === last) return;
      this.clear(); // back in time: trained anew
    }
    const layers = stats.update_ratio.length;
    if (this.history.ratio.length !== layers) {
      const lines = () => Array.from({ length: layers }, () => []);
      this.history = { step: [], ratio: lines(), grad: lines() };
    }
    const now = this.history;
    now.step.push(header.step);
    stats.update_ratio.forEach((v, i) => now.ratio[i].push(log10OrNull(v)));
    stats.grad_norm.forEach((v, i) => now.grad[i]?.push(log10OrNull(v)));
    halveHistory(now, MAX_POINTS);
    this.revision++;
  }

  /** The name of Linear map i (0-based) of n: hidden layers by number, the last "output". */
  layerName(i, n) {
    return i === n - 1 ? t("layerStats.output") : t("layerStats.layer", { layer: i + 1 });
  }

  /** Redraw both charts if anything changed since the last draw. */
  draw(force = false) {
    if (!force && this.drawn === this.revision) return;
    this.drawn = this.revision;
    const h = this.history;
    const n = h.ratio.length;
    const color = (i) => LAYER_COLORS[i % LAYER_COLORS.length];
    const lines = (values) =>
      values.map((y, i) => ({ name: this.layerName(i, n), y, color: color(i), width: 1.6 }));
    const healthy = {
      name: t("layerStats.healthy"),
      y: h.step.map(() => HEALTHY),
      color: MUTED,
      width: 1,
      dash: DASHED,
    };
    this.ratioChart.axes.left.range = decades(h.ratio, HEALTHY);
    this.ratioChart.draw({
      x: h.step,
      series: [healthy, ...lines(h.ratio)],
      titles: { x: t("chart.step"), left: t("layerStats.ratio") },
    });
    this.gradChart.axes.left.range = decades(h.grad);
    this.gradChart.draw({
      x: h.step,
      series: lines(h.grad),
      titles: { x: t("chart.step"), left: t("layerStats.grad") },
    });
    const legend = h.ratio.map((_, i) => ({ label: this.layerName(i, n), color: color(i) }));
    legend.push({ label: `${t("layerStats.healthy")}`, color: MUTED, dash: true });
    const key = legend.map((entry) => entry.label).join();
    if (key !== this.legendKey) {
      this.legendKey = key;
      renderLegend(this.legend, legend);
    }
  }

  relabel() {
    this.legendKey = "";
    this.draw(true);
  }
}
