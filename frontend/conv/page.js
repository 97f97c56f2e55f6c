// The convolution mode's page: its schema, its socket (/ws/conv), its controls and views, and
// drawing the newest frame once per animation frame (then `ack`, the flow control). Its
// experiment lives in the address as ?mode=conv&conv={…}: the config where it is not the
// default, as compact JSON.

import { decodeFrame } from "../frame.js";
import { problemOf } from "../http.js";
import { onLanguageChange, t } from "../i18n.js";
import { LOST_TAG } from "../classroom/index.js";
import { Socket, socketUrl } from "../socket.js";
import { difference, merge } from "../state.js";
import { el, fmt, pct, setText, typing } from "../views/dom.js";
import "../strings/conv.js";
import { setupConvClassroom } from "./classroom.js";
import { ConvCompare } from "./compare.js";
import { ConvControls, fieldLabel } from "./controls.js";
import { receptiveField } from "./field.js";
import { ConvGallery } from "./gallery.js";
import { absMax, heatColor } from "./heat.js";
import { ConvInput } from "./inputview.js";
import { ConvKernels } from "./kernels.js";
import { ConvMaps } from "./maps.js";
import { createMatrixView } from "./matrix.js";
import { createSlidingWindow } from "./window.js";

/** @typedef {import("../views/messages.js").MessageBar} MessageBar */

// Query keys the address keeps as they are: the language, presenter mode, hidden sections.
const KEPT_KEYS = ["lang", "presenter", "hide"];

/** The conv config a link asks for (a partial one), and whether it says paused. */
export function readConvQuery(search) {
  const params = new URLSearchParams(search);
  const raw = params.get("conv");
  const paused = ["1", "true", "yes"].includes((params.get("paused") ?? "").toLowerCase());
  if (raw === null || raw === "") return { changes: {}, paused, problem: null };
  try {
    const changes = JSON.parse(raw);
    if (!changes || typeof changes !== "object" || Array.isArray(changes)) throw new Error("not an object");
    return { changes, paused, problem: null };
  } catch {
    return { changes: {}, paused, problem: raw };
  }
}

export class ConvPage {
  /**
   * @param {{root: HTMLElement, bar: HTMLElement, messages: MessageBar,
   *   presenter?: import("../classroom/presenter.js").Presenter}} options the conv container,
   *   its part of the top bar, the page's message bar and presenter mode
   */
  constructor({ root, bar, messages, presenter }) {
    this.root = root;
    this.bar = bar;
    this.messages = messages;
    this.presenter = presenter;
    // The address's lesson, save and leader are this mode's only in a link that opens in it.
    this.search = new URLSearchParams(location.search).get("mode") === "conv" ? location.search : "";
    this.active = false;
    this.started = false;
    this.wantRunning = true;
    this.resumeOnEnter = false;
    this.state = { config: null, running: false, step: 0, generation: 0, session: null, connected: false };
    this.pending = null;
    this.scheduled = false;
    /** What the browser tests can read: window.spacefold.conv. */
    this.info = {
      frames: 0,
      received: 0,
      lastFrame: null,
      drawMs: 0, // how long the last frame took to draw
      state: this.state,
      active: false,
      views: {},
      colorOf: heatColor,
      absMax,
    };
    const spacefold = /** @type {any} */ (window).spacefold;
    if (spacefold) spacefold.conv = this.info;
    window.addEventListener("keydown", (event) => this.key(event), { capture: true });
  }

  /** Show the mode (and start it the first time). */
  async enter() {
    this.active = this.info.active = true;
    if (!this.started) {
      this.started = true;
      await this.start();
      return;
    }
    if (this.resumeOnEnter) this.play();
    this.writeQuery();
    if (this.info.lastFrame) {
      this.pending ??= this.info.lastFrame;
      this.request();
    }
  }

  /** Hide the mode: its session pauses, and plays again when the mode comes back. */
  leave() {
    this.active = this.info.active = false;
    // The lesson in the address is this mode's: the fold's page must not open it.
    const params = new URLSearchParams(location.search);
    if (this.classroom && !this.classroom.following && params.has("lesson")) {
      params.delete("lesson");
      params.delete("step");
      history.replaceState(null, "", `${location.pathname}?${params}${location.hash}`);
    }
    this.resumeOnEnter = this.state.running || this.wantRunning;
    this.wantRunning = false;
    if (this.state.running) this.send({ type: "pause" });
  }

  async start() {
    const response = await fetch("/api/conv/schema").catch((error) => error);
    if (!(response instanceof Response) || !response.ok) {
      const message = response instanceof Response ? await problemOf(response) : String(response);
      this.messages.show({ key: "conv.msg.schema", params: { message } });
      return;
    }
    const schema = await response.json();
    this.schema = schema;
    const query = readConvQuery(location.search);
    if (query.problem !== null) {
      this.messages.show({ kind: "warn", key: "conv.msg.badLink", params: { value: query.problem } });
    }
    this.wanted = merge(schema.defaults, query.changes);
    this.wantRunning = !query.paused && this.active;
    this.build(schema);
    const classroom = this.classroom;
    // A lesson sets up its own experiment, and starts paused; a save opens as it was saved; a
    // follower drives nothing.
    if (classroom.lessonInLink) this.wanted = schema.defaults;
    if (classroom.following || classroom.opening || classroom.lessonInLink) this.wantRunning = false;
    classroom.load();
    this.connect();
  }

  build(schema) {
    const $ = (id) => /** @type {HTMLElement} */ (this.root.querySelector(`#${id}`));
    /** @param {string} field @param {string} value */
    const notNumber = (field, value) => this.messages.show({ key: "conv.msg.notNumber", params: { field, value } });
    const bar = /** @type {HTMLElement} */ (this.bar.querySelector(".conv-controls"));
    const roots = { side: $("conv-side"), bar };
    this.controls = new ConvControls(roots, schema, {
      configure: (changes) => this.send({ type: "configure", changes }),
      action: (name) => this.action(name),
      invalid: (path, raw) => notNumber(fieldLabel(path.replace(/\.\d+\./, ".*.")), raw),
    });
    this.numbers = this.bar.querySelector(".conv-numbers");
    const send = (m) => this.send(m);
    this.input = new ConvInput($("conv-input-card"), { send, maxValue: schema.max_value });
    this.maps = new ConvMaps($("conv-maps"), (stage, channel, position) => this.unit(stage, channel, position));
    this.compare = new ConvCompare($("conv-maps"), send);
    this.kernels = new ConvKernels($("conv-kernels"), {
      send: (m) => this.send(m),
      schema,
      invalid: (what) => notNumber(what, ""),
    });
    this.gallery = new ConvGallery($("conv-gallery"), (index) => {
      this.send({ type: "configure", changes: { view: { example: index } } });
      const drawn = this.info.lastFrame?.header.example.drawn;
      if (drawn) this.send({ type: "set_input", values: null }); // the sample, not a drawing
    });
    this.matrix = createMatrixView($("conv-matrix"), (m) => this.send(m));
    this.window = createSlidingWindow($("conv-window"), (m) => this.send(m));
    this.classroom = setupConvClassroom({
      schema,
      state: this.state,
      send,
      action: (name) => this.action(name),
      messages: this.messages,
      presenter: this.presenter,
      root: this.root,
      bar: this.bar,
      search: this.search,
    });
    this.info.classroom = this.classroom;
    // The caption above the maps takes room from them: fit them again when it changes.
    const slot = this.root.querySelector("[data-testid=conv-lesson-slot]");
    if (slot) new ResizeObserver(() => this.maps.fit()).observe(slot);
    const { controls, input, maps, compare, kernels, gallery } = this;
    Object.assign(this.info.views, { controls, input, maps, compare, kernels, gallery });
    onLanguageChange(() => {
      this.classroom.relabel();
      this.controls.relabel();
      this.maps.relabel();
      this.compare.relabel();
      this.kernels.relabel();
      this.renderStatus();
      if (this.info.lastFrame) {
        this.pending ??= this.info.lastFrame;
        this.request();
      }
    });
    new ResizeObserver(() => {
      if (this.info.lastFrame && this.active) {
        this.pending ??= this.info.lastFrame;
        this.request();
      }
    }).observe(this.root);
  }

  connect() {
    const classroom = this.classroom;
    this.socket = new Socket(classroom.socketUrl(`${socketUrl()}/conv`), {
      hello: (message) => {
        const again = this.state.session !== null;
        if (again) this.wanted = this.state.config ?? this.wanted;
        this.messages.dismissTag(LOST_TAG.conv);
        this.adopt(message);
        this.state.session = message.session;
        this.state.connected = true;
        if (!classroom.following) {
          const changes = difference(this.wanted, message.config);
          if (changes) this.send({ type: "configure", changes });
          if (this.wantRunning && !message.running) this.send({ type: "play" });
        }
        this.refresh();
        classroom.hello(message);
      },
      state: (message) => {
        const generation = Math.max(this.state.generation, message.generation ?? 0);
        this.adopt(message);
        this.state.generation = generation;
        if (this.active) this.wantRunning = message.running;
        this.refresh();
        classroom.state(message);
      },
      lesson: (message) => classroom.lesson(message),
      notice: (message) => classroom.notice(message),
      error: (message) => {
        const field = message.field ? ` (${message.field})` : "";
        if (classroom.followError(message)) return;
        this.messages.show({
          key: "msg.error",
          params: { message: `${message.message}${field}` },
          extra: message.allowed ? { key: "msg.allowed", params: { allowed: message.allowed } } : null,
        });
        this.refresh();
        this.controls?.revert(); // what the user typed goes back to what the server kept
        },
      pong: () => {},
      frame: (buffer) => this.frame(buffer),
      close: () => {
        const was = this.state.connected;
        this.state.connected = false;
        if (was) this.messages.show({ kind: "warn", key: "msg.lost", tag: LOST_TAG.conv });
        this.refresh();
      },
    });
    this.socket.connect();
  }

  adopt(message) {
    this.state.config = message.config;
    this.state.running = message.running;
    this.state.step = message.step;
    if (message.generation !== undefined) this.state.generation = message.generation;
  }

  send(message) {
    // A follower's page only acknowledges frames: the session it shows is the teacher's.
    if (this.classroom?.following && message.type !== "ack") return;
    this.socket?.send(message);
  }

  play() {
    this.wantRunning = true;
    this.send({ type: "play" });
  }

  action(name) {
    if (name === "play") return this.play();
    if (name === "pause") this.wantRunning = false;
    if (name === "step") {
      this.wantRunning = false;
      this.send({ type: "step", count: 1 });
      return;
    }
    this.send({ type: name });
  }

  refresh() {
    if (!this.controls) return;
    const live = this.state.connected && !this.classroom?.following;
    this.controls.render(this.state.config ?? this.schema.defaults, this.state.running, live);
    this.renderStatus();
    this.writeQuery();
  }

  renderStatus() {
    const status = this.bar.querySelector(".conv-status");
    if (!status) return;
    const { connected, running } = this.state;
    const key = !connected ? "status.connecting" : running ? "status.training" : "status.paused";
    status.className = `conv-status status ${key.split(".")[1]}`;
    setText(/** @type {HTMLElement} */ (status.querySelector(".status-text")), t(key));
  }

  /**
   * The address: ?mode=conv, the config where not the default, paused, the lesson step shown,
   * the language and presenter mode. A follower's stays the link it opened.
   */
  writeQuery() {
    if (!this.active || !this.state.config || !this.schema || this.classroom?.following) return;
    const params = new URLSearchParams();
    params.set("mode", "conv");
    const changes = difference(this.state.config, this.schema.defaults);
    if (changes) params.set("conv", JSON.stringify(changes));
    if (!this.state.running) params.set("paused", "1");
    const lessons = this.classroom?.lessons;
    if (lessons?.active) {
      params.set("lesson", lessons.name);
      params.set("step", String(lessons.k + 1));
    }
    const now = new URLSearchParams(location.search);
    for (const key of KEPT_KEYS) {
      const value = now.get(key);
      if (value !== null) params.set(key, value);
    }
    const url = `${location.pathname}?${params}${location.hash}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, "", url);
  }

  frame(buffer) {
    let frame;
    try {
      frame = decodeFrame(buffer);
    } catch (error) {
      this.send({ type: "ack" });
      this.messages.show({ key: "msg.badFrame", params: { message: String(error) }, tag: "conv-bad-frame" });
      return;
    }
    this.info.received++;
    if (frame.header.generation < this.state.generation) {
      this.send({ type: "ack" }); // a network that is gone
      return;
    }
    if (!this.active) {
      this.info.lastFrame = frame; // drawn when the mode comes back
      this.send({ type: "ack" });
      return;
    }
    if (this.pending && this.pending !== this.info.lastFrame) this.send({ type: "ack" }); // replaced unseen
    this.pending = frame;
    this.request();
  }

  request() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => this.draw());
  }

  draw() {
    this.scheduled = false;
    const frame = this.pending;
    this.pending = null;
    if (!frame || !this.active) return;
    const fresh = frame !== this.info.lastFrame;
    if (fresh && frame.header.generation < this.state.generation) {
      this.send({ type: "ack" }); // its network went while it waited to be drawn
      return;
    }
    const started = performance.now();
    const { header, arrays, shapes } = frame;
    const config = this.state.config ?? this.schema.defaults;
    this.input.update(header, arrays, shapes, config);
    this.maps.update(header, arrays, shapes, config);
    this.compare.update(header, arrays, shapes, config);
    this.kernels.update(header, arrays, shapes, config);
    this.gallery.update(header, arrays, shapes);
    this.matrix.update(header, arrays);
    this.window.update(header, arrays, config);
    this.renderNumbers(header);
    if (this.selectedUnit) this.unit(...this.selectedUnit);
    this.info.lastFrame = frame;
    this.info.drawMs = performance.now() - started;
    if (fresh) {
      this.info.frames++;
      this.send({ type: "ack" }); // drawn: the server may send the next one
    }
  }

  renderNumbers(header) {
    const m = header.metrics ?? {};
    const p = header.parameters ?? {};
    const cell = (name, value) => {
      const node = /** @type {HTMLElement} */ (this.numbers.querySelector(`[data-metric=${name}]`));
      if (node) setText(node, value);
    };
    cell("step", String(header.step));
    cell("train-loss", fmt(m.train_loss));
    cell("test-loss", fmt(m.test_loss));
    cell("train-acc", pct(m.train_acc));
    cell("test-acc", pct(m.test_acc));
    cell("shared", (p.shared ?? 0).toLocaleString("en").replaceAll(",", " "));
    cell("unshared", (p.unshared ?? 0).toLocaleString("en").replaceAll(",", " "));
    const unshared = Boolean(this.state.config?.model?.unshared);
    this.numbers.querySelector(".param-shared")?.classList.toggle("current", !unshared);
    this.numbers.querySelector(".param-unshared")?.classList.toggle("current", unshared);
  }

  /** A unit of a map clicked: light up the input positions it sees. */
  unit(stage, channel, position) {
    const frame = this.info.lastFrame ?? this.pending;
    if (!frame) return;
    this.selectedUnit = [stage, channel, position];
    const positions = receptiveField(frame.header, this.state.config, stage, position);
    this.input.highlight(positions);
  }

  /**
   * Keys while the mode shows: with a lesson open ← → step it and Shift+arrows move the input
   * (without one the arrows move it), space plays or pauses, s steps; p, ?, f, Esc as the
   * classroom says (see classroom.js).
   */
  key(event) {
    if (!this.active || !this.controls) return;
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    const pressable = event.target instanceof Element && event.target.closest("button, a, summary, select");
    if (event.key === " " && pressable) return; // space presses the button that has the focus
    const moves = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const inMenu = event.target instanceof HTMLSelectElement;
    if (key in moves && inMenu) return; // a menu's own arrows
    if (this.classroom.key(event, key)) {
      // used by the classroom
    } else if (this.classroom.following) {
      return; // read-only: the teacher drives
    } else if (key in moves) {
      if (this.classroom.lessons.active && !event.shiftKey) return; // ↑ ↓ scroll, as usual
      const [dy, dx] = moves[key];
      this.input.move(dy, dx);
    } else if (key === " ") {
      this.action(this.state.running ? "pause" : "play");
    } else if (key === "s") {
      this.action("step");
    } else if (key !== "p" && key !== "?" && key !== "r") {
      return; // the page's own keys (Escape) keep working; the fold mode's do not
    }
    event.preventDefault();
    event.stopPropagation();
  }
}

/** The top bar's part of the mode: status, run buttons and speed, the live numbers. */
export function convBarContent() {
  const num = (name) => el("span", { class: "num", "data-metric": name, text: "–" });
  const word = (key) => el("span", { class: "label", dataset: { i18n: key }, text: t(key) });
  const dot = () => el("span", { text: "·" });
  const tip = (key) => ({ title: t(key), dataset: { i18nTitle: key } });
  return [
    el("div", { class: "conv-status status connecting" }, [
      el("span", { class: "status-dot" }),
      el("span", { class: "status-text", text: t("status.connecting") }),
    ]),
    el("div", { class: "conv-controls" }),
    el("div", { class: "conv-numbers", "data-testid": "conv-numbers" }, [
      el("span", { class: "metric" }, [word("metrics.step"), num("step")]),
      el("span", { class: "metric" }, [word("metrics.train"), num("train-loss"), dot(), num("train-acc")]),
      el("span", { class: "metric" }, [word("metrics.test"), num("test-loss"), dot(), num("test-acc")]),
      el("span", { class: "metric params", ...tip("conv.params.title") }, [
        word("conv.params"),
        el("span", { class: "param-shared" }, [word("conv.params.shared"), num("shared")]),
        el("span", { class: "param-unshared" }, [word("conv.params.unshared"), num("unshared")]),
      ]),
    ]),
  ];
}
