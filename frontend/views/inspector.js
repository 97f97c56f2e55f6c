// The matrix inspector: one layer's W and b as editable entries; for a 2×2 map its reading as
// W = R(angle_out) · diag(σ₁, σ₂) · F · R(angle_in) (angles, singular values, determinant,
// whether it reflects), its shear form, the image of the unit square with draggable basis
// vectors and sliders for its parts; for any other shape, which way it changes the dimension.
// Every hand edit goes through one EditChannel (./edits.js); the server answers with a frame,
// so every view redraws with the new weights, and the card says what loss and accuracy became.

import "../strings/inspector.js";
import { t } from "../i18n.js";
import { BasisCanvas } from "./basis.js";
import { degrees, el, fmt, pct, setData, setHidden, setText } from "./dom.js";
import { EditChannel } from "./edits.js";
import { LayerParts } from "./inspector_parts.js";

export class Inspector {
  /**
   * @param {HTMLElement} root the card (empty; the inspector builds its contents)
   * @param {(message: object) => void} send sends a control message
   * @param {(layer: number) => void} onLayer called when another layer is picked
   * @param {number} maxWeight the largest weight the server accepts, either sign (the
   *   schema's max_weight)
   */
  constructor(root, send, onLayer, maxWeight) {
    this.root = root;
    this.send = send;
    this.onLayer = onLayer;
    this.maxWeight = maxWeight;
    this.edits = new EditChannel(send);
    this.layer = 1;
    this.header = null;
    this.layersKey = "";
    this.tableKey = "";
    this.shown = null; // the numbers on show: {layer, shape, weight, bias, decomposition, shear}
    this.visible = true;
    this.build();
    new IntersectionObserver(
      (entries) => {
        this.visible = entries.at(-1).isIntersecting;
        if (this.visible) this.render();
      },
      { rootMargin: "200px" },
    ).observe(root);
  }

  build() {
    const id = (name) => ({ id: `insp-${name}`, "data-testid": `insp-${name}` });
    this.select = el("select", { ...id("layer") });
    this.select.addEventListener("change", () => this.pick(Number(this.select.value)));
    this.dims = el("p", { class: "insp-dims", ...id("dims") });
    this.table = el("table", { class: "insp-matrix", ...id("matrix") });
    this.table.addEventListener("change", (event) => this.entryChanged(event));
    this.noWeights = el("p", { class: "hint", ...id("noweights"), hidden: true }, [
      el("span", { "data-i18n": "insp.noWeights", text: t("insp.noWeights") }),
      " ",
      el("button", {
        type: "button", "data-i18n": "insp.showWeights", text: t("insp.showWeights"),
        "data-testid": "insp-show-weights",
        on: { click: () => this.send({ type: "configure", changes: { view: { units: true } } }) },
      }),
    ]);
    this.bad = el("p", { class: "notice", ...id("bad"), hidden: true });
    this.facts = el("ul", { class: "insp-facts", ...id("facts") });
    this.now = el("p", { class: "insp-now", ...id("now") });
    this.after = el("p", { class: "insp-after", ...id("after") });
    const canvas = el("canvas", { class: "insp-basis", ...id("basis") });
    this.basis = new BasisCanvas(canvas, (column, xy, event) => this.dragged(column, xy, event));
    const parts = el("fieldset", { class: "insp-parts", ...id("parts") }, [
      el("legend", { "data-i18n": "insp.parts", text: t("insp.parts") }),
    ]);
    this.parts = new LayerParts(parts, (weight, bias, inputAt) =>
      this.setLayer(this.layer, weight, bias, inputAt),
    );
    this.plane = el("div", { class: "insp-plane", ...id("plane") }, [
      canvas,
      el("p", { class: "hint", "data-i18n": "insp.basis", text: t("insp.basis") }),
      parts,
    ]);
    // A drag of a basis vector or of a slider is one gesture, from pointer down to pointer up
    // (or a slider's change, for the keyboard): "loss a → b" compares with before it began.
    this.plane.addEventListener("pointerdown", () => this.edits.begin());
    this.plane.addEventListener("keydown", () => this.edits.begin());
    this.plane.addEventListener("change", () => this.edits.end());
    for (const ending of ["pointerup", "pointercancel"]) {
      window.addEventListener(ending, () => this.edits.end());
    }
    this.challengeBox = el("div", { class: "challenge", id: "challenge", "data-testid": "challenge" });
    this.root.append(
      el("div", { class: "card-head" }, [
        el("h2", { "data-i18n": "card.inspector", text: t("card.inspector") }),
        el("label", { class: "insp-pick" }, [
          el("span", { "data-i18n": "insp.layer", text: t("insp.layer") }),
          this.select,
        ]),
      ]),
      el("p", { class: "hint", "data-i18n": "insp.hint", text: t("insp.hint") }),
      el("div", { class: "insp-body" }, [
        el("div", { class: "insp-numbers" }, [
          this.dims,
          el("p", { class: "insp-label", "data-i18n": "insp.matrix", text: t("insp.matrix") }),
          el("div", { class: "insp-matrix-box" }, [this.table]),
          this.noWeights,
          this.bad,
          this.facts,
          this.now,
          this.after,
        ]),
        this.plane,
      ]),
      this.challengeBox,
    );
  }

  /**
   * Set a whole layer by hand (training pauses first); the way every inspector edit goes.
   * @param {number} layer 1-based (depth + 1 is the classifier)
   * @param {number[][] | null} weight
   * @param {number[] | null} bias
   * @param {number} [inputAt] when the input event that asked for it happened
   */
  setLayer(layer, weight, bias, inputAt) {
    this.edits.setLayer(layer, weight, bias, inputAt);
  }

  /**
   * Does the inspector need the frames to carry every layer's weights (view.units)? True
   * while it shows a layer that is not 2×2, whose weights the frames lack, in sight.
   */
  get wantsWeights() {
    const entry = this.entry();
    return Boolean(this.visible && entry && !entry.weight);
  }

  /** Show layer `layer` (1-based). */
  pick(layer) {
    if (layer === this.layer) return;
    this.layer = layer;
    this.tableKey = "";
    this.bad.hidden = true;
    if (this.select.value !== String(layer)) this.select.value = String(layer);
    this.render();
    this.onLayer(layer);
  }

  /** A stage was picked (a panel clicked): show its layer, if it has one. */
  selectStage(p) {
    const stage = this.header?.stages[p];
    if (stage && ["affine", "fold", "output"].includes(stage.kind)) this.pick(stage.layer);
  }

  /** A new frame (drawn now). */
  update(frame) {
    this.header = frame.header;
    const layers = this.header.layers ?? [];
    const key = layers.map((l) => `${l.layer}:${l.shape}`).join();
    if (key !== this.layersKey) {
      this.layersKey = key;
      this.fillSelect();
      if (!layers.some((l) => l.layer === this.layer) && layers.length) {
        this.pick(layers[0].layer);
      }
    }
    this.render();
  }

  /** After every view has drawn a frame: was it the answer to an edit? */
  afterDraw(frame, receivedAt) {
    this.edits.drawn(frame, receivedAt);
    this.renderAfter();
  }

  /** The server refused a message (perhaps an edit). */
  refused() {
    this.edits.refused();
    this.tableKey = ""; // put the entries back to the weights the server kept
    this.render();
  }

  fillSelect() {
    const layers = this.header?.layers ?? [];
    this.select.replaceChildren(
      ...layers.map((l) => {
        const [rows, cols] = l.shape;
        const key = l.output ? "insp.classifierOption" : "insp.layerOption";
        return el("option", { value: l.layer, text: t(key, { layer: l.layer, rows, cols }) });
      }),
    );
    this.select.value = String(this.layer);
  }

  entry() {
    return this.header?.layers?.find((l) => l.layer === this.layer) ?? null;
  }

  render() {
    const entry = this.entry();
    if (!entry) return;
    const [rows, cols] = entry.shape;
    const square = rows === 2 && cols === 2;
    this.shown = {
      layer: entry.layer,
      shape: entry.shape,
      weight: entry.weight ?? null,
      bias: entry.bias ?? null,
      decomposition: entry.decomposition ?? null,
      shear: entry.shear ?? null,
    };
    setData(this.root, "layer", String(entry.layer));
    setData(this.root, "shape", `${rows}x${cols}`);
    // The sliders and the square always follow the layer (what an edit starts from).
    setHidden(this.plane, !(square && entry.weight));
    if (square && entry.weight && entry.decomposition) {
      this.basis.update(entry.weight);
      this.parts.update(entry.decomposition, entry.bias);
    }
    if (!this.visible) return; // the rest waits until the card is in sight
    const which = cols < rows ? "raise" : cols > rows ? "lower" : "same";
    setText(this.dims, t(`insp.dims.${which}`, { a: cols, b: rows }));
    setData(this.dims, "change", which);
    this.renderTable(entry);
    this.renderFacts(entry);
    const m = this.header.metrics ?? {};
    setText(this.now, t("insp.now", { loss: fmt(m.train_loss), acc: pct(m.train_acc) }));
    this.renderAfter();
  }

  renderTable(entry) {
    const [rows, cols] = entry.shape;
    const has = Boolean(entry.weight && entry.bias);
    setHidden(this.noWeights, has);
    const key = `${entry.layer}:${rows}x${cols}:${has}`;
    if (key !== this.tableKey) {
      this.tableKey = key;
      this.table.replaceChildren();
      if (has) this.buildTable(entry.layer, rows, cols);
    }
    if (!has) return;
    for (const input of this.table.querySelectorAll("input")) {
      if (input === document.activeElement) continue; // the hand is typing here
      const row = Number(input.dataset.row);
      const value = input.dataset.col === "b" ? entry.bias[row] : entry.weight[row][Number(input.dataset.col)];
      const text = fmt(value, 4);
      if (input.value !== text) input.value = text;
    }
  }

  buildTable(layer, rows, cols) {
    const head = el("tr", {}, [el("th")]);
    for (let j = 0; j < cols; j++) head.append(el("th", { text: `${j + 1}` }));
    head.append(el("th", { class: "bias", text: t("insp.bias") }));
    this.table.append(head);
    for (let i = 0; i < rows; i++) {
      const row = el("tr", {}, [el("th", { text: `${i + 1}` })]);
      for (let j = 0; j <= cols; j++) {
        const bias = j === cols;
        const title = bias
          ? t("insp.biasCell", { layer, row: i + 1 })
          : t("insp.cell", { layer, row: i + 1, col: j + 1 });
        const input = el("input", {
          type: "text", inputmode: "decimal", spellcheck: "false", title, "aria-label": title,
          "data-row": i, "data-col": bias ? "b" : j,
          "data-testid": bias ? `insp-b-${i}` : `insp-w-${i}-${j}`,
        });
        row.append(el("td", { class: bias ? "bias" : null }, [input]));
      }
      this.table.append(row);
    }
  }

  entryChanged(event) {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.dataset.row === undefined) return;
    const raw = input.value.trim().replace("−", "-");
    const value = raw === "" ? NaN : Number(raw);
    if (!Number.isFinite(value) || Math.abs(value) > this.maxWeight) {
      this.bad.hidden = false;
      setText(this.bad, t("insp.bad", { max: this.maxWeight, value: input.value }));
      input.blur();
      this.tableKey = ""; // put the entry back
      this.render();
      return;
    }
    this.bad.hidden = true;
    const row = Number(input.dataset.row);
    const col = input.dataset.col === "b" ? null : Number(input.dataset.col);
    this.edits.setWeight(this.layer, row, col, value, event.timeStamp);
  }

  dragged(column, [x, y], event) {
    const entry = this.entry();
    if (!entry?.weight) return;
    const weight = this.basis.weight.map((row) => [...row]);
    weight[0][column] = x;
    weight[1][column] = y;
    this.setLayer(this.layer, weight, null, event.timeStamp);
  }

  renderFacts(entry) {
    const lines = [];
    const d = entry.decomposition;
    if (d) {
      const answer = t(d.reflect ? "insp.yes" : "insp.no");
      lines.push(
        ["svd", t("insp.svd", {
          out: degrees(d.angle_out), s1: fmt(d.scales[0]), s2: fmt(d.scales[1]),
          flip: d.reflect ? t("insp.flip") : "", in: degrees(d.angle_in),
        })],
        ["angles", `${t("insp.angleIn")} ${degrees(d.angle_in)}°, ` +
          `${t("insp.angleOut")} ${degrees(d.angle_out)}°`],
        ["singular", t("insp.singular", { s1: fmt(d.scales[0]), s2: fmt(d.scales[1]) })],
        ["det", t("insp.det", { det: fmt(d.det) })],
        ["reflects", t("insp.reflects", { answer })],
      );
      const s = entry.shear;
      if (s) {
        lines.push(["shear", t("insp.shear", {
          angle: degrees(s.angle), sx: fmt(s.sx), sy: fmt(s.sy), shear: fmt(s.shear),
        })]);
      }
    } else {
      lines.push(["nosvd", t("insp.noSvd")]);
    }
    const key = lines.map(([, text]) => text).join("\n");
    if (key === this.factsKey) return;
    this.factsKey = key;
    this.facts.replaceChildren(
      ...lines.map(([name, text]) => el("li", { "data-fact": name, text })),
    );
  }

  renderAfter() {
    const result = this.edits.result;
    const text = result?.before && result?.after
      ? t("insp.after", {
        loss0: fmt(result.before.train_loss), loss1: fmt(result.after.train_loss),
        acc0: pct(result.before.train_acc), acc1: pct(result.after.train_acc),
      })
      : "";
    setText(this.after, text);
    setHidden(this.after, !text);
  }

  relabel() {
    this.fillSelect();
    this.parts.relabel();
    this.tableKey = "";
    this.factsKey = "";
    this.render();
    this.basis.draw(this.basis.weight);
  }
}
