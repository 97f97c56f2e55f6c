// Dead points and dead units over time: per hidden layer, the share of data points its fold
// sends to zero in every unit (solid), and the share of its units that are zero for every point
// (dotted). Only activations that output exact zeros (ReLU) have them.

import { t } from "../i18n.js";
import { halveHistory, LineChart, renderLegend } from "./chart.js";
import { LAYER_COLORS } from "./palette.js";

const MAX_POINTS = 2000; // history is halved (every other point kept) past this
const DOTTED = [2, 3];

export class DeadView {
  /**
   * @param {object} el {box: what hides when nothing can die, chart: a canvas, legend,
   *   note: a line of text under it: dead units now, or why there are none}
   */
  constructor(el) {
    this.chart = new LineChart(el.chart, { left: { range: [0, 1.02], percent: true } });
    this.box = el.box;
    this.legend = el.legend;
    this.legendKey = "";
    this.note = el.note;
    this.revision = 0;
    this.drawn = -1;
    this.activation = null;
    this.hasDeath = true;
    this.clear();
  }

  clear() {
    this.history = { step: [], points: [], units: [] };
    this.latest = null;
    this.revision++;
  }

  /** Record one frame's deaths (a frame at a step not after the last one is not charted). */
  push(header) {
    const hasDeath = Array.isArray(header.death);
    if (hasDeath !== this.hasDeath || header.activation !== this.activation) this.revision++;
    this.activation = header.activation;
    this.hasDeath = hasDeath;
    this.latest = header;
    if (!hasDeath) return;
    const last = this.history.step.at(-1);
    if (last !== undefined && header.step <= last) {
      if (header.step === last) return;
      this.clear(); // back in time: a network trained anew
    }
    if (this.history.points.length !== header.death.length) {
      // A different number of layers: a new network, whatever its generation says.
      const lines = () => header.death.map(() => []);
      this.history = { step: [], points: lines(), units: lines() };
    }
    const widths = new Map();
    for (const stage of header.stages) {
      if (stage.kind === "fold") widths.set(stage.layer, stage.width);
    }
    const now = this.history;
    now.step.push(header.step);
    header.death.forEach((entry, i) => {
      now.points[i].push(entry.dead_share);
      now.units[i].push(entry.dead_units.length / Math.max(1, widths.get(entry.layer) ?? 1));
    });
    halveHistory(now, MAX_POINTS);
    this.revision++;
  }

  /** Redraw the chart if anything changed since the last draw. */
  draw(force = false) {
    if (!force && this.drawn === this.revision) return;
    this.drawn = this.revision;
    this.renderNote();
    this.box.hidden = !this.hasDeath;
    if (!this.hasDeath) return;
    const h = this.history;
    const series = [];
    h.points.forEach((line, i) => {
      const color = LAYER_COLORS[i % LAYER_COLORS.length];
      series.push(
        { name: t("dead.layer", { layer: i + 1 }), y: line, color, width: 2 },
        { name: t("dead.units", { layer: i + 1 }), y: h.units[i], color, width: 1.5, dash: DOTTED },
      );
    });
    this.chart.draw({ x: h.step, series, titles: { x: t("chart.step") } });
    const legend = h.points.map((_, i) => ({
      label: t("dead.layer", { layer: i + 1 }),
      color: LAYER_COLORS[i % LAYER_COLORS.length],
    }));
    const key = legend.map((entry) => entry.label).join();
    if (key !== this.legendKey) {
      this.legendKey = key;
      renderLegend(this.legend, legend);
    }
  }

  /** Under the chart: which units are dead now, or why nothing can be. */
  renderNote() {
    let text;
    if (!this.latest) text = "";
    else if (!this.hasDeath) {
      text = t("dead.none", { act: t(`choice.${this.activation ?? "relu"}`) });
    } else {
      const dead = this.latest.death
        .filter((entry) => entry.dead_units.length > 0)
        .map((entry) => {
          const units = entry.dead_units.map((u) => u + 1).join(",");
          return t("dead.unitsOf", { layer: entry.layer, units });
        });
      text = dead.length ? `${t("dead.unitsNow")} ${dead.join("; ")}` : t("dead.noUnits");
    }
    if (this.note.textContent !== text) this.note.textContent = text;
  }

  relabel() {
    this.legendKey = "";
    this.draw(true);
  }
}
