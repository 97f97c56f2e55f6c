// The controls: the run buttons and the main choices in the top bar, and one control per
// other config field in the settings drawer, limited by the server's schema. Controls never
// change the config themselves: they ask (onChange), and render() shows what the server then
// says the config is.

import "./strings/task.js";
import { has, t } from "./i18n.js";
import { getPath, matchingPreset } from "./state.js";
import { el } from "./views/dom.js";

const POINTS = [50, 100, 200, 300, 400, 600, 800, 1000, 1500, 2000, 3000, 5000];
const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const SPEEDS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const BATCH_SIZES = [0, 1, 10, 25, 50, 100, 200, 500];
const PENALTY_RATES = [0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1];
const DECAY_EVERY = [100, 250, 500, 1000, 2000, 5000, 10000];

// The main choices, in the top bar beside the run buttons (the preset's menu comes second);
// the sections below go to the drawer.
const BAR_FIELDS = [
  { path: "data.dataset", kind: "select" },
  { path: "model.width", kind: "stepper" },
  { path: "model.depth", kind: "stepper" },
  { path: "model.activation", kind: "select" },
  { path: "train.lr", kind: "choice", values: LEARNING_RATES, entry: true },
];

const SECTIONS = [
  {
    name: "data",
    fields: [
      { path: "data.classes", kind: "stepper" },
      { path: "data.points", kind: "choice", values: POINTS },
      { path: "data.noise", kind: "range", step: 0.01 },
      { path: "data.turns", kind: "range", step: 0.05 },
      { path: "data.test_ratio", kind: "range", step: 0.05 },
      { path: "data.seed", kind: "seed" },
    ],
  },
  {
    name: "model",
    fields: [
      { path: "model.init", kind: "select" },
      { path: "model.dropout", kind: "range", step: 0.05 },
    ],
  },
  {
    name: "train",
    fields: [{ path: "train.optimizer", kind: "select" }],
  },
  {
    name: "more",
    collapsed: true,
    fields: [
      { path: "train.batch_size", kind: "choice", values: BATCH_SIZES },
      { path: "train.loss", kind: "select" },
      { path: "train.penalty", kind: "select" },
      { path: "train.rate", kind: "choice", values: PENALTY_RATES },
      { path: "train.decay", kind: "select" },
      { path: "train.decay_every", kind: "choice", values: DECAY_EVERY },
    ],
  },
  {
    name: "view",
    fields: [
      { path: "view.projection", kind: "select" },
      { path: "view.pair", kind: "pair" },
      { path: "view.regions", kind: "toggle" },
      { path: "view.grid_lines", kind: "choice", values: [5, 7, 9, 13, 17, 21, 31, 41] },
      { path: "view.region_resolution", kind: "choice", values: [16, 24, 32, 48, 64, 96, 128] },
      {
        path: "view.stage_region_resolution",
        kind: "choice",
        values: [16, 24, 32, 48, 64, 96, 128],
      },
    ],
  },
];

export function controlId(path) {
  return `ctl-${path.replace(/[._]/g, "-")}`;
}

function button(id, i18nKey, extra = {}) {
  return el("button", { id, type: "button", "data-testid": id, ...extra }, [
    el("span", { "data-i18n": i18nKey, text: t(i18nKey) }),
  ]);
}

function formatNumber(v) {
  if (typeof v !== "number") return String(v);
  if (Math.abs(v) >= 1000) return v.toLocaleString("en-US");
  return String(Number(v.toPrecision(4)));
}

export class Controls {
  /**
   * @param {{bar: HTMLElement, drawer: HTMLElement}} roots where the run buttons and main
   *   choices go (the top bar), and where every other section goes (the settings drawer)
   * @param {import("./state.js").Schema} schema
   * @param {{change(path: string, value: any): void, action(name: string): void,
   *   preset(name: string): void}} on
   */
  constructor({ bar, drawer }, schema, on) {
    this.bar = bar;
    this.root = drawer;
    this.schema = schema;
    this.on = on;
    this.inputs = new Map(); // path -> {field, spec, input, output?}
    this.pending = new Set(); // inputs being edited: render() leaves them alone
    this.build();
  }

  build() {
    const buttons = el("div", { class: "run-buttons", "data-testid": "run-buttons" }, [
      button("btn-play", "btn.play", { class: "primary" }),
      button("btn-pause", "btn.pause"),
      button("btn-step", "btn.step"),
      button("btn-reset", "btn.reset"),
    ]);
    const choices = el("div", { class: "bar-fields", "data-testid": "bar-fields" });
    const [dataset, ...rest] = BAR_FIELDS.map((spec) => this.field(spec)).filter(Boolean);
    if (dataset) choices.append(dataset);
    choices.append(this.presetField(), ...rest);
    this.bar.append(buttons, choices);
    const run = el("section", { class: "group", "data-testid": "group-run" }, [
      el("h3", { "data-i18n": "section.run", text: t("section.run") }),
    ]);
    const fields = el("div", { class: "fields" });
    const speed = this.field({ path: "view.speed", kind: "choice", values: SPEEDS });
    if (speed) fields.append(speed);
    run.append(fields, el("p", { class: "hint", "data-i18n": "hint.keys", text: t("hint.keys") }));
    this.root.append(run);
    for (const section of SECTIONS) {
      const box = el("div", { class: "fields" });
      for (const spec of section.fields) {
        const row = this.field(spec);
        if (row) box.append(row);
      }
      if (box.childElementCount === 0) continue; // a server without these settings
      const heading = el("span", {
        "data-i18n": `section.${section.name}`,
        text: t(`section.${section.name}`),
      });
      let group;
      if (section.collapsed) {
        // Settings a first lesson does not need: folded away until asked for.
        group = el("details", { class: "group", "data-testid": `group-${section.name}` }, [
          el("summary", {}, [el("h3", {}, [heading])]),
          box,
        ]);
      } else {
        group = el("section", { class: "group", "data-testid": `group-${section.name}` }, [
          el("h3", {}, [heading]),
          box,
        ]);
      }
      this.root.append(group);
    }
    for (const name of ["play", "pause", "step", "reset"]) {
      this.bar.querySelector(`#btn-${name}`).addEventListener("click", () => this.on.action(name));
    }
  }

  presetField() {
    const id = "ctl-preset";
    const select = el("select", { id, "data-testid": id });
    for (const name of ["", ...Object.keys(this.schema.presets ?? {})]) {
      select.append(el("option", { value: name }));
    }
    select.addEventListener("change", () => {
      if (select.value) this.on.preset(select.value);
    });
    this.presetSelect = select;
    this.labelPresets();
    return el("div", { class: "field" }, [
      el("label", { for: id, "data-i18n": "field.preset", text: t("field.preset") }),
      select,
    ]);
  }

  /** "Lecture · Spiral, 4 × 2": the preset's name, then what it sets up. */
  labelPresets() {
    for (const option of this.presetSelect.options) {
      const key = `preset.${option.value || "custom"}`;
      let text = has(key) ? t(key) : option.value;
      const preset = this.schema.presets?.[option.value];
      if (preset?.data && preset?.model) {
        const dataset = preset.data.dataset;
        const name = has(`choice.${dataset}`) ? t(`choice.${dataset}`) : dataset;
        text += ` · ${name} ${preset.model.depth}×${preset.model.width}`;
      }
      option.textContent = text;
    }
  }

  /** One labelled control for a config field; null if the server does not know the field. */
  field(spec) {
    const field = this.schema.fields[spec.path];
    if (!field) return null;
    const id = controlId(spec.path);
    const label = el("label", {
      for: id,
      "data-i18n": `field.${spec.path}`,
      text: t(`field.${spec.path}`),
    });
    const row = el("div", { class: `field kind-${spec.kind}`, dataset: { field: spec.path } }, [
      label,
    ]);
    const entry = { field, spec, input: null, output: null };
    if (spec.kind === "select" || spec.kind === "choice") {
      const select = el("select", { id, "data-testid": id });
      const values = spec.kind === "select" ? (field.choices ?? []) : spec.values;
      for (const value of values.filter((v) => this.allowed(field, v))) {
        select.append(el("option", { value: String(value) }));
      }
      select.addEventListener("change", () => this.commit(spec.path, select.value));
      entry.input = select;
      row.append(select);
      if (spec.entry) {
        // Any value, not only the listed ones: typed, committed on Enter or leaving the box.
        const free = el("input", {
          id: `${id}-entry`,
          "data-testid": `${id}-entry`,
          type: "number",
          step: "any",
          class: "choice-entry",
          "data-i18n-title": `field.${spec.path}.entry`,
          title: t(`field.${spec.path}.entry`),
          "aria-label": t(`field.${spec.path}.entry`),
        });
        this.trackEdits(free, spec.path);
        entry.free = free;
        row.append(free);
      }
    } else if (spec.kind === "stepper") {
      const input = el("input", {
        id,
        "data-testid": id,
        type: "number",
        min: field.min ?? "",
        max: field.max ?? "",
        step: "1",
        inputmode: "numeric",
      });
      const dec = el("button", { type: "button", id: `${id}-dec`, class: "step-btn", text: "−" });
      const inc = el("button", { type: "button", id: `${id}-inc`, class: "step-btn", text: "+" });
      dec.setAttribute("aria-label", "−");
      inc.setAttribute("aria-label", "+");
      dec.addEventListener("click", () => this.nudge(spec.path, -1));
      inc.addEventListener("click", () => this.nudge(spec.path, +1));
      this.trackEdits(input, spec.path);
      entry.input = input;
      row.append(el("div", { class: "stepper" }, [dec, input, inc]));
    } else if (spec.kind === "range") {
      const input = el("input", {
        id,
        "data-testid": id,
        type: "range",
        min: field.min ?? 0,
        max: field.max ?? 1,
        step: spec.step,
      });
      const output = el("output", { for: id, class: "value" });
      input.addEventListener("input", () => {
        this.pending.add(input);
        output.textContent = formatNumber(Number(input.value));
      });
      input.addEventListener("change", () => {
        this.pending.delete(input);
        this.commit(spec.path, input.value);
      });
      entry.input = input;
      entry.output = output;
      row.append(el("div", { class: "range" }, [input, output]));
    } else if (spec.kind === "seed") {
      const input = el("input", {
        id,
        "data-testid": id,
        type: "number",
        min: field.min ?? 0,
        max: field.max ?? "",
        step: "1",
        inputmode: "numeric",
      });
      this.trackEdits(input, spec.path);
      const again = button("btn-new-seed", "btn.newSeed", { class: "small" });
      again.addEventListener("click", () => {
        const high = Math.min(field.max ?? 99999, 99999);
        this.commit(spec.path, String(Math.floor(Math.random() * (high + 1))));
      });
      entry.input = input;
      row.append(el("div", { class: "seed" }, [input, again]));
    } else if (spec.kind === "pair") {
      // Units are numbered from 1 on screen and from 0 on the wire.
      const unit = (suffix) =>
        el("input", {
          id: `${id}-${suffix}`,
          "data-testid": `${id}-${suffix}`,
          type: "number",
          min: 1,
          max: 32,
          step: "1",
          inputmode: "numeric",
        });
      const first = unit("a");
      const second = unit("b");
      entry.input = first;
      entry.inputs = [first, second];
      const send = () => {
        const value = [Number(first.value) - 1, Number(second.value) - 1];
        if (value.every((v) => Number.isInteger(v) && v >= 0)) this.on.change(spec.path, value);
        else this.render(this.config, this.running, this.connected);
      };
      for (const input of entry.inputs) {
        input.addEventListener("input", () => this.pending.add(input));
        input.addEventListener("change", () => {
          this.pending.delete(input);
          send();
        });
      }
      row.title = t("hint.pair");
      row.dataset.i18nTitle = "hint.pair";
      row.append(el("div", { class: "pair" }, [first, el("span", { text: "&" }), second]));
    } else if (spec.kind === "toggle") {
      const box = el("input", { id, "data-testid": id, type: "checkbox" });
      box.addEventListener("change", () => this.on.change(spec.path, box.checked));
      entry.input = box;
      row.append(el("div", { class: "toggle" }, [box]));
    }
    this.inputs.set(spec.path, entry);
    return row;
  }

  /** Number inputs: commit on change (enter or leaving the box), not on every keystroke. */
  trackEdits(input, path) {
    input.addEventListener("input", () => this.pending.add(input));
    input.addEventListener("change", () => {
      this.pending.delete(input);
      this.commit(path, input.value);
    });
  }

  allowed(field, value) {
    if (field.choices) return field.choices.includes(value);
    if (field.min !== undefined && value < field.min) return false;
    if (field.max !== undefined && value > field.max) return false;
    return true;
  }

  nudge(path, delta) {
    const { field, input } = this.inputs.get(path);
    // Layers of different widths ("4/6/3" shown): − and + start from the widest.
    const widths = input.value === "" ? (input.dataset.widths ?? "") : "";
    const base = widths ? Math.max(...widths.split("/").map(Number)) : Number(input.value);
    let value = base + delta;
    if (field.min !== undefined) value = Math.max(field.min, value);
    if (field.max !== undefined) value = Math.min(field.max, value);
    if (String(value) !== input.value) this.commit(path, String(value));
  }

  /** Turn the control's text into a typed value and ask for it. */
  commit(path, raw) {
    const { field } = this.inputs.get(path);
    let value = raw;
    if (field.type === "integer" || field.type === "number") {
      value = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(value)) {
        this.render(this.config, this.running, this.connected);
        return;
      }
    }
    this.on.change(path, value);
  }

  /** Show the config the server holds, and what can be pressed now. */
  render(config, running, connected) {
    this.config = config;
    this.running = running;
    this.connected = connected;
    if (!config) return;
    for (const [path, entry] of this.inputs) {
      const value = getPath(config, path);
      if (value === undefined) continue;
      const { input, output, spec } = entry;
      if (spec.kind === "pair") {
        this.renderPair(entry, value, config);
        continue;
      }
      if (spec.kind === "toggle") {
        input.checked = Boolean(value);
        continue;
      }
      if (entry.free && !this.pending.has(entry.free)) entry.free.value = String(value);
      if (this.pending.has(input)) continue;
      if (spec.kind === "choice" && ![...input.options].some((o) => o.value === String(value))) {
        this.insertOption(input, value);
      }
      if (input.value !== String(value)) input.value = String(value);
      if (output) output.textContent = formatNumber(value);
      if (spec.kind === "choice") this.labelChoices(input);
    }
    this.renderWidth(config);
    // What the dataset takes (the schema's "datasets"): a number of classes, turns.
    const takes = this.schema.datasets?.[getPath(config, "data.dataset")] ?? {};
    const classes = this.inputs.get("data.classes");
    if (classes) {
      const fixed = !takes.classes;
      const row = classes.input.closest(".field");
      row.classList.toggle("disabled", fixed);
      for (const node of row.querySelectorAll("input, button")) node.disabled = fixed || !connected;
      row.title = fixed ? t("hint.classes", { datasets: this.datasetsTaking("classes") }) : "";
    }
    const turns = this.inputs.get("data.turns");
    if (turns) {
      const row = turns.input.closest(".field");
      row.classList.toggle("disabled", !takes.turns);
      row.title = takes.turns ? "" : t("hint.turns", { datasets: this.datasetsTaking("turns") });
    }
    for (const root of [this.bar, this.root]) {
      /** @type {NodeListOf<HTMLSelectElement | HTMLInputElement | HTMLButtonElement>} */
      const fields = root.querySelectorAll("select, input, button");
      for (const node of fields) {
        /** @type {HTMLElement | null} */
        const row = node.closest(".field.disabled");
        if (row && row.dataset.field === "data.classes") continue;
        node.disabled = !connected || row !== null;
      }
    }
    /** @type {HTMLButtonElement} */ (this.bar.querySelector("#btn-play")).disabled = !connected || running;
    /** @type {HTMLButtonElement} */ (this.bar.querySelector("#btn-pause")).disabled = !connected || !running;
    this.presetSelect.value = matchingPreset(this.schema.presets, config);
    this.presetSelect.options[0].hidden = this.presetSelect.value !== "";
    this.labelSelects();
  }

  /**
   * "Hidden width" when the layers have widths of their own: one number would be untrue, so
   * the box shows the widths ("4/6/3") and its title says what − and + do.
   */
  renderWidth(config) {
    const entry = this.inputs.get("model.width");
    const widths = getPath(config, "model.widths");
    if (!entry || this.pending.has(entry.input)) return;
    const mixed = Array.isArray(widths) && widths.some((w) => w !== widths[0]);
    const row = entry.input.closest(".field");
    const text = mixed ? widths.join("/") : "";
    entry.input.placeholder = text;
    entry.input.dataset.widths = text;
    if (mixed) entry.input.value = "";
    else if (Array.isArray(widths) && widths.length) entry.input.value = String(widths[0]);
    row.title = mixed ? t("hint.mixedWidths", { widths: text }) : "";
  }

  /** The unit pair: 1-based, at most the width, only useful for pairs of a wide layer. */
  renderPair(entry, value, config) {
    const width = getPath(config, "model.width") ?? 32;
    const useful = width > 2 && getPath(config, "view.projection") === "pair";
    entry.inputs.forEach((input, i) => {
      input.max = String(width);
      if (!this.pending.has(input) && Array.isArray(value)) input.value = String(value[i] + 1);
    });
    entry.input.closest(".field").classList.toggle("disabled", !useful);
  }

  /** The datasets that take `what` ("classes", "turns"), named as in the menu. */
  datasetsTaking(what) {
    return Object.entries(this.schema.datasets ?? {})
      .filter(([, takes]) => takes[what])
      .map(([name]) => (has(`choice.${name}`) ? t(`choice.${name}`) : name))
      .join(", ");
  }

  insertOption(select, value) {
    const option = el("option", { value: String(value) });
    const after = [...select.options].find((o) => Number(o.value) > value);
    select.insertBefore(option, after ?? null);
  }

  labelChoices(select) {
    const batch = select.id === controlId("train.batch_size");
    const speed = select.id === controlId("view.speed");
    for (const option of select.options) {
      const value = Number(option.value);
      let text = formatNumber(value);
      if (value === 0 && batch) text = t("choice.allPoints");
      if (value === 0 && speed) text = t("choice.fastest");
      if (option.textContent !== text) option.textContent = text;
    }
  }

  labelSelects() {
    for (const { input, spec } of this.inputs.values()) {
      if (spec.kind !== "select") continue;
      for (const option of input.options) {
        const key = `choice.${option.value}`;
        option.textContent = has(key) ? t(key) : option.value;
      }
    }
  }

  relabel() {
    this.labelPresets();
    this.labelSelects();
    this.render(this.config, this.running, this.connected);
  }
}
