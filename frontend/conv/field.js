// The receptive field of a unit: which input samples (1-D) or pixels (2-D) a position of a
// spatial stage depends on, found by walking back through every conv layer (kernel, stride,
// padding, dilation) and pooling (window 2, stride 2) of the config. Padding is no input: a
// window that hangs over a border sees fewer samples, and the field is clipped there.

import { outputSize, paddingAmounts, tapIndex } from "./convmath.js";

/**
 * One step of the network on the way from the input to a stage.
 * @typedef {{kind: string, layer: number | null}} StageKind
 */

/**
 * The stages' kinds: the frame's `stages` list, or (without one) input, then conv and
 * activation per layer, each followed by a pool when the config pools.
 * @param {Record<string, any> | null} header
 * @param {Record<string, any>} config
 * @returns {StageKind[]}
 */
function stageKinds(header, config) {
  if (Array.isArray(header?.stages)) {
    return header.stages.map((/** @type {any} */ s) => ({ kind: s.kind, layer: s.layer ?? null }));
  }
  /** @type {StageKind[]} */
  const out = [{ kind: "input", layer: null }];
  config.model.layers.forEach((/** @type {any} */ _layer, /** @type {number} */ l) => {
    out.push({ kind: "conv", layer: l }, { kind: "activation", layer: l });
    if (config.model.pool !== "none") out.push({ kind: "pool", layer: l });
  });
  return out;
}

/**
 * The input's spatial shape, from the frame's `stage/0` (channels first).
 * @param {Record<string, any> | null} header
 * @returns {number[]}
 */
function inputShape(header) {
  const spec = (header?.arrays ?? []).find((/** @type {any} */ a) => a.name === "stage/0");
  if (!spec) throw new Error("receptiveField: the frame has no stage/0 to take the input's size from");
  return spec.shape.slice(1);
}

/**
 * Every spatial stage's size along one axis, from the input's, stage by stage.
 * @param {StageKind[]} kinds
 * @param {Record<string, any>} config
 * @param {number} width the input's size along the axis
 * @returns {number[]}
 */
export function stageWidths(kinds, config, width) {
  const out = [width];
  for (let s = 1; s < kinds.length; s++) {
    const { kind, layer } = kinds[s];
    const last = out[s - 1];
    if (kind === "conv") {
      const spec = config.model.layers[layer];
      out.push(outputSize(last, spec.kernel, spec.padding, spec.stride, spec.dilation));
    } else if (kind === "activation") out.push(last);
    else if (kind === "pool") out.push(Math.floor(last / 2));
    else break; // readout and logits have no positions
  }
  return out;
}

/**
 * The positions along one axis of stage 0 that positions `at` of stage `stage` see.
 * @param {StageKind[]} kinds
 * @param {Record<string, any>} config
 * @param {number[]} widths every stage's size along the axis
 * @param {number} stage
 * @param {number} at
 * @returns {number[]} sorted, no repeats
 */
function axisField(kinds, config, widths, stage, at) {
  let current = new Set([at]);
  for (let s = stage; s >= 1; s--) {
    const { kind, layer } = kinds[s];
    const below = widths[s - 1];
    /** @type {Set<number>} */
    const next = new Set();
    for (const p of current) {
      if (kind === "conv") {
        const spec = config.model.layers[layer];
        const [before] = paddingAmounts(spec.padding, spec.kernel, spec.dilation);
        for (let k = 0; k < spec.kernel; k++) {
          const i = tapIndex(p, k, spec.stride, before, spec.dilation);
          if (i >= 0 && i < below) next.add(i);
        }
      } else if (kind === "pool") {
        for (const i of [2 * p, 2 * p + 1]) if (i < below) next.add(i);
      } else next.add(p);
    }
    current = next;
  }
  return [...current].sort((a, b) => a - b);
}

/**
 * The input positions the unit at `position` of spatial stage `stageIndex` sees: indices for a
 * signal, [row, col] pairs (row by row) for an image.
 * @param {Record<string, any>} header the frame header (its `stages`, and `arrays` for the input's size)
 * @param {Record<string, any>} config the ConvConfig
 * @param {number} stageIndex a spatial stage (input, conv, activation or pool)
 * @param {number | number[]} position an index, or [row, col]
 * @returns {Array<number | number[]>}
 */
export function receptiveField(header, config, stageIndex, position) {
  const kinds = stageKinds(header, config);
  const shape = inputShape(header);
  const at = typeof position === "number" ? [position] : position;
  if (at.length !== shape.length) {
    throw new Error(`receptiveField: position ${JSON.stringify(position)} for a ${shape.length}-D input`);
  }
  const axes = shape.map((width, axis) => {
    const widths = stageWidths(kinds, config, width);
    if (!(stageIndex >= 0 && stageIndex < widths.length)) {
      throw new Error(`receptiveField: stage ${stageIndex} is no spatial stage`);
    }
    if (!(at[axis] >= 0 && at[axis] < widths[stageIndex])) {
      throw new Error(`receptiveField: position ${at[axis]} lies outside stage ${stageIndex}`);
    }
    return axisField(kinds, config, widths, stageIndex, at[axis]);
  });
  if (axes.length === 1) return axes[0];
  return axes[0].flatMap((r) => axes[1].map((c) => [r, c]));
}

/**
 * The first and last position per axis of a field (an empty list for an empty field).
 * @param {Array<number | number[]>} positions what receptiveField returns
 * @returns {Array<[number, number]>}
 */
export function fieldExtent(positions) {
  if (positions.length === 0) return [];
  const points = positions.map((p) => (typeof p === "number" ? [p] : p));
  return points[0].map((_, axis) => {
    const values = points.map((p) => p[axis]);
    return /** @type {[number, number]} */ ([Math.min(...values), Math.max(...values)]);
  });
}
