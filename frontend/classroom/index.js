// The classroom: lessons, presenter mode, keyboard shortcuts and help, saved experiments,
// exports and follow mode, wired into the page. main.js calls setupClassroom once, then
// hands it the socket's hello, state and error events.

import { t } from "../i18n.js";
import { CaptionPlace } from "./caption.js";
import { CardTools, fullCard, leaveFull, toggleFull, cardName } from "./cards.js";
import { el } from "../views/dom.js";
import { Exporter, videoLabel } from "./exporter.js";
import { FollowPanel, followSocketUrl } from "./follow.js";
import { HelpOverlay } from "./help.js";
import { LessonPlayer } from "./lessons.js";
import { Presenter } from "./presenter.js";
import { SavesPanel } from "./saves.js";
import { listenForShortcuts } from "./shortcuts.js";
import "./strings.js";

/**
 * What the page hands the classroom.
 * @typedef {object} Context
 * @property {Record<string, any>} schema GET /api/schema
 * @property {typeof import("../state.js").state} state
 * @property {(message: Record<string, any>) => void} send
 * @property {(name: string) => void} action the run buttons' handler
 * @property {import("../views/messages.js").MessageBar} messages
 * @property {import("../views/morphplayer.js").MorphPlayer} player the morph player
 * @property {HTMLElement} sidebar the settings drawer
 * @property {HTMLElement} topbar
 * @property {{readonly isOpen: boolean, close(): void}} layout the drawer
 * @property {HTMLElement} panel where the drawer's classroom sections go
 * @property {HTMLElement} main the main column
 * @property {HTMLCanvasElement} morphCanvas
 * @property {string} [search] the address's query as this mode reads it (the conv mode's
 *   lesson, save and follow keys left out)
 */

/**
 * Build the classroom's parts and listen for its shortcuts.
 * @param {Context} ctx
 * @returns the page's hooks: following, opening, socketUrl(base), hello(m), state(m),
 *   lesson(m), error(m), relabel()
 */
export function setupClassroom(ctx) {
  const { state, messages } = ctx;
  const search = ctx.search ?? location.search;
  const params = new URLSearchParams(search);
  const follow = new FollowPanel({ state, messages }, { search });
  const following = follow.following !== null;
  const opening = following ? null : params.get("open");

  const lessons = new LessonPlayer(ctx);
  const saves = new SavesPanel({ state, messages });
  const exporter = new Exporter(ctx);
  const presenter = new Presenter(ctx.sidebar);
  const help = new HelpOverlay();
  const cards = new CardTools(ctx.main, (card) => exporter.png(card, cardName(card)));

  // The export buttons.
  const exportButton = (key, testid, run) =>
    el("button", { type: "button", "data-testid": testid, on: { click: run } }, [el("span", { "data-i18n": key, text: t(key) })]);
  const videoButton = el("button", { type: "button", "data-testid": "export-video", on: { click: () => exporter.video(renderVideo) } });
  const renderVideo = (recording = exporter.recording !== null) => {
    videoButton.textContent = videoLabel(recording);
    videoButton.disabled = recording;
  };
  renderVideo(false);
  const jsonButton = exportButton("export.json", "export-json", () => exporter.json());
  const exportGroup = el("details", { class: "group", open: true, "data-testid": "group-export" }, [
    el("summary", {}, [el("h3", {}, [el("span", { "data-i18n": "export.section", text: t("export.section") })])]),
    el("div", { class: "export-buttons" }, [jsonButton, exportButton("export.csv", "export-csv", () => exporter.csv()), videoButton]),
    el("p", { class: "hint", "data-i18n": "export.hint", text: t("export.hint") }),
  ]);

  // The lesson menu in the top bar, the drawer's sections, the caption over the stage strip
  // (and over whichever view fills the screen), the toolbar at the top bar's end.
  const barEnd = ctx.topbar.querySelector("#bar-end");
  barEnd.before(lessons.group);
  ctx.panel.append(saves.group, exportGroup, follow.group, presenter.group);
  new CaptionPlace(lessons.bar, ctx.main.querySelector("#lesson-slot"));
  const helpButton = el("button", { type: "button", class: "help-button small", "data-testid": "btn-help", "data-i18n-title": "keys.title", title: t("keys.title"), text: "?", on: { click: () => help.toggle() } });
  const toolbar = el("div", { class: "toolbar", "data-testid": "toolbar" }, [follow.badge, presenter.button, helpButton]);
  barEnd.append(toolbar);
  presenter.buildBoxes();

  if (following) {
    // Read-only: nothing here may change the teacher's session.
    for (const part of [ctx.sidebar.querySelector("#controls"), ctx.topbar.querySelector("#run-bar")]) {
      /** @type {HTMLElement} */ (part).inert = true;
    }
    for (const group of [lessons.group, saves.group]) group.hidden = true;
    jsonButton.hidden = true;
  }

  const connected = () => state.connected && !following;
  listenForShortcuts({
    playPause: () => connected() && (ctx.action(state.running ? "pause" : "play"), true),
    step: () => connected() && (ctx.action("step"), true),
    reset: () => connected() && (ctx.action("reset"), true),
    prev: () => connected() && lessons.active && (lessons.prev(), true),
    next: () => {
      if (!connected()) return false;
      if (lessons.active) lessons.next();
      else ctx.action("step"); // no lesson open: one training step, as before
      return true;
    },
    full: () => {
      const card = fullCard() ?? cards.target();
      if (!card) return false;
      toggleFull(card);
      return true;
    },
    presenter: () => (presenter.toggle(), true),
    help: () => (help.toggle(), true),
    escape: () => {
      if (help.shown) help.hide();
      else if (fullCard()) leaveFull();
      else if (ctx.layout?.isOpen) ctx.layout.close();
      else return false;
      return true;
    },
  });

  const api = {
    following,
    /** Whether the page opens a saved experiment (?open=…): it then starts paused. */
    opening,
    socketUrl: (base) => followSocketUrl(base, search),
    lessons,
    saves,
    presenter,
    help,
    ...socketHandlers({ follow, lessons, saves, following, opening, lesson: params.get("lesson"), params }, ctx),
    relabel() {
      lessons.relabel();
      saves.relabel();
      presenter.relabel();
      help.relabel();
      follow.render();
      renderVideo();
    },
  };
  lessons.load();
  return api;
}

/** The tags of each mode's "lost the connection" message (main.js, conv/page.js). */
export const LOST_TAG = { fold: "lost", conv: "conv-lost" };

/** A server's message (written to follow "The server refused that: ") as a sentence of its own. */
const sentence = (text) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Say what came back when a reconnected tab's experiment was reopened from its autosave: all of
 * it, or the state of some seconds ago when its server stopped.
 * @param {import("../views/messages.js").MessageBar} messages
 * @param {{step: number, age: number, final: boolean}} restored
 */
function tellRestored(messages, restored) {
  const params = { step: restored.step, age: Math.round(restored.age) };
  if (restored.final) messages.show({ kind: "info", key: "msg.resumed", params, tag: "resumed" });
  else messages.show({ kind: "warn", key: "msg.restored", params, tag: "resumed" });
}

/**
 * What a classroom does with the socket's events, in either mode: greet a new session (open the
 * save or the lesson the link names, once), keep the follow panel's numbers, follow the
 * leader's lesson step, and stop knocking when the session to follow is gone.
 * @param {{follow: FollowPanel, lessons: LessonPlayer, saves: SavesPanel, following: boolean,
 *   opening: string | null, lesson: string | null, params: URLSearchParams}} parts
 * @param {{messages: import("../views/messages.js").MessageBar}} ctx
 */
export function socketHandlers(parts, ctx) {
  const { follow, lessons, saves, following, opening, lesson, params } = parts;
  let greeted = false;
  const handlers = {
    hello(message) {
      follow.update(message);
      if (message.restored) tellRestored(ctx.messages, message.restored);
      if (following) ctx.messages.dismissTag("follow"); // following again: what said it stopped is over
      if (following) handlers.lesson(message); // the lesson step the leader shows when we join
      if (greeted) {
        if (!following && lessons.active) lessons.announce(); // a new session: say it again
        return;
      }
      greeted = true;
      if (following) return;
      saves.refresh();
      if (opening) saves.open(opening);
      if (lesson) {
        const k = Number.parseInt(params.get("step") ?? "1", 10);
        lessons.open(lesson, Number.isFinite(k) ? k - 1 : 0);
      }
    },
    state(message) {
      follow.update(message);
    },
    /** A follower's page: the leader shows this lesson step ({name, step}) or none (null). */
    lesson(message) {
      if (following) lessons.show(message.lesson?.name ?? null, message.lesson?.step ?? 0);
    },
    /** News that is no refusal (the followed session answers again): it replaces the error it ends. */
    notice(message) {
      ctx.messages.show({ kind: "info", key: "msg.notice", params: { message: sentence(message.message) }, tag: message.field });
    },
    /**
     * An error about the session this page follows (gone, its server stopped): news for the
     * student, not a refusal of anything they did. Shown as such; true when it was one.
     */
    followError(message) {
      if (message.field !== "follow") return false;
      for (const tag of Object.values(LOST_TAG)) ctx.messages.dismissTag(tag); // a server answered
      ctx.messages.show({ kind: "warn", key: "msg.notice", params: { message: sentence(message.message) }, tag: "follow" });
      return true;
    },
    // A session to follow that is gone for good closes its socket with 1008, and the socket
    // stops knocking (socket.js); one whose server stopped closes with 1013: knock again.
  };
  return handlers;
}
