// The colours of the convolution mode's maps: a diverging ramp centred on 0 (blue below, white
// at 0, red above), and painting a map's values into a canvas one pixel per value.

import { AXIS, INK, NEGATIVE, POSITIVE, channels } from "../views/palette.js";

const WHITE = 255;

/**
 * The colour of `value` on a ramp from −scale (blue) through 0 (white) to +scale (red).
 * @param {number} value
 * @param {number} scale the largest size shown at full strength (> 0)
 * @returns {[number, number, number]} 0–255 per channel
 */
export function heatColor(value, scale) {
  const s = scale > 0 ? scale : 1;
  const u = Math.max(-1, Math.min(1, (Number.isFinite(value) ? value : 0) / s));
  const end = channels(u < 0 ? NEGATIVE : POSITIVE);
  const a = Math.abs(u);
  return [
    Math.round(WHITE + (end[0] - WHITE) * a),
    Math.round(WHITE + (end[1] - WHITE) * a),
    Math.round(WHITE + (end[2] - WHITE) * a),
  ];
}

/** The same colour as a CSS string. */
export function heatCss(value, scale) {
  const [r, g, b] = heatColor(value, scale);
  return `rgb(${r}, ${g}, ${b})`;
}

/**
 * The largest |value| of a stretch of an array (1 when all are 0, so a map of zeros is white).
 * @param {ArrayLike<number>} values
 * @param {number} [start]
 * @param {number} [end]
 */
export function absMax(values, start = 0, end = values.length) {
  let m = 0;
  for (let i = start; i < end; i++) {
    const v = Math.abs(values[i]);
    if (v > m) m = v;
  }
  return m > 0 ? m : 1;
}

/**
 * Paint `height × width` values (row by row from `offset`) into `canvas`, one pixel each, and
 * note on it what was drawn: data-min, data-max and data-scale (the browser tests read them).
 * @param {HTMLCanvasElement} canvas
 * @param {ArrayLike<number>} values
 * @param {number} offset
 * @param {number} height
 * @param {number} width
 * @param {number} scale
 */
export function paintMap(canvas, values, offset, height, width, scale) {
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(width, height);
  const px = image.data;
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < width * height; i++) {
    const v = values[offset + i];
    if (v < low) low = v;
    if (v > high) high = v;
    const [r, g, b] = heatColor(v, scale);
    px[4 * i] = r;
    px[4 * i + 1] = g;
    px[4 * i + 2] = b;
    px[4 * i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  canvas.dataset.min = String(low);
  canvas.dataset.max = String(high);
  canvas.dataset.scale = String(scale);
}

/**
 * Horizontal bars, one per value, on a canvas sized by CSS (0 in the middle when any value is
 * negative, else at the left).
 * @param {HTMLCanvasElement} canvas
 * @param {ArrayLike<number>} values
 * @param {string[]} [labels]
 * @param {{color?: (i: number) => string, highlight?: number}} [options]
 */
export function paintBars(canvas, values, labels = [], options = {}) {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (w < 10 || h < 6) return;
  if (canvas.width !== Math.round(w * ratio)) canvas.width = Math.round(w * ratio);
  if (canvas.height !== Math.round(h * ratio)) canvas.height = Math.round(h * ratio);
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const n = values.length;
  if (n === 0) return;
  const scale = absMax(values);
  const signed = Array.from(values).some((v) => v < 0);
  const row = h / n;
  ctx.font = `${Math.min(12, Math.max(9, row - 3))}px system-ui, sans-serif`;
  const widest = Math.max(0, ...labels.map((s) => ctx.measureText(s).width));
  const labelW = labels.length ? Math.min(w * 0.4, widest + 8) : 0;
  const text = (v) => v.toFixed(2).replace("-", "−");
  const valueW = 6 + Math.max(30, ...Array.from(values, (v) => ctx.measureText(text(v)).width));
  const plotW = Math.max(10, w - labelW - valueW);
  const zero = labelW + (signed ? plotW / 2 : 0);
  const span = signed ? plotW / 2 : plotW;
  ctx.textBaseline = "middle";
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const y = i * row;
    const len = (Math.abs(v) / scale) * span;
    ctx.fillStyle = options.color ? options.color(i) : v < 0 ? NEGATIVE : POSITIVE;
    ctx.globalAlpha = options.highlight === undefined || options.highlight === i ? 1 : 0.55;
    ctx.fillRect(v < 0 ? zero - len : zero, y + row * 0.15, len, row * 0.7);
    ctx.globalAlpha = 1;
    ctx.fillStyle = INK;
    if (labels[i] !== undefined) {
      ctx.textAlign = "right";
      ctx.fillText(labels[i], labelW - 4, y + row / 2);
    }
    ctx.textAlign = "left";
    ctx.fillText(text(v), labelW + plotW + 4, y + row / 2);
  }
  ctx.strokeStyle = AXIS;
  ctx.beginPath();
  ctx.moveTo(zero + 0.5, 0);
  ctx.lineTo(zero + 0.5, h);
  ctx.stroke();
}
