// Metrics: step, loss and accuracy as text, and a small chart of them over the steps.

import { t } from "../i18n.js";
import { FONT, INK, MUTED } from "./palette.js";

const MAX_POINTS = 2000; // history is halved (every other point kept) past this
const PLOT_CONFIG = { displayModeBar: false, responsive: true };
const LOSS_COLOR = "#b4532a";
const ACC_COLOR = "#2563a6";

export class MetricsView {
  /**
   * @param {HTMLElement} root element holding the [data-metric] value cells
   * @param {HTMLElement} chart the graph div for the chart
   */
  constructor(root, chart) {
    this.root = root;
    this.chart = chart;
    this.revision = 0;
    this.drawn = -1;
    this.clear();
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
    if (h.step.length > MAX_POINTS) {
      for (const key of Object.keys(h)) h[key] = h[key].filter((_, i) => i % 2 === 0);
    }
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
    const line = (y, name, color, dash, axis) => ({
      type: "scatter",
      mode: "lines",
      x: h.step,
      y,
      name,
      yaxis: axis,
      line: { color, width: 2, dash },
      hoverinfo: "skip",
    });
    const traces = [
      line(h.trainLoss, t("chart.trainLoss"), LOSS_COLOR, "solid", "y"),
      line(h.testLoss, t("chart.testLoss"), LOSS_COLOR, "dot", "y"),
      line(h.trainAcc, t("chart.trainAcc"), ACC_COLOR, "solid", "y2"),
      line(h.testAcc, t("chart.testAcc"), ACC_COLOR, "dot", "y2"),
    ];
    const axisFont = { size: 10, color: MUTED };
    const layout = {
      margin: { l: 40, r: 40, t: 8, b: 52 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "white",
      font: { family: FONT, color: INK, size: 11 },
      hovermode: false,
      dragmode: false,
      datarevision: this.revision,
      showlegend: true,
      legend: { orientation: "h", x: 0, y: -0.22, yanchor: "top", font: { size: 11 } },
      xaxis: {
        title: { text: t("chart.step"), font: axisFont, standoff: 2 },
        tickfont: axisFont,
        rangemode: "tozero",
        gridcolor: "#eef1f4",
        fixedrange: true,
        zeroline: false,
      },
      yaxis: {
        title: { text: t("metrics.loss"), font: { ...axisFont, color: LOSS_COLOR } },
        tickfont: { ...axisFont, color: LOSS_COLOR },
        rangemode: "tozero",
        gridcolor: "#eef1f4",
        fixedrange: true,
        zeroline: false,
      },
      yaxis2: {
        title: { text: t("metrics.acc"), font: { ...axisFont, color: ACC_COLOR } },
        tickfont: { ...axisFont, color: ACC_COLOR },
        overlaying: "y",
        side: "right",
        range: [0, 1.02],
        tickvals: [0, 0.25, 0.5, 0.75, 1],
        tickformat: ".0%",
        showgrid: false,
        fixedrange: true,
        zeroline: false,
      },
    };
    Plotly.react(this.chart, traces, layout, PLOT_CONFIG);
  }

  relabel() {
    this.showEpoch();
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
