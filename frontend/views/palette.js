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

function rgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** `hex` mixed with white: amount 0 gives the colour, 1 gives white. */
export function tint(hex, amount) {
  const [r, g, b] = rgb(hex).map((c) => Math.round(c + (255 - c) * amount));
  return `rgb(${r}, ${g}, ${b})`;
}

/** A colour per point from its label. */
export function pointColors(labels) {
  const out = new Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = classColor(labels[i]);
  return out;
}

/**
 * Colour scale for decision regions.
 * Two classes: z is P(class 1), shaded smoothly from class 0 through white to class 1.
 * K classes: z is label + confidence, one band per class from pale (unsure) to strong (sure).
 */
export function regionColorscale(classes) {
  if (classes <= 2) {
    return [
      [0, tint(classColor(0), 0.45)],
      [0.5, "rgb(250, 250, 250)"],
      [1, tint(classColor(1), 0.45)],
    ];
  }
  const scale = [];
  for (let k = 0; k < classes; k++) {
    scale.push([k / classes, tint(classColor(k), 0.9)]);
    scale.push([(k + 1) / classes - 1e-6, tint(classColor(k), 0.5)]);
  }
  scale.push([1, tint(classColor(classes - 1), 0.5)]);
  return scale;
}
