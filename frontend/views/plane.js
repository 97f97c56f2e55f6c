// One plane drawn on a 2D canvas: decision regions behind, the warped input grid, the data
// points by class, marks, lines and the axes. Every view of a plane (input, stage panels, the
// focus view) draws through this: a canvas redraw costs a few milliseconds where a Plotly
// update of the same picture costs a hundred (Plotly re-lays out every axis on any data change).
//
// A scene (what draw() takes), in data coordinates:
//   range      {x: [lo, hi], y: [lo, hi]}: at least this much is shown, x and y on one scale
//   points     {x, y}: Float32Arrays; style {groups: [{color, hollow, indices}], radius}
//   grid       {x, y} one polyline, NaN between lines (or null)
//   regions    {image: canvas, box: [x0, y0, w, h]} (or null): the image covers the box
//   carry      {m, c} (or null): draw the regions moved by x -> m·x + c (along a morph)
//   contour    {x, y} the 50 % line; line {x: [x0, x1], y: [y0, y1]}: two points of the
//              classifier's line, drawn dashed across the whole plot
//   dead       Uint8Array: 1 where a point is marked as folded to zero (a square around it);
//              deadLabel: a text
//   merged     Uint8Array: 1 where a point lies on a point of another class (a dark outline,
//              drawn under the dot)
//   wrong      Uint8Array: 1 where a point is misclassified (a ring)
//   axes3d     true for a 3-wide stage seen obliquely: draw its three unit axes
//   note       a line of text over the bottom of the plot (or null)

import { flatten3 } from "../frame.js";
import {
  AXIS, DEAD_MARK, FONT, FRAME, GRID_LINE, INK, MERGED_RING, MUTED, WRONG_RING,
} from "./palette.js";
import { PolylineRun } from "./polyline.js";
import { SizedCanvas } from "./sized.js";
import { dotSprite, ringSprite, squareSprite, StampLayer } from "./stamps.js";
import { formatTick, niceTicks } from "./ticks.js";

const FAR = 1e5; // px: coordinates are clamped here (canvas paths misbehave far outside)
const BOUNDARY = "rgba(31, 41, 51, 0.55)";

export class PlaneCanvas {
  /**
   * @param {HTMLCanvasElement} canvas sized by CSS; its pixels follow its CSS size
   * @param {{margin?: {l: number, r: number, t: number, b: number}, fontSize?: number,
   *   ticks?: number}} [options] margin in px, font size of tick labels, ticks wanted
   */
  constructor(canvas, { margin = { l: 30, r: 6, t: 6, b: 18 }, fontSize = 10, ticks = 5 } = {}) {
    this.surface = new SizedCanvas(canvas, () => this.redraw());
    this.margin = margin;
    this.fontSize = fontSize;
    this.tickCount = ticks;
    this.scene = null;
    this.view = null; // the last transform: px = ox + s·x, py = oy − s·y
    this.marks = new StampLayer();
  }

  /** Draw a scene (see the top of this file); returns the transform used, or null. */
  draw(scene) {
    this.scene = scene;
    const ctx = this.surface.begin();
    if (!ctx) return null;
    const { width, height } = this.surface;
    const margin = this.margin;
    // Room on the left for the widest y tick label (ticks of the range asked for: close
    // enough to the ones drawn, which the box's shape may widen a little).
    const font = `${this.fontSize}px ${FONT}`;
    ctx.font = font;
    const labels = scene.axes3d ? 0 : labelWidth(ctx, font, scene.range.y, this.tickCount) + 7;
    const left = Math.max(margin.l, labels);
    const box = {
      x: left,
      y: margin.t,
      w: width - left - margin.r,
      h: height - margin.t - margin.b,
    };
    if (box.w < 10 || box.h < 10) return null;
    const view = fitView(scene.range, box);
    this.view = view;

    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x, box.y, box.w, box.h);
    ctx.clip();
    const ticks = {
      x: niceTicks(view.x0, view.x1, this.tickCount),
      y: niceTicks(view.y0, view.y1, this.tickCount),
    };
    if (scene.regions) drawRegions(ctx, scene.regions, scene.carry, view);
    else if (!scene.axes3d) drawTickGrid(ctx, ticks, view, box);
    if (!scene.axes3d) drawZeroLines(ctx, view, box);
    ctx.lineJoin = "round";
    if (scene.grid) {
      ctx.strokeStyle = GRID_LINE;
      ctx.lineWidth = 1;
      ctx.globalAlpha = scene.grid.faint ? 0.5 : 1;
      polyline(ctx, scene.grid.x, scene.grid.y, view);
      ctx.globalAlpha = 1;
    }
    if (scene.contour) {
      ctx.strokeStyle = BOUNDARY;
      ctx.lineWidth = 1.5;
      polyline(ctx, scene.contour.x, scene.contour.y, view);
    }
    if (scene.line) drawLine(ctx, scene.line, view);
    if (scene.axes3d) drawAxes3d(ctx, view, this.fontSize);
    const px = new Float32Array(scene.points.x.length);
    const py = new Float32Array(scene.points.y.length);
    for (let i = 0; i < px.length; i++) {
      px[i] = clampPx(view.ox + view.s * scene.points.x[i]);
      py[i] = clampPx(view.oy - view.s * scene.points.y[i]);
    }
    this.drawMarks(ctx, px, py, scene);
    if (scene.deadLabel && scene.dead) drawDeadLabel(ctx, px, py, scene.dead, scene.deadLabel);
    ctx.restore();

    ctx.strokeStyle = FRAME;
    ctx.lineWidth = 1;
    ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w - 1, box.h - 1);
    if (!scene.axes3d) drawTickLabels(ctx, ticks, view, box, this.fontSize, width);
    if (scene.note) drawNote(ctx, scene.note, box, this.fontSize);
    return view;
  }

  /**
   * The point marks, stamped on one layer (see stamps.js): under the dots the marks that
   * outline a point and never cover its class colour, over them the rings of wrong answers.
   */
  drawMarks(ctx, px, py, scene) {
    const ratio = this.surface.ratio;
    const r = scene.style.radius;
    const layer = this.marks;
    // What the marks are drawn from: when it is all as last time (the input plane's points
    // stay put while the network trains), the layer already holds them.
    const { width, height } = this.surface.canvas;
    const groups = scene.style.groups;
    const from = [px, py, scene.dead, scene.merged, scene.wrong, ...groups.map((g) => g.indices)];
    const key = `${width}x${height} ${ratio} ${r} ${groups.map((g) => `${g.color}${g.hollow}`)}`;
    const last = this.marksFrom;
    if (last && key === this.marksKey && from.every((a, i) => sameArray(a, last[i]))) {
      layer.show(ctx, ratio);
      return;
    }
    this.marksFrom = from;
    this.marksKey = key;
    layer.begin(width, height);
    if (scene.dead) {
      const mark = squareSprite(DEAD_MARK, ratio * (r + 2.2), ratio * 1.3);
      stampMask(layer, px, py, scene.dead, mark, ratio);
    }
    if (scene.merged) {
      const mark = ringSprite(MERGED_RING, ratio * (r + 0.9), ratio * 1.8);
      stampMask(layer, px, py, scene.merged, mark, ratio);
    }
    for (const group of scene.style.groups) {
      const mark = group.hollow
        ? ringSprite(group.color, ratio * r, ratio * (r > 3 ? 1.5 : 1))
        : dotSprite(group.color, ratio * r);
      stampIndices(layer, px, py, group.indices, mark, ratio, group.hollow);
    }
    if (scene.wrong) {
      const mark = ringSprite(WRONG_RING, ratio * (r + 3.5), ratio * 1.1);
      stampMask(layer, px, py, scene.wrong, mark, ratio);
    }
    layer.finish(ctx, ratio);
  }

  /** Redraw the last scene (after a resize). */
  redraw() {
    if (this.scene) this.draw(this.scene);
  }
}

/** The transform that shows at least `range` in `box`, one scale for x and y, centred. */
function fitView(range, box) {
  const [x0, x1] = range.x;
  const [y0, y1] = range.y;
  const dx = Math.max(x1 - x0, 1e-9);
  const dy = Math.max(y1 - y0, 1e-9);
  const s = Math.min(box.w / dx, box.h / dy);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const ox = box.x + box.w / 2 - s * cx;
  const oy = box.y + box.h / 2 + s * cy;
  // What the box shows, in data coordinates (wider than `range` along one axis).
  return {
    s,
    ox,
    oy,
    x0: (box.x - ox) / s,
    x1: (box.x + box.w - ox) / s,
    y0: (oy - box.y - box.h) / s,
    y1: (oy - box.y) / s,
  };
}

function clampPx(v) {
  return v > FAR ? FAR : v < -FAR ? -FAR : v;
}

function drawRegions(ctx, regions, carry, view) {
  const [x, y, w, h] = regions.box;
  ctx.imageSmoothingEnabled = true;
  // The image's first row is the highest y.
  if (!carry) {
    // Scaled only, not flipped or turned: the canvas's cheapest way to stretch an image.
    const [left, top] = [view.ox + view.s * x, view.oy - view.s * (y + h)];
    ctx.drawImage(regions.image, left, top, view.s * w, view.s * h);
    return;
  }
  ctx.save();
  ctx.transform(view.s, 0, 0, -view.s, view.ox, view.oy);
  const { m, c } = carry;
  ctx.transform(m[0][0], m[1][0], m[0][1], m[1][1], c[0], c[1]);
  // Drawn upside down in data coordinates (y up), its top row lands at y + h.
  ctx.transform(1, 0, 0, -1, 0, 2 * y + h);
  ctx.drawImage(regions.image, x, y, w, h);
  ctx.restore();
}

function drawTickGrid(ctx, ticks, view, box) {
  ctx.strokeStyle = "#eef1f4";
  ctx.lineWidth = 1;
  ctx.beginPath();
  for (const v of ticks.x.values) {
    const p = Math.round(view.ox + view.s * v) + 0.5;
    ctx.moveTo(p, box.y);
    ctx.lineTo(p, box.y + box.h);
  }
  for (const v of ticks.y.values) {
    const p = Math.round(view.oy - view.s * v) + 0.5;
    ctx.moveTo(box.x, p);
    ctx.lineTo(box.x + box.w, p);
  }
  ctx.stroke();
}

function drawZeroLines(ctx, view, box) {
  ctx.strokeStyle = AXIS;
  ctx.lineWidth = 1;
  ctx.beginPath();
  if (view.x0 < 0 && view.x1 > 0) {
    const p = Math.round(view.ox) + 0.5;
    ctx.moveTo(p, box.y);
    ctx.lineTo(p, box.y + box.h);
  }
  if (view.y0 < 0 && view.y1 > 0) {
    const p = Math.round(view.oy) + 0.5;
    ctx.moveTo(box.x, p);
    ctx.lineTo(box.x + box.w, p);
  }
  ctx.stroke();
}

function drawTickLabels(ctx, ticks, view, box, size, width) {
  ctx.fillStyle = MUTED;
  const font = `${size}px ${FONT}`;
  ctx.font = font;
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  // Every k-th x label, so that none overlaps the next (the labels at multiples of k steps).
  const labels = ticks.x.values.map((v) => formatTick(v, ticks.x.step));
  const widest = Math.max(0, ...labels.map((text) => textWidth(ctx, font, text)));
  const every = Math.max(1, Math.ceil((widest + 8) / (ticks.x.step * view.s)));
  ticks.x.values.forEach((v, i) => {
    if (Math.round(v / ticks.x.step) % every !== 0) return;
    // Kept inside the canvas: the last label may sit at its right edge.
    const half = textWidth(ctx, font, labels[i]) / 2;
    const x = Math.min(view.ox + view.s * v, width - half - 1);
    ctx.fillText(labels[i], x, box.y + box.h + 3);
  });
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of ticks.y.values) {
    ctx.fillText(formatTick(v, ticks.y.step), box.x - 4, view.oy - view.s * v);
  }
}

const WIDTHS = new Map(); // "font|text" -> px: tick labels repeat from frame to frame
const WIDTHS_KEPT = 4096;

/** The width of `text` in `font`, the context's font, measured once. */
function textWidth(ctx, font, text) {
  const key = `${font}|${text}`;
  let width = WIDTHS.get(key);
  if (width === undefined) {
    if (WIDTHS.size >= WIDTHS_KEPT) WIDTHS.clear();
    width = ctx.measureText(text).width;
    WIDTHS.set(key, width);
  }
  return width;
}

/** The width of the widest tick label of a range, in `font` (the context's). */
function labelWidth(ctx, font, range, count) {
  const ticks = niceTicks(range[0], range[1], count);
  let widest = 0;
  for (const v of ticks.values) {
    widest = Math.max(widest, textWidth(ctx, font, formatTick(v, ticks.step)));
  }
  return widest;
}

/**
 * A polyline with NaN gaps (one path, one stroke), its needless vertices left out (see
 * polyline.js).
 */
function polyline(ctx, xs, ys, view) {
  ctx.beginPath();
  const run = new PolylineRun(ctx);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!Number.isFinite(x) || !Number.isFinite(y)) run.end();
    else run.add(clampPx(view.ox + view.s * x), clampPx(view.oy - view.s * y));
  }
  run.end();
  ctx.stroke();
}

/** The infinite line through two points, dashed, across the plot (nothing if they meet). */
function drawLine(ctx, line, view) {
  const dx = line.x[1] - line.x[0];
  const dy = line.y[1] - line.y[0];
  const length = Math.hypot(dx, dy);
  if (!(length > 1e-12) || !Number.isFinite(length)) return;
  // Far enough both ways to cross the plot, from the point of the line nearest its centre.
  const cx = (view.x0 + view.x1) / 2;
  const cy = (view.y0 + view.y1) / 2;
  const ux = dx / length;
  const uy = dy / length;
  const along = (cx - line.x[0]) * ux + (cy - line.y[0]) * uy;
  const mx = line.x[0] + along * ux;
  const my = line.y[0] + along * uy;
  const reach = 2 * Math.hypot(view.x1 - view.x0, view.y1 - view.y0);
  ctx.strokeStyle = INK;
  ctx.lineWidth = 1.6;
  ctx.setLineDash([6, 4]);
  polyline(ctx, [mx - reach * ux, mx + reach * ux], [my - reach * uy, my + reach * uy], view);
  ctx.setLineDash([]);
}

/**
 * Stamp a mark on every point of a group. Points on one device pixel (a fold piles many up),
 * or with `coarse` in one square of 2 × 2 (an outline: see StampLayer.stampOnce), are stamped
 * once: the picture is the same.
 */
function stampIndices(layer, px, py, indices, mark, ratio, coarse) {
  layer.newPass();
  for (let n = 0; n < indices.length; n++) {
    const i = indices[n];
    const x = ratio * px[i];
    const y = ratio * py[i];
    if (!Number.isNaN(x) && !Number.isNaN(y)) layer.stampOnce(mark, x, y, coarse);
  }
}

/** Stamp an outline on every point where `mask` is 1, once per 2 × 2 device pixels. */
function stampMask(layer, px, py, mask, mark, ratio) {
  layer.newPass();
  for (let i = 0; i < mask.length; i++) {
    const x = ratio * px[i];
    const y = ratio * py[i];
    if (mask[i] && !Number.isNaN(x) && !Number.isNaN(y)) layer.stampOnce(mark, x, y, true);
  }
}

/** Two typed arrays (or nulls) of equal contents. */
function sameArray(a, b) {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The count of dead points, written next to the first of them (where the pile is). */
function drawDeadLabel(ctx, px, py, mask, text) {
  const i = mask.indexOf(1);
  if (i < 0) return;
  ctx.font = `600 12px ${FONT}`;
  ctx.textAlign = "left";
  ctx.textBaseline = "bottom";
  ctx.lineWidth = 3;
  ctx.strokeStyle = "rgba(255, 255, 255, 0.85)";
  ctx.strokeText(text, px[i] + 8, py[i] - 6);
  ctx.fillStyle = DEAD_MARK;
  ctx.fillText(text, px[i] + 8, py[i] - 6);
}

function drawNote(ctx, text, box, size) {
  ctx.font = `${size}px ${FONT}`;
  ctx.textAlign = "left";
  ctx.textBaseline = "bottom";
  const width = ctx.measureText(text).width;
  ctx.fillStyle = "rgba(255, 255, 255, 0.85)";
  ctx.fillRect(box.x + 1, box.y + box.h - size - 7, Math.min(width + 8, box.w - 2), size + 6);
  ctx.fillStyle = MUTED;
  ctx.fillText(text, box.x + 5, box.y + box.h - 3, box.w - 10);
}

/** The three unit axes of a 3D stage, seen from the same oblique angle as its points. */
function drawAxes3d(ctx, view, size) {
  const reach = 0.45 * Math.min(view.x1 - view.x0, view.y1 - view.y0);
  ctx.strokeStyle = AXIS;
  ctx.lineWidth = 1.2;
  ctx.fillStyle = MUTED;
  ctx.font = `${size}px ${FONT}`;
  ctx.textAlign = "center";
  ctx.textBaseline = "middle";
  for (let k = 0; k < 3; k++) {
    const unit = [0, 0, 0];
    unit[k] = reach;
    const [tx, ty] = flatten3(...unit);
    ctx.beginPath();
    ctx.moveTo(view.ox, view.oy);
    ctx.lineTo(view.ox + view.s * tx, view.oy - view.s * ty);
    ctx.stroke();
    ctx.fillText(String(k + 1), view.ox + view.s * tx * 1.08, view.oy - view.s * ty * 1.08);
  }
}
