// The stage strip: one Plotly figure, one subplot per stage of the network (input, affine k,
// fold k, ..., output), each with that stage's points and the warped image of the input grid.

import { gridPolyline } from "../frame.js";
import { t } from "../i18n.js";
import { FONT, GRID_LINE, INK, MUTED, pointColors } from "./palette.js";

const PLOT_CONFIG = { displayModeBar: false, responsive: false };

const MARGIN = { l: 34, r: 10, t: 26, b: 24 };
const GAP_X = 40; // px between panels: room for the next panel's tick labels
const GAP_Y = 52; // px between rows: tick labels below, the title above
const MIN_PANEL = 200; // px: fewer columns below this
const MAX_PANEL_HEIGHT = 360;

export class StagesView {
  /** @param {HTMLElement} plot the graph div */
  constructor(plot) {
    this.plot = plot;
    this.stageCount = 0;
    this.styleKey = "";
    this.colors = [];
    this.symbols = [];
    this.ranges = new Map(); // stage position -> {x: [lo, hi], y: [lo, hi]}
    this.rangeKey = "";
    this.last = null;
  }

  /**
   * Draw one decoded frame.
   * @param {{header: object, arrays: Map}} frame
   * @param {string} activation the config's activation, for the fold panels' titles
   */
  update(frame, activation) {
    this.last = { frame, activation };
    const { header, arrays } = frame;
    const labels = arrays.get("labels");
    const n = labels.length;
    const styleKey = `${header.generation}:${n}:${header.n_train}`;
    if (styleKey !== this.styleKey) {
      this.styleKey = styleKey;
      this.colors = pointColors(labels);
      this.symbols = new Array(n);
      for (let i = 0; i < n; i++) this.symbols[i] = i < header.n_train ? "circle" : "circle-open";
    }
    const rangeKey = `${header.generation}:${header.stages.length}`;
    if (rangeKey !== this.rangeKey) {
      this.rangeKey = rangeKey;
      this.ranges.clear();
    }

    const stages = header.stages;
    const geometry = this.geometry(stages.length);
    const size = n > 1500 ? 3 : n > 600 ? 4 : 5.5;
    const traces = [];
    const layout = {
      width: geometry.width,
      height: geometry.height,
      margin: MARGIN,
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "white",
      showlegend: false,
      hovermode: false,
      dragmode: false,
      font: { family: FONT, color: INK },
      annotations: [],
      uirevision: "stages",
    };
    stages.forEach((stage, p) => {
      const points = arrays.get(`stage${stage.index}/points`);
      const grid = arrays.get(`stage${stage.index}/grid`);
      const suffix = p === 0 ? "" : String(p + 1);
      const lines = grid
        ? gridPolyline(grid, header.grid.lines, header.grid.samples)
        : { x: [], y: [] };
      const { x, y } = pointColumns(points);
      traces.push(
        {
          type: "scatter", // SVG: one path, far cheaper than WebGL lines with gaps
          mode: "lines",
          x: lines.x,
          y: lines.y,
          xaxis: `x${suffix}`,
          yaxis: `y${suffix}`,
          line: { color: GRID_LINE, width: 1 },
          hoverinfo: "skip",
        },
        {
          type: "scattergl",
          mode: "markers",
          x,
          y,
          xaxis: `x${suffix}`,
          yaxis: `y${suffix}`,
          marker: {
            color: this.colors,
            symbol: this.symbols,
            size,
            line: { width: 1.2 },
          },
          hoverinfo: "skip",
        },
      );
      const range = this.smoothedRange(p, [x, lines.x], [y, lines.y]);
      const cell = geometry.cells[p];
      const axis = {
        showgrid: true,
        gridcolor: "#eef1f4",
        zeroline: true,
        zerolinecolor: "#9aa5b1",
        zerolinewidth: 1,
        ticks: "",
        nticks: 5,
        tickfont: { size: 10, color: MUTED },
        linecolor: "#d5dbe1",
        mirror: true,
        fixedrange: true,
      };
      layout[`xaxis${suffix}`] = {
        ...axis,
        domain: cell.x,
        anchor: `y${suffix}`,
        range: range.x,
      };
      layout[`yaxis${suffix}`] = {
        ...axis,
        domain: cell.y,
        anchor: `x${suffix}`,
        range: range.y,
        scaleanchor: `x${suffix}`,
        scaleratio: 1,
        constrain: "range",
      };
      const [title, detail] = stageTitle(stage, activation, points);
      const label = {
        xref: "paper",
        yref: "paper",
        y: cell.y[1],
        yanchor: "bottom",
        yshift: 3,
        showarrow: false,
      };
      layout.annotations.push({
        ...label,
        x: cell.x[0],
        xanchor: "left",
        text: `<b>${title}</b>`,
        font: { size: 13, color: INK },
      });
      if (detail) {
        layout.annotations.push({
          ...label,
          x: cell.x[1],
          xanchor: "right",
          text: detail,
          font: { size: 11, color: MUTED },
        });
      }
    });
    Plotly.react(this.plot, traces, layout, PLOT_CONFIG);
    this.stageCount = stages.length;
    this.plot.dataset.stageCount = String(stages.length);
  }

  /** Redraw the last frame (after a language switch or a resize). */
  redraw() {
    if (this.last) this.update(this.last.frame, this.last.activation);
  }

  /** Panel positions for `count` stages in the current width, in paper fractions. */
  geometry(count) {
    const width = Math.max(320, this.plot.clientWidth || 900);
    const inner = width - MARGIN.l - MARGIN.r;
    const maxCols = Math.max(1, Math.floor((inner + GAP_X) / (MIN_PANEL + GAP_X)));
    const rows = Math.ceil(count / Math.min(count, maxCols));
    const cols = Math.ceil(count / rows);
    const panelW = (inner - (cols - 1) * GAP_X) / cols;
    const panelH = Math.min(panelW, MAX_PANEL_HEIGHT);
    const plotH = rows * panelH + (rows - 1) * GAP_Y;
    const cells = [];
    for (let p = 0; p < count; p++) {
      const col = p % cols;
      const row = Math.floor(p / cols);
      const x0 = (col * (panelW + GAP_X)) / inner;
      const y1 = 1 - (row * (panelH + GAP_Y)) / plotH;
      cells.push({ x: [x0, x0 + panelW / inner], y: [y1 - panelH / plotH, y1] });
    }
    return { width, height: plotH + MARGIN.t + MARGIN.b, cells, cols, rows };
  }

  /**
   * Axis ranges that hold every finite value with a margin: they grow at once and shrink
   * slowly, so the panels do not jitter as training moves the points.
   */
  smoothedRange(p, xs, ys) {
    const bx = bounds(xs);
    const by = bounds(ys);
    const span = Math.max(bx[1] - bx[0], by[1] - by[0], 1e-3);
    const pad = 0.08 * span;
    const target = {
      x: centred(bx, span, pad),
      y: centred(by, span, pad),
    };
    const prev = this.ranges.get(p);
    if (!prev) {
      this.ranges.set(p, target);
      return target;
    }
    const next = { x: ease(prev.x, target.x), y: ease(prev.y, target.y) };
    this.ranges.set(p, next);
    return next;
  }
}

/** Column views of interleaved (N, 2) points. */
function pointColumns(points) {
  if (!points) return { x: [], y: [] };
  const n = points.length / 2;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = points[2 * i];
    y[i] = points[2 * i + 1];
  }
  return { x, y };
}

function bounds(arrays) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of arrays) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [-1, 1];
  return [lo, hi];
}

/** A range around `b`, at least `span` wide (so both axes fit a square), padded. */
function centred(b, span, pad) {
  const mid = (b[0] + b[1]) / 2;
  const half = Math.max(b[1] - b[0], span * 0.25) / 2 + pad;
  return [mid - half, mid + half];
}

function ease(prev, target) {
  const lo = target[0] < prev[0] ? target[0] : prev[0] + 0.2 * (target[0] - prev[0]);
  const hi = target[1] > prev[1] ? target[1] : prev[1] + 0.2 * (target[1] - prev[1]);
  return [lo, hi];
}

/** [title, detail] for a panel, e.g. ["fold 2 · relu", "units 1,2 of 8 · 12 dead"]. */
function stageTitle(stage, activation, points) {
  let title;
  if (stage.kind === "input") title = t("stage.input");
  else if (stage.kind === "affine") title = t("stage.affine", { layer: stage.layer });
  else if (stage.kind === "fold") {
    title = t("stage.fold", { layer: stage.layer, act: t(`choice.${activation}`) });
  } else if (stage.kind === "output") title = t("stage.output");
  else title = `${stage.kind} ${stage.layer}`;
  const details = [];
  const units = stage.units ?? [0, 1];
  if (stage.width === 1 || units[1] === null) details.push(t("stage.unit1"));
  else if (stage.width > 2) {
    details.push(t("stage.units", { a: units[0] + 1, b: units[1] + 1, n: stage.width }));
  }
  if (stage.kind === "fold" && activation === "relu" && stage.width <= 2 && points) {
    let dead = 0;
    for (let i = 0; i < points.length; i += 2) {
      if (points[i] === 0 && points[i + 1] === 0) dead++;
    }
    if (dead > 0) details.push(t("stage.dead", { n: dead }));
  }
  return [title, details.join(" · ")];
}
