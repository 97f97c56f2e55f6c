// Decision regions as hard classes ("discretize output"): every cell in its predicted class's
// colour, however sure the network is, painted a few pixels per cell so edges stay crisp.

import { classColor, REGION_PALE, rgb } from "./palette.js";

const FACTOR = 4; // pixels per cell along each axis
const images = new WeakMap(); // label array -> canvas painted from it

/**
 * The regions of `region` ({label, x, y}, from regions.js regionArrays) as hard classes:
 * {image, box} as the plane draws regions, or null without class labels (regression).
 */
export function hardRegions(region) {
  if (!region?.label) return null;
  const { x, y, label } = region;
  const dx = (x[x.length - 1] - x[0]) / (x.length - 1);
  const dy = (y[y.length - 1] - y[0]) / (y.length - 1);
  let canvas = images.get(label);
  if (!canvas) {
    canvas = paint(label, x.length, y.length);
    images.set(label, canvas);
  }
  return { image: canvas, box: [x[0] - dx / 2, y[0] - dy / 2, dx * x.length, dy * y.length] };
}

/** The class colour mixed towards white, as the soft regions are when sure. */
export function hardColor(k) {
  return rgb(classColor(k)).map((c) => Math.round(c + (255 - c) * REGION_PALE));
}

function paint(label, cols, rows) {
  const canvas = document.createElement("canvas");
  canvas.width = cols * FACTOR;
  canvas.height = rows * FACTOR;
  const context = canvas.getContext("2d");
  const image = context.createImageData(canvas.width, canvas.height);
  const colors = new Map();
  for (let v = 0; v < canvas.height; v++) {
    const row = Math.floor(v / FACTOR);
    for (let u = 0; u < canvas.width; u++) {
      const k = label[row * cols + Math.floor(u / FACTOR)];
      if (!colors.has(k)) colors.set(k, hardColor(k));
      const color = colors.get(k);
      const o = 4 * (v * canvas.width + u);
      image.data[o] = color[0];
      image.data[o + 1] = color[1];
      image.data[o + 2] = color[2];
      image.data[o + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
  return canvas;
}
