// Decode a binary frame (docs/protocol.md): uint32 LE header length, JSON header, then arrays
// at the byte offsets the header names. Plain arrays are views on the message buffer; packed ones
// are unpacked to what the views read: coordinates (uint16 steps between each column's low and
// high, 65535 = NaN) to float32, and region codes (class and confidence in one byte) to
// `…/label` and `…/conf`.

const decoder = new TextDecoder("utf-8");

const TYPED = {
  float32: Float32Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
};

const COORD_TOP = 65534;
const NAN_CODE = 65535;

/** uint16 codes of (…, d) coordinates back to float32, column by column. */
function unpackCoords(codes, low, high) {
  const d = low.length;
  const out = new Float32Array(codes.length);
  for (let c = 0; c < d; c++) {
    const step = (high[c] - low[c]) / COORD_TOP;
    for (let i = c; i < codes.length; i += d) {
      const code = codes[i];
      out[i] = code === NAN_CODE ? NaN : low[c] + code * step;
    }
  }
  return out;
}

/** One byte per cell (class · levels + confidence level) back to label and confidence. */
function unpackRegions(codes, classes) {
  const levels = Math.floor(256 / Math.max(2, classes));
  const floor = 1 / Math.max(2, classes);
  const label = new Uint8Array(codes.length);
  const conf = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    label[i] = Math.floor(codes[i] / levels);
    conf[i] = floor + ((codes[i] % levels) / (levels - 1)) * (1 - floor);
  }
  return { label, conf };
}

/**
 * A frame's arrays by name, the packed ones unpacked when first read: a frame replaced by the
 * next before it was drawn never pays for its unpacking.
 * @extends {Map<string, Float32Array|Uint8Array>}
 */
class FrameArrays extends Map {
  constructor() {
    super();
    /** @type {Map<string, () => void>} what unpacks a name not unpacked yet (into this map) */
    this.later = new Map();
  }

  /** @param {string} name */
  get(name) {
    this.later.get(name)?.();
    return super.get(name);
  }

  /** @param {string} name */
  has(name) {
    return this.later.has(name) || super.has(name);
  }

  /**
   * Unpack `names` with `unpack` when one of them is first read.
   * @param {string[]} names
   * @param {() => (Float32Array|Uint8Array)[]} unpack their arrays, in that order
   */
  defer(names, unpack) {
    const run = () => {
      for (const name of names) this.later.delete(name);
      unpack().forEach((values, i) => this.set(names[i], values));
    };
    for (const name of names) this.later.set(name, run);
  }
}

/** @typedef {Record<string, any>} Header a frame's JSON header (docs/protocol.md) */

/**
 * A decoded frame: its header, and its arrays and their shapes by name.
 * @typedef {{header: Header, arrays: Map<string, Float32Array|Uint8Array>,
 *   shapes: Map<string, number[]>}} Frame
 */

/**
 * @param {ArrayBuffer} buffer one binary WebSocket message
 * @returns {Frame}
 */
export function decodeFrame(buffer) {
  if (buffer.byteLength < 4) throw new Error(`frame of ${buffer.byteLength} bytes is too short`);
  const headerLength = new DataView(buffer).getUint32(0, true);
  if (4 + headerLength > buffer.byteLength) {
    throw new Error(`header of ${headerLength} bytes does not fit in ${buffer.byteLength}`);
  }
  const header = JSON.parse(decoder.decode(new Uint8Array(buffer, 4, headerLength)));
  const arrays = new FrameArrays();
  const shapes = new Map();
  for (const spec of header.arrays ?? []) {
    const Typed = TYPED[spec.dtype];
    if (!Typed) throw new Error(`array ${spec.name} has unknown dtype ${spec.dtype}`);
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const end = spec.offset + count * Typed.BYTES_PER_ELEMENT;
    if (spec.offset % Typed.BYTES_PER_ELEMENT !== 0 || end > buffer.byteLength) {
      throw new Error(`array ${spec.name} lies outside the frame`);
    }
    const raw = new Typed(buffer, spec.offset, count);
    if (spec.low) {
      const { low, high } = spec;
      arrays.defer([spec.name], () => [unpackCoords(raw, low, high)]);
      shapes.set(spec.name, spec.shape);
    } else if (spec.classes) {
      const base = spec.name.slice(0, spec.name.lastIndexOf("/"));
      const names = [`${base}/label`, `${base}/conf`];
      const classes = spec.classes;
      arrays.defer(names, () => {
        const { label, conf } = unpackRegions(raw, classes);
        return [label, conf];
      });
      for (const name of names) shapes.set(name, spec.shape);
    } else {
      arrays.set(spec.name, raw);
      shapes.set(spec.name, spec.shape);
    }
  }
  return { header, arrays, shapes };
}

/**
 * A fixed oblique view of 3D coordinates, so a 3-wide stage fits a flat panel: turn 35° about
 * the vertical axis, tilt 25° towards the viewer, drop depth.
 */
const YAW = (35 * Math.PI) / 180;
const PITCH = (25 * Math.PI) / 180;

export function flatten3(a, b, c) {
  const x = Math.cos(YAW) * a - Math.sin(YAW) * b;
  const depth = Math.sin(YAW) * a + Math.cos(YAW) * b;
  const y = Math.cos(PITCH) * c - Math.sin(PITCH) * depth;
  return [x, y];
}

/**
 * Split interleaved (N, d) coordinates (d = 2, or 3 seen obliquely) into x and y columns,
 * rows `start` to `end` (the views draw from columns).
 */
export function columns(values, d = 2, start = 0, end = values.length / d) {
  const n = Math.max(0, end - start);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = d * (start + i);
    if (d === 3) [x[i], y[i]] = flatten3(values[o], values[o + 1], values[o + 2]);
    else {
      x[i] = values[o];
      y[i] = values[o + 1];
    }
  }
  return { x, y };
}

/**
 * Grid lines (2·lines, samples, d) as one polyline with a NaN gap after every line, so that
 * one path draws them all.
 */
export function gridPolyline(grid, lines, samples, d = 2) {
  const count = 2 * lines;
  const n = count * (samples + 1);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const all = columns(grid, d, 0, count * samples); // once: a line at a time allocated more
  let o = 0;
  for (let line = 0; line < count; line++) {
    x.set(all.x.subarray(line * samples, (line + 1) * samples), o);
    y.set(all.y.subarray(line * samples, (line + 1) * samples), o);
    o += samples;
    x[o] = NaN;
    y[o] = NaN;
    o++;
  }
  return { x, y };
}

/** Columns per row of a named (N, d) array: its last dimension, 2 if the frame does not say. */
export function stride(shapes, name) {
  const shape = shapes?.get(name);
  return shape && shape.length >= 2 ? shape[shape.length - 1] : 2;
}
