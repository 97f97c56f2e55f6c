// From a decoded frame to what a plane view draws: point styles by class (or by value), the
// points and grid of a stage in drawn coordinates, its regions, boundary lines, the points
// folded to zero so far and the points merged with another class. Everything derived from a
// frame alone is computed once per frame.

import { columns, gridPolyline, stride } from "../frame.js";
import { classColor, rampColor } from "./palette.js";
import { boundaryLine, regionArrays, regionImage } from "./regions.js";

const VALUE_BINS = 9; // a regression net's points: colours in this many steps
const MIN_SPAN = 0.2; // the narrowest axis range shown

// frame -> Map(key -> value): what several views take from one frame, computed once.
const derived = new WeakMap();

/** `make()` the first time a view asks for `key` of `frame`; what it made after that. */
function once(frame, key, make) {
  let known = derived.get(frame);
  if (!known) derived.set(frame, (known = new Map()));
  if (!known.has(key)) known.set(key, make());
  return known.get(key);
}

/**
 * What every view needs from a frame, computed once:
 * groups: [{color, hollow, indices}] the points by colour, training (filled) points first;
 * dead: per stage position, a mask of the points folded to zero at that fold or before
 * (null where none are), deadAll: the mask after the last fold; merged: per stage position,
 * the mask of points merged with a point of another class at the last fold up to it (null where
 * none are), mergedAll: the last fold's; valueRange for regression.
 */
export function frameFacts(frame) {
  return once(frame, "facts", () => factsOf(frame));
}

function factsOf(frame) {
  const { header, arrays } = frame;
  const labels = arrays.get("labels");
  const targets = arrays.get("targets");
  const n = labels?.length ?? targets?.length ?? 0;
  const nTrain = Math.min(header.n_train ?? n, n);
  let valueRange = [0, 1];
  let colorOf;
  let keys;
  if (targets) {
    valueRange = finiteRange(targets);
    const span = valueRange[1] > valueRange[0] ? valueRange[1] - valueRange[0] : 1;
    keys = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const t = (targets[i] - valueRange[0]) / span;
      keys[i] = Math.min(VALUE_BINS - 1, Math.max(0, Math.round(t * (VALUE_BINS - 1))));
    }
    colorOf = (key) => `rgb(${rampColor(key / (VALUE_BINS - 1)).join(",")})`;
  } else {
    keys = labels ?? new Uint8Array(0);
    colorOf = classColor;
  }
  const groups = [];
  for (const hollow of [false, true]) {
    const byKey = new Map();
    const [start, end] = hollow ? [nTrain, n] : [0, nTrain];
    for (let i = start; i < end; i++) {
      if (!byKey.has(keys[i])) byKey.set(keys[i], []);
      byKey.get(keys[i]).push(i);
    }
    for (const key of [...byKey.keys()].sort((a, b) => a - b)) {
      groups.push({ color: colorOf(key), hollow, indices: Uint32Array.from(byKey.get(key)) });
    }
  }
  const dead = [];
  const merged = [];
  let soFar = null;
  let lastMerged = null;
  header.stages.forEach((stage, p) => {
    const mask = arrays.get(`stage${stage.index}/dead`);
    if (mask) {
      soFar = soFar ? soFar.map((v, i) => v | mask[i]) : Uint8Array.from(mask);
    }
    dead.push(soFar && soFar.includes(1) ? soFar : null);
    lastMerged = arrays.get(`stage${stage.index}/merged`) ?? lastMerged;
    merged.push(lastMerged && lastMerged.includes(1) ? lastMerged : null);
  });
  return {
    n,
    nTrain,
    groups,
    dead,
    deadAll: dead.at(-1) ?? null,
    merged,
    mergedAll: merged.at(-1) ?? null,
    valueRange,
  };
}

function finiteRange(values) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return Number.isFinite(lo) && Number.isFinite(hi) ? [lo, hi] : [0, 1];
}

/** Point radius in px for a view of `n` points: `big` for the large views. */
export function pointRadius(n, big = false) {
  if (big) return n > 2000 ? 2.2 : n > 800 ? 3 : 4;
  return n > 1500 ? 1.5 : n > 600 ? 2 : 2.75;
}

/**
 * Drawn columns of any stage: a 3-wide stage is seen obliquely (frame.js flatten3). Shared by
 * every view of the frame: read them, never write them.
 */
export function stagePoints(frame, p) {
  return once(frame, `points ${p}`, () => pointColumns(frame, p));
}

function pointColumns(frame, p) {
  const stage = frame.header.stages[p];
  const name = `stage${stage.index}/points`;
  const values = frame.arrays.get(name);
  if (!values) return { x: new Float32Array(0), y: new Float32Array(0) };
  return columns(values, stride(frame.shapes, name));
}

/** The warped grid of a stage as one polyline (shared, as stagePoints). */
export function stageGrid(frame, p) {
  return once(frame, `grid ${p}`, () => gridOf(frame, p));
}

function gridOf(frame, p) {
  const { header, arrays, shapes } = frame;
  const stage = header.stages[p];
  const name = `stage${stage.index}/grid`;
  const grid = arrays.get(name);
  if (!grid) return null;
  return gridPolyline(grid, header.grid.lines, header.grid.samples, stride(shapes, name));
}

/** Two points on the line a·x + b·y + c = 0 (for drawing it, or carrying it along a map). */
export function linePoints([a, b, c]) {
  const norm = a * a + b * b;
  if (!(norm > 0) || !Number.isFinite(c)) return null;
  const x0 = (-c * a) / norm;
  const y0 = (-c * b) / norm;
  return { x: [x0, x0 - b], y: [y0, y0 + a] };
}

/**
 * Everything of stage position `p` but the axis range: points, grid, regions (painted `factor`
 * times finer than their cells), the 50 % line or the classifier's line, dead and merged marks.
 */
export function stageScene(frame, p, { factor, radius }) {
  const { header, arrays, shapes } = frame;
  const stage = header.stages[p];
  const known = frameFacts(frame);
  const d = stride(shapes, `stage${stage.index}/points`);
  const scene = {
    points: stagePoints(frame, p),
    style: { groups: known.groups, radius },
    grid: stageGrid(frame, p),
    regions: null,
    contour: null,
    line: null,
    dead: known.dead[p],
    merged: known.merged[p],
    axes3d: d === 3,
  };
  const region = stage.regions === false ? null : regionArrays(arrays, stage.index);
  if (region) {
    // One image per stage and detail, whichever view asks (the input plane and a close-up of
    // stage 0 share theirs).
    const name = `stage${stage.index}:${factor}`;
    scene.regions = regionImage(region, header.classes, factor, name, known.valueRange);
    scene.regionArrays = region;
    if (!stage.boundary) {
      scene.contour = once(frame, `contour ${p}`, () => boundaryLine(region, header.classes));
    }
  }
  if (stage.boundary) scene.line = linePoints(stage.boundary);
  return scene;
}

/** A target axis range for a stage: its extent, or (3D, no extent) around what is drawn. */
export function stageTarget(stage, points, grid) {
  const extent = stage.projection === "3d" ? null : stage.extent;
  if (extent && extent.every(Number.isFinite) && extent[1] > extent[0] && extent[3] > extent[2]) {
    return atLeast({ x: [extent[0], extent[1]], y: [extent[2], extent[3]] });
  }
  return atLeast(around([points.x, grid?.x ?? []], [points.y, grid?.y ?? []]));
}

/** A range at least MIN_SPAN wide each way: a stage folded to one spot shows as a spot. */
function atLeast(range) {
  const widen = ([lo, hi]) => {
    if (hi - lo >= MIN_SPAN) return [lo, hi];
    const mid = (lo + hi) / 2;
    return [mid - MIN_SPAN / 2, mid + MIN_SPAN / 2];
  };
  return { x: widen(range.x), y: widen(range.y) };
}

/** A square range around every finite value, padded by 8 %. */
export function around(xs, ys) {
  const bx = bounds(xs);
  const by = bounds(ys);
  const span = Math.max(bx[1] - bx[0], by[1] - by[0], 1e-3);
  const half = span * 0.58;
  const cx = (bx[0] + bx[1]) / 2;
  const cy = (by[0] + by[1]) / 2;
  return { x: [cx - half, cx + half], y: [cy - half, cy + half] };
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

/** How many points a 0/1 mask marks (0 for none). */
export function count(mask) {
  return mask ? mask.reduce((a, b) => a + b, 0) : 0;
}
