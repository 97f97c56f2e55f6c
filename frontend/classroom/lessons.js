// The lesson player: pick a lesson, step through it (buttons, ← →), each step setting up the
// experiment its file describes and showing its caption in the current language.

import { getLanguage, t } from "../i18n.js";
import { difference, merge } from "../state.js";
import { problemOf } from "../http.js";
import { el } from "../views/dom.js";

// The parts of the config a step always sets; view.* only where the lesson names a field.
const SECTIONS = ["data", "model", "train"];

/**
 * The config a lesson leaves the experiment in at step `k` (0-based): the defaults, the
 * lesson's start, then every step's changes up to k (as the server's Lesson.configs()).
 * @param {import("../state.js").Config} defaults the schema's default config
 * @param {Record<string, any>} lesson GET /api/lessons/{name}
 * @param {number} k
 * @returns {import("../state.js").Config} a partial config: data, model, train and the view
 *   fields the lesson names
 */
export function lessonTarget(defaults, lesson, k) {
  let config = merge(defaults, lesson.start);
  const viewKeys = new Set(Object.keys(lesson.start?.view ?? {}));
  for (const step of lesson.steps.slice(0, k + 1)) {
    config = merge(config, step.changes);
    for (const key of Object.keys(step.changes?.view ?? {})) viewKeys.add(key);
  }
  const target = Object.fromEntries(SECTIONS.map((name) => [name, config[name]]));
  if (viewKeys.size) {
    target.view = Object.fromEntries([...viewKeys].map((key) => [key, config.view[key]]));
  }
  return target;
}

/**
 * How a lesson player differs between the page's modes.
 * @typedef {object} LessonOptions
 * @property {string} [api] where the lessons are: "/api" (the fold's) or "/api/conv"
 * @property {string} [prefix] before every id and test id ("" for the fold, "conv-")
 * @property {boolean} [pauseOnOpen] a lesson starts paused (the convolution lessons do)
 */

/** Put ?lesson=…&step=… into the address bar (or take them out), keeping the rest. */
function writeLessonQuery(name, k) {
  const params = new URLSearchParams(location.search);
  if (name) {
    params.set("lesson", name);
    params.set("step", String(k + 1));
  } else {
    params.delete("lesson");
    params.delete("step");
  }
  const query = params.toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
}

export class LessonPlayer {
  /**
   * @param {{schema: Record<string, any>, state: {config: any, running: boolean},
   *   send: (message: Record<string, any>) => void, action: (name: string) => void,
   *   messages: import("../views/messages.js").MessageBar}} ctx the mode's schema, session
   *   state, socket and run buttons
   * @param {LessonOptions} [options]
   */
  constructor(ctx, { api = "/api", prefix = "", pauseOnOpen = false } = {}) {
    this.ctx = ctx;
    this.api = api;
    this.prefix = prefix;
    this.pauseOnOpen = pauseOnOpen;
    this.list = []; // GET /api/lessons: [{name, title, summary, steps}]
    this.name = null;
    this.lesson = null;
    this.k = 0;
    this.readOnly = false; // follow mode: the caption of another page's lesson, no controls
    this.shown = 0; // the latest show() asked for: earlier answers are dropped
    this.buildPicker();
    this.buildBar();
  }

  buildPicker() {
    const id = `${this.prefix}lesson-pick`;
    this.picker = el("select", { id, "data-testid": id });
    this.picker.addEventListener("change", () => {
      if (this.picker.value) this.open(this.picker.value, 0);
      else this.close();
      this.picker.blur(); // chosen: → and space now step the lesson and play, not the menu
    });
    // The conv mode's menu is no `.group`: the fold's CSS hides those in the conv mode.
    const kind = this.prefix ? "lesson-group" : "group";
    this.group = el("section", { class: kind, "data-testid": `${this.prefix}group-lesson` }, [
      el("h3", {}, [el("label", { for: id, "data-i18n": "lesson.section", text: t("lesson.section") })]),
      this.picker,
    ]);
  }

  buildBar() {
    const ids = (name) => ({ id: `${this.prefix}${name}`, "data-testid": `${this.prefix}${name}` });
    const button = (name, key, run) =>
      el("button", { type: "button", ...ids(name), on: { click: run } }, [
        el("span", { "data-i18n": key, text: t(key) }),
      ]);
    this.title = el("h2", ids("lesson-title"));
    this.caption = el("p", { ...ids("lesson-caption"), class: "lesson-caption" });
    this.counter = el("span", { ...ids("lesson-counter"), class: "lesson-counter" });
    this.prevButton = button("lesson-prev", "lesson.prev", () => this.prev());
    this.nextButton = button("lesson-next", "lesson.next", () => this.next());
    this.closeButton = el("button", {
      type: "button",
      class: "lesson-close",
      "data-testid": `${this.prefix}lesson-close`,
      "data-i18n-title": "lesson.close",
      title: t("lesson.close"),
      text: "×",
      on: { click: () => this.close() },
    });
    this.nav = el("div", { class: "lesson-nav" }, [this.prevButton, this.counter, this.nextButton]);
    this.bar = el("section", { ...ids("lesson-bar"), class: "card lesson-bar", hidden: true }, [
      el("div", { class: "card-head" }, [this.title, this.closeButton]),
      this.caption,
      this.nav,
    ]);
  }

  /** Fetch the lesson list and fill the picker. */
  async load() {
    try {
      const response = await fetch(`${this.api}/lessons`);
      if (!response.ok) throw new Error(await problemOf(response));
      this.list = (await response.json()).lessons;
    } catch (error) {
      this.ctx.messages.show({ key: "lesson.loadFailed", params: { message: error instanceof Error ? error.message : String(error) } });
      this.list = [];
    }
    this.fillPicker();
  }

  fillPicker() {
    const lang = getLanguage();
    this.picker.replaceChildren(el("option", { value: "", text: t("lesson.none") }));
    for (const item of this.list) {
      this.picker.append(el("option", { value: item.name, text: item.title[lang] ?? item.title.en }));
    }
    this.picker.value = this.name ?? "";
  }

  get active() {
    return this.lesson !== null;
  }

  /**
   * Open lesson `name` at step `k` (0-based) and apply that step.
   * @returns {Promise<boolean>} whether it opened
   */
  async open(name, k = 0) {
    const lesson = await this.fetchLesson(name);
    if (!lesson) {
      this.picker.value = this.name ?? "";
      return false;
    }
    this.name = name;
    this.lesson = lesson;
    this.picker.value = name;
    if (this.pauseOnOpen && this.ctx.state.running) this.ctx.action("pause");
    this.go(Math.min(Math.max(k, 0), lesson.steps.length - 1));
    return true;
  }

  /** GET /api/lessons/{name}, or null (and a message saying why). */
  async fetchLesson(name) {
    try {
      const response = await fetch(`${this.api}/lessons/${encodeURIComponent(name)}`);
      if (!response.ok) throw new Error(await problemOf(response));
      return await response.json();
    } catch (error) {
      this.ctx.messages.show({ key: "lesson.openFailed", params: { name, message: error instanceof Error ? error.message : String(error) } });
      return null;
    }
  }

  /**
   * Follow mode: show the caption of step `k` of lesson `name` as the leading page shows it
   * (its "lesson" event); nothing is applied and the bar has no controls. Null: no lesson.
   */
  async show(name, k) {
    const ticket = ++this.shown;
    this.readOnly = true;
    let lesson = name === this.name ? this.lesson : null;
    if (name && !lesson) lesson = await this.fetchLesson(name);
    if (ticket !== this.shown) return; // a newer step arrived meanwhile
    this.name = lesson ? name : null;
    this.lesson = lesson;
    this.k = lesson ? Math.min(Math.max(k, 0), lesson.steps.length - 1) : 0;
    this.render();
  }

  /** Tell the server which lesson step this page shows: its followers show the same. */
  announce() {
    this.ctx.send({ type: "lesson", name: this.name, step: this.lesson ? this.k : 0 });
  }

  /**
   * Apply step `k`: its config (built on the start and every earlier step), a reset, the
   * kernels and the classifier it sets by hand (a convolution lesson's), then its action.
   */
  go(k) {
    if (!this.lesson) return;
    this.k = k;
    const step = this.lesson.steps[k];
    const target = lessonTarget(this.ctx.schema.defaults, this.lesson, k);
    const changes = difference(target, this.ctx.state.config);
    if (changes) this.ctx.send({ type: "configure", changes });
    if (step.action === "reset") this.ctx.action("reset");
    for (const { layer, channel, weights, bias } of step.kernels ?? []) {
      this.ctx.send({ type: "set_kernel", layer, channel, weights, bias: bias ?? null });
    }
    if (step.readout) {
      this.ctx.send({ type: "set_readout", weight: step.readout.weight, bias: step.readout.bias ?? null });
    }
    if (step.action === "step") this.ctx.send({ type: "step", count: step.steps ?? 1 });
    else if (step.action && step.action !== "reset") this.ctx.action(step.action);
    writeLessonQuery(this.name, k);
    this.render();
    this.announce();
  }

  next() {
    if (this.lesson && this.k < this.lesson.steps.length - 1) this.go(this.k + 1);
  }

  prev() {
    if (this.lesson && this.k > 0) this.go(this.k - 1);
  }

  close() {
    this.lesson = null;
    this.name = null;
    this.picker.value = "";
    writeLessonQuery(null, 0);
    this.render();
    this.announce();
  }

  render() {
    const lang = getLanguage();
    const pick = (text) => text?.[lang] ?? text?.en ?? "";
    const listed = this.list.find((item) => item.name === this.picker.value);
    // The menu sits in the top bar, with no room beside it: what a lesson is shows on hover.
    this.picker.title = listed ? pick(listed.summary) : t("lesson.hint");
    this.bar.hidden = !this.lesson;
    this.nav.hidden = this.closeButton.hidden = this.readOnly;
    if (!this.lesson) return;
    const n = this.lesson.steps.length;
    this.title.textContent = `${t("lesson.label")} · ${pick(this.lesson.title)}`;
    this.caption.textContent = pick(this.lesson.steps[this.k].caption);
    this.counter.textContent = t("lesson.counter", { k: this.k + 1, n });
    this.prevButton.disabled = this.k === 0;
    this.nextButton.disabled = this.k === n - 1;
  }

  relabel() {
    this.fillPicker();
    this.render();
  }
}
