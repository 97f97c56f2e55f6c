// A few test samples side by side (view.compare): for every spatial stage, a row per sample
// (its true label → the net's answer, then its channels' maps in the same colours as the shown
// input's), the channels in columns, so the same channel is seen lighting up at different
// places in different images. A checkbox in the maps card's head turns it on and off.

import { t } from "../i18n.js";
import { el, setText } from "../views/dom.js";
import { absMax, paintMap } from "./heat.js";
import { stageName } from "./inputview.js";
import { className } from "./names.js";

const ROW_LABEL_W = 100; // px of each row's "label → answer" (style.css), until measured
const MIN_MAP = 14;
const MAX_MAP = 44;
const MAX_MAP_PRESENTING = 64; // ... in presenter mode (seen from the back of a room)
const STRIP = 5; // px high, a signal's channel

/**
 * @typedef {{stage: number, shape: number[], title: HTMLElement,
 *   rows: {label: HTMLElement, canvases: HTMLCanvasElement[]}[]}} CompareStage
 */

export class ConvCompare {
  /**
   * @param {HTMLElement} root the maps card's body: the block goes under the maps
   * @param {(message: Record<string, any>) => void} send
   */
  constructor(root, send) {
    this.root = root;
    this.send = send;
    this.key = "";
    /** @type {boolean | null} what the box asked for, until the config says it */
    this.asked = null;
    /** @type {CompareStage[]} */
    this.stages = [];
    const words = (key) => el("span", { dataset: { i18n: key }, text: t(key) });
    this.box = el("input", {
      type: "checkbox",
      "data-testid": "conv-compare",
      on: { change: () => this.toggle() },
    });
    const tip = "conv.compare.title";
    this.toggleLabel = el("label", { class: "switch conv-compare-switch", title: t(tip), dataset: { i18nTitle: tip } }, [
      this.box,
      words("conv.compare.toggle"),
    ]);
    const head = root.closest(".card")?.querySelector(".card-head");
    const title = head?.querySelector("h2");
    if (title) title.after(this.toggleLabel);
    else root.prepend(this.toggleLabel);
    this.intro = el("p", { class: "hint", dataset: { i18n: "conv.compare.hint" }, text: t("conv.compare.hint") });
    this.list = el("div", { class: "conv-compare-stages" });
    this.heading = el("h3", { dataset: { i18n: "conv.compare.heading" }, text: t("conv.compare.heading") });
    this.block = el("div", { class: "conv-compare", "data-testid": "conv-compare-block", hidden: true }, [
      this.heading,
      this.intro,
      this.list,
    ]);
    root.append(this.block);
    new ResizeObserver(() => this.fit()).observe(root);
  }

  /** Ask the server for the comparison (or to stop sending it). */
  toggle() {
    this.asked = this.box.checked;
    this.send({ type: "configure", changes: { view: { compare: this.box.checked } } });
  }

  /**
   * @param {Record<string, any>} header
   * @param {Map<string, any>} arrays
   * @param {Map<string, number[]>} shapes
   * @param {Record<string, any>} config
   */
  update(header, arrays, shapes, config) {
    const on = Boolean(config.view?.compare);
    if (this.asked === on) this.asked = null;
    this.box.checked = this.asked ?? on; // not flipped back by a frame drawn before the answer
    this.box.disabled = document.body.classList.contains("following");
    const compare = header.compare;
    const show = Boolean(compare) && on;
    this.block.hidden = !show;
    if (!show) return;
    const spatial = [];
    header.stages.forEach((stage, k) => {
      if (stage.field !== undefined && shapes.has(`compare/${k}`)) spatial.push(k);
    });
    const key = spatial.map((k) => `${k}:${header.stages[k].kind}:${shapes.get(`compare/${k}`).join("x")}`).join("|");
    if (key !== this.key) this.build(header, spatial, shapes);
    this.key = key;
    for (const stage of this.stages) {
      const values = arrays.get(`compare/${stage.stage}`);
      if (!values) continue;
      const [, channels, ...rest] = stage.shape;
      const h = rest.length === 2 ? rest[0] : 1;
      const w = rest.at(-1);
      const scale = absMax(values); // one scale for every sample: their maps compare
      stage.rows.forEach((row, i) => {
        row.canvases.forEach((canvas, c) => paintMap(canvas, values, (i * channels + c) * h * w, h, w, scale));
        const truth = className(header.classes[compare.labels[i]]);
        const guess = className(header.classes[compare.predicted[i]]);
        const right = compare.labels[i] === compare.predicted[i];
        setText(row.label, `${truth} → ${guess} ${right ? "✓" : "✗"}`);
        row.label.classList.toggle("wrong", !right);
        row.label.title = t("conv.compare.row", { index: compare.indices[i], truth, guess });
      });
      const name = stageName(header.stages[stage.stage]);
      const size = ` ${stage.shape.slice(1).join("×")}`;
      if (stage.title.textContent !== name + size) stage.title.replaceChildren(el("b", { text: name }), size);
    }
  }

  /** A stage's heading and, a row per sample, its label and a canvas per channel. */
  build(header, spatial, shapes) {
    this.stages = [];
    const nodes = [];
    for (const k of spatial) {
      const shape = shapes.get(`compare/${k}`);
      const [count, channels, ...rest] = shape;
      const title = el("div", { class: "conv-compare-title" });
      const grid = el("div", { class: `conv-compare-grid dims-${rest.length}` });
      grid.style.setProperty("--channels", String(channels));
      const rows = [];
      for (let i = 0; i < count; i++) {
        const label = el("span", { class: "conv-compare-label" });
        const canvases = [];
        const maps = el("div", { class: "conv-compare-maps" });
        for (let c = 0; c < channels; c++) {
          const canvas = el("canvas", {
            class: "map",
            "data-testid": "conv-compare-map",
            "data-stage": k,
            "data-sample": i,
            "data-channel": c,
            title: t("conv.compare.channel", { channel: c + 1 }),
          });
          canvases.push(canvas);
          maps.append(canvas);
        }
        const row = el("div", { class: "conv-compare-row", "data-testid": "conv-compare-row", "data-sample": i }, [
          label,
          maps,
        ]);
        grid.append(row);
        rows.push({ label, canvases });
      }
      this.stages.push({ stage: k, shape, title, rows });
      const attrs = { class: `conv-compare-stage kind-${header.stages[k].kind}`, "data-testid": "conv-compare-stage" };
      nodes.push(el("div", { ...attrs, "data-stage": k }, [title, grid]));
    }
    this.list.replaceChildren(...nodes);
    this.fit();
  }

  /** Map sizes that put every channel of a sample on one row of the card. */
  fit() {
    if (this.block.hidden || !this.stages.length) return;
    const maps = this.stages[0].rows[0]?.canvases[0]?.parentElement;
    const width = maps?.clientWidth || this.root.clientWidth - ROW_LABEL_W - 12;
    const most = document.body.classList.contains("presenter") ? MAX_MAP_PRESENTING : MAX_MAP;
    for (const stage of this.stages) {
      const [, channels, ...rest] = stage.shape;
      const canvases = stage.rows.flatMap((row) => row.canvases);
      if (rest.length !== 2) {
        for (const canvas of canvases) canvas.style.height = `${STRIP}px`;
        continue;
      }
      const wide = Math.floor(width / Math.max(1, channels)) - 4;
      const size = Math.max(MIN_MAP, Math.min(most, wide));
      for (const canvas of canvases) {
        canvas.style.width = `${size}px`;
        canvas.style.height = `${Math.round((size * rest[0]) / rest[1])}px`;
      }
    }
  }

  relabel() {
    this.key = "";
  }
}
