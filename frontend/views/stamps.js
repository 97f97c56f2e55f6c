// Point marks (dots, rings, squares) stamped into a pixel buffer, then put on the canvas as one
// image. A canvas path of a few hundred circles costs milliseconds to rasterise for every
// panel of every frame; each mark here is drawn once, antialiased by the canvas itself, into a
// small sprite, and a frame copies the sprites' pixels. Marks sit on whole device pixels (at
// most half a pixel from where a path would put them).

/**
 * @typedef {object} Sprite
 * @property {number} half the sprite is (2·half + 1) pixels square, centred on its middle pixel
 * @property {Int16Array} dx column of each pixel that is not transparent, from the centre
 * @property {Int16Array} dy row of each such pixel, from the centre
 * @property {Float32Array} rgba its colour times its alpha (0–255) and its alpha (0–1), four
 *   numbers a pixel (premultiplied, as blending wants them)
 * @property {Uint32Array} packed each pixel as the four bytes of an ImageData, in one number
 * @property {Uint32Array} premul each pixel's colour times its alpha, rounded, packed as
 *   `packed` (alpha byte 0): what it adds over an opaque pixel
 * @property {Uint16Array} keep each pixel's 256 · (1 − alpha), rounded down: how much of an
 *   opaque pixel under it stays
 * @property {number} opaque the first `opaque` pixels are opaque (the rest are not)
 * @property {Map<number, Int32Array>} offsets by a layer's width: each pixel's index from the
 *   centre's (the input plane and the close-up, of other widths, share sprites)
 */

/** @type {Map<string, Sprite>} */
const SPRITES = new Map();

/**
 * A mark drawn once with the canvas's own antialiasing, kept as its visible pixels.
 * @param {string} key what identifies the mark (shape, size, colour)
 * @param {number} reach px from the centre that the mark may cover
 * @param {(ctx: CanvasRenderingContext2D, c: number) => void} paint draws it centred at (c, c)
 * @returns {Sprite}
 */
function sprite(key, reach, paint) {
  const known = SPRITES.get(key);
  if (known) return known;
  const half = Math.ceil(reach) + 1;
  const size = 2 * half + 1;
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  const ctx = /** @type {CanvasRenderingContext2D} */ (
    canvas.getContext("2d", { willReadFrequently: true })
  );
  paint(ctx, half + 0.5);
  const pixels = ctx.getImageData(0, 0, size, size).data;
  const dx = [];
  const dy = [];
  const rgba = [];
  let opaque = 0;
  for (const wanted of [true, false]) {
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) {
        const k = 4 * (row * size + col);
        if (pixels[k + 3] === 0 || (pixels[k + 3] === 255) !== wanted) continue;
        dx.push(col - half);
        dy.push(row - half);
        const a = pixels[k + 3] / 255;
        rgba.push(pixels[k] * a, pixels[k + 1] * a, pixels[k + 2] * a, a);
        if (wanted) opaque++;
      }
    }
  }
  const bytes = new Uint8ClampedArray(dx.length * 4);
  for (let i = 0; i < dx.length; i++) {
    const k = 4 * ((dy[i] + half) * size + dx[i] + half);
    bytes.set(pixels.subarray(k, k + 4), 4 * i);
  }
  const premul = new Uint8Array(dx.length * 4);
  const keep = new Uint16Array(dx.length);
  for (let i = 0; i < dx.length; i++) {
    for (let n = 0; n < 3; n++) premul[4 * i + n] = Math.round(rgba[4 * i + n]);
    keep[i] = Math.floor(256 * (1 - rgba[4 * i + 3]));
  }
  const made = {
    half,
    packed: new Uint32Array(bytes.buffer),
    premul: new Uint32Array(premul.buffer),
    keep,
    opaque,
    offsets: new Map(),
    dx: Int16Array.from(dx),
    dy: Int16Array.from(dy),
    rgba: Float32Array.from(rgba),
  };
  SPRITES.set(key, made);
  return made;
}

/** A filled dot of radius r, with a thin white rim when it is large enough to show one. */
export function dotSprite(color, r) {
  const rim = r > 2.5 ? 0.8 : 0;
  return sprite(`dot ${color} ${r} ${rim}`, r + rim, (ctx, c) => {
    ctx.beginPath();
    ctx.arc(c, c, r, 0, 2 * Math.PI);
    ctx.fillStyle = color;
    ctx.fill();
    if (rim) {
      ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
      ctx.lineWidth = rim;
      ctx.stroke();
    }
  });
}

/** A circle of radius r, stroked `width` wide. */
export function ringSprite(color, r, width) {
  return sprite(`ring ${color} ${r} ${width}`, r + width, (ctx, c) => {
    ctx.beginPath();
    ctx.arc(c, c, r, 0, 2 * Math.PI);
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.stroke();
  });
}

/** A square of half-side r, stroked `width` wide. */
export function squareSprite(color, r, width) {
  return sprite(`square ${color} ${r} ${width}`, r + width, (ctx, c) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.strokeRect(c - r, c - r, 2 * r, 2 * r);
  });
}

/** A transparent layer the size of a canvas, marks stamped on it, drawn over the canvas. */
export class StampLayer {
  constructor() {
    this.canvas = document.createElement("canvas");
    this.context = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext("2d"));
    /** @type {ImageData | null} */
    this.image = null;
    this.words = new Uint32Array(0); // the image's pixels, one number each
    this.bytes = new Uint8Array(0); // ... and their bytes (plain, not clamped: faster to write)
    this.dirty = { x0: 0, y0: 0, x1: 0, y1: 0 }; // the pixels stamped since the last clear
    this.seen = new Uint32Array(0); // per pixel: the last pass that stamped there
    this.pass = 0;
  }

  /** Start a pass of `stampOnce`: a pixel stamped in an earlier pass may be stamped again. */
  newPass() {
    this.pass++;
    if (this.pass === 0xffffffff) {
      this.seen.fill(0);
      this.pass = 1;
    }
  }

  /**
   * `stamp`, unless this pass already stamped a mark on the same device pixel (a fold piles
   * many points on one spot: the picture is the same, and stamping costs), or with `coarse`,
   * in the same square of 2 × 2 device pixels: for outlines (rings, squares), as one ring over
   * another a pixel off looks the same.
   * @param {Sprite} mark
   */
  stampOnce(mark, x, y, coarse = false) {
    const { width, height } = /** @type {ImageData} */ (this.image);
    const cx = Math.floor(x);
    const cy = Math.floor(y);
    if (cx >= 0 && cy >= 0 && cx < width && cy < height) {
      const p = coarse ? (cy >> 1) * ((width + 1) >> 1) + (cx >> 1) : cy * width + cx;
      if (this.seen[p] === this.pass) return;
      this.seen[p] = this.pass;
    }
    this.stamp(mark, x, y);
  }

  /** Clear the layer, sized to `width` × `height` device pixels. */
  begin(width, height) {
    if (!this.image || this.image.width !== width || this.image.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.image = this.context.createImageData(width, height);
      this.seen = new Uint32Array(width * height);
      this.words = new Uint32Array(this.image.data.buffer);
      this.bytes = new Uint8Array(this.image.data.buffer);
    } else {
      const { x0, y0, x1, y1 } = this.dirty;
      const data = this.image.data;
      for (let row = y0; row < y1; row++) {
        data.fill(0, 4 * (row * width + x0), 4 * (row * width + x1));
      }
    }
    this.dirty = { x0: width, y0: height, x1: 0, y1: 0 };
  }

  /**
   * Stamp a sprite centred on the device pixel that holds (x, y), over what is there.
   * @param {Sprite} mark
   */
  stamp(mark, x, y) {
    const image = /** @type {ImageData} */ (this.image);
    const { width, height } = image;
    const cx = Math.floor(x);
    const cy = Math.floor(y);
    const half = mark.half;
    if (cx + half < 0 || cy + half < 0 || cx - half >= width || cy - half >= height) return;
    if (cx - half >= 0 && cy - half >= 0 && cx + half < width && cy + half < height) {
      this.stampInside(mark, cy * width + cx);
    } else {
      this.stampEdge(mark, cx, cy);
    }
    const d = this.dirty;
    d.x0 = Math.max(0, Math.min(d.x0, cx - half));
    d.y0 = Math.max(0, Math.min(d.y0, cy - half));
    d.x1 = Math.min(width, Math.max(d.x1, cx + half + 1));
    d.y1 = Math.min(height, Math.max(d.y1, cy + half + 1));
  }

  /** A sprite that lies wholly inside the layer, centred on pixel `centre`. */
  stampInside(mark, centre) {
    const width = /** @type {ImageData} */ (this.image).width;
    let offsets = mark.offsets.get(width);
    if (!offsets) {
      offsets = Int32Array.from(mark.dx, (dx, i) => mark.dy[i] * width + dx);
      mark.offsets.set(width, offsets);
    }
    const { packed, opaque } = mark;
    const { words, bytes } = this;
    for (let i = 0; i < opaque; i++) words[centre + offsets[i]] = packed[i];
    for (let i = opaque; i < offsets.length; i++) blend(bytes, words, mark, i, centre + offsets[i]);
  }

  /** A sprite that the layer's edge cuts, centred on pixel (cx, cy). */
  stampEdge(mark, cx, cy) {
    const { width, height } = /** @type {ImageData} */ (this.image);
    for (let i = 0; i < mark.dx.length; i++) {
      const col = cx + mark.dx[i];
      const row = cy + mark.dy[i];
      if (col >= 0 && row >= 0 && col < width && row < height) {
        blend(this.bytes, this.words, mark, i, row * width + col);
      }
    }
  }

  /**
   * Put what was stamped since `begin` on the layer and draw it on `ctx` (whose transform maps
   * CSS pixels to device pixels by `ratio`), under its clip.
   */
  finish(ctx, ratio) {
    const image = /** @type {ImageData} */ (this.image);
    const { x0, y0, x1, y1 } = this.dirty;
    this.context.clearRect(0, 0, image.width, image.height);
    if (x1 > x0 && y1 > y0) this.context.putImageData(image, 0, 0, x0, y0, x1 - x0, y1 - y0);
    this.show(ctx, ratio);
  }

  /** Draw the layer as it stands on `ctx` (as `finish` does, with nothing stamped anew). */
  show(ctx, ratio) {
    const { x0, y0, x1, y1 } = this.dirty;
    if (!this.image || x1 <= x0 || y1 <= y0) return;
    ctx.drawImage(this.canvas, 0, 0, this.image.width / ratio, this.image.height / ratio);
  }

}

/**
 * A sprite's pixel (`premul`, `keep`: see Sprite) over an opaque pixel `under` (where marks
 * pile up, the common case), in whole numbers, red and blue at once: the colour plus what
 * stays of the pixel, each rounded down so that no channel can pass 255 into the next.
 */
function overOpaque(under, premul, keep) {
  const redBlue = (((under & 0xff00ff) * keep) >>> 8) & 0xff00ff;
  const green = (((under >>> 8) & 0xff) * keep) >>> 8;
  return (premul + redBlue + (green << 8)) | 0xff000000;
}

/**
 * Pixel i of a sprite over pixel p of a layer (its bytes and, the same, its words): "source
 * over", to whole levels (every result lies within 0–255).
 */
function blend(data, words, mark, i, p) {
  const k = 4 * p;
  const rgba = mark.rgba;
  const a = rgba[4 * i + 3];
  const below = data[k + 3];
  if (below === 0 || a === 1) {
    words[p] = mark.packed[i]; // nothing under it shows
  } else if (below === 255) {
    words[p] = overOpaque(words[p], mark.premul[i], mark.keep[i]);
  } else {
    const keep = (below / 255) * (1 - a);
    const out = a + keep;
    data[k] = ((rgba[4 * i] + data[k] * keep) / out + 0.5) | 0;
    data[k + 1] = ((rgba[4 * i + 1] + data[k + 1] * keep) / out + 0.5) | 0;
    data[k + 2] = ((rgba[4 * i + 2] + data[k + 2] * keep) / out + 0.5) | 0;
    data[k + 3] = (255 * out + 0.5) | 0;
  }
}
