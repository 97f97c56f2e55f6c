// Metrics: step, loss and accuracy as text, and a small chart of them over the steps.

import { t } from "../i18n.js";
import { halveHistory, LineChart, renderLegend } from "./chart.js";

const MAX_POINTS = 2000; // history is halved (every other point kept) past this
const LOSS_COLOR = "#b4532a";
const ACC_COLOR = "#2563a6";
const DOTTED = [2, 3];

export class MetricsView {
  /**
   * @param {HTMLElement} root element holding the [data-metric] value cells
   * @param {HTMLCanvasElement} chart the chart's canvas
   * @param {HTMLElement} legend the chart's legend
   */
  constructor(root, chart, legend) {
    this.root = root;
    this.chart = new LineChart(chart, {
      left: { range: null, color: LOSS_COLOR },
      right: { range: [0, 1.02], percent: true, color: ACC_COLOR },
    });
    this.legend = legend;
    this.revision = 0;
    this.drawn = -1;
    this.clear();
    this.renderLegend();
  }

  clear() {
    this.history = { step: [], trainLoss: [], testLoss: [], trainAcc: [], testAcc: [] };
    this.revision++;
  }

  /** Record one frame's metrics (frames at a step not after the last one are not charted). */
  push(header) {
    const m = header.metrics ?? {};
    this.show("step", header.step.toLocaleString("en-US"));
    this.epoch = typeof header.epoch === "number" ? header.epoch : null;
    this.showEpoch();
    this.show("train-loss", fmtLoss(m.train_loss));
    this.show("test-loss", fmtLoss(m.test_loss));
    this.show("train-acc", fmtAcc(m.train_acc));
    this.show("test-acc", fmtAcc(m.test_acc));
    const h = this.history;
    if (h.step.length > 0 && header.step <= h.step.at(-1)) {
      if (header.step < h.step.at(-1)) this.clear();
      else return;
    }
    h.step.push(header.step);
    h.trainLoss.push(finiteOrNull(m.train_loss));
    h.testLoss.push(finiteOrNull(m.test_loss));
    h.trainAcc.push(finiteOrNull(m.train_acc));
    h.testAcc.push(finiteOrNull(m.test_acc));
    halveHistory(h, MAX_POINTS);
    this.revision++;
  }

  showEpoch() {
    const epoch = this.epoch === null || this.epoch === undefined ? null : this.epoch;
    const text = epoch === null ? "" : t("metrics.epoch", { epoch: fmtEpoch(epoch) });
    this.show("epoch", text);
  }

  show(name, text) {
    const el = this.root.querySelector(`[data-metric="${name}"]`);
    if (el && el.textContent !== text) el.textContent = text;
  }

  /** Redraw the chart if anything changed since the last draw. */
  draw(force = false) {
    if (!force && this.drawn === this.revision) return;
    this.drawn = this.revision;
    const h = this.history;
    const series = [
      ["trainLoss", h.trainLoss, LOSS_COLOR, null, "left"],
      ["testLoss", h.testLoss, LOSS_COLOR, DOTTED, "left"],
      ["trainAcc", h.trainAcc, ACC_COLOR, null, "right"],
      ["testAcc", h.testAcc, ACC_COLOR, DOTTED, "right"],
    ].map(([name, y, color, dash, axis]) => ({ name, y, color, dash, axis, width: 2 }));
    this.chart.draw({
      x: h.step,
      series,
      titles: { x: t("chart.step"), left: t("metrics.loss"), right: t("metrics.acc") },
    });
  }

  renderLegend() {
    renderLegend(this.legend, [
      { label: t("chart.trainLoss"), color: LOSS_COLOR },
      { label: t("chart.testLoss"), color: LOSS_COLOR, dash: true },
      { label: t("chart.trainAcc"), color: ACC_COLOR },
      { label: t("chart.testAcc"), color: ACC_COLOR, dash: true },
    ]);
  }

  relabel() {
    this.showEpoch();
    this.renderLegend();
    this.draw(true);
  }
}

function finiteOrNull(v) {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

function fmtLoss(v) {
  if (typeof v !== "number") return "–";
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 0.001) return v.toExponential(1);
  return v.toFixed(3);
}

function fmtEpoch(v) {
  return v >= 100 ? Math.round(v).toLocaleString("en-US") : String(Number(v.toFixed(1)));
}

function fmtAcc(v) {
  if (typeof v !== "number" || !Number.isFinite(v)) return "–";
  return `${(100 * v).toFixed(1)}%`;
}
