// The arithmetic of a convolution layer, as nets/conv.py does it, with no DOM: padding, output
// sizes, cross-correlation (what the network computes) and convolution (the kernel flipped).
// The sliding window, the matrix view and the receptive field all compute with these.

/** @typedef {number[] | Float32Array | Float64Array} Vector */

/**
 * Zeros added before and after the input along one axis, as nets.conv.pad_amounts: "valid"
 * none, "full" the kernel's span on each side, "same" half the span (the extra one after).
 * @param {string} mode "valid", "same" or "full"
 * @param {number} kernel taps per axis
 * @param {number} [dilation] distance between taps
 * @returns {[number, number]}
 */
export function paddingAmounts(mode, kernel, dilation = 1) {
  const span = dilation * (kernel - 1);
  if (mode === "valid") return [0, 0];
  if (mode === "full") return [span, span];
  if (mode === "same") return [Math.floor(span / 2), span - Math.floor(span / 2)];
  throw new Error(`unknown padding ${JSON.stringify(mode)}; choose valid, same or full`);
}

/**
 * How many windows fit: (W + before + after − dilation·(F − 1) − 1) // S + 1, as
 * nets.conv.padded_output_size.
 * @param {number} width input samples along the axis
 * @param {number} kernel taps
 * @param {string} mode padding mode
 * @param {number} [stride]
 * @param {number} [dilation]
 */
export function outputSize(width, kernel, mode, stride = 1, dilation = 1) {
  const [before, after] = paddingAmounts(mode, kernel, dilation);
  return Math.floor((width + before + after - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * The input index tap `k` of window `p` reads (negative, or past the end: a padded zero).
 * @param {number} p output position
 * @param {number} k tap
 * @param {number} stride
 * @param {number} padBefore
 * @param {number} dilation
 */
export function tapIndex(p, k, stride, padBefore, dilation) {
  return p * stride - padBefore + k * dilation;
}

/**
 * Cross-correlation of a signal: out[p] = Σ_k kernel[k] · x[p·S − before + k·dilation], the
 * padding read as zeros (no bias).
 * @param {Vector} input
 * @param {Vector} kernel
 * @param {number} [stride]
 * @param {number} [padBefore]
 * @param {number} [padAfter]
 * @param {number} [dilation]
 * @returns {number[]}
 */
export function crossCorrelate1d(input, kernel, stride = 1, padBefore = 0, padAfter = 0, dilation = 1) {
  const n = input.length;
  const f = kernel.length;
  const size = Math.floor((n + padBefore + padAfter - dilation * (f - 1) - 1) / stride) + 1;
  const out = [];
  for (let p = 0; p < size; p++) {
    let sum = 0;
    for (let k = 0; k < f; k++) {
      const i = tapIndex(p, k, stride, padBefore, dilation);
      if (i >= 0 && i < n) sum += kernel[k] * input[i];
    }
    out.push(sum);
  }
  return out;
}

/**
 * Cross-correlation of an image (rows of pixels) with a square or rectangular kernel (rows),
 * the same stride, padding and dilation along both axes, as nets.conv's SharedConv.
 * @param {Vector[]} input rows
 * @param {Vector[]} kernel rows
 * @param {number} [stride]
 * @param {number} [padBefore]
 * @param {number} [padAfter]
 * @param {number} [dilation]
 * @returns {number[][]}
 */
export function crossCorrelate2d(input, kernel, stride = 1, padBefore = 0, padAfter = 0, dilation = 1) {
  const h = input.length;
  const w = h ? input[0].length : 0;
  const fh = kernel.length;
  const fw = fh ? kernel[0].length : 0;
  const rows = Math.floor((h + padBefore + padAfter - dilation * (fh - 1) - 1) / stride) + 1;
  const cols = Math.floor((w + padBefore + padAfter - dilation * (fw - 1) - 1) / stride) + 1;
  const out = [];
  for (let r = 0; r < rows; r++) {
    const line = [];
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      for (let a = 0; a < fh; a++) {
        const i = tapIndex(r, a, stride, padBefore, dilation);
        if (i < 0 || i >= h) continue;
        for (let b = 0; b < fw; b++) {
          const j = tapIndex(c, b, stride, padBefore, dilation);
          if (j >= 0 && j < w) sum += kernel[a][b] * input[i][j];
        }
      }
      line.push(sum);
    }
    out.push(line);
  }
  return out;
}

/**
 * The kernel turned end for end (1-D), or by half a turn (2-D: rows and columns reversed):
 * convolution is cross-correlation with this.
 * @template {Vector | Vector[]} K
 * @param {K} kernel
 * @returns {K extends Vector[] ? number[][] : number[]}
 */
export function flip(kernel) {
  const items = Array.from(/** @type {ArrayLike<any>} */ (kernel)).reverse();
  if (items.length && typeof items[0] !== "number") {
    return /** @type {any} */ (items.map((row) => Array.from(/** @type {Vector} */ (row)).reverse()));
  }
  return /** @type {any} */ (items);
}

/**
 * Convolution of a signal: the flipped kernel slid as in cross-correlation. With "full"
 * padding, stride 1 and dilation 1 it is numpy.convolve(x, k, "full").
 * @param {Vector} input
 * @param {Vector} kernel
 * @param {number} [stride]
 * @param {number} [padBefore]
 * @param {number} [padAfter]
 * @param {number} [dilation]
 */
export function convolve1d(input, kernel, stride = 1, padBefore = 0, padAfter = 0, dilation = 1) {
  return crossCorrelate1d(input, flip(kernel), stride, padBefore, padAfter, dilation);
}

/**
 * Convolution of an image: the kernel turned by half a turn, then cross-correlated.
 * @param {Vector[]} input
 * @param {Vector[]} kernel
 * @param {number} [stride]
 * @param {number} [padBefore]
 * @param {number} [padAfter]
 * @param {number} [dilation]
 */
export function convolve2d(input, kernel, stride = 1, padBefore = 0, padAfter = 0, dilation = 1) {
  return crossCorrelate2d(input, flip(kernel), stride, padBefore, padAfter, dilation);
}

/**
 * Is the kernel its own flip (then convolution and cross-correlation agree)?
 * @param {Vector | Vector[]} kernel
 * @param {number} [tolerance]
 */
export function isSymmetric(kernel, tolerance = 1e-7) {
  const a = Array.from(/** @type {ArrayLike<any>} */ (kernel)).flat();
  const b = /** @type {any[]} */ (flip(kernel)).flat();
  return a.every((v, i) => Math.abs(v - b[i]) <= tolerance * Math.max(1, Math.abs(v)));
}

/**
 * Rows of a flat row-major array: `rows` slices of `cols` values from `offset`.
 * @param {ArrayLike<number>} flat
 * @param {number} rows
 * @param {number} cols
 * @param {number} [offset]
 * @returns {number[][]}
 */
export function toRows(flat, rows, cols, offset = 0) {
  const out = [];
  for (let r = 0; r < rows; r++) {
    const line = [];
    for (let c = 0; c < cols; c++) line.push(flat[offset + r * cols + c]);
    out.push(line);
  }
  return out;
}

/**
 * The largest difference between two lists of numbers (nested or flat), Infinity when their
 * sizes differ.
 * @param {any[]} a
 * @param {ArrayLike<number>} b flat
 */
export function largestDifference(a, b) {
  const flat = a.flat(2);
  if (flat.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < flat.length; i++) worst = Math.max(worst, Math.abs(flat[i] - b[i]));
  return worst;
}

/**
 * An array's shape from the frame header's `arrays` list (null when the frame lacks it).
 * @param {Record<string, any>} header
 * @param {string} name
 * @returns {number[] | null}
 */
export function shapeOf(header, name) {
  const spec = (header?.arrays ?? []).find((/** @type {any} */ a) => a.name === name);
  return spec ? spec.shape : null;
}

/**
 * The copies of one kernel weight in the layer's matrix: every entry whose index is `tap`,
 * with its gradient when `grad` is given, and their sum.
 * @param {ArrayLike<number>} index matrix/index, flat (65535: structural zero)
 * @param {number} cols the matrix's columns
 * @param {number} tap flattened (o, i, k) kernel index
 * @param {ArrayLike<number>} [grad] matrix/grad, flat
 * @returns {{copies: {row: number, col: number, grad: number}[], sum: number}}
 */
export function copiesOf(index, cols, tap, grad) {
  const copies = [];
  let sum = 0;
  for (let e = 0; e < index.length; e++) {
    if (index[e] !== tap) continue;
    const g = grad ? grad[e] : NaN;
    copies.push({ row: Math.floor(e / cols), col: e % cols, grad: g });
    sum += g;
  }
  return { copies, sum };
}

/**
 * Values `start` to `end` of an array-like, as a plain array.
 * @param {ArrayLike<number>} values
 * @param {number} start
 * @param {number} end
 * @returns {number[]}
 */
function part(values, start, end) {
  const out = [];
  for (let i = start; i < end; i++) out.push(values[i]);
  return out;
}

/**
 * One output channel of the first conv layer, laid out to slide: the shown input (stage/0,
 * input channel 0; a signal is one row), the kernel each position applies (the one shared
 * kernel, or an unshared layer's own per position), flipped for convolution, and the network's
 * own output for the channel (stage/1, before the activation).
 * @typedef {{dims: number, rows: number, cols: number, input: ArrayLike<number>,
 *   outRows: number, outCols: number, taps: number, stride: number, before: number,
 *   dilation: number, padding: string, unshared: boolean, flipped: boolean,
 *   kernelAt: (p: number) => number[], biasAt: (p: number) => number,
 *   network: ArrayLike<number>}} SlideLayer
 */

/**
 * @param {Record<string, any>} header the frame header (with its `arrays` list of shapes)
 * @param {Map<string, ArrayLike<number>>} arrays the frame's arrays
 * @param {Record<string, any> | null | undefined} config the ConvConfig (its first layer's
 *   stride, padding and dilation: the frame's sizes alone can't tell them apart)
 * @param {number} [channel] output channel
 * @param {boolean} [flipped] convolution: every kernel turned end for end
 * @returns {SlideLayer | null} null when the frame or the config lacks the first layer
 */
export function slideLayer(header, arrays, config, channel = 0, flipped = false) {
  const inShape = shapeOf(header, "stage/0");
  const outShape = shapeOf(header, "stage/1");
  const kShape = shapeOf(header, "kernel/0");
  const input = arrays.get("stage/0");
  const kernel = arrays.get("kernel/0");
  const bias = arrays.get("bias/0");
  const network = arrays.get("stage/1");
  const layer = config?.model?.layers?.[0];
  if (!inShape || !outShape || !kShape || !input || !kernel || !bias || !network || !layer) {
    return null;
  }
  const dims = inShape.length - 1;
  const inChannels = inShape[0];
  const [rows, cols] = dims === 1 ? [1, inShape[1]] : [inShape[1], inShape[2]];
  const [outRows, outCols] = dims === 1 ? [1, outShape[1]] : [outShape[1], outShape[2]];
  const outChannels = outShape[0];
  const positions = outRows * outCols;
  // Shared: (C_out, C_in, F[, F]); unshared: (positions, C_out, C_in·F^d).
  const unshared = Boolean(config.model.unshared);
  const perWindow = unshared ? kShape[2] / inChannels : kShape.slice(2).reduce((a, b) => a * b, 1);
  const taps = layer.kernel;
  // A frame of another config than this one (the two cross on the socket): wait for the next.
  if (taps ** dims !== perWindow) return null;
  const fits = (/** @type {number} */ w, /** @type {number} */ out) =>
    outputSize(w, layer.kernel, layer.padding, layer.stride, layer.dilation) === out;
  if (!fits(cols, outCols) || (dims === 2 && !fits(rows, outRows))) return null;
  const [before] = paddingAmounts(layer.padding, layer.kernel, layer.dilation);
  const c = Math.min(Math.max(0, channel), outChannels - 1);
  /** @param {number} p */
  const kernelAt = (p) => {
    const start = unshared
      ? (p * outChannels + c) * inChannels * perWindow
      : c * inChannels * perWindow;
    const own = part(kernel, start, start + perWindow);
    if (!flipped) return own;
    return dims === 1 ? own.reverse() : flip(toRows(own, taps, taps)).flat();
  };
  /** @param {number} p */
  const biasAt = (p) => (unshared ? bias[c * positions + p] : bias[c]);
  return {
    dims,
    rows,
    cols,
    input: part(input, 0, rows * cols),
    outRows,
    outCols,
    taps,
    stride: layer.stride,
    before,
    dilation: layer.dilation,
    padding: layer.padding,
    unshared,
    flipped,
    kernelAt,
    biasAt,
    network: part(network, c * positions, (c + 1) * positions),
  };
}

/**
 * The window of output position `p` (row-major): every tap's input place (outside the input:
 * a padded zero), input value, weight and product, their sum and the output (sum + bias).
 * @param {SlideLayer} layer
 * @param {number} p
 * @returns {{taps: {row: number, col: number, inside: boolean, x: number, w: number,
 *   product: number}[], sum: number, bias: number, value: number}}
 */
export function windowAt(layer, p) {
  const outRow = Math.floor(p / layer.outCols);
  const outCol = p % layer.outCols;
  const weights = layer.kernelAt(p);
  const tapRows = layer.dims === 1 ? 1 : layer.taps;
  const taps = [];
  let sum = 0;
  for (let a = 0; a < tapRows; a++) {
    const row = layer.dims === 1 ? 0 : tapIndex(outRow, a, layer.stride, layer.before, layer.dilation);
    for (let b = 0; b < layer.taps; b++) {
      const col = tapIndex(outCol, b, layer.stride, layer.before, layer.dilation);
      const inside = row >= 0 && row < layer.rows && col >= 0 && col < layer.cols;
      const x = inside ? layer.input[row * layer.cols + col] : 0;
      const w = weights[a * layer.taps + b];
      taps.push({ row, col, inside, x, w, product: w * x });
      sum += w * x;
    }
  }
  const bias = layer.biasAt(p);
  return { taps, sum, bias, value: sum + bias };
}

/**
 * Every output position's value, row-major.
 * @param {SlideLayer} layer
 * @returns {number[]}
 */
export function slideAll(layer) {
  const out = [];
  for (let p = 0; p < layer.outRows * layer.outCols; p++) out.push(windowAt(layer, p).value);
  return out;
}
