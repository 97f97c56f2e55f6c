// Decision regions: a small RGB image (one pixel per region cell) that the browser stretches,
// smoothly, over the cells' box behind the points; and, for two classes, the 50 % line.
//
// Why not a Plotly heatmap with zsmooth "best"? Plotly re-rasterises that at the plot's pixel
// size on every update (about 50 ms a frame for the input plane alone, without a GPU); this
// draws R×R pixels and lets the browser scale them.

import { levelLine } from "./contour.js";
import { classColor } from "./palette.js";

const BOUNDARY_COLOR = "rgba(31, 41, 51, 0.55)";

function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function mixWhite(color, amount) {
  return color.map((c) => c + (255 - c) * amount);
}

/** The region arrays of stage `index` (stage 0: the input plane), or null if it has none. */
export function regionArrays(arrays, index) {
  const prefix = index === 0 && !arrays.has("stage0/region/label") ? "region" : `stage${index}/region`;
  const label = arrays.get(`${prefix}/label`);
  const conf = arrays.get(`${prefix}/conf`);
  const x = arrays.get(`${prefix}/x`);
  const y = arrays.get(`${prefix}/y`);
  if (!label || !conf || !x || !y || x.length < 2 || y.length < 2) return null;
  return { label, conf, x, y };
}

/** P(class 1) per cell for two classes (from the predicted class and its probability). */
function probabilityOfOne(label, conf) {
  const p = new Float32Array(label.length);
  for (let i = 0; i < p.length; i++) p[i] = label[i] === 1 ? conf[i] : 1 - conf[i];
  return p;
}

let canvas = null;

const CLIP = 1e-6;

/** Log-odds of P(class 1) per cell: the network's output is piecewise linear in these. */
function logOdds(label, conf) {
  const p = probabilityOfOne(label, conf);
  const out = new Float32Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(1 - CLIP, Math.max(CLIP, p[i]));
    out[i] = Math.log(q / (1 - q));
  }
  return out;
}

/**
 * Bilinear sample of a (rows, cols) grid at `factor` times its resolution; pixel u covers
 * cell coordinate (u + 0.5) / factor - 0.5 (cell centres at whole numbers), clamped at edges.
 */
function sample(values, rows, cols, factor) {
  const width = cols * factor;
  const height = rows * factor;
  const out = new Float32Array(width * height);
  for (let v = 0; v < height; v++) {
    const sy = Math.min(rows - 1, Math.max(0, (v + 0.5) / factor - 0.5));
    const i0 = Math.min(rows - 2, Math.floor(sy));
    const ty = sy - i0;
    for (let u = 0; u < width; u++) {
      const sx = Math.min(cols - 1, Math.max(0, (u + 0.5) / factor - 0.5));
      const j0 = Math.min(cols - 2, Math.floor(sx));
      const tx = sx - j0;
      const a = values[i0 * cols + j0];
      const b = values[i0 * cols + j0 + 1];
      const c = values[(i0 + 1) * cols + j0];
      const d = values[(i0 + 1) * cols + j0 + 1];
      out[v * width + u] = (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
    }
  }
  return { values: out, width, height };
}

/**
 * Paint the regions into an image: two classes shade from class 0 through white to class 1
 * by probability, interpolated `factor` times finer in log-odds (so that a sharp boundary
 * stays a clean line instead of a staircase of cells); K classes take their class colour,
 * paler where the network is unsure, one pixel per cell (the browser smooths the rest).
 * @returns {string} a data: URL
 */
function paint(region, classes, factor) {
  const cols = region.x.length;
  const rows = region.y.length;
  const strong = [];
  for (let k = 0; k < Math.max(classes, 2); k++) strong.push(mixWhite(rgb(classColor(k)), 0.45));
  const pale = strong.map((c) => mixWhite(c, 0.8));
  let width = cols;
  let height = rows;
  let colorAt;
  if (classes <= 2) {
    const fine = sample(logOdds(region.label, region.conf), rows, cols, factor);
    width = fine.width;
    height = fine.height;
    colorAt = (cell) => {
      const p = 1 / (1 + Math.exp(-fine.values[cell]));
      const side = p >= 0.5 ? strong[1] : strong[0];
      const amount = Math.abs(p - 0.5) * 2; // 0 at the boundary (white), 1 when sure
      return side.map((c) => 250 + (c - 250) * amount);
    };
  } else {
    const floor = 1 / classes;
    colorAt = (cell) => {
      const k = region.label[cell];
      const sure = Math.min(1, Math.max(0, (region.conf[cell] - floor) / (1 - floor)));
      return pale[k].map((c, n) => c + (strong[k][n] - c) * sure);
    };
  }
  canvas ??= document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  for (let i = 0; i < height; i++) {
    const flipped = height - 1 - i; // region rows go bottom to top, image rows top to bottom
    for (let j = 0; j < width; j++) {
      const color = colorAt(i * width + j);
      const o = 4 * (flipped * width + j);
      image.data[o] = color[0];
      image.data[o + 1] = color[1];
      image.data[o + 2] = color[2];
      image.data[o + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
  return canvas.toDataURL();
}

/**
 * Layout image and traces for one set of regions on axes `x{suffix}`/`y{suffix}`, painted
 * `factor` times finer than the region grid (two classes).
 * @returns {{image: object, traces: object[]}}
 */
export function regionLayers(region, classes, suffix = "", factor = 1) {
  const { x, y } = region;
  const dx = (x[x.length - 1] - x[0]) / (x.length - 1);
  const dy = (y[y.length - 1] - y[0]) / (y.length - 1);
  const image = {
    source: paint(region, classes, factor),
    xref: `x${suffix}`,
    yref: `y${suffix}`,
    x: x[0] - dx / 2,
    y: y[y.length - 1] + dy / 2,
    sizex: dx * x.length,
    sizey: dy * y.length,
    xanchor: "left",
    yanchor: "top",
    sizing: "stretch",
    layer: "below",
  };
  const traces = [];
  if (classes <= 2) {
    const line = levelLine(probabilityOfOne(region.label, region.conf), x, y, 0.5);
    traces.push({
      type: "scatter",
      mode: "lines",
      name: `boundary${suffix}`,
      x: line.x,
      y: line.y,
      xaxis: `x${suffix}`,
      yaxis: `y${suffix}`,
      line: { color: BOUNDARY_COLOR, width: 1.5 },
      hoverinfo: "skip",
    });
  }
  return { image, traces };
}
