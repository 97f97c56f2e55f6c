// The sliding window: the first layer's kernel moving over the shown input, position by
// position, each window's products and their sum (plus the bias) filling the output map. A
// switch recomputes with the kernel flipped (convolution); in cross-correlation, what PyTorch
// and the network compute, the filled-in map is compared with the layer's own output.

import "./strings_views.js";
import { onLanguageChange, t } from "../i18n.js";
import { el, fmt, setText } from "../views/dom.js";
import { FONT, INK } from "../views/palette.js";
import {
  isSymmetric,
  largestDifference,
  paddingAmounts,
  slideAll,
  slideLayer,
  toRows,
  windowAt,
} from "./convmath.js";
import { absMax, heatCss } from "./heat.js";

const SECONDS_PER_PASS = 8; // a whole pass over the input, while playing
const MAX_RATE = 60; // positions a second at most
const MIN_RATE = 3;
const MAX_TERMS = 9; // the products written out, up to this many taps

/**
 * @param {HTMLElement} root where the view goes
 * @param {(message: Record<string, any>) => void} send the page's socket (the window only reads)
 */
export function createSlidingWindow(root, send) {
  void send;
  const play = el("button", { type: "button", "data-testid": "slide-play" });
  const slider = el("input", { type: "range", min: "0", max: "0", step: "1", value: "0", "data-testid": "slide-position" });
  const sliderLabel = el("label", {}, []);
  const channel = el("select", { "data-testid": "slide-channel", style: "width: auto" });
  const channelLabel = el("label", {});
  const name = `slide-op-${Math.random().toString(36).slice(2)}`;
  const cross = el("input", { type: "radio", name, value: "cross", checked: true, "data-testid": "slide-cross" });
  const conv = el("input", { type: "radio", name, value: "conv", "data-testid": "slide-conv" });
  const crossText = el("span");
  const convText = el("span");
  const opLegend = el("legend");
  const ops = el("fieldset", { style: "display: flex; gap: 12px; flex-wrap: wrap; border: none; padding: 0; margin: 0" }, [
    opLegend,
    el("label", {}, [cross, " ", crossText]),
    el("label", {}, [conv, " ", convText]),
  ]);
  const bar = el("div", { style: "display: flex; gap: 10px; align-items: center; flex-wrap: wrap" }, [
    play,
    sliderLabel,
    slider,
    channelLabel,
    channel,
  ]);
  const canvas = el("canvas", { "data-testid": "slide-canvas", style: "display: block; max-width: 100%" });
  const at = el("p", { "data-testid": "slide-at", style: "font-variant-numeric: tabular-nums; margin: 4px 0" });
  const terms = el("p", { "data-testid": "slide-terms", class: "hint", style: "font-variant-numeric: tabular-nums; margin: 2px 0" });
  const settings = el("p", { class: "hint", "data-testid": "slide-settings" });
  const match = el("p", { "data-testid": "slide-match", style: "font-weight: 600; margin: 4px 0" });
  const note = el("p", { class: "hint" });
  const body = el("div", {}, [bar, ops, canvas, at, terms, match, settings]);
  root.append(note, body);

  /** @type {Record<string, any> | null} */
  let header = null;
  /** @type {Map<string, ArrayLike<number>>} */
  let arrays = new Map();
  /** @type {Record<string, any> | null} */
  let config = null;
  let position = 0;
  let playing = false;
  let flipped = false;
  let chosen = 0;
  let frameId = 0;
  let last = 0;
  let due = 0;
  /** @type {import("./convmath.js").SlideLayer | null} */
  let layer = null;
  /** @type {number[]} */
  let values = [];

  const count = () => (layer ? layer.outRows * layer.outCols : 0);

  function recompute() {
    layer = header ? slideLayer(header, arrays, config, chosen, flipped) : null;
    values = layer ? slideAll(layer) : [];
    const n = count();
    if (position >= n) position = 0;
  }

  function relabel() {
    setText(play, playing ? t("slide.pause") : t("slide.play"));
    setText(sliderLabel, t("slide.position"));
    setText(channelLabel, t("slide.channel"));
    setText(opLegend, t("slide.operation"));
    setText(crossText, t("slide.cross"));
    setText(convText, t("slide.conv"));
  }

  function render() {
    relabel();
    if (!layer) {
      setText(note, t("slide.waiting"));
      note.hidden = false;
      body.hidden = true;
      return;
    }
    note.hidden = true;
    body.hidden = false;
    const n = count();
    slider.max = String(Math.max(0, n - 1));
    slider.value = String(position);
    const channels = shapeChannels();
    if (channel.options.length !== channels) {
      channel.replaceChildren(...Array.from({ length: channels }, (_, c) => el("option", { value: String(c), text: String(c) })));
    }
    channel.value = String(Math.min(chosen, channels - 1));
    const win = windowAt(layer, position);
    setText(at, t("slide.at", { p: position, n, sum: fmt(win.sum), bias: fmt(win.bias), value: fmt(win.value) }));
    // Every product written out, when there are few: w·x + w·x + … = Σ.
    const shown = win.taps.length <= MAX_TERMS;
    terms.hidden = !shown;
    if (shown) {
      const term = (/** @type {number} */ v) => (v < 0 ? `(${fmt(v, 2)})` : fmt(v, 2));
      const parts = win.taps.map((tap) => `${term(tap.w)}·${term(tap.x)}`);
      setText(terms, `Σ w·x = ${parts.join(" + ")} = ${fmt(win.sum)}`);
    }
    describeSettings();
    describeMatch();
    root.dataset.position = String(position);
    draw(win);
  }

  function shapeChannels() {
    const spec = (header?.arrays ?? []).find((/** @type {any} */ a) => a.name === "stage/1");
    return spec ? spec.shape[0] : 1;
  }

  function describeSettings() {
    const [before, after] = paddingAmounts(layer.padding, layer.taps, layer.dilation);
    const params = {
      padding: layer.padding,
      before,
      after,
      stride: layer.stride,
      dilation: layer.dilation,
      w: layer.cols,
      f: layer.taps,
      out: layer.outCols,
    };
    const extra = layer.dims === 2 ? ` · ${t("slide.settings2d", params)}` : "";
    const own = layer.unshared ? ` · ${t("slide.unshared")}` : "";
    setText(settings, t("slide.settings", params) + extra + own);
  }

  function describeMatch() {
    const diff = largestDifference(values, layer.network);
    const tolerance = 1e-4 * Math.max(1, absMax(layer.network));
    const same = diff <= tolerance;
    const shown = diff < 1e-3 ? diff.toExponential(1) : fmt(diff);
    if (!flipped) {
      setText(match, same ? t("slide.matches", { diff: shown }) : t("slide.noMatch", { diff: shown }));
    } else {
      const kernel = layer.kernelAt(0);
      const symmetric = !layer.unshared && isSymmetric(layer.dims === 1 ? kernel : toRows(kernel, layer.taps, layer.taps));
      setText(match, symmetric && same ? t("slide.convSymmetric", { diff: shown }) : t("slide.convDiffers", { diff: shown }));
    }
    match.dataset.matches = same ? "yes" : "no";
    match.dataset.mode = flipped ? "conv" : "cross";
  }

  /** @param {ReturnType<typeof windowAt>} win */
  function draw(win) {
    if (layer.dims === 1) draw1d(win);
    else draw2d(win);
  }

  /**
   * A canvas of `width` × `height` CSS pixels, cleared, scaled to them.
   * @param {number} width
   * @param {number} height
   */
  function begin(width, height) {
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = "auto"; // wider than its room: shrunk, in proportion
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = `11px ${FONT}`;
    ctx.textBaseline = "middle";
    return ctx;
  }

  /** A context to measure labels in the canvas's font, without touching the canvas. */
  function measurer() {
    const ctx = document.createElement("canvas").getContext("2d");
    ctx.font = `11px ${FONT}`;
    return ctx;
  }

  /**
   * One cell: its colour, an outline, and its value when it fits.
   * @param {CanvasRenderingContext2D} ctx
   */
  function cell(ctx, x, y, w, h, value, scale, options = {}) {
    const ink = INK || getComputedStyle(root).color;
    ctx.fillStyle = options.padding ? "rgba(0, 0, 0, 0.03)" : heatCss(value, scale);
    ctx.fillRect(x, y, w, h);
    ctx.strokeStyle = ink;
    ctx.globalAlpha = options.strong ? 1 : 0.18;
    ctx.lineWidth = options.strong ? 2 : 1;
    if (options.padding) ctx.setLineDash([2, 2]);
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
    ctx.setLineDash([]);
    ctx.globalAlpha = 1;
    if (options.text && w >= 26 && h >= 14) {
      ctx.fillStyle = ink;
      ctx.textAlign = "center";
      if (w < 34) ctx.font = `9px ${FONT}`;
      ctx.fillText(fmt(value, 2), x + w / 2, y + h / 2);
      ctx.font = `11px ${FONT}`;
    }
  }

  /** @param {CanvasRenderingContext2D} ctx */
  function label(ctx, text, x, y) {
    ctx.fillStyle = INK || getComputedStyle(root).color;
    ctx.textAlign = "left";
    ctx.fillText(text, x, y);
  }

  /** @param {ReturnType<typeof windowAt>} win */
  function draw1d(win) {
    const [before, after] = paddingAmounts(layer.padding, layer.taps, layer.dilation);
    const span = before + layer.cols + after;
    const room = Math.max(240, (root.clientWidth || 640) - 8);
    const size = Math.max(5, Math.min(34, Math.floor(room / span)));
    const h = Math.max(size, 16);
    const width = span * size;
    const rows = { input: 16, kernel: 30 + h, products: 44 + 2 * h, output: 76 + 3 * h };
    const ctx = begin(width, rows.output + h + 4);
    const x = (/** @type {number} */ i) => (i + before) * size;
    const { weights, inScale, wScale, pScale, outScale } = scalesOf(win);
    label(ctx, t("slide.input"), 0, 7);
    for (let i = -before; i < layer.cols + after; i++) {
      const inside = i >= 0 && i < layer.cols;
      cell(ctx, x(i), rows.input, size, h, inside ? layer.input[i] : 0, inScale, { padding: !inside, text: true });
    }
    label(ctx, kernelName(), 0, rows.kernel - 7);
    label(ctx, t("slide.products"), 0, rows.products - 7);
    for (const [k, tap] of win.taps.entries()) {
      cell(ctx, x(tap.col), rows.input, size, h, tap.x, inScale, { padding: !tap.inside, strong: true });
      cell(ctx, x(tap.col), rows.kernel, size, h, weights[k], wScale, { strong: true, text: true });
      cell(ctx, x(tap.col), rows.products, size, h, tap.product, pScale, { strong: true, text: true });
    }
    // Every output sits under the middle of its window.
    const centre = (/** @type {number} */ p) => x(p * layer.stride - before + (layer.dilation * (layer.taps - 1)) / 2);
    label(ctx, t("slide.output"), 0, rows.output - 7);
    for (let p = 0; p < values.length; p++) {
      const filled = p <= position;
      cell(ctx, centre(p), rows.output, size, h, filled ? values[p] : 0, outScale, { padding: !filled, strong: p === position, text: filled });
    }
    ctx.strokeStyle = INK || getComputedStyle(root).color;
    ctx.beginPath();
    ctx.moveTo(centre(position) + size / 2, rows.products + h);
    ctx.lineTo(centre(position) + size / 2, rows.output);
    ctx.stroke();
  }

  /**
   * The kernel used at the window's position, and the colour scales of its drawing: the input,
   * the kernel, the products and the output.
   * @param {ReturnType<typeof windowAt>} win
   */
  function scalesOf(win) {
    const weights = layer.kernelAt(position);
    return {
      weights,
      inScale: absMax(layer.input),
      wScale: absMax(weights),
      pScale: absMax(win.taps.map((tap) => tap.product)),
      outScale: absMax(layer.network),
    };
  }

  /** What the kernel row is called: its own (unshared), flipped (convolution) or shared. */
  function kernelName() {
    const key = layer.unshared ? "slide.kernelOwn" : flipped ? "slide.kernelFlipped" : "slide.kernel";
    return t(key, { c: chosen });
  }

  /** @param {ReturnType<typeof windowAt>} win */
  function draw2d(win) {
    const [before, after] = paddingAmounts(layer.padding, layer.taps, layer.dilation);
    const rowsIn = before + layer.rows + after;
    const colsIn = before + layer.cols + after;
    const room = Math.max(300, (root.clientWidth || 640) - 8);
    const big = layer.taps <= 3 ? 36 : layer.taps <= 5 ? 28 : 18;
    const gap = 16;
    const top = 16;
    const names = { kernel: kernelName(), products: t("slide.products") };
    const measure = measurer();
    const kernelW = Math.max(layer.taps * big, ...Object.values(names).map((s) => measure.measureText(s).width + 8));
    const size = Math.max(3, Math.min(16, Math.floor((room - kernelW - 2 * gap) / (colsIn + layer.outCols))));
    const kernelX = Math.max(colsIn * size, measure.measureText(t("slide.input")).width + 4) + gap;
    const outX = kernelX + kernelW + gap;
    const width = outX + Math.max(layer.outCols * size, measure.measureText(t("slide.output")).width + 4);
    const height = top + Math.max(rowsIn * size, 2 * layer.taps * big + 20 + 4, layer.outRows * size + 14) + 4;
    const ctx = begin(width, height);
    const { weights, inScale, wScale, pScale, outScale } = scalesOf(win);
    label(ctx, t("slide.input"), 0, 7);
    for (let r = -before; r < layer.rows + after; r++) {
      for (let c = -before; c < layer.cols + after; c++) {
        const inside = r >= 0 && r < layer.rows && c >= 0 && c < layer.cols;
        const v = inside ? layer.input[r * layer.cols + c] : 0;
        cell(ctx, (c + before) * size, top + (r + before) * size, size, size, v, inScale, { padding: !inside });
      }
    }
    for (const tap of win.taps) {
      cell(ctx, (tap.col + before) * size, top + (tap.row + before) * size, size, size, tap.x, inScale, { padding: !tap.inside, strong: true });
    }
    label(ctx, names.kernel, kernelX, 7);
    const productsY = top + layer.taps * big + 20;
    label(ctx, names.products, kernelX, productsY - 9);
    win.taps.forEach((tap, k) => {
      const a = Math.floor(k / layer.taps);
      const b = k % layer.taps;
      cell(ctx, kernelX + b * big, top + a * big, big, big, weights[k], wScale, { text: true });
      cell(ctx, kernelX + b * big, productsY + a * big, big, big, tap.product, pScale, { text: true });
    });
    label(ctx, t("slide.output"), outX, 7);
    for (let p = 0; p < values.length; p++) {
      const r = Math.floor(p / layer.outCols);
      const c = p % layer.outCols;
      const filled = p <= position;
      cell(ctx, outX + c * size, top + r * size, size, size, filled ? values[p] : 0, outScale, { padding: !filled, strong: p === position });
    }
  }

  function tick(now) {
    if (!playing) {
      frameId = 0;
      return;
    }
    const n = count();
    if (n > 0) {
      const rate = Math.max(MIN_RATE, Math.min(MAX_RATE, n / SECONDS_PER_PASS));
      due += last ? ((now - last) / 1000) * rate : 0;
      last = now;
      if (due >= 1) {
        const steps = Math.floor(due);
        due -= steps;
        position = (position + steps) % n;
        if (root.offsetParent !== null) render();
      }
    }
    frameId = requestAnimationFrame(tick);
  }

  /** @param {boolean} on */
  function setPlaying(on) {
    playing = on;
    last = 0;
    due = 0;
    if (on && !frameId) frameId = requestAnimationFrame(tick);
    relabel();
  }

  play.addEventListener("click", () => setPlaying(!playing));
  slider.addEventListener("input", () => {
    setPlaying(false);
    position = Math.max(0, Math.min(count() - 1, Number(slider.value)));
    render();
  });
  channel.addEventListener("change", () => {
    chosen = Number(channel.value);
    recompute();
    render();
  });
  for (const radio of [cross, conv]) {
    radio.addEventListener("change", () => {
      flipped = conv.checked;
      recompute();
      render();
    });
  }
  onLanguageChange(() => render());
  render();

  return {
    /**
     * @param {Record<string, any>} frameHeader the frame's header (with its `arrays` list)
     * @param {Map<string, ArrayLike<number>>} frameArrays the frame's arrays
     * @param {Record<string, any>} [frameConfig] the ConvConfig (the first layer's stride,
     *   padding and dilation)
     */
    update(frameHeader, frameArrays, frameConfig) {
      header = frameHeader;
      arrays = frameArrays;
      if (frameConfig) config = frameConfig;
      recompute();
      render();
    },
    /** Show window `p` (paused), as the slider does. */
    seek(p) {
      setPlaying(false);
      position = Math.max(0, Math.min(count() - 1, p));
      render();
    },
  };
}
