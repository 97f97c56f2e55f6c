// Weight sharing made visible: a 1-D net's first conv layer drawn as its full banded (Toeplitz)
// matrix, every entry coloured by the kernel weight it copies (w = H(u)): one hue per weight
// (o, i, k), its shade the weight's value, structural zeros pale grey. Beside it the kernel's
// weights in the same colours; for the weight pointed at (or clicked), the gradients of its
// copies for the shown sample, their sum, and torch's gradient of the shared weight, equal.

import "./strings_views.js";
import { onLanguageChange, t } from "../i18n.js";
import { el, setText } from "../views/dom.js";
import { INK } from "../views/palette.js";
import { copiesOf, shapeOf } from "./convmath.js";

const NO_COPY = 65535; // matrix/index's code for an entry that copies no weight
const ZERO_GREY = 236; // a structural zero, 0-255 on every channel
const FADE = 0.3; // how far entries of other weights fade towards white while one is followed
const MAX_WIDTH = 420; // CSS pixels for the matrix's columns
const MAX_HEIGHT = 560; // and for its rows

/**
 * A weight's colour: its own hue (the golden angle apart from its neighbour's, so that nearby
 * taps differ), deeper for larger values, paler for smaller ones.
 * @param {number} tap flattened (o, i, k) index
 * @param {number} value the weight
 * @param {number} scale the largest |weight| of the kernel
 * @returns {[number, number, number]} 0-255 per channel
 */
export function tapColor(tap, value, scale) {
  const hue = (tap * 137.508) % 360;
  const u = scale > 0 ? Math.max(-1, Math.min(1, value / scale)) : 0;
  return hslToRgb(hue, 0.7, 0.6 - 0.24 * u);
}

/**
 * @param {number} h degrees
 * @param {number} s 0..1
 * @param {number} l 0..1
 * @returns {[number, number, number]}
 */
function hslToRgb(h, s, l) {
  const a = s * Math.min(l, 1 - l);
  /** @param {number} n */
  const f = (n) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** @param {[number, number, number]} rgb */
const css = ([r, g, b]) => `rgb(${r}, ${g}, ${b})`;

/**
 * A gradient or weight as shown: 3 significant digits (in exponent form below 0.001), a true
 * minus sign.
 * @param {number} value
 */
export function sig(value) {
  if (!Number.isFinite(value)) return "–";
  let text = "0";
  if (Math.abs(value) >= 1e-3) {
    const decimals = Math.max(0, 2 - Math.floor(Math.log10(Math.abs(value))));
    text = value.toFixed(decimals);
  } else if (value !== 0) text = value.toExponential(2);
  return text.replaceAll("-", "−");
}

/**
 * @param {HTMLElement} root where the view goes
 * @param {(message: Record<string, any>) => void} send the page's socket (the matrix only reads)
 */
export function createMatrixView(root, send) {
  void send;
  const hint = el("p", { class: "hint" });
  const note = el("p", { class: "hint", "data-testid": "matrix-note" });
  const size = el("p", { class: "hint", "data-testid": "matrix-size" });
  const canvas = el("canvas", { "data-testid": "matrix-canvas", style: "display: block; cursor: crosshair" });
  const tapsTitle = el("div", { class: "hint" });
  const taps = el("div", { "data-testid": "matrix-taps", style: "display: flex; flex-direction: column; gap: 2px" });
  const copiesTitle = el("div", { class: "hint" });
  const bars = el("canvas", { "data-testid": "matrix-bars", style: "display: block; width: 100%; height: 48px" });
  const list = el("div", {
    "data-testid": "matrix-copies",
    style: "max-height: 14em; overflow-y: auto; font-size: 12px; font-variant-numeric: tabular-nums",
  });
  const totals = el("div", { "data-testid": "matrix-grad", style: "font-size: 13px; font-variant-numeric: tabular-nums" });
  const side = el("div", { style: "display: flex; flex-direction: column; gap: 6px; min-width: 16em; flex: 1" }, [
    tapsTitle,
    taps,
    copiesTitle,
    bars,
    list,
    totals,
  ]);
  const body = el("div", { style: "display: flex; gap: 14px; flex-wrap: wrap; align-items: flex-start" }, [
    canvas,
    side,
  ]);
  root.append(hint, note, size, body);

  /** @type {Record<string, any> | null} */
  let header = null;
  /** @type {Map<string, ArrayLike<number>>} */
  let arrays = new Map();
  let pinned = 0;
  /** @type {number | null} */
  let hovered = null;
  /** @type {HTMLButtonElement[]} */
  let buttons = [];
  let geometry = { rows: 0, cols: 0, cellW: 1, cellH: 1 };

  const selected = () => hovered ?? pinned;

  /** The matrix's index, its shape and the kernel, when the frame has a 1-D shared layer. */
  function layer() {
    const index = arrays.get("matrix/index");
    const shape = header ? shapeOf(header, "matrix/index") : null;
    const kernel = arrays.get("kernel/0");
    const kShape = header ? shapeOf(header, "kernel/0") : null;
    if (!index || !shape || !kernel || !kShape) return null;
    const [rows, cols] = shape;
    const [outChannels, inChannels, width] = kShape;
    return { index, rows, cols, kernel, outChannels, inChannels, width, taps: kernel.length };
  }

  function render() {
    setText(hint, t("matrixview.hint"));
    if (!header) {
      show(t("matrixview.waiting"));
      return;
    }
    const input = shapeOf(header, "stage/0");
    const m = layer();
    if (input && input.length !== 2) {
      show(t("matrixview.twoD"));
      return;
    }
    if (!m) {
      const p = header.parameters ?? {};
      show(`${t("matrixview.unshared")} ${t("matrixview.params", { shared: p.shared ?? "–", unshared: p.unshared ?? "–" })}`);
      return;
    }
    note.hidden = true;
    hint.hidden = false;
    body.hidden = false;
    size.hidden = false;
    if (pinned >= m.taps) pinned = 0;
    if (hovered !== null && hovered >= m.taps) hovered = null;
    let entries = 0;
    for (let e = 0; e < m.index.length; e++) entries += m.index[e] !== NO_COPY ? 1 : 0;
    setText(size, t("matrixview.size", { rows: m.rows, cols: m.cols, entries, taps: m.taps }));
    let scale = 0;
    for (let j = 0; j < m.taps; j++) scale = Math.max(scale, Math.abs(m.kernel[j]));
    drawMatrix(m, scale);
    drawTaps(m, scale);
    drawCopies(m);
  }

  /** @param {string} text an explanation in place of the matrix */
  function show(text) {
    setText(note, text);
    note.hidden = false;
    hint.hidden = true;
    body.hidden = true;
    size.hidden = true;
  }

  /** @param {NonNullable<ReturnType<typeof layer>>} m @param {number} scale */
  function drawMatrix(m, scale) {
    const cellW = Math.max(1, Math.min(14, Math.floor(MAX_WIDTH / m.cols)));
    const cellH = Math.min(cellW, MAX_HEIGHT / m.rows);
    geometry = { rows: m.rows, cols: m.cols, cellW, cellH };
    const width = m.cols * cellW;
    const height = Math.max(1, Math.round(m.rows * cellH));
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    const pixels = new ImageData(m.cols, m.rows);
    const colors = [];
    for (let j = 0; j < m.taps; j++) colors.push(tapColor(j, m.kernel[j], scale));
    const chosen = selected();
    for (let e = 0; e < m.index.length; e++) {
      const code = m.index[e];
      let rgb = code === NO_COPY ? [ZERO_GREY, ZERO_GREY, ZERO_GREY] : colors[code];
      if (code !== NO_COPY && code !== chosen) rgb = rgb.map((v) => v + (255 - v) * FADE);
      pixels.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * e);
    }
    const off = document.createElement("canvas");
    off.width = m.cols;
    off.height = m.rows;
    off.getContext("2d").putImageData(pixels, 0, 0);
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(off, 0, 0, width, height);
    const ink = INK || getComputedStyle(root).color;
    // A line between output channels' blocks of rows.
    ctx.strokeStyle = ink;
    ctx.globalAlpha = 0.5;
    ctx.lineWidth = 1;
    const block = m.rows / m.outChannels;
    for (let o = 1; o < m.outChannels; o++) {
      const y = Math.round(o * block * cellH) + 0.5;
      ctx.beginPath();
      ctx.moveTo(0, y);
      ctx.lineTo(width, y);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    if (cellW >= 3 && cellH >= 3) {
      ctx.lineWidth = 1;
      for (let e = 0; e < m.index.length; e++) {
        if (m.index[e] !== chosen) continue;
        const row = Math.floor(e / m.cols);
        const col = e % m.cols;
        ctx.strokeRect(col * cellW + 0.5, row * cellH + 0.5, cellW - 1, cellH - 1);
      }
    }
  }

  /** @param {NonNullable<ReturnType<typeof layer>>} m @param {number} scale */
  function drawTaps(m, scale) {
    setText(tapsTitle, t("matrixview.taps"));
    if (buttons.length !== m.taps) {
      buttons = [];
      const lines = [];
      for (let oi = 0; oi < m.outChannels * m.inChannels; oi++) {
        const line = el("div", { style: "display: flex; gap: 2px; flex-wrap: wrap" });
        for (let k = 0; k < m.width; k++) {
          const j = oi * m.width + k;
          const button = el("button", {
            type: "button",
            dataset: { tap: String(j) },
            style: "min-width: 3.6em; padding: 1px 3px; font-size: 11px; border: 2px solid transparent; font-variant-numeric: tabular-nums",
            on: {
              mouseenter: () => follow(j),
              mouseleave: () => follow(null),
              focus: () => follow(j),
              blur: () => follow(null),
              click: () => pin(j),
            },
          });
          buttons.push(button);
          line.append(button);
        }
        lines.push(line);
      }
      taps.replaceChildren(...lines);
    }
    const counts = new Array(m.taps).fill(0);
    for (let e = 0; e < m.index.length; e++) if (m.index[e] !== NO_COPY) counts[m.index[e]] += 1;
    const ink = INK || getComputedStyle(root).color;
    buttons.forEach((button, j) => {
      const o = Math.floor(j / (m.inChannels * m.width));
      const i = Math.floor(j / m.width) % m.inChannels;
      const k = j % m.width;
      const rgb = tapColor(j, m.kernel[j], scale);
      const light = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 150;
      button.style.background = css(rgb);
      button.style.color = light ? "black" : "white";
      button.style.borderColor = j === selected() ? ink : "transparent";
      setText(button, sig(m.kernel[j]));
      button.title = t("matrixview.tapTitle", { o, i, k, value: sig(m.kernel[j]), count: counts[j] });
      button.setAttribute("aria-pressed", String(j === pinned));
    });
  }

  /** @param {NonNullable<ReturnType<typeof layer>>} m */
  function drawCopies(m) {
    const j = selected();
    const o = Math.floor(j / (m.inChannels * m.width));
    const i = Math.floor(j / m.width) % m.inChannels;
    const k = j % m.width;
    const grad = arrays.get("matrix/grad");
    const summed = arrays.get("matrix/summed");
    const conv = arrays.get("matrix/conv");
    const { copies, sum } = copiesOf(m.index, m.cols, j, grad);
    setText(copiesTitle, t("matrixview.copies", { count: copies.length, o, i, k }));
    bars.hidden = !grad || !conv;
    if (!grad || !conv) {
      list.replaceChildren();
      setText(totals, t("matrixview.noGrad"));
      return;
    }
    const block = m.rows / m.outChannels;
    let largest = 0;
    for (const c of copies) largest = Math.max(largest, Math.abs(c.grad));
    const rgb = tapColor(j, 1, 1); // the hue at its deepest, to read as bars
    list.replaceChildren(
      ...copies.map((c) => {
        const bar = el("span", {
          style:
            `display: inline-block; height: 0.7em; width: ${largest > 0 ? (4 * Math.abs(c.grad)) / largest : 0}em; ` +
            `background: ${css(rgb)}; margin: 0 4px; vertical-align: middle`,
        });
        const where = t("matrixview.copy", { row: c.row, p: c.row % block, col: c.col });
        const style = `display: flex; justify-content: space-between; gap: 6px${c.grad === 0 ? "; opacity: 0.55" : ""}`;
        return el("div", { style }, [
          el("span", { text: where }),
          el("span", {}, [bar, sig(c.grad)]),
        ]);
      }),
    );
    drawBars(copies, largest, rgb);
    const torch = conv[j];
    const diff = Math.abs(sum - torch);
    const equal = diff <= 1e-4 * Math.max(Math.abs(torch), largest) + 1e-7;
    totals.replaceChildren(
      el("div", { text: t("matrixview.sum", { sum: sig(sum) }), title: summed ? t("matrixview.summedTitle", { summed: sig(summed[j]) }) : "" }),
      el("div", { text: t("matrixview.conv", { conv: sig(torch) }) }),
      el("div", {
        text: equal ? t("matrixview.equal") : t("matrixview.unequal", { diff: sig(diff) }),
        dataset: { equal: String(equal) },
        style: "font-weight: 600",
      }),
    );
  }

  /**
   * Every copy's gradient as a bar, in the order of the copies (output position by position),
   * up for positive and down for negative.
   * @param {{grad: number}[]} copies
   * @param {number} largest
   * @param {[number, number, number]} rgb
   */
  function drawBars(copies, largest, rgb) {
    const width = Math.max(120, bars.clientWidth || 240);
    const height = 48;
    const ratio = window.devicePixelRatio || 1;
    if (bars.width !== Math.round(width * ratio)) bars.width = Math.round(width * ratio);
    if (bars.height !== Math.round(height * ratio)) bars.height = Math.round(height * ratio);
    const ctx = bars.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const ink = INK || getComputedStyle(root).color;
    const mid = height / 2;
    ctx.strokeStyle = ink;
    ctx.globalAlpha = 0.4;
    ctx.beginPath();
    ctx.moveTo(0, mid + 0.5);
    ctx.lineTo(width, mid + 0.5);
    ctx.stroke();
    ctx.globalAlpha = 1;
    const step = width / Math.max(1, copies.length);
    ctx.fillStyle = css(rgb);
    copies.forEach((c, n) => {
      const h = largest > 0 ? (c.grad / largest) * (mid - 2) : 0;
      ctx.fillRect(n * step + step * 0.15, Math.min(mid, mid - h), Math.max(1, step * 0.7), Math.abs(h));
    });
  }

  /** @param {number | null} j */
  function follow(j) {
    if (hovered === j) return;
    hovered = j;
    render();
  }

  /** @param {number} j */
  function pin(j) {
    pinned = j;
    hovered = null;
    render();
  }

  /** The weight under the pointer, or null over a structural zero or outside. */
  function tapAt(event) {
    const m = layer();
    if (!m) return null;
    const box = canvas.getBoundingClientRect();
    const col = Math.floor((event.clientX - box.left) / geometry.cellW);
    const row = Math.floor((event.clientY - box.top) / geometry.cellH);
    if (row < 0 || row >= m.rows || col < 0 || col >= m.cols) return null;
    const code = m.index[row * m.cols + col];
    return code === NO_COPY ? null : code;
  }

  canvas.addEventListener("mousemove", (event) => follow(tapAt(event)));
  canvas.addEventListener("mouseleave", () => follow(null));
  canvas.addEventListener("click", (event) => {
    const j = tapAt(event);
    if (j !== null) pin(j);
  });
  onLanguageChange(() => render());
  render();

  return {
    /**
     * @param {Record<string, any>} frameHeader the frame's header (with its `arrays` list)
     * @param {Map<string, ArrayLike<number>>} frameArrays the frame's arrays
     */
    update(frameHeader, frameArrays) {
      header = frameHeader;
      arrays = frameArrays;
      render();
    },
    /** Follow kernel weight `j` (flattened (o, i, k)), as a click on it does. */
    select(j) {
      pin(j);
    },
  };
}
