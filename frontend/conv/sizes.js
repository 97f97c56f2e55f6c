// A conv layer's output size from its settings, written out as the formula with its numbers:
// (W + 2P − D·(F−1) − 1)/S + 1 (the arithmetic is convmath.js's, as nets/conv.py does it).

import { outputSize, paddingAmounts } from "./convmath.js";

/**
 * The formula with this layer's numbers: "(16 + 2·1 − 1·2 − 1)/1 + 1 = 16". An uneven "same"
 * padding shows both sides ("16 + 0 + 1"); a division that does not come out even is floored.
 * @param {number} width the layer's input size along one axis
 * @param {{kernel: number, stride: number, padding: string, dilation: number}} layer
 */
export function sizeFormula(width, layer) {
  const { kernel, stride, padding, dilation } = layer;
  const [before, after] = paddingAmounts(padding, kernel, dilation);
  const pad = before === after ? `2·${before}` : `${before} + ${after}`;
  const top = width + before + after - dilation * (kernel - 1) - 1;
  const inner = `${width} + ${pad} − ${dilation}·${kernel - 1} − 1`;
  const left = top % stride === 0 ? `(${inner})/${stride}` : `⌊(${inner})/${stride}⌋`;
  return `${left} + 1 = ${outputSize(width, kernel, padding, stride, dilation)}`;
}
