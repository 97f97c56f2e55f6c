// Step through one layer's operations on the close-up, one at a time: Previous / Next move the
// morph to just after each operation (rotate, reflect, scale, rotate again, shift, fold for a
// 2×2 layer; the map to another dimension, then the fold, otherwise). Where to stop is
// ../morphpath.js's layerSteps, the same path the morph plays.

import "../strings/inspector.js";
import { t } from "../i18n.js";
import { layerSteps, mapStage } from "../morphpath.js";
import { el, setData, setText } from "./dom.js";

const SAME = 1e-9;
const LAYERED = ["affine", "fold", "output"];

/**
 * The stages layer `layer` spans in the close-up: from its input stage to its fold (or to the
 * output, for the classifier); null when there is no such layer.
 * @returns {[number, number] | null}
 */
function layerSpan(header, layer) {
  const p = mapStage(header, layer);
  if (p < 1) return null;
  return [p - 1, header.stages[p + 1]?.kind === "fold" ? p + 1 : p];
}

/**
 * The layer the close-up is about at morph position s: between two stages, the layer that step
 * belongs to; on a stage, `preferred` (the inspector's) while the stage lies in its span, else
 * the stage's own layer. The step-through's heading and the close-up's lines both follow it.
 */
export function closeupLayer(header, s, preferred) {
  const stages = header?.stages ?? [];
  if (!stages.length) return preferred;
  const clamped = Math.min(Math.max(s, 0), stages.length - 1);
  const whole = Math.abs(clamped - Math.round(clamped)) < SAME;
  if (!whole) {
    const to = stages[Math.floor(clamped) + 1];
    return to && LAYERED.includes(to.kind) ? to.layer : preferred;
  }
  const p = Math.round(clamped);
  const span = layerSpan(header, preferred);
  if (span && p >= span[0] && p <= span[1]) return preferred;
  return LAYERED.includes(stages[p].kind) ? stages[p].layer : preferred;
}

/**
 * The stage whose facts the close-up lists while it shows `stage` and is about `layer`: the
 * stage itself when it belongs to that layer, else that layer's map (its affine stage).
 */
export function infoStage(header, stage, layer) {
  if (layer === null || layer === undefined || stage.layer === layer) return stage;
  return header.stages[mapStage(header, layer)] ?? stage;
}

export class StepThrough {
  /**
   * @param {HTMLElement} root an empty container in the close-up
   * @param {import("./morphplayer.js").MorphPlayer} player moves the close-up
   * @param {() => number} layer the layer to step through (the inspector's)
   */
  constructor(root, player, layer) {
    this.root = root;
    this.player = player;
    this.layerOf = layer;
    this.header = null;
    this.title = el("span", { class: "steps-title", "data-i18n": "steps.title", text: t("steps.title") });
    this.prev = el("button", {
      type: "button", "data-testid": "steps-prev", "data-i18n": "steps.prev", text: t("steps.prev"),
      on: { click: () => this.go(-1) },
    });
    this.next = el("button", {
      type: "button", "data-testid": "steps-next", "data-i18n": "steps.next", text: t("steps.next"),
      on: { click: () => this.go(1) },
    });
    this.label = el("p", { class: "steps-label", "data-testid": "steps-label", "aria-live": "polite" });
    root.append(el("div", { class: "steps-bar" }, [this.title, this.prev, this.next]), this.label);
  }

  steps() {
    return this.header ? layerSteps(this.header, this.layerOf()) : [];
  }

  /** Another layer was picked: bring the close-up into its span if it is elsewhere. */
  follow(layer) {
    const span = layerSpan(this.header, layer);
    const s = this.player.s;
    if (span && (s < span[0] - SAME || s > span[1] + SAME)) this.player.goTo(span[0]);
    this.render();
  }

  /** A new frame: the stages may have changed. */
  setHeader(header) {
    this.header = header;
    this.render();
  }

  /**
   * Move to the next (+1) or previous (−1) operation from where the morph is; from anywhere
   * outside this layer's stretch of the morph, Next starts at its first operation.
   */
  go(direction) {
    const steps = this.steps();
    if (!steps.length) return;
    const s = this.player.s;
    let target;
    if (!this.inside(steps, s)) target = direction > 0 ? steps[0] : steps.at(-1);
    else if (direction > 0) target = steps.find((step) => step.s > s + SAME) ?? steps.at(-1);
    else target = steps.findLast((step) => step.s < s - SAME) ?? steps[0];
    this.player.goTo(target.s);
    this.render();
  }

  /** Is position s within the layer's operations (from its input stage to its last step)? */
  inside(steps, s) {
    return s >= Math.floor(steps[0].s) - SAME && s <= steps.at(-1).s + SAME;
  }

  render() {
    const steps = this.steps();
    const layer = this.layerOf();
    const s = this.player.s;
    const i = steps.findIndex((step) => Math.abs(step.s - s) < SAME);
    const inside = steps.length > 0 && this.inside(steps, s);
    this.prev.disabled = !steps.length || (inside && s <= steps[0].s + SAME);
    this.next.disabled = !steps.length || (inside && s >= steps.at(-1).s - SAME);
    let text;
    if (!steps.length) text = t("steps.none");
    else if (i < 0) {
      // Away from the layer's stretch of the morph, say that Next moves the close-up there.
      text = t(inside ? "steps.ready" : "steps.away", { layer, n: steps.length });
    }
    else {
      const name = this.opName(steps[i], layer);
      text = t("steps.at", { layer, i: i + 1, n: steps.length, name });
    }
    setText(this.label, text);
    setData(this.label, "step", i < 0 ? "" : steps[i].phase);
  }

  /** The operation's name: for a map between dimensions, which way it goes. */
  opName(step, layer) {
    if (step.phase !== "straight") return t(`steps.op.${step.phase}`);
    const entry = this.header.layers.find((l) => l.layer === layer);
    const [b, a] = entry?.shape ?? [0, 0];
    const which = a < b ? "raise" : a > b ? "lower" : "same";
    return t(`steps.op.${which}`, { a, b });
  }

  relabel() {
    this.render();
  }
}
