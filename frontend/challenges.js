// "Build it yourself": a small network with every weight at zero, on circles or xor, that the
// student sets by hand. Picking a challenge pauses training and loads its experiment (with
// the weights of every layer in the frames, so the inspector can show and edit them all);
// every frame then says how far the training accuracy is from the goal, and "Solved!" once it
// reaches it. Changing the challenge's data or network ends it. Every challenge's layers are
// 2×2, so the inspector's sliders and basis vectors reach them; a folded hint
// (challenge.<name>.hint.0, .1, … in ./strings/inspector.js) says what each layer must do.

import "./strings/inspector.js";
import { has, t } from "./i18n.js";
import { difference, state } from "./state.js";
import { el, pct, setText } from "./views/dom.js";

export class Challenges {
  /**
   * @param {HTMLElement} root an empty container
   * @param {Record<string, {goal: Record<string, any>, config: import("./state.js").Config}>} challenges
   *   schema.challenges, by name
   * @param {(message: object) => void} send sends a control message
   */
  constructor(root, challenges, send) {
    this.root = root;
    this.challenges = challenges ?? {};
    this.send = send;
    this.active = null; // the name of the challenge on, if any
    this.loading = false; // its config was asked for and has not come back yet
    this.solved = false;
    this.select = el("select", { id: "challenge-pick", "data-testid": "challenge-pick" });
    this.select.addEventListener("change", () => {
      if (this.select.value) this.load(this.select.value);
    });
    this.goal = el("p", { class: "hint", "data-testid": "challenge-goal" });
    this.status = el("p", { class: "challenge-status", "data-testid": "challenge-status" });
    this.hintLines = el("ul", { class: "challenge-hint-lines" });
    this.hint = el("details", { class: "challenge-hint", "data-testid": "challenge-hint", hidden: true }, [
      el("summary", { "data-i18n": "challenge.hint", text: t("challenge.hint") }),
      this.hintLines,
    ]);
    root.hidden = Object.keys(this.challenges).length === 0;
    root.append(
      el("h3", { "data-i18n": "challenge.title", text: t("challenge.title") }),
      el("label", { for: "challenge-pick", "data-i18n": "challenge.pick", text: t("challenge.pick") }),
      this.select,
      this.goal,
      this.status,
      this.hint,
    );
    this.fill();
  }

  fill() {
    const name = (key) => (has(`challenge.${key}`) ? t(`challenge.${key}`) : key);
    this.select.replaceChildren(
      el("option", { value: "", text: t("challenge.none") }),
      ...Object.keys(this.challenges).map((key) => el("option", { value: key, text: name(key) })),
    );
    this.select.value = this.active ?? "";
  }

  /** Start challenge `name`: pause, then its experiment (every weight sent with the frames). */
  load(name) {
    const challenge = this.challenges[name];
    if (!challenge) return;
    const { data, model, train } = challenge.config;
    this.active = name;
    this.loading = true;
    this.solved = false;
    this.send({ type: "pause" });
    this.send({ type: "configure", changes: { data, model, train, view: { units: true } } });
    this.send({ type: "reset" }); // every weight back to zero, also when it was on already
    this.select.value = name;
    this.render(null);
  }

  /** Is the session's experiment still the challenge's? */
  matches() {
    const wanted = this.challenges[this.active]?.config;
    const config = state.config;
    if (!wanted || !config) return false;
    return !difference(wanted.data, config.data) && !difference(wanted.model, config.model);
  }

  /** A frame was drawn: check the goal. */
  update(frame) {
    if (!this.active) return;
    const here = this.matches() && frame.header.generation === state.generation;
    if (this.loading) {
      if (here) this.loading = false;
      else return; // still the old experiment's frames
    }
    if (!here) {
      this.active = null;
      this.select.value = "";
      this.root.dataset.state = "left";
      setText(this.goal, "");
      setText(this.status, t("challenge.left"));
      this.renderHint();
      return;
    }
    this.render(frame.header.metrics?.train_acc ?? null);
  }

  render(acc) {
    const challenge = this.challenges[this.active];
    if (!challenge) return;
    const goal = pct(challenge.goal);
    setText(this.goal, t("challenge.goal", { goal }));
    this.solved = acc !== null && acc >= challenge.goal;
    this.root.dataset.state = this.solved ? "solved" : "open";
    this.lastAcc = acc;
    const text = acc === null ? "" : t(this.solved ? "challenge.solved" : "challenge.progress", {
      acc: pct(acc), goal,
    });
    setText(this.status, text);
    this.renderHint();
  }

  /** The active challenge's hint, one line per idea and layer (hidden without a challenge). */
  renderHint() {
    const lines = [];
    for (let i = 0; this.active && has(`challenge.${this.active}.hint.${i}`); i++) {
      lines.push(t(`challenge.${this.active}.hint.${i}`));
    }
    this.hint.hidden = lines.length === 0;
    const key = `${this.active}:${lines.join("\n")}`;
    if (key === this.hintKey) return;
    this.hintKey = key;
    this.hintLines.replaceChildren(...lines.map((text) => el("li", { text })));
  }

  relabel() {
    this.fill();
    if (this.active) this.render(this.lastAcc ?? null);
    else if (this.root.dataset.state === "left") setText(this.status, t("challenge.left"));
  }
}
