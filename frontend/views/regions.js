// Decision regions: a small RGB image (a few pixels per region cell) that the canvas stretches,
// smoothly, over the cells' box behind the points; and, for two classes, the 50 % line.
// Images are painted only when their arrays change (a new frame), and kept per stage.

import { levelLine } from "./contour.js";
import { classColor, PAPER, rampColor, REGION_PALE, rgb } from "./palette.js";

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
const REACH = Math.log((1 - CLIP) / CLIP); // the largest log-odds a clipped probability has

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

/** Cells listed from the lowest row up, as rows from the highest down (`cols` a row). */
function topDown(colors, cols) {
  const out = [];
  for (let start = colors.length - cols; start >= 0; start -= cols) {
    out.push(...colors.slice(start, start + cols));
  }
  return out;
}

/** RGB colours as the four bytes of an opaque ImageData pixel, in one number each. */
function packColors(colors) {
  const bytes = new Uint8ClampedArray(4 * colors.length);
  colors.forEach((c, i) => bytes.set([c[0], c[1], c[2], 255], 4 * i));
  return new Uint32Array(bytes.buffer);
}

const SHADES = 4096; // steps of log-odds from -REACH to REACH: a step moves a colour < 1 level

/**
 * The colour of each step of log-odds for two classes: from class 1 through white at the
 * boundary to class 2, by probability.
 */
function shadeTable(a, b) {
  const colors = [];
  for (let i = 0; i < SHADES; i++) {
    const z = -REACH + (2 * REACH * i) / (SHADES - 1);
    const p = 1 / (1 + Math.exp(-z));
    const side = p >= 0.5 ? b : a;
    const amount = Math.abs(p - 0.5) * 2; // 0 at the boundary (white), 1 when sure
    colors.push(side.map((c) => PAPER + (c - PAPER) * amount));
  }
  return packColors(colors);
}

const shadeTables = new Map(); // "a b" -> its table

/** Where pixel u of `count · factor` samples a line of `count` cells: cell j0 and weight t. */
function sampling(count, factor) {
  const size = count * factor;
  const j0 = new Int32Array(size);
  const t = new Float32Array(size);
  for (let u = 0; u < size; u++) {
    const s = Math.min(count - 1, Math.max(0, (u + 0.5) / factor - 0.5));
    j0[u] = Math.min(count - 2, Math.floor(s));
    t[u] = s - j0[u];
  }
  return { j0, t };
}

/**
 * The pixels of two classes' regions: log-odds sampled bilinearly at `factor` times the grid
 * (pixel u covers cell coordinate (u + 0.5) / factor - 0.5, cell centres at whole numbers,
 * clamped at the edges), each shaded from `table`.
 */
function shadeFine(words, z, rows, cols, factor, table) {
  const width = cols * factor;
  const height = rows * factor;
  const across = sampling(cols, factor);
  const down = sampling(rows, factor);
  const scale = (SHADES - 1) / (2 * REACH);
  for (let v = 0; v < height; v++) {
    const i0 = down.j0[v];
    const ty = down.t[v];
    const line = (height - 1 - v) * width; // the image's top row is the highest y
    for (let u = 0; u < width; u++) {
      const j0 = across.j0[u];
      const tx = across.t[u];
      const o = i0 * cols + j0;
      const top = z[o] * (1 - tx) + z[o + 1] * tx;
      const bottom = z[o + cols] * (1 - tx) + z[o + cols + 1] * tx;
      const step = Math.round((top * (1 - ty) + bottom * ty + REACH) * scale);
      words[line + u] = table[step < 0 ? 0 : step >= SHADES ? SHADES - 1 : step];
    }
  }
}

/**
 * An entry's canvas and pixels, `width` × `height`. Row 0 is the highest y (the regions' last
 * row), as on screen: the image is drawn without a flip, which costs the canvas more.
 */
function pixels(entry, width, height) {
  if (!entry.image || entry.image.width !== width || entry.image.height !== height) {
    entry.canvas.width = width;
    entry.canvas.height = height;
    entry.image = entry.canvas.getContext("2d").createImageData(width, height);
    entry.words = new Uint32Array(entry.image.data.buffer);
  }
  return entry.words;
}

/** Each class's colour where the network is sure: mixed with white by REGION_PALE. */
function strongColors(classes) {
  return Array.from({ length: classes }, (_, k) => mixWhite(rgb(classColor(k)), REGION_PALE));
}

/**
 * Paint the regions: two classes shade from class 1 through white to class 2 by probability,
 * interpolated `factor` times finer in log-odds (so that a sharp boundary stays a clean line
 * instead of a staircase of cells); K classes take their class colour, paler where the
 * network is unsure, one pixel per cell (the canvas smooths the rest); a regression net's
 * value runs through the same two colours, over `valueRange`.
 */
function paint(entry, region, classes, factor, valueRange) {
  const cols = region.x.length;
  const rows = region.y.length;
  if (region.value) {
    const [lo, hi] = valueRange;
    const span = hi > lo ? hi - lo : 1;
    const colors = Array.from(region.value, (v) => rampColor((v - lo) / span));
    pixels(entry, cols, rows).set(packColors(topDown(colors, cols)));
  } else if (classes <= 2) {
    const strong = strongColors(2);
    const key = `${strong[0]} ${strong[1]}`;
    if (!shadeTables.has(key)) shadeTables.set(key, shadeTable(strong[0], strong[1]));
    const words = pixels(entry, cols * factor, rows * factor);
    shadeFine(words, logOdds(region.label, region.conf), rows, cols, factor, shadeTables.get(key));
  } else {
    const strong = strongColors(classes);
    const pale = strong.map((c) => mixWhite(c, 0.8));
    const floor = 1 / classes;
    const colors = Array.from(region.label, (k, cell) => {
      const sure = Math.min(1, Math.max(0, (region.conf[cell] - floor) / (1 - floor)));
      return pale[k].map((c, n) => c + (strong[k][n] - c) * sure);
    });
    pixels(entry, cols, rows).set(packColors(topDown(colors, cols)));
  }
  entry.canvas.getContext("2d").putImageData(entry.image, 0, 0);
}

// key -> {source, factor, classes, range, canvas, image, words}: one image per stage and detail,
// repainted when a new frame brings new arrays.
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
        paint(entry, region, classes, factor, valueRange);
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
