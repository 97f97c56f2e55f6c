// Decode a binary frame (docs/protocol.md): uint32 LE header length, JSON header, then arrays
// at the byte offsets the header names. Arrays are views on the message buffer, never copies.

const decoder = new TextDecoder("utf-8");

const TYPED = {
  float32: Float32Array,
  uint8: Uint8Array,
};

/**
 * @param {ArrayBuffer} buffer one binary WebSocket message
 * @returns {{header: object, arrays: Map<string, Float32Array|Uint8Array>}}
 */
export function decodeFrame(buffer) {
  if (buffer.byteLength < 4) throw new Error(`frame of ${buffer.byteLength} bytes is too short`);
  const headerLength = new DataView(buffer).getUint32(0, true);
  if (4 + headerLength > buffer.byteLength) {
    throw new Error(`header of ${headerLength} bytes does not fit in ${buffer.byteLength}`);
  }
  const header = JSON.parse(decoder.decode(new Uint8Array(buffer, 4, headerLength)));
  const arrays = new Map();
  for (const spec of header.arrays ?? []) {
    const Typed = TYPED[spec.dtype];
    if (!Typed) throw new Error(`array ${spec.name} has unknown dtype ${spec.dtype}`);
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const end = spec.offset + count * Typed.BYTES_PER_ELEMENT;
    if (spec.offset % Typed.BYTES_PER_ELEMENT !== 0 || end > buffer.byteLength) {
      throw new Error(`array ${spec.name} lies outside the frame`);
    }
    arrays.set(spec.name, new Typed(buffer, spec.offset, count));
  }
  return { header, arrays };
}

/** Split interleaved (N, 2) coordinates into separate x and y arrays (Plotly wants columns). */
export function columns(pairs, start = 0, end = pairs.length / 2) {
  const n = Math.max(0, end - start);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = pairs[2 * (start + i)];
    y[i] = pairs[2 * (start + i) + 1];
  }
  return { x, y };
}

/**
 * Grid lines (2·lines, samples, 2) as one polyline with a NaN gap after every line, so that
 * one Plotly trace draws them all.
 */
export function gridPolyline(grid, lines, samples) {
  const count = 2 * lines;
  const n = count * (samples + 1);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  let o = 0;
  for (let line = 0; line < count; line++) {
    const base = line * samples * 2;
    for (let s = 0; s < samples; s++) {
      x[o] = grid[base + 2 * s];
      y[o] = grid[base + 2 * s + 1];
      o++;
    }
    x[o] = NaN;
    y[o] = NaN;
    o++;
  }
  return { x, y };
}
