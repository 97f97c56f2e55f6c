// Metrics: step, loss and accuracy as text, and a Plotly chart of them over the steps (train
// solid, test dotted; no accuracy for a regression task, which has none).

import { t } from "../i18n.js";
import { StepHistory } from "./history.js";
import { ACC_COLOR, LOSS_COLOR } from "./palette.js";
import { chartStep, clearCharts, line, PlotChart } from "./plotchart.js";
import { isRegression } from "./task.js";

const MAX_POINTS = 2000; // past this, the older half of the history is thinned

export class MetricsView {
  /**
   * @param {HTMLElement} root element holding the [data-metric] value cells
   * @param {HTMLElement} chart the chart's element
   * @param {() => void} wake asks the page for a redraw
   */
  constructor(root, chart, wake) {
    this.root = root;
    this.chart = new PlotChart(chart, wake, () => this.figure());
    this.history = new StepHistory(MAX_POINTS);
    this.task = "classification";
  }

  clear() {
    clearCharts(this.history, this.charts);
  }

  /** The charts it draws (the page redraws them, a few times a second). */
  get charts() {
    return [this.chart];
  }

  /** Record one frame's metrics (a frame at the last step again is not charted twice). */
  push(header) {
    const m = header.metrics ?? {};
    this.show("step", header.step.toLocaleString("en-US"));
    this.epoch = typeof header.epoch === "number" ? header.epoch : null;
    this.showEpoch();
    this.show("train-loss", fmtLoss(m.train_loss));
    this.show("test-loss", fmtLoss(m.test_loss));
    this.show("train-acc", fmtAcc(m.train_acc));
    this.show("test-acc", fmtAcc(m.test_acc));
    const task = isRegression(header) ? "regression" : "classification";
    if (task !== this.task) {
      this.task = task;
      this.clear();
    }
    chartStep(this.history, this.charts, header.step, {
      loss: [m.train_loss, m.test_loss],
      acc: [m.train_acc, m.test_acc],
    });
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

  /** The chart's figure, of the history so far. */
  figure() {
    const h = this.history;
    const [trainLoss, testLoss] = h.lines("loss");
    const [trainAcc, testAcc] = h.lines("acc");
    const trace = (uid, name, y, color, dash, more) =>
      line({ uid, name, x: h.step, y, color, dash, ...more });
    const loss = { hovertemplate: "%{y:.3~g}" };
    const acc = { yaxis: "y2", hovertemplate: "%{y:.1%}" };
    const traces = [
      trace("train-loss", t("chart.trainLoss"), trainLoss, LOSS_COLOR, "solid", loss),
      trace("test-loss", t("chart.testLoss"), testLoss, LOSS_COLOR, "dot", loss),
    ];
    const layout = { yaxis: { title: t("metrics.loss"), color: LOSS_COLOR, rangemode: "tozero" } };
    if (this.task !== "regression") {
      traces.push(
        trace("train-acc", t("chart.trainAcc"), trainAcc, ACC_COLOR, "solid", acc),
        trace("test-acc", t("chart.testAcc"), testAcc, ACC_COLOR, "dot", acc),
      );
      layout.yaxis2 = {
        title: t("metrics.acc"),
        color: ACC_COLOR,
        range: [0, 1.02],
        tickvals: [0, 0.25, 0.5, 0.75, 1],
        tickformat: ".0%",
        showgrid: false,
      };
    }
    return { traces, layout, empty: h.empty };
  }

  relabel() {
    this.showEpoch();
    this.chart.relabel();
  }
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
