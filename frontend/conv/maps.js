// Every stage's feature maps for the shown input: a small heatmap per channel (blue below 0,
// white at 0, red above), each stage labelled with its kind, layer and shape, a conv stage also
// with its output-size formula. Then the readout (a bar per channel) and the logits. Clicking
// a unit tells the page which one, so its receptive field can light up on the input.

import { t } from "../i18n.js";
import { el, setText } from "../views/dom.js";
import { absMax, paintBars, paintMap } from "./heat.js";
import { stageName } from "./inputview.js";
import { sizeFormula } from "./sizes.js";
import { className } from "./names.js";

const SPATIAL = new Set(["input", "conv", "activation", "pool"]);
const LABEL_W = 196; // px beside each stage's maps (more in presenter mode: its label is)
const STRIP_MAX = 14; // px high at most, a signal's channel
const STRIP_MAX_PRESENTING = 24; // ... in presenter mode (seen from the back of a room)
const MIN_MAP = 22;
const MAX_MAP = 96;
const MAX_BARS = 24; // a longer readout is drawn as a strip

export class ConvMaps {
  /**
   * @param {HTMLElement} root the maps card's body
   * @param {(stage: number, channel: number, position: number | number[]) => void} onUnit
   */
  constructor(root, onUnit) {
    this.root = root;
    this.onUnit = onUnit;
    this.key = "";
    /** @type {{stage: number, canvases: HTMLCanvasElement[], marks: HTMLElement[], label: HTMLElement,
     *   shape: number[]}[]} */
    this.blocks = [];
    this.list = el("div", { class: "conv-stages", "data-testid": "conv-stages" });
    this.readout = el("canvas", { class: "conv-readout", "data-testid": "conv-readout" });
    this.readoutStrip = el("canvas", { class: "map conv-readout-strip", hidden: true });
    this.logits = el("canvas", { class: "conv-logits", "data-testid": "conv-logits" });
    this.readoutTitle = el("h3", { text: t("conv.stage.readout") });
    this.logitsTitle = el("h3", { text: t("conv.stage.logits") });
    this.tail = el("div", { class: "conv-tail" }, [
      el("div", {}, [this.readoutTitle, this.readout, this.readoutStrip]),
      el("div", {}, [this.logitsTitle, this.logits]),
    ]);
    root.append(this.list, this.tail);
    this.selected = null; // {stage, channel, position}
    new ResizeObserver(() => this.fit()).observe(root);
  }

  /**
   * @param {Record<string, any>} header
   * @param {Map<string, any>} arrays
   * @param {Map<string, number[]>} shapes
   * @param {Record<string, any>} config
   */
  update(header, arrays, shapes, config) {
    this.header = header;
    this.config = config;
    const shapeOf = (k) => (shapes.get(`stage/${k}`) ?? []).join("x");
    const key = header.stages.map((s, k) => `${s.kind}:${shapeOf(k)}`).join("|");
    if (key !== this.key) this.build(header, shapes);
    this.key = key;
    for (const block of this.blocks) {
      const values = arrays.get(`stage/${block.stage}`);
      if (!values) continue;
      const [channels, ...spatial] = block.shape;
      const h = spatial.length === 2 ? spatial[0] : 1;
      const w = spatial.at(-1);
      const scale = absMax(values);
      block.canvases.forEach((canvas, c) => paintMap(canvas, values, c * h * w, h, w, scale));
      block.label.dataset.scale = String(scale);
      void channels;
    }
    this.labelFormulas(header, shapes, config);
    const readoutAt = header.stages.findIndex((s) => s.kind === "readout");
    const logitsAt = header.stages.findIndex((s) => s.kind === "logits");
    const readout = arrays.get(`stage/${readoutAt}`);
    const logits = arrays.get(`stage/${logitsAt}`);
    if (readout) {
      // A bar a channel; a flattened readout (a number a channel and position) as a strip.
      const strip = readout.length > MAX_BARS;
      this.readout.hidden = strip;
      this.readoutStrip.hidden = !strip;
      if (strip) {
        paintMap(this.readoutStrip, readout, 0, 1, readout.length, absMax(readout));
      } else {
        this.readout.style.height = `${Math.max(40, Math.min(140, 14 * readout.length))}px`;
        paintBars(this.readout, readout, Array.from(readout, (_, i) => `${i + 1}`));
      }
      const readoutWord = t(`conv.readout.${config.model.readout}`);
      const title = config.model.readout === "flatten"
        ? t("conv.readout.flatTitle", { n: readout.length })
        : t("conv.readout.title", { readout: readoutWord });
      setText(this.readoutTitle, title);
    }
    if (logits) {
      this.logits.style.height = `${Math.max(40, Math.min(140, 18 * logits.length))}px`;
      paintBars(this.logits, logits, header.classes.map(className));
      setText(this.logitsTitle, t("conv.stage.logits"));
    }
  }

  /** The stage blocks and their canvases, for a new list of stages or shapes. */
  build(header, shapes) {
    this.blocks = [];
    this.selected = null;
    const nodes = [];
    header.stages.forEach((stage, k) => {
      if (!SPATIAL.has(stage.kind)) return;
      const shape = shapes.get(`stage/${k}`);
      if (!shape) return;
      const [channels, ...spatial] = shape;
      const label = el("div", { class: "stage-label" });
      const maps = el("div", { class: `stage-maps dims-${spatial.length}` });
      const canvases = [];
      const marks = [];
      for (let c = 0; c < channels; c++) {
        const canvas = el("canvas", { class: "map", "data-testid": "conv-map", "data-stage": k, "data-channel": c });
        const mark = el("div", { class: "unit-mark", hidden: true });
        canvas.addEventListener("click", (event) => this.click(k, c, spatial, event));
        const title = t("conv.map.title", { channel: c + 1 });
        maps.append(el("div", { class: "map-box", title }, [canvas, mark]));
        canvases.push(canvas);
        marks.push(mark);
      }
      this.blocks.push({ stage: k, canvases, marks, label, shape });
      const attrs = { class: `conv-stage kind-${stage.kind}`, "data-testid": "conv-stage", "data-stage": k };
      nodes.push(el("div", { ...attrs, "data-kind": stage.kind }, [label, maps]));
    });
    this.list.replaceChildren(...nodes);
    this.fit();
  }

  /** Each stage's label: its name, shape and, for a conv layer, how its size comes about. */
  labelFormulas(header, shapes, config) {
    for (const block of this.blocks) {
      const stage = header.stages[block.stage];
      const size = block.shape.length === 3 ? `${stage.field}×${stage.field}` : String(stage.field);
      const sees = stage.field !== undefined && stage.kind !== "input";
      const seen = sees ? ` · ${t("conv.map.field", { field: size })}` : "";
      const parts = [
        el("span", { class: "title" }, [el("b", { text: stageName(stage) }), ` ${block.shape.join("×")}${seen}`]),
      ];
      if (stage.kind === "conv") {
        const before = shapes.get(`stage/${block.stage - 1}`);
        const layer = config.model.layers[stage.layer];
        if (before && layer) {
          const text = sizeFormula(before.at(-1), layer);
          parts.push(el("span", { class: "formula", "data-testid": "conv-formula", text }));
        }
      }
      const text = parts.map((p) => p.textContent).join(" ");
      if (block.label.dataset.text !== text) {
        block.label.dataset.text = text;
        block.label.replaceChildren(...parts);
      }
    }
  }

  /**
   * Map sizes that fit the card: every channel of a stage on one row where they can, and every
   * stage in the card's height (so a 2-layer net's maps all show on the first screen).
   */
  fit() {
    if (!this.blocks.length) return;
    const label = this.blocks[0].label.parentElement ? this.blocks[0].label.offsetWidth : 0;
    const width = this.root.clientWidth - Math.max(LABEL_W, label) - 8;
    const stripMax = document.body.classList.contains("presenter") ? STRIP_MAX_PRESENTING : STRIP_MAX;
    const card = this.root.closest(".card") ?? this.root;
    const top = this.list.getBoundingClientRect().top;
    const bottom = card.getBoundingClientRect().bottom;
    const avail = bottom - top - this.tail.offsetHeight - 24;
    const perStage = avail > 0 ? Math.floor(avail / this.blocks.length) - 8 : MAX_MAP;
    for (const block of this.blocks) {
      const [channels, ...spatial] = block.shape;
      if (spatial.length !== 2) {
        const strip = Math.max(4, Math.min(stripMax, Math.floor(Math.max(perStage, 30) / channels) - 2));
        for (const canvas of block.canvases) canvas.style.height = `${strip}px`;
        continue;
      }
      const wide = Math.floor(width / Math.max(1, channels)) - 6;
      const size = Math.max(MIN_MAP, Math.min(MAX_MAP, wide, Math.max(perStage, 34)));
      for (const canvas of block.canvases) {
        canvas.style.width = `${size}px`;
        canvas.style.height = `${Math.round((size * spatial[0]) / spatial[1])}px`;
      }
    }
  }

  click(stage, channel, spatial, event) {
    const canvas = /** @type {HTMLCanvasElement} */ (event.currentTarget);
    const rect = canvas.getBoundingClientRect();
    const fx = (event.clientX - rect.left) / rect.width;
    const fy = (event.clientY - rect.top) / rect.height;
    const w = spatial.at(-1);
    const col = Math.min(w - 1, Math.max(0, Math.floor(fx * w)));
    /** @type {number | number[]} */
    let position = col;
    if (spatial.length === 2) {
      const h = spatial[0];
      const row = Math.min(h - 1, Math.max(0, Math.floor(fy * h)));
      position = [row, col];
    }
    this.mark(stage, channel, position, spatial);
    this.onUnit(stage, channel, position);
  }

  mark(stage, channel, position, spatial) {
    for (const block of this.blocks) for (const m of block.marks) m.hidden = true;
    const block = this.blocks.find((b) => b.stage === stage);
    if (!block) return;
    const mark = block.marks[channel];
    const w = spatial.at(-1);
    const h = spatial.length === 2 ? spatial[0] : 1;
    const [row, col] = Array.isArray(position) ? position : [0, position];
    Object.assign(mark.style, {
      left: `${(100 * col) / w}%`,
      top: `${(100 * row) / h}%`,
      width: `${100 / w}%`,
      height: `${100 / h}%`,
    });
    mark.hidden = false;
    this.selected = { stage, channel, position };
  }

  relabel() {
    this.key = "";
    setText(this.readoutTitle, t("conv.stage.readout"));
  }
}
