// A line chart over training steps, on a canvas: a left axis (and optionally a right one),
// lines with gaps where a value is missing. A redraw costs about a millisecond, so the charts
// can follow training closely (a Plotly chart costs about 20 ms a redraw).

import { FONT, MUTED } from "./palette.js";
import { SizedCanvas } from "./sized.js";
import { formatPercent, formatTick, niceTicks } from "./ticks.js";

const GRID = "#eef1f4";
const FRAME = "#d5dbe1";

/**
 * Keep every other point of a chart's history once it holds more than `limit` steps, so a long
 * run stays cheap to draw. `history` maps names to arrays of values, or to arrays of lines (one
 * array of values a layer); all of them are halved alike, in place.
 */
export function halveHistory(history, limit) {
  if (history.step.length <= limit) return;
  const keep = (_, i) => i % 2 === 0;
  for (const [key, values] of Object.entries(history)) {
    history[key] = Array.isArray(values[0]) ? values.map((line) => line.filter(keep)) : values.filter(keep);
  }
}

export class LineChart {
  /**
   * @param {HTMLCanvasElement} canvas sized by CSS
   * @param {object} axes {left, right}: each {range: [lo, hi] (null: from 0 to the largest
   *   value), percent: bool, color}; no `right`, no right axis
   */
  constructor(canvas, { left, right = null }) {
    this.surface = new SizedCanvas(canvas, () => this.redraw());
    this.axes = { left, right };
    this.data = null;
    this.drawn = null; // what was drawn last: {x, series: [{name, y}]}
  }

  /**
   * @param {object} data {x: number[], series: [{name, y: (number|null)[], color, width, dash,
   *   axis: "left"|"right"}], titles: {x, left, right}}
   */
  draw(data) {
    this.data = data;
    this.drawn = { x: data.x, series: data.series.map(({ name, y }) => ({ name, y })) };
    const ctx = this.surface.begin();
    if (!ctx) return;
    const { width, height } = this.surface;
    const { left, right } = this.axes;
    const box = { x: 44, y: 8, w: width - 44 - (right ? 44 : 12), h: height - 8 - 34 };
    if (box.w < 20 || box.h < 20) return;
    const xMax = Math.max(1, ...data.x.slice(-1));
    const sx = (v) => box.x + (v / xMax) * box.w;
    const scales = {};
    for (const [side, axis] of Object.entries(this.axes)) {
      if (!axis) continue;
      const values = data.series.filter((s) => (s.axis ?? "left") === side).map((s) => s.y);
      const [lo, hi] = axis.range ?? [0, Math.max(1e-9, largest(values) * 1.05)];
      scales[side] = { lo, hi, at: (v) => box.y + box.h - ((v - lo) / (hi - lo)) * box.h };
    }

    ctx.font = `10px ${FONT}`;
    ctx.lineWidth = 1;
    const xTicks = niceTicks(0, xMax, Math.max(2, Math.floor(box.w / 70)));
    const yTicks = niceTicks(scales.left.lo, scales.left.hi, 4);
    ctx.strokeStyle = GRID;
    ctx.beginPath();
    for (const v of xTicks.values) {
      const x = Math.round(sx(v)) + 0.5;
      ctx.moveTo(x, box.y);
      ctx.lineTo(x, box.y + box.h);
    }
    for (const v of yTicks.values) {
      const y = Math.round(scales.left.at(v)) + 0.5;
      ctx.moveTo(box.x, y);
      ctx.lineTo(box.x + box.w, y);
    }
    ctx.stroke();
    ctx.strokeStyle = FRAME;
    ctx.strokeRect(box.x + 0.5, box.y + 0.5, box.w - 1, box.h - 1);

    ctx.save();
    ctx.beginPath();
    ctx.rect(box.x, box.y - 2, box.w, box.h + 4);
    ctx.clip();
    ctx.lineJoin = "round";
    for (const series of data.series) {
      const scale = scales[series.axis ?? "left"];
      ctx.strokeStyle = series.color;
      ctx.lineWidth = series.width ?? 2;
      ctx.setLineDash(series.dash ?? []);
      ctx.beginPath();
      let pen = false;
      series.y.forEach((v, i) => {
        if (v === null || !Number.isFinite(v)) {
          pen = false;
          return;
        }
        const x = sx(data.x[i]);
        const y = scale.at(v);
        if (pen) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
        pen = true;
      });
      ctx.stroke();
    }
    ctx.restore();
    ctx.setLineDash([]);

    ctx.textBaseline = "top";
    ctx.textAlign = "center";
    ctx.fillStyle = MUTED;
    for (const v of xTicks.values) {
      ctx.fillText(formatTick(v, xTicks.step), sx(v), box.y + box.h + 3);
    }
    ctx.fillText(data.titles?.x ?? "", box.x + box.w / 2, box.y + box.h + 17);
    this.drawAxis(ctx, box, "left", scales.left, data.titles?.left);
    if (right) this.drawAxis(ctx, box, "right", scales.right, data.titles?.right);
  }

  /** Tick labels and the title of a y axis, in the axis's colour. */
  drawAxis(ctx, box, side, scale, title) {
    const axis = this.axes[side];
    const ticks = axis.percent
      ? { values: [0, 0.25, 0.5, 0.75, 1], step: 0.25 }
      : niceTicks(scale.lo, scale.hi, 4);
    ctx.fillStyle = axis.color ?? MUTED;
    ctx.textBaseline = "middle";
    ctx.textAlign = side === "left" ? "right" : "left";
    const x = side === "left" ? box.x - 4 : box.x + box.w + 4;
    for (const v of ticks.values) {
      const label = axis.percent ? formatPercent(v) : formatTick(v, ticks.step);
      ctx.fillText(label, x, scale.at(v));
    }
    if (!title) return;
    ctx.save();
    ctx.translate(side === "left" ? 9 : box.x + box.w + 38, box.y + box.h / 2);
    ctx.rotate(side === "left" ? -Math.PI / 2 : Math.PI / 2);
    ctx.textAlign = "center";
    ctx.fillText(title, 0, 0);
    ctx.restore();
  }

  redraw() {
    if (this.data) this.draw(this.data);
  }
}

function largest(lists) {
  let most = -Infinity;
  for (const list of lists) {
    for (const v of list) if (v !== null && Number.isFinite(v) && v > most) most = v;
  }
  return Number.isFinite(most) ? most : 1;
}

/**
 * A legend in HTML: one item per entry {label, color, dash}, a short line in its style.
 * @param {HTMLElement} root
 */
export function renderLegend(root, entries) {
  root.replaceChildren(
    ...entries.map(({ label, color, dash }) => {
      const item = document.createElement("span");
      item.className = "legend-item";
      const line = document.createElement("span");
      line.className = `legend-line${dash ? " dotted" : ""}`;
      line.style.borderTopColor = color;
      item.append(line, label);
      return item;
    }),
  );
}
