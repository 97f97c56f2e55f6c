// A card painted into one canvas as it stands on the page: its background and boxes (legend
// swatches, chips), every visible text (title, legend, numbers, hints, the values of its
// fields), its canvases, its SVG pictures and its Plotly charts (through Plotly.toImage), each
// where it sits. The card's own PNG / full-screen buttons are left out.

const SKIP = ".card-tools";
const PLOTLY = ".js-plotly-plot";

/** Whether `node` is drawn at all (not hidden, not transparent, has a box). */
function shown(node) {
  if (node.closest(SKIP)) return false;
  if (node.offsetParent === null && getComputedStyle(node).position !== "fixed") return false;
  for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
    const style = getComputedStyle(n);
    if (style.visibility === "hidden" || style.opacity === "0" || style.display === "none") return false;
  }
  return true;
}

function transparent(color) {
  return !color || color === "transparent" || /rgba\(.*,\s*0\)$/.test(color);
}

/** An image element loaded from `src`. */
function image(src) {
  return new Promise((done, fail) => {
    const img = new Image();
    img.onload = () => done(img);
    img.onerror = () => fail(new Error("an image of the card could not be read"));
    img.src = src;
  });
}

class Painter {
  constructor(root, scale) {
    this.root = root;
    this.box = root.getBoundingClientRect();
    this.scale = scale;
    this.canvas = document.createElement("canvas");
    this.canvas.width = Math.ceil(this.box.width * scale);
    this.canvas.height = Math.ceil(this.box.height * scale);
    this.ctx = /** @type {CanvasRenderingContext2D} */ (this.canvas.getContext("2d")); // a new canvas always has one
    this.ctx.scale(scale, scale);
  }

  at(rect) {
    return [rect.left - this.box.left, rect.top - this.box.top, rect.width, rect.height];
  }

  /** The background colour and the borders of one element. */
  boxOf(node) {
    const style = getComputedStyle(node);
    const [x, y, w, h] = this.at(node.getBoundingClientRect());
    if (w <= 0 || h <= 0) return;
    const ctx = this.ctx;
    if (!transparent(style.backgroundColor)) {
      ctx.fillStyle = style.backgroundColor;
      ctx.fillRect(x, y, w, h);
    }
    const sides = [
      ["Top", x, y, w, 0],
      ["Bottom", x, y + h, w, 0],
      ["Left", x, y, 0, h],
      ["Right", x + w, y, 0, h],
    ];
    for (const [side, sx, sy, dx, dy] of sides) {
      const width = parseFloat(style[`border${side}Width`]);
      const color = style[`border${side}Color`];
      if (!(width > 0) || style[`border${side}Style`] === "none" || transparent(color)) continue;
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.moveTo(sx, sy);
      ctx.lineTo(sx + dx, sy + dy);
      ctx.stroke();
    }
  }

  /**
   * Write `text` in `style`'s font and colour, vertically centred in `rect`.
   * @param {string} text
   * @param {DOMRect} rect
   * @param {CSSStyleDeclaration} style
   * @param {"left" | "center"} [align]
   */
  write(text, rect, style, align = "left") {
    const [x, y, w, h] = this.at(rect);
    const ctx = this.ctx;
    ctx.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    ctx.fillStyle = style.color;
    ctx.textBaseline = "middle";
    ctx.textAlign = align;
    ctx.fillText(text, align === "left" ? x : x + w / 2, y + h / 2);
  }

  /**
   * A text node, line by line where it wraps (Chinese wraps between any two characters, so
   * the lines are found character by character), each where the page put it.
   */
  textOf(node) {
    const text = node.textContent;
    if (!text.trim()) return;
    const style = getComputedStyle(node.parentElement);
    const range = document.createRange();
    range.selectNodeContents(node);
    if (range.getClientRects().length <= 1) {
      const rect = range.getBoundingClientRect();
      if (rect.width > 0) this.write(text.trim(), rect, style);
      return;
    }
    let line = null; // {text, left, top, bottom, right}
    const flush = () => {
      if (line?.text.trim()) {
        const rect = new DOMRect(line.left, line.top, line.right - line.left, line.bottom - line.top);
        this.write(line.text.trimEnd(), rect, style);
      }
      line = null;
    };
    for (let i = 0; i < text.length; i++) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getBoundingClientRect();
      if (rect.width === 0 && rect.height === 0) continue; // collapsed white space at a break
      if (line && Math.abs(rect.top - line.top) > rect.height / 2) flush();
      if (!line && /\s/.test(text[i])) continue; // a line starts at its first letter
      if (!line) line = { text: "", left: rect.left, top: rect.top, bottom: rect.bottom, right: rect.right };
      line.text += text[i];
      line.right = Math.max(line.right, rect.right);
      line.bottom = Math.max(line.bottom, rect.bottom);
    }
    flush();
  }

  /** The text a field shows: its value, or the chosen option. */
  fieldOf(node) {
    const style = getComputedStyle(node);
    const rect = node.getBoundingClientRect();
    const pad = parseFloat(style.paddingLeft) + parseFloat(style.borderLeftWidth);
    const inner = new DOMRect(rect.left + pad, rect.top, rect.width - pad, rect.height);
    if (node.type === "range") return this.sliderOf(node, style);
    if (node.type === "checkbox" || node.type === "radio") return this.tickOf(node, style);
    if (node.tagName === "SELECT") {
      const option = node.selectedOptions[0];
      if (option) this.write(option.textContent.trim(), inner, style);
    } else if (["text", "number", "search", ""].includes(node.type ?? "")) {
      if (node.value) this.write(node.value, inner, style);
    }
  }

  /** A slider: its track, and its thumb where its value puts it. */
  sliderOf(node, style) {
    const [x, y, w, h] = this.at(node.getBoundingClientRect());
    const low = Number(node.min || 0);
    const high = Number(node.max || 100);
    const share = high > low ? (Number(node.value) - low) / (high - low) : 0;
    const ctx = this.ctx;
    const color = style.accentColor && style.accentColor !== "auto" ? style.accentColor : "#2b6cb0";
    ctx.fillStyle = "#c9d1d9";
    ctx.fillRect(x + 6, y + h / 2 - 2, w - 12, 4);
    ctx.fillStyle = color;
    ctx.fillRect(x + 6, y + h / 2 - 2, (w - 12) * share, 4);
    ctx.beginPath();
    ctx.arc(x + 6 + (w - 12) * share, y + h / 2, Math.min(6, h / 2), 0, 2 * Math.PI);
    ctx.fill();
  }

  /** A checkbox or radio button: a box, ticked (filled) when checked. */
  tickOf(node, style) {
    const [x, y, w, h] = this.at(node.getBoundingClientRect());
    const ctx = this.ctx;
    ctx.strokeStyle = "#6b7785";
    ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, w - 1, h - 1);
    if (node.checked) {
      ctx.fillStyle = style.accentColor && style.accentColor !== "auto" ? style.accentColor : "#2b6cb0";
      ctx.fillRect(x + 2.5, y + 2.5, w - 5, h - 5);
    }
  }

  async svgOf(node) {
    const [x, y, w, h] = this.at(node.getBoundingClientRect());
    if (w <= 0 || h <= 0) return;
    const copy = node.cloneNode(true);
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    copy.setAttribute("width", String(w));
    copy.setAttribute("height", String(h));
    copy.setAttribute("color", getComputedStyle(node).color);
    const xml = new XMLSerializer().serializeToString(copy);
    try {
      const img = await image(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(xml)}`);
      this.ctx.drawImage(img, x, y, w, h);
    } catch {
      // an SVG the browser will not draw as an image: the rest of the card still is
    }
  }

  async plotlyOf(node) {
    const [x, y, w, h] = this.at(node.getBoundingClientRect());
    if (w <= 0 || h <= 0 || !window.Plotly?.toImage) return;
    const src = await window.Plotly.toImage(node, {
      format: "png",
      width: Math.round(w),
      height: Math.round(h),
      scale: this.scale,
    });
    this.ctx.drawImage(await image(src), x, y, w, h);
  }

  canvasOf(node) {
    const [x, y, w, h] = this.at(node.getBoundingClientRect());
    if (w > 0 && h > 0 && node.width > 0 && node.height > 0) this.ctx.drawImage(node, x, y, w, h);
  }

  /** Paint `node` and what is inside it, in document order (later on top). */
  async paint(node) {
    if (node.nodeType === Node.TEXT_NODE) {
      this.textOf(node);
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE || !shown(node)) return;
    this.boxOf(node);
    if (node.matches(PLOTLY)) return this.plotlyOf(node);
    if (node instanceof HTMLCanvasElement) return this.canvasOf(node);
    if (node instanceof SVGSVGElement) return this.svgOf(node);
    if (node.matches("input, select, textarea")) return this.fieldOf(node);
    if (node.matches("script, style, template")) return;
    for (const child of node.childNodes) await this.paint(child);
  }
}

/**
 * The card `root` as one canvas, at the resolution of its sharpest canvas (at least the
 * screen's): its boxes, texts, canvases, SVGs and Plotly charts where they stand.
 * @param {HTMLElement} root a card
 * @returns {Promise<HTMLCanvasElement>}
 */
export async function paintCard(root) {
  const canvases = [...root.querySelectorAll("canvas")].filter((c) => c.offsetParent !== null && c.width > 0);
  const scale = Math.max(
    window.devicePixelRatio || 1,
    ...canvases.map((c) => c.width / Math.max(1, c.getBoundingClientRect().width)),
  );
  const painter = new Painter(root, Math.min(scale, 4));
  painter.ctx.fillStyle = "#ffffff";
  painter.ctx.fillRect(0, 0, painter.box.width, painter.box.height);
  await painter.paint(root);
  return painter.canvas;
}
