// The morph player: a scrubber over the stages (position s from 0, the input plane, to the last
// stage), play/pause, speed, one button per stage, and a caption of what the plane is doing at
// s: the sub-steps of a 2×2 layer (rotate, reflect, scale, rotate, shift), a fold, or a straight
// interpolation. The geometry is in ../morphpath.js; the focus view draws it.

import { t } from "../i18n.js";
import { AFFINE_PHASES, affinePhase, affineStep } from "../morphpath.js";
import { fmt, setData } from "./dom.js";
import { isProjection, stageName, stageShort } from "./titles.js";

export const SECONDS_PER_STAGE = [1, 2, 3, 5, 8];
const DEFAULT_SECONDS = 3;
const MAX_DT = 0.1; // s: a stalled tab does not jump ahead

export class MorphPlayer {
  /**
   * @param {{play: HTMLButtonElement, scrub: HTMLInputElement, speed: HTMLSelectElement,
   *   stages: HTMLElement, caption: HTMLElement, phases: HTMLElement}} elements (see index.html)
   * @param {(s: number) => void} onPosition called whenever the position changes
   * @param {() => void} onRequest asks for an animation frame (the player's tick runs in it)
   */
  constructor(elements, onPosition, onRequest) {
    this.el = elements;
    this.onPosition = onPosition;
    this.onRequest = onRequest;
    this.header = null;
    this.s = 0;
    this.playing = false;
    this.lastTime = null;
    this.stageKey = "";
    this.captionKey = "";
    this.secondsPerStage = DEFAULT_SECONDS;
    this.touched = false; // has anyone moved it? Until then it shows the opening stage
    for (const seconds of SECONDS_PER_STAGE) {
      const option = document.createElement("option");
      option.value = String(seconds);
      elements.speed.append(option);
    }
    elements.speed.value = String(DEFAULT_SECONDS);
    this.labelSpeeds();
    this.renderButton();
    elements.speed.addEventListener("change", () => {
      this.secondsPerStage = Number(elements.speed.value);
    });
    elements.play.addEventListener("click", () => {
      this.touched = true;
      if (this.playing) this.pause();
      else this.play();
    });
    elements.scrub.addEventListener("input", () => {
      this.touched = true;
      this.pause();
      this.set(Number(elements.scrub.value), false);
    });
  }

  get last() {
    return this.header ? this.header.stages.length - 1 : 0;
  }

  /** A new frame: the stages may have changed (their number, their kinds). */
  setHeader(header) {
    this.header = header;
    const key = header.stages.map((s) => `${s.kind}${s.layer}`).join();
    if (key !== this.stageKey) {
      this.stageKey = key;
      this.el.scrub.max = String(this.last);
      this.buildStageButtons();
      if (!this.touched) this.set(opening(header));
      else if (this.s > this.last) this.set(this.last);
    }
    this.renderCaption();
  }

  /** Go to position `s` (updates the scrubber unless it is what moved). */
  set(s, moveScrubber = true) {
    const clamped = Math.min(Math.max(Number(s) || 0, 0), this.last);
    this.s = clamped;
    if (moveScrubber) this.el.scrub.value = String(clamped);
    this.renderStageButtons();
    this.renderCaption();
    this.onPosition(clamped);
  }

  /** Show stage `p`, as a click on it asks. */
  goTo(p) {
    this.touched = true;
    this.pause();
    this.set(p);
  }

  play() {
    if (!this.header || this.last === 0) return;
    if (this.s >= this.last) this.set(0);
    this.playing = true;
    this.lastTime = null;
    this.renderButton();
    this.onRequest();
  }

  pause() {
    if (!this.playing) return;
    this.playing = false;
    this.renderButton();
  }

  /** One animation frame: move on while playing; true while there is more to play. */
  tick(now) {
    if (!this.playing) return false;
    const dt = this.lastTime === null ? 0 : Math.min(MAX_DT, (now - this.lastTime) / 1000);
    this.lastTime = now;
    const next = this.s + dt / this.secondsPerStage;
    if (next >= this.last) {
      this.playing = false;
      this.renderButton();
      this.set(this.last);
      return false;
    }
    this.set(next);
    return true;
  }

  buildStageButtons() {
    const box = this.el.stages;
    box.replaceChildren();
    this.header.stages.forEach((stage, p) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "stage-chip";
      button.dataset.stage = String(p);
      button.addEventListener("click", () => this.goTo(p));
      box.append(button);
    });
    this.labelStageButtons();
  }

  labelStageButtons() {
    const buttons = /** @type {HTMLCollectionOf<HTMLButtonElement>} */ (this.el.stages.children);
    this.header?.stages.forEach((stage, p) => {
      if (!buttons[p]) return;
      buttons[p].textContent = stageShort(stage);
      buttons[p].title = stageName(stage, this.header.activation);
    });
    this.renderStageButtons();
  }

  renderStageButtons() {
    const near = Math.round(this.s);
    for (const button of /** @type {HTMLCollectionOf<HTMLButtonElement>} */ (this.el.stages.children)) {
      const p = Number(button.dataset.stage);
      const on = Math.abs(this.s - p) < 1e-9;
      button.classList.toggle("current", on);
      button.classList.toggle("near", !on && (p === Math.floor(this.s) || p === Math.ceil(this.s)));
      button.setAttribute("aria-pressed", String(on || p === near));
    }
  }

  renderButton() {
    const key = this.playing ? "morph.pause" : "morph.play";
    this.el.play.textContent = t(key);
    this.el.play.dataset.playing = String(this.playing);
  }

  labelSpeeds() {
    for (const option of this.el.speed.options) {
      option.textContent = t("morph.secondsPerStage", { n: option.value });
    }
  }

  /** The caption and the sub-step chips for the current position. */
  renderCaption() {
    if (!this.header) return;
    const step = describe(this.header, this.s);
    const parts = [t(step.key, step.params)];
    if (step.extra) parts.push(t(step.extra, step.params));
    const text = parts.join(" ");
    if (this.el.caption.textContent !== text) this.el.caption.textContent = text;
    setData(this.el.caption, "step", step.id);
    const key = `${step.phases.join()}:${step.current}`;
    if (key === this.captionKey) return;
    this.captionKey = key;
    this.el.phases.replaceChildren(
      ...step.phases.map((phase, i) => {
        const chip = document.createElement("span");
        chip.className = `phase${i === step.current ? " current" : ""}`;
        chip.textContent = t(`phase.${phase}`);
        return chip;
      }),
    );
  }

  relabel() {
    this.renderButton();
    this.labelSpeeds();
    this.labelStageButtons();
    this.captionKey = "";
    this.renderCaption();
  }
}

const minus = (text) => text.replace("-", "−");
/** Where the close-up opens: the stage that feeds the classifier, where the classes should
 * lie either side of a line (the last stage before the output). */
function opening(header) {
  const line = header.stages.findIndex((stage) => stage.boundary);
  return line >= 0 ? line : Math.max(0, header.stages.length - 2);
}

const degrees = (radians) => minus(String(Math.round((radians * 180) / Math.PI)));
const fixed = (value) => fmt(value, 2);

/**
 * What the plane is doing at position s: {id, key, params, extra, phases, current}, where key
 * (and extra) name i18n strings, phases the sub-steps of this step and current the one at s.
 */
export function describe(header, s) {
  const stages = header.stages;
  const last = stages.length - 1;
  const pos = Math.min(Math.max(s, 0), last);
  if (last === 0 || Math.abs(pos - Math.round(pos)) < 1e-9) {
    const p = Math.round(pos);
    const name = stageName(stages[p], header.activation);
    return { id: "stage", key: "morph.at", params: { p, last, name }, phases: [], current: -1 };
  }
  const k = Math.min(Math.floor(pos), last - 1);
  const u = pos - k;
  const from = stages[k];
  const to = stages[k + 1];
  const layer = affineStep(header, k);
  if (layer) {
    const d = layer.decomposition;
    const phase = affinePhase(d, u);
    const params = {
      deg: degrees(phase === "rotate" ? d.angle_in : d.angle_out),
      s1: fixed(d.scales[0]),
      s2: fixed(d.scales[1]),
      b1: fixed(layer.bias[0]),
      b2: fixed(layer.bias[1]),
      det: fixed(d.det),
    };
    const current = AFFINE_PHASES.indexOf(phase === "noReflect" ? "reflect" : phase);
    return { id: phase, key: `morph.${phase}`, params, phases: AFFINE_PHASES, current };
  }
  const projected = isProjection(from) || isProjection(to);
  if (to.kind === "fold") {
    return {
      id: "fold",
      key: `morph.fold.${header.activation ?? "relu"}`,
      params: {},
      extra: projected ? "morph.projected" : null,
      phases: ["fold"],
      current: 0,
    };
  }
  if (to.kind === "features") {
    const params = { n: to.width };
    return { id: "features", key: "morph.features", params, phases: ["straight"], current: 0 };
  }
  const params = { a: from.width, b: to.width };
  let extra = "morph.same";
  if (from.width < to.width) extra = "morph.raise";
  else if (from.width > to.width) extra = "morph.lower";
  return { id: "straight", key: "morph.straight", params, extra, phases: ["straight"], current: 0 };
}
