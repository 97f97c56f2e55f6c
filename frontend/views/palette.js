// Class colours shared by every view, and helpers to derive per-point styles from labels.

export const CLASS_COLORS = ["#e8772e", "#2e75b6", "#2f9e5a", "#c2408f", "#7757c9", "#8a6a2f"];

export const INK = "#1f2933";
export const MUTED = "#6b7280";
export const GRID_LINE = "rgba(71, 85, 105, 0.42)";
export const WRONG_RING = "rgba(17, 24, 39, 0.6)";
export const FONT = 'system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", ' +
  '"Microsoft YaHei", sans-serif';

export function classColor(k) {
  return CLASS_COLORS[k % CLASS_COLORS.length];
}

/** A colour per point from its label. */
export function pointColors(labels) {
  const out = new Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = classColor(labels[i]);
  return out;
}
