// The colours every view shares, as the server serves them (GET /api/schema "palette", written
// once in engine/palette.py): usePalette() installs them before the first view is built. Also
// helpers to derive per-point styles from labels.

/** @type {string[]} */
let CLASS_COLORS = [];
/** @type {string[]} One colour per hidden layer in the charts over time. */
export let LAYER_COLORS = [];
export let INK = "";
export let MUTED = "";
export let AXIS = ""; // the axes through zero
export let FRAME = ""; // the border round a plot
export let GRID_LINE = "";
export let WRONG_RING = "";
export let DEAD_MARK = "";
export let MERGED_RING = "";
export let LOSS_COLOR = "";
export let ACC_COLOR = "";
// A conv map's ramp (below 0, above 0) and what the conv views light up.
export let NEGATIVE = "";
export let POSITIVE = "";
export let HIGHLIGHT = "";
// A region cell the network is unsure about is this near-white (0-255 on every channel).
export let PAPER = 255;
// The middle of a regression net's ramp from class 1's colour to class 2's.
let RAMP_MIDDLE = 255;
// How far a class's colour is mixed with white where the regions are sure.
export let REGION_PALE = 0;

export const FONT = 'system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", ' +
  '"Microsoft YaHei", sans-serif';

/**
 * Take the server's palette.
 * @param {Record<string, any>} palette the schema's "palette"
 */
export function usePalette(palette) {
  CLASS_COLORS = palette.classes;
  LAYER_COLORS = palette.layers;
  INK = palette.ink;
  MUTED = palette.muted;
  AXIS = palette.axis;
  FRAME = palette.frame;
  GRID_LINE = palette.grid;
  WRONG_RING = palette.wrong;
  DEAD_MARK = palette.dead;
  MERGED_RING = palette.merged;
  LOSS_COLOR = palette.loss;
  ACC_COLOR = palette.accuracy;
  PAPER = palette.paper;
  RAMP_MIDDLE = palette.ramp_middle;
  REGION_PALE = palette.region_pale;
  NEGATIVE = palette.negative;
  POSITIVE = palette.positive;
  HIGHLIGHT = palette.highlight;
}

/**
 * A "#rrggbb" colour seen through `alpha` (0–1), as CSS.
 * @param {string} hex
 * @param {number} alpha
 */
export function withAlpha(hex, alpha) {
  const [r, g, b] = channels(hex);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/**
 * A "#rrggbb" colour's channels, 0–255.
 * @param {string} hex
 * @returns {[number, number, number]}
 */
export function channels(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function classColor(k) {
  return CLASS_COLORS[k % CLASS_COLORS.length];
}

/** A colour per point from its label. */
export function pointColors(labels) {
  const out = new Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = classColor(labels[i]);
  return out;
}

export function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A regression value's colour: class 1's colour for low values, through white, to class 2's. */
export function rampColor(t) {
  const low = rgb(CLASS_COLORS[0]);
  const high = rgb(CLASS_COLORS[1]);
  const u = Math.min(1, Math.max(0, t));
  const end = u < 0.5 ? low : high;
  const amount = Math.abs(u - 0.5) * 2;
  return end.map((c) => Math.round(RAMP_MIDDLE + (c - RAMP_MIDDLE) * amount));
}
