// The first 8 test samples as thumbnails, each with its true label and the net's answer (right
// or wrong marked); a click shows that sample large (view.example).

import { t } from "../i18n.js";
import { el, setText } from "../views/dom.js";
import { absMax, paintMap } from "./heat.js";
import { className } from "./names.js";

export class ConvGallery {
  /**
   * @param {HTMLElement} root the gallery card's body
   * @param {(index: number) => void} pick
   */
  constructor(root, pick) {
    this.root = root;
    this.pick = pick;
    this.list = el("div", { class: "conv-gallery", "data-testid": "conv-gallery" });
    root.append(this.list);
    /** @type {{node: HTMLElement, canvas: HTMLCanvasElement, text: HTMLElement}[]} */
    this.items = [];
  }

  /**
   * @param {Record<string, any>} header
   * @param {Map<string, any>} arrays
   * @param {Map<string, number[]>} shapes
   */
  update(header, arrays, shapes) {
    const x = arrays.get("gallery/x");
    const shape = shapes.get("gallery/x");
    if (!x || !shape) return;
    const [count, , ...spatial] = shape;
    const h = spatial.length === 2 ? spatial[0] : 1;
    const w = spatial.at(-1);
    while (this.items.length < count) {
      const index = this.items.length;
      const canvas = el("canvas", { class: `thumb dims-${spatial.length}` });
      const text = el("span", { class: "thumb-text" });
      const attrs = { type: "button", class: "thumb-box", "data-testid": "conv-thumb", "data-index": index };
      const node = el("button", { ...attrs, on: { click: () => this.pick(index) } }, [canvas, text]);
      this.items.push({ node, canvas, text });
      this.list.append(node);
    }
    const { labels, predicted } = header.gallery;
    this.items.forEach((item, i) => {
      item.node.hidden = i >= count;
      if (i >= count) return;
      const per = h * w;
      const scale = Math.max(1, absMax(x, i * per, (i + 1) * per));
      item.canvas.className = `thumb dims-${spatial.length}`;
      paintMap(item.canvas, x, i * per, h, w, scale);
      const right = labels[i] === predicted[i];
      const [truth, guess] = [className(header.classes[labels[i]]), className(header.classes[predicted[i]])];
      setText(item.text, `${truth} → ${guess} ${right ? "✓" : "✗"}`);
      item.node.classList.toggle("wrong", !right);
      item.node.classList.toggle("shown", !header.example.drawn && header.example.index === i);
      item.node.title = t("conv.gallery.title", { truth, guess });
    });
  }
}
