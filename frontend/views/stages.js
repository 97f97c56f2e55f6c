// The stage strip: one Plotly figure, one subplot per stage of the network (input, affine k,
// fold k, ..., output), each with that stage's points, the warped image of the input grid and,
// for stages drawn as their own plane, the decision regions of the rest of the network there.

import { columns, flatten3, gridPolyline, stride } from "../frame.js";
import { t } from "../i18n.js";
import { FONT, GRID_LINE, INK, MUTED, pointColors } from "./palette.js";
import { regionArrays, regionLayers } from "./regions.js";

const PLOT_CONFIG = { displayModeBar: false, responsive: false };

const MARGIN = { l: 34, r: 10, t: 40, b: 24 };
const GAP_X = 40; // px between panels: room for the next panel's tick labels
const GAP_Y = 64; // px between rows: tick labels below, two title lines above
const MIN_PANEL = 200; // px: fewer columns below this
const MAX_PANEL_HEIGHT = 360;
const REGION_FACTOR = 2; // panels are small: regions painted twice as fine as they arrive

export class StagesView {
  /** @param {HTMLElement} plot the graph div */
  constructor(plot) {
    this.plot = plot;
    this.stageCount = 0;
    this.projected = false;
    this.styleKey = "";
    this.colors = [];
    this.symbols = [];
    this.outlines = [];
    this.ranges = new Map(); // stage position -> {x: [lo, hi], y: [lo, hi]}
    this.rangeKey = "";
    this.last = null;
    // The container's width, read when it changes rather than on every frame (reading layout
    // right after Plotly has touched the DOM forces a synchronous reflow).
    this.width = plot.clientWidth;
    new ResizeObserver((entries) => {
      const width = Math.round(entries[0].contentRect.width);
      if (width !== this.width) {
        this.width = width;
        this.redraw();
      }
    }).observe(plot);
  }

  /**
   * Draw one decoded frame.
   * @param {{header: object, arrays: Map, shapes: Map}} frame
   * @param {object} view the config's view part (is `regions` asked for?)
   */
  update(frame, view = {}) {
    this.last = { frame, view };
    const { header, arrays, shapes } = frame;
    const labels = arrays.get("labels");
    const n = labels.length;
    const styleKey = `${header.generation}:${n}:${header.n_train}`;
    if (styleKey !== this.styleKey) {
      this.styleKey = styleKey;
      this.colors = pointColors(labels);
      this.symbols = new Array(n);
      this.outlines = new Array(n); // a white rim on filled (train) points, none on hollow ones
      for (let i = 0; i < n; i++) {
        const train = i < header.n_train;
        this.symbols[i] = train ? "circle" : "circle-open";
        this.outlines[i] = train ? "white" : this.colors[i];
      }
    }
    const stages = header.stages;
    const rangeKey = `${header.generation}:${stages.map((s) => s.projection).join()}`;
    if (rangeKey !== this.rangeKey) {
      this.rangeKey = rangeKey;
      this.ranges.clear();
    }

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
      images: [],
      uirevision: "stages",
    };
    const titles = stages.map((stage) => {
      const name = `stage${stage.index}/points`;
      return stageTitle(stage, header.activation, arrays.get(name), stride(shapes, name));
    });
    const twoLines = titles.some(([, detail]) => detail); // then every title sits as high
    stages.forEach((stage, p) => {
      const suffix = p === 0 ? "" : String(p + 1);
      const axes = { xaxis: `x${suffix}`, yaxis: `y${suffix}` };
      const name = `stage${stage.index}/points`;
      const d = stride(shapes, name);
      const points = arrays.get(name);
      const grid = arrays.get(`stage${stage.index}/grid`);
      const lines = grid
        ? gridPolyline(grid, header.grid.lines, header.grid.samples, d)
        : { x: [], y: [] };
      const { x, y } = points ? columns(points, d) : { x: [], y: [] };
      const extent = d === 2 ? stage.extent : null;
      const range = this.smoothedRange(p, extent, [x, lines.x], [y, lines.y]);

      const region = stage.regions === false ? null : regionArrays(arrays, stage.index);
      if (region) {
        const layers = regionLayers(region, header.classes, suffix, REGION_FACTOR);
        layout.images.push(layers.image);
        if (!stage.boundary) traces.push(...layers.traces);
      }
      traces.push(
        {
          type: "scatter", // SVG: one path, far cheaper than WebGL lines with gaps
          mode: "lines",
          name: `stage${p}/grid`,
          x: lines.x,
          y: lines.y,
          ...axes,
          line: { color: GRID_LINE, width: 1 },
          hoverinfo: "skip",
        },
        {
          type: "scattergl",
          mode: "markers",
          name: `stage${p}/points`,
          x,
          y,
          ...axes,
          marker: {
            color: this.colors,
            symbol: this.symbols,
            size,
            line: { color: this.outlines, width: 1.2 },
          },
          hoverinfo: "skip",
        },
      );
      if (stage.boundary) traces.push({ ...classifierLine(stage.boundary, range), ...axes });
      if (d === 3) traces.push(...unitAxes(range).map((trace) => ({ ...trace, ...axes })));

      const cell = geometry.cells[p];
      const flat = d !== 3; // a 3D view draws its own three axes instead
      const axis = {
        showgrid: !region && flat, // Plotly draws grid lines over layout images
        gridcolor: "#eef1f4",
        zeroline: flat,
        zerolinecolor: "#9aa5b1",
        zerolinewidth: 1,
        ticks: "",
        nticks: 5,
        tickfont: { size: 10, color: MUTED },
        linecolor: "#d5dbe1",
        mirror: true,
        fixedrange: true,
      };
      layout[`xaxis${suffix}`] = { ...axis, domain: cell.x, anchor: `y${suffix}`, range: range.x };
      layout[`yaxis${suffix}`] = {
        ...axis,
        domain: cell.y,
        anchor: `x${suffix}`,
        range: range.y,
        scaleanchor: `x${suffix}`,
        scaleratio: 1,
        constrain: "range",
      };
      const [title, detail] = titles[p];
      const label = {
        xref: "paper",
        yref: "paper",
        x: cell.x[0],
        y: cell.y[1],
        xanchor: "left",
        yanchor: "bottom",
        showarrow: false,
      };
      layout.annotations.push({
        ...label,
        yshift: twoLines ? 17 : 3,
        text: `<b>${title}</b>`,
        font: { size: 13, color: INK },
      });
      if (detail) {
        // Cut to the panel's width (about 6 px a character); the whole text shows on hover.
        const room = Math.floor(((cell.x[1] - cell.x[0]) * geometry.inner) / 6);
        const short = detail.length > room ? `${detail.slice(0, room - 1)}…` : detail;
        layout.annotations.push({
          ...label,
          yshift: 2,
          text: short,
          hovertext: short === detail ? undefined : detail,
          font: { size: 11, color: MUTED },
        });
      }
    });
    Plotly.react(this.plot, traces, layout, PLOT_CONFIG);
    // Say why some panels have no regions: only stages drawn as their own plane have them.
    this.projected = Boolean(view.regions) && stages.some((s) => s.projection !== "plane");
    this.stageCount = stages.length;
    this.plot.dataset.stageCount = String(stages.length);
  }

  /** Redraw the last frame (after a language switch or a resize). */
  redraw() {
    if (this.last) this.update(this.last.frame, this.last.view);
  }

  /** Panel positions for `count` stages in the current width, in paper fractions. */
  geometry(count) {
    const width = Math.max(320, this.width || 900);
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
    return { width, inner, height: plotH + MARGIN.t + MARGIN.b, cells, cols, rows };
  }

  /**
   * Axis ranges around the stage's extent (or, without one, every finite value, padded):
   * they grow at once and shrink slowly, so the panels do not jitter as training moves.
   */
  smoothedRange(p, extent, xs, ys) {
    let target;
    if (extent && extent.every(Number.isFinite)) {
      target = { x: [extent[0], extent[1]], y: [extent[2], extent[3]] };
    } else {
      const bx = bounds(xs);
      const by = bounds(ys);
      const span = Math.max(bx[1] - bx[0], by[1] - by[0], 1e-3);
      target = { x: padded(bx, span), y: padded(by, span) };
    }
    const prev = this.ranges.get(p);
    const next = prev ? { x: ease(prev.x, target.x), y: ease(prev.y, target.y) } : target;
    this.ranges.set(p, next);
    return next;
  }
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

/** A range around `b`, at least a quarter of `span` wide, with an 8 % margin. */
function padded(b, span) {
  const mid = (b[0] + b[1]) / 2;
  const half = Math.max(b[1] - b[0], span * 0.25) / 2 + 0.08 * span;
  return [mid - half, mid + half];
}

function ease(prev, target) {
  const lo = target[0] < prev[0] ? target[0] : prev[0] + 0.2 * (target[0] - prev[0]);
  const hi = target[1] > prev[1] ? target[1] : prev[1] + 0.2 * (target[1] - prev[1]);
  return [lo, hi];
}

/** The classifier's decision line a·z1 + b·z2 + c = 0 across the panel's range. */
function classifierLine([a, b, c], range) {
  // Long enough to cross the panel whatever Plotly widens to keep the aspect ratio.
  const wide = (r) => [r[0] - 2 * (r[1] - r[0]), r[1] + 2 * (r[1] - r[0])];
  let x = [];
  let y = [];
  if (Math.abs(b) >= Math.abs(a) && b !== 0) {
    x = wide(range.x);
    y = x.map((v) => -(a * v + c) / b);
  } else if (a !== 0) {
    y = wide(range.y);
    x = y.map((v) => -(b * v + c) / a);
  }
  return {
    type: "scatter",
    mode: "lines",
    name: "classifier",
    x,
    y,
    line: { color: INK, width: 1.6, dash: "dash" },
    hoverinfo: "skip",
  };
}

/** The three unit axes of a 3D stage, seen from the same oblique angle as its points. */
function unitAxes(range) {
  const reach = 0.45 * Math.min(range.x[1] - range.x[0], range.y[1] - range.y[0]);
  const x = [];
  const y = [];
  const tips = { x: [], y: [], text: [] };
  for (let k = 0; k < 3; k++) {
    const unit = [0, 0, 0];
    unit[k] = reach;
    const [tx, ty] = flatten3(...unit);
    x.push(0, tx, NaN);
    y.push(0, ty, NaN);
    tips.x.push(tx * 1.08);
    tips.y.push(ty * 1.08);
    tips.text.push(String(k + 1));
  }
  const style = { hoverinfo: "skip" };
  return [
    { ...style, type: "scatter", mode: "lines", name: "axes3d", x, y,
      line: { color: "#9aa5b1", width: 1.2 } },
    { ...style, type: "scatter", mode: "text", name: "axes3d/labels", ...tips,
      textfont: { size: 10, color: MUTED } },
  ];
}

/** [title, detail] for a panel, e.g. ["fold 2 · ReLU", "units 1,2 of 8 · 12% dead"]. */
function stageTitle(stage, activation, points, d) {
  let title;
  if (stage.kind === "input") title = t("stage.input");
  else if (stage.kind === "affine") title = t("stage.affine", { layer: stage.layer });
  else if (stage.kind === "fold") {
    title = t("stage.fold", { layer: stage.layer, act: t(`choice.${activation ?? "relu"}`) });
  } else if (stage.kind === "output") title = t("stage.output");
  else title = `${stage.kind} ${stage.layer}`;

  const details = [];
  const units = stage.units ?? [0, 1];
  if (stage.projection === "pca") details.push(t("stage.pca", { n: stage.width }));
  else if (stage.projection === "3d") details.push(t("stage.3d"));
  else if (stage.width === 1 || units[1] === null) details.push(t("stage.unit1"));
  else if (stage.width > 2) {
    details.push(t("stage.units", { a: units[0] + 1, b: units[1] + 1, n: stage.width }));
  }
  if (stage.kind === "fold") {
    let share = stage.dead_share;
    if (share === undefined && activation === "relu" && points && d === 2 && stage.width <= 2) {
      let dead = 0;
      for (let i = 0; i < points.length; i += 2) {
        if (points[i] === 0 && points[i + 1] === 0) dead++;
      }
      share = dead / Math.max(1, points.length / 2);
    }
    if (typeof share === "number" && share > 0) {
      details.push(t("stage.dead", { pct: Math.round(100 * share) }));
    }
    if (stage.dead_units?.length) {
      details.push(t("stage.deadUnits", { units: stage.dead_units.map((u) => u + 1).join(",") }));
    }
  }
  return [title, details.join(" · ")];
}
