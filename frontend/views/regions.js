// Decision regions: a small RGB image (a few pixels per region cell) that the canvas stretches,
// smoothly, over the cells' box behind the points; and, for two classes, the 50 % line.
// Images are painted only when their arrays change (a new frame), and kept per stage.

import { levelLine } from "./contour.js";
import { classColor, rampColor, rgb } from "./palette.js";

function mixWhite(color, amount) {
  return color.map((c) => c + (255 - c) * amount);
}

/**
 * The region arrays of stage `index` (stage 0: the input plane), or null if it has none:
 * {label, conf, x, y} for classes, {value, x, y} for a regression net.
 */
export function regionArrays(arrays, index) {
  const prefix = index === 0 && !arrays.has("stage0/region/x") ? "region" : `stage${index}/region`;
  const x = arrays.get(`${prefix}/x`);
  const y = arrays.get(`${prefix}/y`);
  if (!x || !y || x.length < 2 || y.length < 2) return null;
  const value = arrays.get(`${prefix}/value`);
  if (value) return { value, x, y };
  const label = arrays.get(`${prefix}/label`);
  const conf = arrays.get(`${prefix}/conf`);
  if (!label || !conf) return null;
  return { label, conf, x, y };
}

/** P(class 1) per cell for two classes (from the predicted class and its probability). */
function probabilityOfOne(label, conf) {
  const p = new Float32Array(label.length);
  for (let i = 0; i < p.length; i++) p[i] = label[i] === 1 ? conf[i] : 1 - conf[i];
  return p;
}

const CLIP = 1e-6;

/** Log-odds of P(class 1) per cell: the network's output is piecewise linear in these. */
function logOdds(label, conf) {
  const out = new Float32Array(label.length);
  for (let i = 0; i < out.length; i++) {
    const p = label[i] === 1 ? conf[i] : 1 - conf[i];
    const q = Math.min(1 - CLIP, Math.max(CLIP, p));
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

/** Write RGB pixels (row 0 = the lowest y, as the region rows) into a canvas. */
function fill(canvas, width, height, colorAt) {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const context = canvas.getContext("2d");
  const image = context.createImageData(width, height);
  const data = image.data;
  const color = [0, 0, 0];
  for (let cell = 0; cell < width * height; cell++) {
    colorAt(cell, color);
    const o = 4 * cell;
    data[o] = color[0];
    data[o + 1] = color[1];
    data[o + 2] = color[2];
    data[o + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

/**
 * Paint the regions: two classes shade from class 1 through white to class 2 by probability,
 * interpolated `factor` times finer in log-odds (so that a sharp boundary stays a clean line
 * instead of a staircase of cells); K classes take their class colour, paler where the
 * network is unsure, one pixel per cell (the canvas smooths the rest); a regression net's
 * value runs through the same two colours, over `valueRange`.
 */
function paint(canvas, region, classes, factor, valueRange) {
  const cols = region.x.length;
  const rows = region.y.length;
  if (region.value) {
    const [lo, hi] = valueRange;
    const span = hi > lo ? hi - lo : 1;
    fill(canvas, cols, rows, (cell, out) => {
      const c = rampColor((region.value[cell] - lo) / span);
      out[0] = c[0];
      out[1] = c[1];
      out[2] = c[2];
    });
    return;
  }
  const strong = [];
  for (let k = 0; k < Math.max(classes, 2); k++) strong.push(mixWhite(rgb(classColor(k)), 0.45));
  if (classes <= 2) {
    const fine = sample(logOdds(region.label, region.conf), rows, cols, factor);
    const [a, b] = strong;
    fill(canvas, fine.width, fine.height, (cell, out) => {
      const p = 1 / (1 + Math.exp(-fine.values[cell]));
      const side = p >= 0.5 ? b : a;
      const amount = Math.abs(p - 0.5) * 2; // 0 at the boundary (white), 1 when sure
      out[0] = 250 + (side[0] - 250) * amount;
      out[1] = 250 + (side[1] - 250) * amount;
      out[2] = 250 + (side[2] - 250) * amount;
    });
    return;
  }
  const pale = strong.map((c) => mixWhite(c, 0.8));
  const floor = 1 / classes;
  fill(canvas, cols, rows, (cell, out) => {
    const k = region.label[cell];
    const sure = Math.min(1, Math.max(0, (region.conf[cell] - floor) / (1 - floor)));
    for (let n = 0; n < 3; n++) out[n] = pale[k][n] + (strong[k][n] - pale[k][n]) * sure;
  });
}

// key -> {source, factor, classes, range, canvas}: one image per stage and detail, repainted
// when a new frame brings new arrays.
const images = new Map();

/**
 * The regions as an image and the box it covers, in data coordinates: [x, y, width, height]
 * with (x, y) the lower left corner. The image is painted when first looked at (a view out of
 * sight never looks), and only when its arrays are not the ones it was painted from; `key`
 * names it (a stage and a detail).
 */
export function regionImage(region, classes, factor, key, valueRange = [0, 1]) {
  const { x, y } = region;
  const dx = (x[x.length - 1] - x[0]) / (x.length - 1);
  const dy = (y[y.length - 1] - y[0]) / (y.length - 1);
  return {
    box: [x[0] - dx / 2, y[0] - dy / 2, dx * x.length, dy * y.length],
    get image() {
      const source = region.label ?? region.value;
      let entry = images.get(key);
      const stale =
        !entry ||
        entry.source !== source ||
        entry.factor !== factor ||
        entry.classes !== classes ||
        entry.range[0] !== valueRange[0] ||
        entry.range[1] !== valueRange[1];
      if (stale) {
        entry ??= { canvas: document.createElement("canvas") };
        Object.assign(entry, { source, factor, classes, range: valueRange });
        paint(entry.canvas, region, classes, factor, valueRange);
        images.set(key, entry);
      }
      return entry.canvas;
    },
  };
}

/** The 50 % line of two classes ({x, y} with NaN gaps), or null. */
export function boundaryLine(region, classes) {
  if (classes > 2 || !region.label) return null;
  return levelLine(probabilityOfOne(region.label, region.conf), region.x, region.y, 0.5);
}
