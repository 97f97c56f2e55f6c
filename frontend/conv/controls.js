// The convolution mode's controls, built from GET /api/conv/schema (ranges, choices and
// defaults come from there): data, the layers, training, and the run buttons and speed.
// A change sends `configure` with the changed section; a changed layer list goes whole.

import { has, t } from "../i18n.js";
import { el, setText } from "../views/dom.js";
import { motifName } from "./names.js";

/** @typedef {Record<string, any>} Field a CONV_FIELDS entry: {type, default, choices | min/max} */

// Fields shown only for some kinds of data (the others are the same for every kind).
const ONLY_FOR = {
  "data.length": ["motifs"],
  "data.motifs": ["motifs"],
  "data.motif_mode": ["motifs"],
  "data.positions": ["motifs"],
  "data.size": ["glyphs", "digits"],
  "data.glyphs": ["glyphs"],
  "data.digits": ["digits"],
};

// Lists chosen by toggling names on and off.
const CHIP_FIELDS = ["data.glyphs", "data.motifs", "data.digits"];

const SECTIONS = {
  data: ["data.kind", "data.glyphs", "data.digits", "data.motifs", "data.motif_mode", "data.samples",
    "data.noise", "data.seed", "data.size", "data.length", "data.positions", "data.test_ratio"],
  model: ["model.activation", "model.pool", "model.readout", "model.unshared"],
  train: ["train.optimizer", "train.lr", "train.batch_size"],
};

const LAYER_FIELDS = ["channels", "kernel", "stride", "padding", "dilation"];

/** A field's label: its own words when there are some, else its name. */
export function fieldLabel(path) {
  const key = `conv.field.${path}`;
  return has(key) ? t(key) : path.split(".").at(-1);
}

/** A choice's words: the conv mode's, the page's, or the value itself. */
export function choiceLabel(value) {
  for (const key of [`conv.choice.${value}`, `choice.${value}`]) if (has(key)) return t(key);
  return String(value);
}

/** `{a: {b: value}}` for "a.b". */
function nest(path, value) {
  const [section, name] = path.split(".");
  return { [section]: { [name]: value } };
}

export class ConvControls {
  /**
   * @param {{side: HTMLElement, bar: HTMLElement}} roots the side panel and the top bar's part
   * @param {Record<string, any>} schema GET /api/conv/schema
   * @param {{configure: (changes: Record<string, any>) => void, action: (name: string) => void,
   *   invalid: (path: string, raw: string) => void}} on
   */
  constructor(roots, schema, on) {
    this.schema = schema;
    this.fields = /** @type {Record<string, Field>} */ (schema.fields);
    this.on = on;
    this.config = schema.defaults;
    /** @type {Map<string, {node: HTMLElement, set: (value: any) => void}>} */
    this.controls = new Map();
    /** @type {HTMLElement[]} */
    this.labelled = [];
    this.buildBar(roots.bar);
    this.buildSide(roots.side);
  }

  buildBar(bar) {
    const button = (name, primary = false) =>
      el("button", {
        type: "button",
        id: `conv-${name}`,
        class: primary ? "primary" : "small",
        "data-testid": `conv-${name}`,
        dataset: { i18n: `btn.${name}` },
        text: t(`btn.${name}`),
        on: { click: () => this.on.action(name) },
      });
    this.play = button("play", true);
    this.pause = button("pause", true);
    this.stepButton = button("step");
    this.reset = button("reset");
    const speed = this.field("view.speed");
    const run = el("div", { class: "conv-run" }, [this.play, this.pause, this.stepButton, this.reset]);
    bar.append(run, speed.node);
  }

  buildSide(side) {
    for (const [section, paths] of Object.entries(SECTIONS)) {
      const group = el("fieldset", { class: `conv-group conv-${section}`, "data-testid": `conv-${section}` });
      const key = `conv.section.${section}`;
      const legend = el("legend", { dataset: { i18n: key }, text: t(key) });
      group.append(legend);
      if (section === "model") group.append(this.buildLayers());
      const grid = el("div", { class: "conv-fields" });
      for (const path of paths) {
        const field = this.fields[path];
        // A list the page has no chooser for is left to the link and the notebook.
        const shown = field && (field.type !== "array" || CHIP_FIELDS.includes(path));
        if (shown) grid.append(this.field(path).node);
      }
      group.append(grid);
      side.append(group);
    }
  }

  /** One labelled control for a config field, by its type in the schema. */
  field(path) {
    const field = this.fields[path];
    const id = `conv-${path.replaceAll(".", "-")}`;
    const label = el("label", { for: id, text: fieldLabel(path), dataset: { path } });
    this.labelled.push(label);
    const attrs = { class: `conv-field kind-${field.type}`, "data-field": path, title: field.description ?? "" };
    const node = el("div", attrs, [label]);
    /** @type {(value: any) => void} */
    let set;
    if (CHIP_FIELDS.includes(path)) {
      const names = this.chipNames(path);
      const chips = el("div", { class: "conv-chips", id });
      let chosen = [];
      const buttons = names.map((name) =>
        el("button", {
          type: "button",
          class: "chip",
          "data-name": String(name),
          text: path === "data.motifs" ? motifName(String(name)) : String(name),
          ...(path === "data.motifs" && has(`conv.motif.${name}`) ? { "data-i18n": `conv.motif.${name}` } : {}),
          on: {
            click: () => {
              const next = chosen.includes(name) ? chosen.filter((n) => n !== name) : [...chosen, name];
              this.on.configure(nest(path, next));
            },
          },
        }),
      );
      chips.append(...buttons);
      node.append(chips);
      set = (value) => {
        chosen = [...value];
        for (const b of buttons) {
          const at = chosen.map(String).indexOf(b.dataset.name);
          b.classList.toggle("on", at >= 0);
          b.setAttribute("aria-pressed", String(at >= 0));
          // The order matters for motifs ("present": the first is the motif): show it.
          b.dataset.order = at >= 0 && path === "data.motifs" ? String(at + 1) : "";
        }
      };
    } else if (field.choices) {
      const select = el("select", { id, "data-testid": id });
      const fill = () => {
        const options = field.choices.map((c) => el("option", { value: String(c), text: choiceLabel(c) }));
        select.replaceChildren(...options);
      };
      fill();
      select.addEventListener("change", () => {
        const index = field.choices.map(String).indexOf(select.value);
        const value = field.choices[index];
        this.on.configure(path === "data.kind" ? this.kindChange(value) : nest(path, value));
      });
      node.append(select);
      set = (value) => {
        if (this.forcing || document.activeElement !== select) select.value = String(value);
      };
      node.dataset.refill = "1";
      /** @type {any} */ (node).refill = fill;
    } else if (field.type === "boolean") {
      const box = el("input", { type: "checkbox", id, "data-testid": id });
      box.addEventListener("change", () => this.on.configure(nest(path, box.checked)));
      node.classList.add("switch");
      node.prepend(box);
      set = (value) => {
        box.checked = Boolean(value);
      };
    } else {
      const input = this.numberInput(id, field, (value) => this.on.configure(nest(path, value)), path);
      node.append(input);
      set = (value) => {
        if (this.forcing || document.activeElement !== input) input.value = String(value);
      };
    }
    this.controls.set(path, { node, set });
    return { node, set };
  }

  /** The names a list field toggles: the schema's glyphs, motifs, or every digit. */
  chipNames(path) {
    if (path === "data.glyphs") return this.schema.glyphs;
    if (path === "data.motifs") return Object.keys(this.schema.motifs);
    return this.schema.digits ?? this.fields[path].default;
  }

  /**
   * Another kind of data, with what it needs of the rest: positions "apart" are for signals
   * only, and an image smaller than the default size may be too small for a glyph.
   */
  kindChange(kind) {
    const data = { kind };
    const now = this.config?.data ?? {};
    const positions = this.fields["data.positions"];
    if (kind !== "motifs" && positions && now.positions !== positions.default) {
      data.positions = positions.default;
    }
    const size = this.fields["data.size"];
    if (kind === "glyphs" && size && now.size < size.default) data.size = size.default;
    return { data };
  }

  /**
   * A number box with the field's range; a change sends the number it holds (the server checks
   * the range and says what it allows), or reports text that is no number.
   */
  numberInput(id, field, send, path) {
    const input = el("input", {
      type: "number",
      id,
      "data-testid": id,
      min: field.min ?? null,
      max: field.max ?? null,
      step: field.type === "integer" ? 1 : "any",
    });
    input.addEventListener("change", () => {
      const raw = input.value;
      if (raw.trim() === "" || input.validity.badInput || !Number.isFinite(Number(raw))) {
        this.on.invalid(path, raw);
        this.revert();
        return;
      }
      send(Number(raw));
    });
    return input;
  }

  /** The layers: a row each (channels, kernel, stride, padding, dilation), add and remove. */
  buildLayers() {
    const box = el("div", { class: "conv-layers", "data-testid": "conv-layers" });
    const head = el("div", { class: "conv-layer head" }, [
      el("span", { text: "" }),
      ...LAYER_FIELDS.map((name) => {
        const path = `model.layers.*.${name}`;
        const title = this.fields[path]?.description ?? "";
        const span = el("span", { text: fieldLabel(path), title, dataset: { path } });
        this.labelled.push(span);
        return span;
      }),
      el("span", { text: "" }),
    ]);
    this.layerRows = el("div", { class: "conv-layer-rows" });
    this.addLayer = el("button", {
      type: "button",
      class: "small",
      "data-testid": "conv-add-layer",
      dataset: { i18n: "conv.layer.add" },
      text: t("conv.layer.add"),
      on: {
        click: () => {
          const layers = this.layers();
          const last = layers.at(-1) ?? this.layerDefaults();
          this.sendLayers([...layers, { ...last }]);
        },
      },
    });
    box.append(head, this.layerRows, this.addLayer);
    return box;
  }

  layerDefaults() {
    const value = (name) => this.fields[`model.layers.*.${name}`].default;
    return Object.fromEntries(LAYER_FIELDS.map((name) => [name, value(name)]));
  }

  /** The most layers a net may have (the schema may say; the engine allows 4). */
  get maxLayers() {
    const field = this.fields["model.layers"];
    return field?.max_length ?? field?.max_items ?? 4;
  }

  layers() {
    return (this.config?.model?.layers ?? []).map((layer) => ({ ...layer }));
  }

  sendLayers(layers) {
    this.on.configure({ model: { layers } });
  }

  renderLayers() {
    const layers = this.layers();
    const rows = this.layerRows;
    if (rows.children.length !== layers.length) {
      rows.replaceChildren(
        ...layers.map((_, i) => {
          const row = el("div", { class: "conv-layer", "data-testid": "conv-layer", "data-layer": i });
          row.append(el("span", { class: "layer-name", text: t("conv.layer.name", { n: i + 1 }) }));
          for (const name of LAYER_FIELDS) {
            const path = `model.layers.*.${name}`;
            const field = this.fields[path];
            const id = `conv-layer-${i}-${name}`;
            /** @param {any} value */
            const send = (value) => {
              const next = this.layers();
              next[i] = { ...next[i], [name]: value };
              this.sendLayers(next);
            };
            if (field.choices) {
              const select = el("select", { id, "data-testid": id, "data-name": name, title: fieldLabel(path) });
              // The row is narrow: the choice's own name, its words in the tooltip.
              const option = (c) => el("option", { value: String(c), text: String(c), title: choiceLabel(c) });
              select.append(...field.choices.map(option));
              select.addEventListener("change", () => send(select.value));
              row.append(select);
            } else {
              const input = this.numberInput(id, field, send, `model.layers.${i}.${name}`);
              input.dataset.name = name;
              input.title = fieldLabel(path);
              row.append(input);
            }
          }
          row.append(
            el("button", {
              type: "button",
              class: "small remove",
              "data-testid": "conv-remove-layer",
              title: t("conv.layer.remove"),
              "aria-label": t("conv.layer.remove"),
              text: "×",
              on: { click: () => this.sendLayers(this.layers().filter((__, j) => j !== i)) },
            }),
          );
          return row;
        }),
      );
    }
    layers.forEach((layer, i) => {
      const row = /** @type {HTMLElement} */ (rows.children[i]);
      for (const input of row.querySelectorAll("[data-name]")) {
        const box = /** @type {HTMLInputElement} */ (input);
        if (this.forcing || document.activeElement !== box) box.value = String(layer[box.dataset.name]);
      }
      /** @type {HTMLButtonElement} */ (row.querySelector(".remove")).disabled = layers.length <= 1;
      const name = /** @type {HTMLElement} */ (row.querySelector(".layer-name"));
      setText(name, t("conv.layer.name", { n: i + 1 }));
    });
    this.addLayer.disabled = layers.length >= this.maxLayers;
  }

  /**
   * Show the session's config and run state.
   * @param {Record<string, any>} config
   * @param {boolean} [running]
   * @param {boolean} [connected]
   */
  render(config, running = this.running, connected = this.connected) {
    this.config = config;
    this.running = running;
    this.connected = connected;
    for (const [path, control] of this.controls) {
      const [section, name] = path.split(".");
      const value = config?.[section]?.[name];
      if (value !== undefined) control.set(value);
      const only = ONLY_FOR[path];
      control.node.hidden = only !== undefined && !only.includes(config?.data?.kind);
    }
    this.renderLayers();
    this.play.hidden = Boolean(running);
    this.pause.hidden = !running;
    for (const b of [this.play, this.pause, this.stepButton, this.reset]) b.disabled = !connected;
  }

  /** Every control back to the config the server kept (after it refused a change). */
  revert() {
    this.forcing = true;
    try {
      this.render(this.config);
    } finally {
      this.forcing = false;
    }
  }

  relabel() {
    for (const label of this.labelled) label.textContent = fieldLabel(label.dataset.path);
    for (const control of this.controls.values()) /** @type {any} */ (control.node).refill?.();
    this.layerRows.replaceChildren();
    this.render(this.config);
  }
}
