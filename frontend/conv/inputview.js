// The shown input, drawn large: a signal as bars, an image as pixels. Choose the test sample,
// see its label and the net's answer with its class scores, draw your own input (click and
// drag), move it (drag it, the buttons or the arrow keys) and read how the maps and the readout
// follow.

import { t } from "../i18n.js";
import { el, fmt, setText } from "../views/dom.js";
import { ACC_COLOR, AXIS, HIGHLIGHT, INK, NEGATIVE, POSITIVE, withAlpha } from "../views/palette.js";
import { absMax, heatCss, paintBars } from "./heat.js";
import { className } from "./names.js";

const SEND_EVERY_MS = 80; // while drawing: at most this often a set_input
const SMALL_ERROR = 0.01; // below it the maps "move with the input"
const DRAW_TIP = "conv.input.draw.title";

export class ConvInput {
  /**
   * @param {HTMLElement} root the input card
   * @param {{send: (message: Record<string, any>) => void, maxValue: number}} options
   */
  constructor(root, { send, maxValue }) {
    this.root = root;
    this.send = send;
    this.maxValue = maxValue;
    this.header = null;
    /** @type {Float32Array | null} */
    this.values = null; // the input shown, row by row
    this.shape = [0];
    /** @type {Float32Array | null} */
    this.copy = null; // the drawn input, while drawing
    /** @type {Set<number>} */
    this.lit = new Set(); // flat indices of the pixels a clicked unit sees
    this.config = null;
    this.drawing = false;
    /** @type {{shift: number[], at: number} | null} */
    this.asked = null; // the shift last asked for, until the server's config shows it
    this.build();
  }

  build() {
    const button = (key, onClick, testid, text) =>
      el("button", {
        type: "button",
        class: "small",
        "data-testid": testid,
        title: t(key),
        dataset: { i18nTitle: key },
        text,
        on: { click: onClick },
      });
    const words = (key) => el("span", { dataset: { i18n: key }, text: t(key) });
    this.prev = button("conv.input.prev", () => this.pick(-1), "conv-prev", "‹");
    this.next = button("conv.input.next", () => this.pick(1), "conv-next", "›");
    this.which = el("span", { class: "conv-which", "data-testid": "conv-which" });
    this.canvas = el("canvas", { class: "conv-input-canvas", "data-testid": "conv-input" });
    this.answer = el("p", { class: "conv-answer", "data-testid": "conv-answer" });
    this.scores = el("canvas", { class: "conv-scores", "data-testid": "conv-scores" });
    this.drawBox = el("input", { type: "checkbox", "data-testid": "conv-draw" });
    this.eraseBox = el("input", { type: "checkbox", "data-testid": "conv-erase" });
    this.eraseLabel = el("label", { class: "switch" }, [this.eraseBox, words("conv.input.erase")]);
    this.back = el("button", {
      type: "button",
      class: "small",
      "data-testid": "conv-back",
      dataset: { i18n: "conv.input.back" },
      text: t("conv.input.back"),
      on: { click: () => this.backToSample() },
    });
    this.arrows = {
      left: button("conv.shift.left", () => this.move(0, -1), "conv-shift-left", "←"),
      right: button("conv.shift.right", () => this.move(0, 1), "conv-shift-right", "→"),
      up: button("conv.shift.up", () => this.move(-1, 0), "conv-shift-up", "↑"),
      down: button("conv.shift.down", () => this.move(1, 0), "conv-shift-down", "↓"),
    };
    this.centre = el("button", {
      type: "button",
      class: "small",
      "data-testid": "conv-shift-centre",
      dataset: { i18n: "conv.shift.centre" },
      text: t("conv.shift.centre"),
      on: {
        click: () => {
          this.asked = null;
          this.send({ type: "configure", changes: { view: { shift: [] } } });
        },
      },
    });
    this.shiftText = el("span", { class: "conv-shift-by", "data-testid": "conv-shift-by" });
    this.shiftErrors = el("ul", { class: "conv-shift-errors", "data-testid": "conv-shift-errors" });
    this.root.append(
      el("div", { class: "card-head" }, [
        el("h2", { dataset: { i18n: "conv.card.input" }, text: t("conv.card.input") }),
        el("div", { class: "conv-nav" }, [this.prev, this.which, this.next]),
      ]),
      this.canvas,
      this.answer,
      this.scores,
      el("div", { class: "conv-tools" }, [
        el("label", { class: "switch", title: t(DRAW_TIP), dataset: { i18nTitle: DRAW_TIP } }, [
          this.drawBox,
          words("conv.input.draw"),
        ]),
        this.eraseLabel,
        this.back,
      ]),
      el("div", { class: "conv-tools conv-shift" }, [
        el("span", { class: "label", dataset: { i18n: "conv.shift.label" }, text: t("conv.shift.label") }),
        this.arrows.left,
        this.arrows.right,
        this.arrows.up,
        this.arrows.down,
        this.centre,
        this.shiftText,
      ]),
      this.shiftErrors,
    );
    this.drawBox.addEventListener("change", () => {
      this.root.classList.toggle("drawing", this.drawBox.checked);
      this.canvas.style.cursor = this.drawBox.checked ? "crosshair" : "grab";
    });
    this.canvas.style.cursor = "grab";
    this.canvas.addEventListener("pointerdown", (event) => this.stroke(event, "down"));
    this.canvas.addEventListener("pointermove", (event) => this.stroke(event, "move"));
    this.canvas.addEventListener("pointerup", (event) => this.stroke(event, "up"));
    this.canvas.addEventListener("pointercancel", (event) => this.stroke(event, "up"));
    this.canvas.addEventListener("contextmenu", (event) => {
      if (this.drawBox.checked) event.preventDefault(); // a right drag erases
    });
  }

  get dims() {
    return this.shape.length;
  }

  /** Another test sample: the one before or after. */
  pick(by) {
    const index = Math.max(0, (this.header?.example?.index ?? 0) + by);
    this.send({ type: "configure", changes: { view: { example: index } } });
  }

  /** Move the input one step along an axis (rows, then columns; a signal has columns only). */
  move(dy, dx) {
    if (!this.config) return;
    const dims = this.dims;
    const size = dims === 1 ? [this.config.data.length] : [this.config.data.size, this.config.data.size];
    // Keys pressed faster than the server answers move on from what was last asked for.
    const recent = this.asked && performance.now() - this.asked.at < 1000 ? this.asked.shift : null;
    const shift = [...(recent ?? this.config.view.shift ?? [])];
    while (shift.length < dims) shift.push(0);
    const steps = dims === 1 ? [dx] : [dy, dx];
    if (steps.every((s) => s === 0)) return;
    const next = shift.map((s, axis) => Math.max(1 - size[axis], Math.min(size[axis] - 1, s + steps[axis])));
    this.asked = { shift: next, at: performance.now() };
    this.send({ type: "configure", changes: { view: { shift: next } } });
  }

  backToSample() {
    this.copy = null;
    this.send({ type: "set_input", values: null });
  }

  /**
   * One frame's input, label, answer, scores and shift numbers.
   * @param {Record<string, any>} header
   * @param {Map<string, any>} arrays
   * @param {Map<string, number[]>} shapes
   * @param {Record<string, any>} config
   */
  update(header, arrays, shapes, config) {
    this.header = header;
    this.config = config;
    const shape = shapes.get("stage/0") ?? [1, 0];
    const spatial = shape.slice(1);
    if (spatial.join("x") !== this.shape.join("x")) this.lit.clear();
    this.shape = spatial;
    this.canvas.classList.toggle("dims-1", spatial.length === 1);
    this.values = arrays.get("stage/0");
    const ex = header.example;
    const names = header.classes.map(className);
    setText(this.which, t("conv.input.which", { n: ex.index }));
    this.prev.disabled = ex.drawn || ex.index <= 0;
    this.next.disabled = ex.drawn;
    const labelled = ex.label !== null && ex.label !== undefined;
    const truth = labelled ? names[ex.label] : t("conv.input.drawn");
    const right = !labelled ? "" : ex.predicted === ex.label ? " ✓" : " ✗";
    setText(this.answer, t("conv.input.answer", { truth, guess: names[ex.predicted] }) + right);
    this.answer.classList.toggle("wrong", right === " ✗");
    this.back.disabled = !ex.drawn;
    this.eraseLabel.hidden = this.dims !== 2;
    this.arrows.up.hidden = this.arrows.down.hidden = this.dims !== 2;
    const by = config.view.shift ?? [];
    if (this.asked && JSON.stringify(this.asked.shift) === JSON.stringify(by)) this.asked = null;
    const moved = shiftWords(by);
    setText(this.shiftText, moved ? t("conv.shift.by", { by: moved }) : t("conv.shift.none"));
    this.renderShift(header);
    this.redraw();
    this.scores.style.height = `${Math.max(40, Math.min(150, 15 * names.length))}px`;
    paintBars(this.scores, ex.scores, names, {
      color: (i) => (i === ex.predicted ? ACC_COLOR : AXIS),
    });
  }

  /** In words: do the maps move with the input, does the readout stay? */
  renderShift(header) {
    const shift = header.shift;
    if (!shift) {
      this.shiftErrors.replaceChildren(el("li", { class: "hint", text: t("conv.shift.hint") }));
      return;
    }
    const items = [];
    header.stages.forEach((stage, k) => {
      const error = shift.equivariance?.[k];
      if (stage.kind === "input" || error === null || error === undefined) return;
      const ok = error < SMALL_ERROR;
      items.push(
        el("li", { class: ok ? "ok" : "off", "data-stage": k }, [
          el("b", { text: stageName(stage) + ": " }),
          t(ok ? "conv.shift.moves" : "conv.shift.movesNot", { error: fmt(error) }),
        ]),
      );
    });
    const readout = header.stages.find((s) => s.kind === "readout");
    if (readout && shift.invariance !== null && shift.invariance !== undefined) {
      const ok = shift.invariance < SMALL_ERROR;
      items.push(
        el("li", { class: ok ? "ok" : "off", "data-testid": "conv-invariance" }, [
          el("b", { text: t("conv.stage.readout") + ": " }),
          t(ok ? "conv.shift.stays" : "conv.shift.staysNot", { error: fmt(shift.invariance) }),
        ]),
      );
    }
    this.shiftErrors.replaceChildren(...items);
  }

  /** Light up the input positions a clicked unit sees (numbers, or [row, column] pairs). */
  highlight(positions) {
    this.lit.clear();
    const w = this.shape.at(-1);
    for (const p of positions) this.lit.add(Array.isArray(p) ? p[0] * w + p[1] : p);
    this.canvas.dataset.lit = String(this.lit.size);
    this.redraw();
  }

  /** The canvas box and how values map onto it. */
  geometry() {
    const ratio = window.devicePixelRatio || 1;
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    return { ratio, w, h };
  }

  redraw() {
    const values = this.copy && this.drawing ? this.copy : this.values;
    if (!values) return;
    const { ratio, w, h } = this.geometry();
    if (w < 10 || h < 10) return;
    const canvas = this.canvas;
    if (canvas.width !== Math.round(w * ratio)) canvas.width = Math.round(w * ratio);
    if (canvas.height !== Math.round(h * ratio)) canvas.height = Math.round(h * ratio);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (this.dims === 2) this.drawImage(ctx, values, w, h);
    else this.drawSignal(ctx, values, w, h);
  }

  drawImage(ctx, values, w, h) {
    const [rows, cols] = this.shape;
    const cell = Math.min(w / cols, h / rows);
    const x0 = (w - cell * cols) / 2;
    const y0 = (h - cell * rows) / 2;
    this.box = { x0, y0, cell, rows, cols };
    const scale = Math.max(1, absMax(values));
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        ctx.fillStyle = heatCss(values[r * cols + c], scale);
        ctx.fillRect(x0 + c * cell, y0 + r * cell, Math.ceil(cell), Math.ceil(cell));
      }
    }
    ctx.strokeStyle = withAlpha(INK, 0.12);
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let r = 0; r <= rows; r++) {
      ctx.moveTo(x0, y0 + r * cell + 0.5);
      ctx.lineTo(x0 + cols * cell, y0 + r * cell + 0.5);
    }
    for (let c = 0; c <= cols; c++) {
      ctx.moveTo(x0 + c * cell + 0.5, y0);
      ctx.lineTo(x0 + c * cell + 0.5, y0 + rows * cell);
    }
    ctx.stroke();
    if (this.lit.size) {
      ctx.fillStyle = withAlpha(HIGHLIGHT, 0.35);
      ctx.strokeStyle = HIGHLIGHT;
      ctx.lineWidth = 2;
      for (const i of this.lit) {
        const r = Math.floor(i / cols);
        const c = i % cols;
        ctx.fillRect(x0 + c * cell, y0 + r * cell, cell, cell);
        ctx.strokeRect(x0 + c * cell + 1, y0 + r * cell + 1, cell - 2, cell - 2);
      }
    }
    ctx.strokeStyle = AXIS;
    ctx.strokeRect(x0 + 0.5, y0 + 0.5, cols * cell - 1, rows * cell - 1);
  }

  drawSignal(ctx, values, w, h) {
    const n = values.length;
    const top = this.drawing && this.range ? this.range : Math.max(1.2, absMax(values) * 1.1);
    this.range = top;
    const pad = 4;
    const barW = (w - 2 * pad) / n;
    const zero = h / 2;
    const yOf = (v) => zero - (v / top) * (h / 2 - pad);
    this.box = { x0: pad, barW, n, zero, top, h, pad };
    ctx.fillStyle = withAlpha(HIGHLIGHT, 0.3);
    for (const i of this.lit) ctx.fillRect(pad + i * barW, 0, barW, h);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      ctx.fillStyle = v < 0 ? NEGATIVE : POSITIVE;
      const y = yOf(v);
      ctx.fillRect(pad + i * barW + barW * 0.1, Math.min(y, zero), barW * 0.8, Math.abs(y - zero));
    }
    ctx.strokeStyle = AXIS;
    ctx.beginPath();
    ctx.moveTo(pad, zero + 0.5);
    ctx.lineTo(w - pad, zero + 0.5);
    ctx.stroke();
  }

  /**
   * Drag the input while not drawing: it moves by as many samples (pixels) as the pointer
   * crossed, as the arrow keys move it.
   */
  drag(event, phase) {
    if (!this.config || !this.box) return;
    const rect = this.canvas.getBoundingClientRect();
    const point = [event.clientY - rect.top, event.clientX - rect.left];
    if (phase === "down") {
      this.canvas.setPointerCapture(event.pointerId);
      this.grab = { point, shift: [...(this.config.view.shift ?? [])], sent: "" };
      return;
    }
    if (!this.grab) return;
    const dims = this.dims;
    const cell = dims === 2 ? this.box.cell : this.box.barW;
    const crossed = point.map((p, axis) => Math.round((p - this.grab.point[axis]) / cell));
    const steps = dims === 1 ? [crossed[1]] : crossed;
    const size = dims === 1 ? [this.config.data.length] : [this.config.data.size, this.config.data.size];
    const base = [...this.grab.shift];
    while (base.length < dims) base.push(0);
    const next = base.map((s, axis) => Math.max(1 - size[axis], Math.min(size[axis] - 1, s + steps[axis])));
    const said = JSON.stringify(next);
    if (said !== this.grab.sent && (this.grab.sent || next.some((s, axis) => s !== base[axis]))) {
      this.grab.sent = said;
      this.asked = { shift: next, at: performance.now() };
      this.send({ type: "configure", changes: { view: { shift: next.every((s) => s === 0) ? [] : next } } });
    }
    if (phase === "up") this.grab = null;
  }

  /** Click and drag while drawing: paint pixels, or set a signal's heights; else move it. */
  stroke(event, phase) {
    if (!this.drawBox.checked) {
      this.drag(event, phase);
      return;
    }
    if (!this.values || !this.box) return;
    if (phase === "down") {
      this.canvas.setPointerCapture(event.pointerId);
      if (!this.header?.example?.drawn || !this.copy || this.copy.length !== this.values.length) {
        this.copy = Float32Array.from(this.values);
      }
      this.drawing = true;
      this.lastSent = 0;
    }
    if (!this.drawing) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const m = this.maxValue;
    if (this.dims === 2) {
      const { x0, y0, cell, rows, cols } = this.box;
      const c = Math.floor((x - x0) / cell);
      const r = Math.floor((y - y0) / cell);
      const erase = this.eraseBox.checked || event.button === 2;
      if (r >= 0 && r < rows && c >= 0 && c < cols) this.copy[r * cols + c] = erase ? 0 : 1;
    } else {
      const { x0, barW, n, zero, top, h, pad } = this.box;
      const i = Math.floor((x - x0) / barW);
      const v = ((zero - y) / (h / 2 - pad)) * top;
      if (i >= 0 && i < n) this.copy[i] = Math.max(-m, Math.min(m, Math.round(v * 100) / 100));
    }
    this.redraw();
    const now = performance.now();
    if (phase === "up" || now - this.lastSent > SEND_EVERY_MS) {
      this.lastSent = now;
      this.sendDrawn();
    }
    if (phase === "up") this.drawing = false;
  }

  sendDrawn() {
    const m = this.maxValue;
    const values = Array.from(this.copy, (v) => Math.max(-m, Math.min(m, v)));
    this.send({ type: "set_input", values });
    // What was drawn is what was seen: drawn on a moved input, it is the input now, unmoved.
    if ((this.config?.view?.shift ?? []).length) {
      this.send({ type: "configure", changes: { view: { shift: [] } } });
    }
  }
}

/** A shift as arrows: [2] is "→ 2", [1, −3] (down 1, left 3) is "↓ 1 ← 3"; none is "". */
export function shiftWords(by) {
  const axes = by.length === 1 ? [["←", "→", by[0]]] : [["↑", "↓", by[0]], ["←", "→", by[1]]];
  return axes
    .filter(([, , s]) => s)
    .map(([back, on, s]) => `${s < 0 ? back : on} ${Math.abs(s)}`)
    .join(" ");
}

/** A stage's name for the page: "conv 1", "activation 2", "pool 1", "input". */
export function stageName(stage) {
  if (stage.kind === "input") return t("conv.stage.input");
  const layer = stage.layer === null || stage.layer === undefined ? "" : ` ${stage.layer + 1}`;
  return t(`conv.stage.${stage.kind}`) + layer;
}
