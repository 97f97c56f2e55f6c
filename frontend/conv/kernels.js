// Every conv layer's kernels as small images (a row per output channel, a cell per input
// channel; a 1-D kernel is a row of cells), with the bias. A kernel of a shared layer opens in an
// editor on a click: its weights as number boxes, the classic kernels one click away, and
// "apply" sends `set_kernel`. An unshared layer has weights of its own at every position: the
// middle position's are shown.

import { t } from "../i18n.js";
import { el, fmt, setText } from "../views/dom.js";
import { absMax, paintMap } from "./heat.js";

/**
 * The kernel open in the editor: its layer, output channel, the input channel clicked, its size.
 * @typedef {{layer: number, channel: number, input: number, size: number, dims: number,
 *   inputs: number}} Editing
 */

export class ConvKernels {
  /**
   * @param {HTMLElement} root the kernels card's body
   * @param {{send: (message: Record<string, any>) => void, schema: Record<string, any>,
   *   invalid: (what: string) => void}} options
   */
  constructor(root, { send, schema, invalid }) {
    this.root = root;
    this.send = send;
    this.schema = schema;
    this.invalid = invalid;
    this.key = "";
    this.list = el("div", { class: "conv-kernels", "data-testid": "conv-kernels" });
    this.editor = el("div", { class: "kernel-editor", "data-testid": "kernel-editor", hidden: true });
    root.append(this.list, this.editor);
    /** @type {{layer: number, cells: HTMLCanvasElement[][], biases: HTMLElement[], shared: boolean,
     *   note: HTMLElement}[]} */
    this.blocks = [];
    /** @type {Editing | null} */
    this.editing = null;
    this.last = null;
  }

  /**
   * The kernels of layer k as (C_out, C_in, taps) numbers, the bias per output channel, and
   * how many positions own weights of their own (1 when shared).
   */
  kernelOf(k, arrays, shapes, unshared) {
    const w = arrays.get(`kernel/${k}`);
    const b = arrays.get(`bias/${k}`);
    const shape = shapes.get(`kernel/${k}`);
    if (!w || !shape) return null;
    if (!unshared) {
      const [outs, ins, ...taps] = shape;
      return { w, offset: 0, outs, ins, taps, bias: Array.from(b ?? []), positions: 1, middle: 0 };
    }
    const [positions, outs, flat] = shape;
    const middle = Math.floor(positions / 2);
    const bias = b ? Array.from({ length: outs }, (_, o) => b[o * positions + middle]) : [];
    return { w, offset: middle * outs * flat, outs, ins: 0, flat, taps: [], bias, positions, middle };
  }

  /**
   * @param {Record<string, any>} header
   * @param {Map<string, any>} arrays
   * @param {Map<string, number[]>} shapes
   * @param {Record<string, any>} config
   */
  update(header, arrays, shapes, config) {
    this.last = { header, arrays, shapes, config };
    const unshared = Boolean(config.model.unshared);
    const layers = config.model.layers;
    const dims = config.data.kind === "glyphs" ? 2 : 1;
    const kernels = layers.map((layer, k) => {
      const kernel = this.kernelOf(k, arrays, shapes, unshared);
      if (kernel && unshared) {
        const size = layer.kernel;
        kernel.taps = dims === 2 ? [size, size] : [size];
        kernel.ins = Math.round(kernel.flat / size ** dims);
      }
      return kernel;
    });
    const shapeOf = (k) => (k ? `${k.outs}x${k.ins}x${k.taps.join("x")}x${k.positions}` : "-");
    const key = `${unshared}|${kernels.map(shapeOf).join("|")}`;
    if (key !== this.key) this.build(kernels, unshared);
    this.key = key;
    kernels.forEach((kernel, k) => {
      const block = this.blocks[k];
      if (!kernel || !block) return;
      const taps = kernel.taps;
      const per = taps.reduce((a, b) => a * b, 1);
      const scale = absMax(kernel.w, kernel.offset, kernel.offset + kernel.outs * kernel.ins * per);
      const h = taps.length === 2 ? taps[0] : 1;
      const w = taps.at(-1);
      for (let o = 0; o < kernel.outs; o++) {
        for (let i = 0; i < kernel.ins; i++) {
          paintMap(block.cells[o][i], kernel.w, kernel.offset + (o * kernel.ins + i) * per, h, w, scale);
        }
        setText(block.biases[o], t("conv.kernel.bias", { value: fmt(kernel.bias[o] ?? NaN, 2) }));
      }
      setText(
        block.note,
        unshared
          ? t("conv.kernel.unshared", { position: kernel.middle + 1, positions: kernel.positions })
          : t("conv.kernel.shared", { outs: kernel.outs, ins: kernel.ins, size: taps.join("×") }),
      );
    });
  }

  build(kernels, unshared) {
    this.blocks = [];
    this.close();
    const nodes = kernels.map((kernel, k) => {
      const note = el("p", { class: "hint" });
      const title = el("h3", { text: t("conv.kernel.layer", { n: k + 1 }) });
      const cells = [];
      const biases = [];
      const grid = el("div", { class: "kernel-grid" });
      if (kernel) {
        grid.style.gridTemplateColumns = `repeat(${kernel.ins}, auto) auto`;
        for (let o = 0; o < kernel.outs; o++) {
          const row = [];
          for (let i = 0; i < kernel.ins; i++) {
            const canvas = el("canvas", {
              class: `kernel dims-${kernel.taps.length}`,
              "data-testid": "conv-kernel",
              "data-layer": k,
              "data-out": o,
              "data-in": i,
              title: unshared
                ? t("conv.kernel.unsharedTitle")
                : t("conv.kernel.editTitle", { out: o + 1, in: i + 1 }),
            });
            if (!unshared) canvas.addEventListener("click", () => this.open(k, o, i));
            else canvas.classList.add("locked");
            row.push(canvas);
            grid.append(canvas);
          }
          const bias = el("span", { class: "bias" });
          biases.push(bias);
          grid.append(bias);
          cells.push(row);
        }
      }
      this.blocks.push({ layer: k, cells, biases, shared: !unshared, note });
      return el("div", { class: "kernel-layer", "data-layer": k }, [title, note, grid]);
    });
    this.list.replaceChildren(...nodes);
  }

  /** The editor for one output channel's kernel (all its input channels) and bias. */
  open(layer, channel, input) {
    if (!this.last) return;
    const { arrays, shapes } = this.last;
    const kernel = this.kernelOf(layer, arrays, shapes, false);
    if (!kernel) return;
    const taps = kernel.taps;
    const dims = taps.length;
    const size = taps[0];
    const per = taps.reduce((a, b) => a * b, 1);
    const max = this.schema.max_value;
    this.editing = { layer, channel, input, size, dims, inputs: kernel.ins };
    /** @type {HTMLInputElement[][]} */
    this.boxes = [];
    const grids = [];
    for (let i = 0; i < kernel.ins; i++) {
      const boxes = [];
      const grid = el("div", { class: "weights", "data-in": i });
      grid.style.gridTemplateColumns = `repeat(${size}, 52px)`;
      for (let j = 0; j < per; j++) {
        const box = el("input", {
          type: "number",
          step: "any",
          min: -max,
          max,
          "data-testid": "kernel-weight",
          value: String(Math.round(kernel.w[(channel * kernel.ins + i) * per + j] * 1000) / 1000),
        });
        boxes.push(box);
        grid.append(box);
      }
      this.boxes.push(boxes);
      const caption = el("span", { class: "hint", text: t("conv.kernel.input", { n: i + 1 }) });
      grids.push(el("div", { class: "weights-in" }, [caption, grid]));
    }
    this.biasBox = el("input", {
      type: "number",
      step: "any",
      min: -max,
      max,
      "data-testid": "kernel-bias",
      value: String(Math.round((kernel.bias[channel] ?? 0) * 1000) / 1000),
    });
    const classic = this.schema.kernels[dims === 2 ? "2d" : "1d"] ?? {};
    const buttons = Object.entries(classic).map(([name, values]) => {
      const wide = values.length;
      const fits = wide === size;
      const title = fits
        ? t("conv.kernel.classicTitle", { name: t(`conv.kernel.${name}`) })
        : t("conv.kernel.mustBe", { size: wide });
      const button = el("button", {
        type: "button",
        class: "small",
        "data-testid": `kernel-classic-${name}`,
        disabled: !fits,
        title,
        text: t(`conv.kernel.${name}`),
        on: { click: () => this.fill(input, values.flat()) },
      });
      // A disabled button may show no tooltip of its own: its box says why.
      return el("span", { class: "classic", title }, [button]);
    });
    this.editor.replaceChildren(
      el("h3", { text: t("conv.kernel.editing", { layer: layer + 1, out: channel + 1 }) }),
      el("div", { class: "weights-row" }, grids),
      el("div", { class: "conv-tools" }, [
        el("label", {}, [el("span", { text: t("conv.kernel.biasLabel") + " " }), this.biasBox]),
      ]),
      el("div", { class: "conv-tools" }, [
        el("span", { class: "label", text: t("conv.kernel.classic", { n: input + 1 }) }),
        ...buttons,
      ]),
      el("div", { class: "conv-tools" }, [
        el("button", {
          type: "button",
          class: "primary",
          "data-testid": "kernel-apply",
          text: t("conv.kernel.apply"),
          on: { click: () => this.apply() },
        }),
        el("button", {
          type: "button",
          class: "small",
          "data-testid": "kernel-close",
          text: t("conv.kernel.close"),
          on: { click: () => this.close() },
        }),
      ]),
    );
    this.editor.hidden = false;
    this.unmark();
    this.blocks[layer]?.cells[channel]?.forEach((c) => c.classList.add("editing"));
  }

  fill(input, values) {
    const boxes = this.boxes?.[input];
    if (!boxes) return;
    values.forEach((v, j) => {
      if (boxes[j]) boxes[j].value = String(v);
    });
  }

  apply() {
    const editing = this.editing;
    if (!editing) return;
    const weights = [];
    for (const box of this.boxes.flat()) {
      const value = Number(box.value);
      if (box.value.trim() === "" || !Number.isFinite(value)) {
        this.invalid(t("conv.kernel.weight"));
        box.focus();
        return;
      }
      weights.push(value);
    }
    const bias = this.biasBox.value.trim() === "" ? null : Number(this.biasBox.value);
    if (bias !== null && !Number.isFinite(bias)) {
      this.invalid(t("conv.kernel.biasLabel"));
      return;
    }
    this.send({ type: "set_kernel", layer: editing.layer, channel: editing.channel, weights, bias });
  }

  close() {
    this.editing = null;
    this.editor.hidden = true;
    this.editor.replaceChildren();
    this.unmark();
  }

  /** No kernel marked as the one in the editor. */
  unmark() {
    for (const block of this.blocks) {
      for (const row of block.cells) for (const cell of row) cell.classList.remove("editing");
    }
  }

  relabel() {
    this.key = "";
  }
}
