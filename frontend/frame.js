// Decode a binary frame (docs/protocol.md): uint32 LE header length, JSON header, then arrays
// at the byte offsets the header names. Arrays are views on the message buffer, never copies.

const decoder = new TextDecoder("utf-8");

const TYPED = {
  float32: Float32Array,
  uint8: Uint8Array,
};

/**
 * @param {ArrayBuffer} buffer one binary WebSocket message
 * @returns {{header: object, arrays: Map<string, Float32Array|Uint8Array>,
 *   shapes: Map<string, number[]>}}
 */
export function decodeFrame(buffer) {
  if (buffer.byteLength < 4) throw new Error(`frame of ${buffer.byteLength} bytes is too short`);
  const headerLength = new DataView(buffer).getUint32(0, true);
  if (4 + headerLength > buffer.byteLength) {
    throw new Error(`header of ${headerLength} bytes does not fit in ${buffer.byteLength}`);
  }
  const header = JSON.parse(decoder.decode(new Uint8Array(buffer, 4, headerLength)));
  const arrays = new Map();
  const shapes = new Map();
  for (const spec of header.arrays ?? []) {
    const Typed = TYPED[spec.dtype];
    if (!Typed) throw new Error(`array ${spec.name} has unknown dtype ${spec.dtype}`);
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const end = spec.offset + count * Typed.BYTES_PER_ELEMENT;
    if (spec.offset % Typed.BYTES_PER_ELEMENT !== 0 || end > buffer.byteLength) {
      throw new Error(`array ${spec.name} lies outside the frame`);
    }
    arrays.set(spec.name, new Typed(buffer, spec.offset, count));
    shapes.set(spec.name, spec.shape);
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
  let o = 0;
  for (let line = 0; line < count; line++) {
    const part = columns(grid, d, line * samples, (line + 1) * samples);
    x.set(part.x, o);
    y.set(part.y, o);
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
