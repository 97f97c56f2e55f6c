// Change a 2×2 layer by its parts: sliders for the two rotations, the two scales and the
// shift, and a switch for the reflection. Any move rebuilds W = R(out)·diag(s)·F·R(in) (with
// ../morphpath.js, the same mathematics the morph animates) and hands W and b to `onEdit`.

import { t } from "../i18n.js";
import { composeMatrix } from "../morphpath.js";
import { el, fmt, setText } from "./dom.js";

const SLIDERS = [
  { name: "angle_in", min: -180, max: 180, step: 0.5 },
  { name: "s1", min: 0, max: 4, step: 0.01 },
  { name: "s2", min: 0, max: 4, step: 0.01 },
  { name: "angle_out", min: -180, max: 180, step: 0.5 },
  { name: "b1", min: -3, max: 3, step: 0.01 },
  { name: "b2", min: -3, max: 3, step: 0.01 },
];
const RAD = Math.PI / 180;

export class LayerParts {
  /**
   * @param {HTMLElement} root where the sliders go
   * @param {(weight: number[][], bias: number[], inputAt: number) => void} onEdit
   */
  constructor(root, onEdit) {
    this.root = root;
    this.onEdit = onEdit;
    this.inputs = {};
    this.outputs = {};
    this.labels = [];
    this.held = false; // a slider is being dragged
    for (const spec of SLIDERS) {
      const id = `insp-${spec.name}`;
      const input = el("input", {
        type: "range", id, min: spec.min, max: spec.max, step: spec.step,
        "data-testid": id, "data-part": spec.name,
      });
      const output = el("output", { for: id, class: "part-value" });
      const label = el("label", { for: id, text: t(`insp.slider.${spec.name}`) });
      this.labels.push([label, `insp.slider.${spec.name}`]);
      input.addEventListener("input", (event) => this.edited(event));
      input.addEventListener("pointerdown", () => (this.held = true));
      input.addEventListener("pointerup", () => (this.held = false));
      this.inputs[spec.name] = input;
      this.outputs[spec.name] = output;
      root.append(el("div", { class: "part" }, [label, input, output]));
    }
    const reflect = el("input", {
      type: "checkbox", id: "insp-reflect", "data-testid": "insp-reflect", "data-part": "reflect",
    });
    reflect.addEventListener("change", (event) => this.edited(event));
    const label = el("label", { class: "switch part-reflect" }, [
      reflect, el("span", { text: t("insp.slider.reflect") }),
    ]);
    this.labels.push([label.lastChild, "insp.slider.reflect"]);
    this.inputs.reflect = reflect;
    root.append(label);
  }

  /** The values the sliders hold, as a decomposition and a bias. */
  read() {
    const v = (name) => Number(this.inputs[name].value);
    return {
      decomposition: {
        angle_in: v("angle_in") * RAD,
        angle_out: v("angle_out") * RAD,
        scales: [v("s1"), v("s2")],
        reflect: this.inputs.reflect.checked,
      },
      bias: [v("b1"), v("b2")],
    };
  }

  edited(event) {
    this.showValues();
    const { decomposition, bias } = this.read();
    this.onEdit(composeMatrix(decomposition), bias, event.timeStamp);
  }

  /** Follow the layer (unless a slider is in hand or focused: the hand leads). */
  update(decomposition, bias) {
    if (this.held || this.root.contains(document.activeElement)) return;
    const values = {
      angle_in: decomposition.angle_in / RAD,
      angle_out: decomposition.angle_out / RAD,
      s1: decomposition.scales[0],
      s2: decomposition.scales[1],
      b1: bias[0],
      b2: bias[1],
    };
    for (const [name, value] of Object.entries(values)) {
      const input = this.inputs[name];
      // A value beyond the slider's range widens it (never narrows it).
      if (value > Number(input.max)) input.max = String(Math.ceil(value));
      if (value < Number(input.min)) input.min = String(Math.floor(value));
      input.value = String(value);
    }
    this.inputs.reflect.checked = Boolean(decomposition.reflect);
    this.showValues();
  }

  showValues() {
    for (const [name, output] of Object.entries(this.outputs)) {
      const value = Number(this.inputs[name].value);
      setText(output, name.startsWith("angle") ? `${fmt(value, 1)}°` : fmt(value, 2));
    }
  }

  relabel() {
    for (const [node, key] of this.labels) setText(node, t(key));
  }
}
