// What each fold does to the data, per hidden layer over the steps: the share of points it
// merges (puts within a tolerance of a point of another class: what no later layer can undo),
// solid, and the share it sends to zero in every unit (dead: only folds with exact zeros, ReLU),
// dotted; its flatness on hover. Under the chart, a line: the dead units now, or why none can be.

import { t } from "../i18n.js";
import { StepHistory } from "./history.js";
import { LAYER_COLORS } from "./palette.js";
import { chartStep, clearCharts, line, PlotChart } from "./plotchart.js";

const MAX_POINTS = 2000; // past this, the older half of the history is thinned

export class FoldsView {
  /**
   * @param {{box: HTMLElement, chart: HTMLElement, note: HTMLElement}} el box: what hides when a
   *   network has no folds, chart: the chart's element, note: a line of text under it
   * @param {() => void} wake asks the page for a redraw
   */
  constructor(el, wake) {
    this.chart = new PlotChart(el.chart, wake, () => this.figure());
    this.box = el.box;
    this.note = el.note;
    this.history = new StepHistory(MAX_POINTS);
    this.latest = null; // the last frame's header
    // ... and its folds, one a hidden layer: {layer, stage, flat_share, dead_share, dead_units,
    // merged_share, flatness}, each null where it does not apply
    this.folds = [];
  }

  clear() {
    clearCharts(this.history, this.charts);
  }

  /** The charts it draws (the page redraws them, a few times a second). */
  get charts() {
    return [this.chart];
  }

  /** Record one frame's folds (a frame at the last step again is not charted twice). */
  push(header) {
    this.latest = header;
    this.folds = Array.isArray(header.folds) ? header.folds : [];
    this.box.hidden = this.folds.length === 0;
    this.renderNote();
    if (this.folds.length === 0) return;
    chartStep(this.history, this.charts, header.step, {
      merged: this.folds.map((f) => f.merged_share),
      dead: this.folds.map((f) => f.dead_share),
      flatness: this.folds.map((f) => f.flatness),
    });
  }

  /** The chart's figure, of the history so far. */
  figure() {
    const h = this.history;
    const dead = h.lines("dead");
    const flatness = h.lines("flatness");
    const merged = t("folds.merged");
    const flat = t("folds.flatness");
    const traces = [];
    h.lines("merged").forEach((y, i) => {
      const name = t("folds.layer", { layer: i + 1 });
      const color = LAYER_COLORS[i % LAYER_COLORS.length];
      const group = `layer${i + 1}`;
      traces.push(
        line({
          uid: `merged-${i + 1}`,
          name,
          x: h.step,
          y,
          color,
          legendgroup: group,
          customdata: flatness[i],
          hovertemplate: `${name} ${merged} %{y:.1%} · ${flat} %{customdata:.2f}<extra></extra>`,
        }),
      );
      if (!dead[i].some((v) => v !== null)) return; // a fold without exact zeros
      traces.push(
        line({
          uid: `dead-${i + 1}`,
          name,
          x: h.step,
          y: dead[i],
          color,
          dash: "dot",
          width: 1.5,
          legendgroup: group,
          showlegend: false,
          hovertemplate: `${name} ${t("folds.dead")} %{y:.1%}<extra></extra>`,
        }),
      );
    });
    // From 0 to at least 10% (a few merged points stay visible), at most 100%.
    const autorangeoptions = { include: 0.1, clipmax: 1 };
    const yaxis = { rangemode: "tozero", tickformat: ".0%", autorangeoptions };
    return { traces, layout: { yaxis }, empty: h.empty };
  }

  /** Under the chart: which units are dead now, or why none can be. */
  renderNote() {
    let text = "";
    const folds = this.folds;
    if (folds.length > 0 && folds.every((f) => !Array.isArray(f.dead_units))) {
      text = t("dead.none", { act: t(`choice.${this.latest.activation}`) });
    } else if (folds.length > 0) {
      const dead = folds
        .filter((f) => Array.isArray(f.dead_units) && f.dead_units.length > 0)
        .map((f) => {
          const units = f.dead_units.map((u) => u + 1).join(",");
          return t("dead.unitsOf", { layer: f.layer, units });
        });
      text = dead.length ? `${t("dead.unitsNow")} ${dead.join("; ")}` : t("dead.noUnits");
    }
    if (this.note.textContent !== text) this.note.textContent = text;
  }

  relabel() {
    this.renderNote();
    this.chart.relabel();
  }
}
