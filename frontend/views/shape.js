// The network's shape in the sidebar, as in the Playground: input feature chips (x1, x2, x1²,
// …) bound to model.features, and one row per hidden layer with − / + for its width, plus
// buttons to add or remove a layer (model.widths, or width × depth when all are equal).

import "../strings/playground.js";
import { t } from "../i18n.js";
import { el } from "./dom.js";
import { featureLabel } from "./features.js";

/** The hidden widths of a model config, layer by layer. */
export function hiddenWidths(model) {
  if (Array.isArray(model?.widths)) return [...model.widths];
  return Array.from({ length: model?.depth ?? 0 }, () => model?.width ?? 2);
}

/**
 * The model changes that give hidden widths `widths`: plain width × depth when every layer is
 * as wide (so the simple controls keep describing it), the list otherwise.
 */
export function widthsChange(widths, fallbackWidth) {
  const uniform = widths.every((w) => w === widths[0]);
  return {
    widths: uniform ? null : widths,
    depth: widths.length,
    width: widths.length ? (uniform ? widths[0] : Math.max(...widths)) : fallbackWidth,
  };
}

/**
 * What a change of model.width or model.depth by the simple controls means when the layers
 * have widths of their own: a width sets every layer, a depth adds (a copy of the last) or
 * drops layers at the end. Other paths: null (no rewriting needed).
 */
export function stepperChange(path, value, model) {
  if (!Array.isArray(model?.widths)) return null;
  if (path === "model.width") return { widths: null, width: value };
  if (path !== "model.depth") return null;
  const widths = hiddenWidths(model).slice(0, value);
  while (widths.length < value) widths.push(widths.at(-1) ?? model.width ?? 2);
  return widthsChange(widths, model.width ?? 2);
}

export class ShapeEditor {
  /**
   * @param {import("../state.js").Schema} schema GET /api/schema (limits of model.width and
   *   model.depth, the features and their formulas)
   * @param {(changes: object) => void} configure send {model: {...}} to the server
   */
  constructor(schema, configure) {
    this.configure = configure;
    const width = schema.fields["model.width"] ?? {};
    const depth = schema.fields["model.depth"] ?? {};
    this.limits = {
      width: [width.min ?? 1, width.max ?? 32],
      depth: [depth.min ?? 0, depth.max ?? 10],
    };
    this.hasFeatures = "model.features" in schema.fields;
    // Every input feature, in the order the first layer sees them, and the default choice.
    this.features = Object.keys(schema.features ?? {});
    this.labels = Object.values(schema.features ?? {}).map(featureLabel);
    this.plain = schema.defaults?.model?.features ?? [];
    this.hasWidths = "model.widths" in schema.fields;
    this.model = null;
    this.connected = false;
    this.chips = new Map();
    this.root = this.build();
  }

  build() {
    const featureRow = el("div", { class: "feature-chips", "data-testid": "features" });
    for (const [i, name] of this.features.entries()) {
      const chip = el("button", {
        type: "button",
        class: "feature-chip",
        "data-testid": `feature-${name}`,
        "data-feature": name,
        "aria-pressed": "false",
        text: this.labels[i],
      });
      chip.addEventListener("click", () => this.toggle(name));
      this.chips.set(name, chip);
      featureRow.append(chip);
    }
    this.layers = el("div", { class: "layer-rows", "data-testid": "layer-rows" });
    this.add = el("button", { type: "button", class: "small", "data-testid": "layer-add" });
    this.remove = el("button", { type: "button", class: "small", "data-testid": "layer-remove" });
    this.add.addEventListener("click", () => this.addLayer(+1));
    this.remove.addEventListener("click", () => this.addLayer(-1));
    this.headings = {
      section: el("span"),
      features: el("div", { class: "shape-label" }),
      featuresHint: el("p", { class: "hint" }),
      layers: el("div", { class: "shape-label" }),
    };
    const parts = [el("h3", {}, [this.headings.section])];
    if (this.hasFeatures) {
      parts.push(this.headings.features, featureRow, this.headings.featuresHint);
    }
    if (this.hasWidths) {
      parts.push(
        this.headings.layers,
        this.layers,
        el("div", { class: "layer-buttons" }, [this.remove, this.add]),
      );
    }
    const root = el("section", { class: "group shape", "data-testid": "group-shape" }, parts);
    this.relabel();
    return root;
  }

  toggle(name) {
    if (!this.model || !this.connected) return;
    const now = new Set(this.model.features ?? this.plain);
    if (now.has(name)) now.delete(name);
    else now.add(name);
    if (now.size === 0) return; // the first layer must see something
    const features = this.features.filter((n) => now.has(n));
    this.configure({ model: { features } });
  }

  /** Add (+1) or remove (−1) the last hidden layer. */
  addLayer(delta) {
    if (!this.model || !this.connected) return;
    const widths = hiddenWidths(this.model);
    const [low, high] = this.limits.depth;
    if (delta > 0 && widths.length < high) widths.push(widths.at(-1) ?? this.model.width ?? 2);
    else if (delta < 0 && widths.length > low) widths.pop();
    else return;
    this.configure({ model: widthsChange(widths, this.model.width ?? 2) });
  }

  /** One unit more (+1) or less (−1) in hidden layer `index` (0-based). */
  nudge(index, delta) {
    if (!this.model || !this.connected) return;
    const widths = hiddenWidths(this.model);
    const [low, high] = this.limits.width;
    const next = widths[index] + delta;
    if (next < low || next > high) return;
    widths[index] = next;
    this.configure({ model: widthsChange(widths, this.model.width ?? 2) });
  }

  /** Show the model the server holds. */
  render(config, connected) {
    this.model = config?.model ?? null;
    this.connected = connected;
    if (!this.model) return;
    const features = new Set(this.model.features ?? this.plain);
    for (const [name, chip] of this.chips) {
      const on = features.has(name);
      chip.setAttribute("aria-pressed", String(on));
      chip.disabled = !connected || (on && features.size === 1);
    }
    const widths = hiddenWidths(this.model);
    const [low, high] = this.limits.width;
    const rows = widths.map((w, i) => {
      const minus = el("button", {
        type: "button",
        class: "step-btn",
        "data-testid": `layer-${i + 1}-dec`,
        title: t("shape.narrower", { layer: i + 1 }),
        text: "−",
      });
      const plus = el("button", {
        type: "button",
        class: "step-btn",
        "data-testid": `layer-${i + 1}-inc`,
        title: t("shape.wider", { layer: i + 1 }),
        text: "+",
      });
      minus.disabled = !connected || w <= low;
      plus.disabled = !connected || w >= high;
      minus.addEventListener("click", () => this.nudge(i, -1));
      plus.addEventListener("click", () => this.nudge(i, +1));
      return el("div", { class: "layer-row", "data-testid": `layer-${i + 1}` }, [
        el("span", { class: "layer-name", text: t("shape.layer", { layer: i + 1 }) }),
        minus,
        el("span", {
          class: "layer-width",
          "data-testid": `layer-${i + 1}-width`,
          text: t("shape.units", { n: w }),
        }),
        plus,
      ]);
    });
    if (rows.length === 0) rows.push(el("p", { class: "hint", text: t("shape.none") }));
    this.layers.replaceChildren(...rows);
    this.add.disabled = !connected || widths.length >= this.limits.depth[1];
    this.remove.disabled = !connected || widths.length <= this.limits.depth[0];
  }

  relabel() {
    this.headings.section.textContent = t("section.shape");
    this.headings.features.textContent = t("shape.features");
    this.headings.featuresHint.textContent = t("shape.features.hint");
    this.headings.layers.textContent = t("shape.layers");
    this.add.textContent = t("shape.addLayer");
    this.remove.textContent = t("shape.removeLayer");
    if (this.model) this.render({ model: this.model }, this.connected);
  }
}
