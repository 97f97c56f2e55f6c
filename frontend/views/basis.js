// What a 2×2 map W does to the unit square: the square (dashed), its image (the parallelogram
// spanned by the columns of W) and the two basis vectors' images W e₁ and W e₂ as arrows whose
// tips can be dragged. A drag reports the new column; the caller decides what to send.

import { t } from "../i18n.js";
import { classColor, rgb } from "./palette.js";
import { SizedCanvas } from "./sized.js";

const TIP_RADIUS = 6; // px: the handle drawn at each tip
const GRAB_PX = 16; // px: how near a tip a press must be to pick it up
const MIN_HALF = 1.5; // the view shows at least [-1.5, 1.5]²
const COLORS = ["#c2410c", "#15803d"]; // W e₁, W e₂

export class BasisCanvas {
  /**
   * @param {HTMLCanvasElement} canvas sized by CSS (square)
   * @param {(column: number, xy: [number, number], event: PointerEvent) => void} onDrag called
   *   while a tip is dragged, with the column (0 or 1) and where its tip now is
   */
  constructor(canvas, onDrag) {
    this.sized = new SizedCanvas(canvas, () => this.draw(this.weight));
    this.canvas = canvas;
    this.onDrag = onDrag;
    this.weight = null;
    this.half = MIN_HALF;
    this.dragging = null; // the column whose tip is held, or null
    canvas.addEventListener("pointerdown", (event) => this.press(event));
    canvas.addEventListener("pointermove", (event) => this.move(event));
    const release = (event) => {
      if (this.dragging === null) return;
      this.dragging = null;
      canvas.releasePointerCapture?.(event.pointerId);
      canvas.classList.remove("dragging");
      this.draw(this.weight);
    };
    canvas.addEventListener("pointerup", release);
    canvas.addEventListener("pointercancel", release);
  }

  /**
   * CSS pixels (from the canvas's top left) of the plane's point (x, y).
   * @returns {[number, number]}
   */
  toPixel(x, y) {
    const { width, height } = this.sized;
    const size = Math.min(width, height);
    const scale = size / (2 * this.half);
    return [width / 2 + x * scale, height / 2 - y * scale];
  }

  /**
   * The plane's point under CSS pixel (px, py) of the canvas.
   * @returns {[number, number]}
   */
  toWorld(px, py) {
    const { width, height } = this.sized;
    const size = Math.min(width, height);
    const scale = size / (2 * this.half);
    return [(px - width / 2) / scale, (height / 2 - py) / scale];
  }

  /** The tips: W e₁ and W e₂, the columns of W. */
  tips() {
    const w = this.weight;
    return w ? [[w[0][0], w[1][0]], [w[0][1], w[1][1]]] : [];
  }

  press(event) {
    if (!this.weight) return;
    const box = this.canvas.getBoundingClientRect();
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    let best = null;
    let bestDistance = GRAB_PX;
    this.tips().forEach(([x, y], column) => {
      const [tx, ty] = this.toPixel(x, y);
      const distance = Math.hypot(tx - px, ty - py);
      if (distance <= bestDistance) {
        best = column;
        bestDistance = distance;
      }
    });
    if (best === null) return;
    event.preventDefault();
    this.dragging = best;
    this.canvas.setPointerCapture?.(event.pointerId);
    this.canvas.classList.add("dragging");
  }

  move(event) {
    if (this.dragging === null) return;
    const box = this.canvas.getBoundingClientRect();
    const [x, y] = this.toWorld(event.clientX - box.left, event.clientY - box.top);
    const limit = this.half;
    const clamp = (v) => Math.min(Math.max(v, -limit), limit);
    /** @type {[number, number]} */
    const xy = [clamp(x), clamp(y)];
    // Drawn at once where the hand is; the network follows when the server answers.
    const w = this.weight.map((row) => [...row]);
    w[0][this.dragging] = xy[0];
    w[1][this.dragging] = xy[1];
    this.draw(w);
    this.onDrag(this.dragging, xy, event);
  }

  /** Draw W (rows), or keep the last drawing while a tip is held and the server catches up. */
  update(weight) {
    if (this.dragging !== null) return;
    this.draw(weight);
  }

  draw(weight) {
    this.weight = weight;
    if (!weight) return;
    if (this.dragging === null) {
      // Fit the parallelogram, but keep the scale while a tip is held.
      const corners = [
        weight[0][0], weight[1][0], weight[0][1], weight[1][1],
        weight[0][0] + weight[0][1], weight[1][0] + weight[1][1],
      ];
      const reach = Math.max(...corners.map(Math.abs));
      this.half = Math.max(MIN_HALF, Math.ceil(reach * 1.2 * 2) / 2);
    }
    const ctx = this.sized.begin();
    if (!ctx) return;
    this.paintGrid(ctx);
    const p = (x, y) => this.toPixel(x, y);
    const square = [[0, 0], [1, 0], [1, 1], [0, 1]];
    ctx.setLineDash([4, 4]);
    ctx.strokeStyle = "#64748b";
    ctx.lineWidth = 1.2;
    polygon(ctx, square.map(([x, y]) => p(x, y)));
    ctx.stroke();
    ctx.setLineDash([]);
    const image = square.map(([x, y]) => [
      weight[0][0] * x + weight[0][1] * y,
      weight[1][0] * x + weight[1][1] * y,
    ]);
    polygon(ctx, image.map(([x, y]) => p(x, y)));
    const accent = classColor(1); // the page's accent blue
    ctx.fillStyle = `rgba(${rgb(accent).join(", ")}, 0.18)`;
    ctx.fill();
    ctx.strokeStyle = accent;
    ctx.lineWidth = 1.5;
    ctx.stroke();
    const labels = [t("insp.e1"), t("insp.e2")];
    this.tips().forEach(([x, y], column) => {
      arrow(ctx, p(0, 0), p(x, y), COLORS[column], column === this.dragging);
      const [tx, ty] = p(x, y);
      ctx.fillStyle = COLORS[column];
      ctx.font = "600 12px system-ui, sans-serif";
      ctx.fillText(labels[column], tx + 9, ty - 8);
    });
  }

  paintGrid(ctx) {
    const { width, height } = this.sized;
    ctx.lineWidth = 1;
    for (let v = -Math.floor(this.half); v <= this.half; v++) {
      ctx.strokeStyle = v === 0 ? "#94a3b8" : "#e5e7eb";
      const [x0] = this.toPixel(v, 0);
      const [, y1] = this.toPixel(0, v);
      line(ctx, [x0, 0], [x0, height]);
      line(ctx, [0, y1], [width, y1]);
      if (v !== 0) {
        ctx.fillStyle = "#94a3b8";
        ctx.font = "10px system-ui, sans-serif";
        ctx.fillText(String(v).replace("-", "−"), x0 + 2, height / 2 + 11);
        ctx.fillText(String(v).replace("-", "−"), width / 2 + 3, y1 - 2);
      }
    }
  }
}

function line(ctx, [x0, y0], [x1, y1]) {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}

function polygon(ctx, corners) {
  ctx.beginPath();
  corners.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
  ctx.closePath();
}

function arrow(ctx, [x0, y0], [x1, y1], color, held) {
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = 2.5;
  line(ctx, [x0, y0], [x1, y1]);
  const angle = Math.atan2(y1 - y0, x1 - x0);
  const head = 10;
  if (Math.hypot(x1 - x0, y1 - y0) > head) {
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - head * Math.cos(angle - 0.4), y1 - head * Math.sin(angle - 0.4));
    ctx.lineTo(x1 - head * Math.cos(angle + 0.4), y1 - head * Math.sin(angle + 0.4));
    ctx.closePath();
    ctx.fill();
  }
  ctx.beginPath();
  ctx.arc(x1, y1, held ? TIP_RADIUS + 2 : TIP_RADIUS, 0, 2 * Math.PI);
  ctx.fillStyle = "white";
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.stroke();
}
