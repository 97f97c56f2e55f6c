// Class colours shared by every view, and helpers to derive per-point styles from labels.

export const CLASS_COLORS = ["#e8772e", "#2e75b6", "#2f9e5a", "#c2408f", "#7757c9", "#8a6a2f"];

export const INK = "#1f2933";
export const MUTED = "#6b7280";
export const GRID_LINE = "rgba(71, 85, 105, 0.42)";
export const WRONG_RING = "rgba(17, 24, 39, 0.6)";
export const DEAD_MARK = "#111827";
export const MERGED_RING = "#111827";
export const FONT = 'system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", ' +
  '"Microsoft YaHei", sans-serif';

// One colour per hidden layer in the charts over time.
export const LAYER_COLORS = [
  "#2e75b6", "#e8772e", "#2f9e5a", "#c2408f", "#7757c9", "#8a6a2f", "#0f8b8d", "#b4532a",
  "#5b6b7a", "#9c2f2f",
];

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
  return end.map((c) => Math.round(245 + (c - 245) * amount));
}
