// The input plane: decision regions behind the data points, the input grid faintly on top.

import { columns, gridPolyline, stride } from "../frame.js";
import { t } from "../i18n.js";
import {
  classColor,
  FONT,
  GRID_LINE,
  INK,
  MUTED,
  pointColors,
  WRONG_RING,
} from "./palette.js";
import { regionArrays, regionLayers } from "./regions.js";

const SVG_POINTS_MAX = 1200;
const REGION_FACTOR = 4; // the regions are painted this many times finer than they arrive
const PLOT_CONFIG = { displayModeBar: false, responsive: true, staticPlot: false };

export class InputView {
  /**
   * @param {HTMLElement} plot the graph div
   * @param {HTMLElement} legend element for the HTML legend under it
   */
  constructor(plot, legend) {
    this.plot = plot;
    this.legend = legend;
    this.styleKey = "";
    this.colors = { train: [], test: [] };
    this.legendClasses = 0;
    this.renderLegend(2);
  }

  /** Draw one decoded frame. */
  update(frame) {
    const { header, arrays, shapes } = frame;
    const nTrain = header.n_train;
    const labels = arrays.get("labels");
    const pred = arrays.get("pred");
    const input = header.stages[0];
    const points = arrays.get(`stage${input.index}/points`);
    const grid = arrays.get(`stage${input.index}/grid`);
    const d = stride(shapes, `stage${input.index}/points`);
    const key = `${header.generation}:${labels.length}:${header.classes}`;
    if (key !== this.styleKey) {
      this.styleKey = key;
      const colors = pointColors(labels);
      this.colors = { train: colors.slice(0, nTrain), test: colors.slice(nTrain) };
    }
    const size = labels.length > 1500 ? 4.5 : 7.5;
    // Few points draw faster as SVG than through a second WebGL context.
    const markerType = labels.length > SVG_POINTS_MAX ? "scattergl" : "scatter";
    const train = columns(points, d, 0, nTrain);
    const test = columns(points, d, nTrain, labels.length);
    const wrong = misclassified(points, d, labels, pred);
    const lines = gridPolyline(grid, header.grid.lines, header.grid.samples, d);
    const region = regionArrays(arrays, 0);
    const regions = region
      ? regionLayers(region, header.classes, "", REGION_FACTOR)
      : { image: null, traces: [] };

    const traces = [
      ...regions.traces,
      {
        type: "scatter", // SVG: one path, far cheaper than WebGL lines with gaps
        mode: "lines",
        name: "grid",
        x: lines.x,
        y: lines.y,
        line: { color: GRID_LINE, width: 1 },
        opacity: 0.45,
        hoverinfo: "skip",
      },
      {
        type: markerType,
        mode: "markers",
        name: "train",
        x: train.x,
        y: train.y,
        marker: {
          color: this.colors.train,
          size,
          symbol: "circle",
          line: { color: "white", width: 0.8 },
        },
        hoverinfo: "skip",
      },
      {
        type: markerType,
        mode: "markers",
        name: "test",
        x: test.x,
        y: test.y,
        marker: {
          color: this.colors.test,
          size: size - 0.5,
          symbol: "circle-open",
          line: { width: 1.8 },
        },
        hoverinfo: "skip",
      },
      {
        type: markerType,
        mode: "markers",
        name: "misclassified",
        x: wrong.x,
        y: wrong.y,
        marker: {
          color: WRONG_RING,
          size: size + 5,
          symbol: "circle-open",
          line: { width: 1.1 },
        },
        hoverinfo: "skip",
      },
    ];
    const [x0, x1, y0, y1] = header.extent;
    const axis = {
      showgrid: false,
      zeroline: false,
      ticks: "outside",
      ticklen: 3,
      tickfont: { size: 11, color: MUTED },
      linecolor: "#cbd2d9",
      mirror: true,
      fixedrange: true,
    };
    const layout = {
      margin: { l: 34, r: 8, t: 8, b: 28 },
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "white",
      showlegend: false,
      hovermode: false,
      dragmode: false,
      font: { family: FONT, color: INK },
      images: regions.image ? [regions.image] : [],
      xaxis: { ...axis, range: [x0, x1], constrain: "domain" },
      yaxis: { ...axis, range: [y0, y1], scaleanchor: "x", scaleratio: 1, constrain: "domain" },
      uirevision: "input",
    };
    Plotly.react(this.plot, traces, layout, PLOT_CONFIG);
    if (header.classes !== this.legendClasses) this.renderLegend(header.classes);
  }

  /** Legend in HTML: class swatches, then what the marker shapes mean. */
  renderLegend(classes) {
    this.legendClasses = classes;
    const parts = [];
    for (let k = 0; k < classes; k++) {
      parts.push(
        `<span class="legend-item"><span class="swatch" style="background:${classColor(k)}">` +
          `</span>${t("legend.class", { k: k + 1 })}</span>`,
      );
    }
    parts.push(
      `<span class="legend-item"><span class="dot filled"></span>${t("legend.train")}</span>`,
      `<span class="legend-item"><span class="dot hollow"></span>${t("legend.test")}</span>`,
      `<span class="legend-item"><span class="dot ring"></span>${t("legend.wrong")}</span>`,
      `<span class="legend-item"><span class="gridmark"></span>${t("legend.grid")}</span>`,
    );
    this.legend.innerHTML = parts.join("");
  }

  relabel() {
    this.renderLegend(this.legendClasses || 2);
  }
}

/** Positions of the points whose predicted class is wrong. */
function misclassified(points, d, labels, pred) {
  const x = [];
  const y = [];
  if (!pred) return { x, y };
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== pred[i]) {
      x.push(points[d * i]);
      y.push(points[d * i + 1]);
    }
  }
  return { x, y };
}
