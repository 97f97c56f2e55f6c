// The convolution mode's classroom: its lessons (the caption beside the feature maps), saves
// and short links, follow mode and its keyboard help, built from the fold's modules with the
// conv mode's routes (/api/conv/…) and ids (conv-…). Presenter mode is the page's one.

import { t } from "../i18n.js";
import { CaptionPlace } from "../classroom/caption.js";
import { fullCard, leaveFull, toggleFull } from "../classroom/cards.js";
import { FollowPanel, followSocketUrl } from "../classroom/follow.js";
import { HelpOverlay } from "../classroom/help.js";
import { socketHandlers } from "../classroom/index.js";
import { LessonPlayer } from "../classroom/lessons.js";
import { SavesPanel } from "../classroom/saves.js";
import { el } from "../views/dom.js";
import "./strings_classroom.js";

const PREFIX = "conv-";
const API = "/api/conv";
const PAGE = "mode=conv&"; // the query a conv link starts with

/** The conv mode's keys, for its help overlay. */
export const CONV_SHORTCUTS = [
  { keys: ["Space"], what: "keys.play" },
  { keys: ["S"], what: "keys.step" },
  { keys: ["←", "→"], what: "conv.keys.lesson" },
  { keys: ["Shift+←", "Shift+→", "Shift+↑", "Shift+↓"], what: "conv.keys.shift" },
  { keys: ["F"], what: "conv.keys.full" },
  { keys: ["P"], what: "keys.presenter" },
  { keys: ["?"], what: "keys.help" },
  { keys: ["Esc"], what: "keys.close" },
];

/**
 * A caption scrolled out of sight with its card (to the matrix or the sliding window, which
 * some steps talk about) floats at the bottom of the window until its place comes back.
 * @param {HTMLElement} bar the lesson bar
 * @param {HTMLElement} slot its place in the maps card
 * @param {CaptionPlace} place where it goes while a card fills the screen
 */
function floatWhenAway(bar, slot, place) {
  new IntersectionObserver(([entry]) => {
    const away = !entry.isIntersecting && !bar.hidden && fullCard() === null;
    if (away === bar.classList.contains("floating")) return;
    // The slot keeps the caption's room: the maps do not jump when it floats off or back.
    slot.style.minHeight = away ? `${slot.offsetHeight}px` : "";
    bar.classList.toggle("floating", away);
    // ... and the page gets as much room below its end, so nothing has to stay under it.
    const root = /** @type {HTMLElement} */ (slot.closest(".conv"));
    if (root) root.style.paddingBottom = away ? `${bar.offsetHeight + 24}px` : "";
    if (!away) place.place();
  }).observe(slot);
}

/**
 * What the conv page hands its classroom.
 * @typedef {object} ConvClassroomContext
 * @property {Record<string, any>} schema GET /api/conv/schema
 * @property {{config: any, running: boolean, session: string | null, connected: boolean}} state
 * @property {(message: Record<string, any>) => void} send
 * @property {(name: string) => void} action the run buttons' handler
 * @property {import("../views/messages.js").MessageBar} messages
 * @property {import("../classroom/presenter.js").Presenter | undefined} presenter
 * @property {HTMLElement} root the conv mode's container
 * @property {HTMLElement} bar its part of the top bar
 * @property {string} search the address's query when the page opened in this mode, else ""
 */

/**
 * Build the conv mode's classroom.
 * @param {ConvClassroomContext} ctx
 */
export function setupConvClassroom(ctx) {
  const { root, bar, state, messages, search } = ctx;
  const params = new URLSearchParams(search);
  const follow = new FollowPanel({ state, messages }, { search, page: PAGE, prefix: PREFIX });
  const following = follow.following !== null;
  const opening = following ? null : params.get("open");
  const lessonInLink = following ? null : params.get("lesson");
  const lessons = new LessonPlayer(ctx, { api: API, prefix: PREFIX, pauseOnOpen: true });
  const saves = new SavesPanel({ state, messages }, { api: API, prefix: PREFIX, file: "spacefold-conv", download: true });
  const help = new HelpOverlay(CONV_SHORTCUTS, "conv-help");

  // The caption sits in the feature maps' card, over the maps it talks about (and stays in
  // sight while that card scrolls or fills the screen).
  const mapsCard = /** @type {HTMLElement} */ (root.querySelector("[data-testid=conv-maps-card]"));
  const slot = el("div", { class: "lesson-slot conv-lesson-slot", "data-testid": "conv-lesson-slot" });
  mapsCard.querySelector(".card-head").after(slot);
  const place = new CaptionPlace(lessons.bar, slot);
  floatWhenAway(lessons.bar, slot, place);

  const side = /** @type {HTMLElement} */ (root.querySelector("#conv-side"));
  side.append(saves.group, follow.group);
  const helpButton = el("button", {
    type: "button",
    class: "help-button small",
    "data-testid": "conv-btn-help",
    "data-i18n-title": "conv.keys.title",
    title: t("conv.keys.title"),
    text: "?",
    on: { click: () => help.toggle() },
  });
  const presenterButton = ctx.presenter?.addButton("conv-btn-presenter");
  const toolbar = el("div", { class: "toolbar conv-toolbar", "data-testid": "conv-toolbar" }, [
    follow.badge,
    ...(presenterButton ? [presenterButton] : []),
    helpButton,
  ]);
  bar.prepend(lessons.group);
  bar.append(toolbar);

  if (following) {
    // Read-only: nothing here may change the teacher's session.
    for (const part of root.querySelectorAll("#conv-side, #conv-input-card, #conv-kernels, #conv-gallery, #conv-matrix, #conv-window")) {
      /** @type {HTMLElement} */ (part).inert = true;
    }
    const controls = bar.querySelector(".conv-controls");
    if (controls) /** @type {HTMLElement} */ (controls).inert = true;
    lessons.group.hidden = true;
    saves.group.hidden = true;
  }

  /**
   * The classroom's keys (the page's own come after): a lesson's ← →, presenter mode, help,
   * full screen. Returns whether it used the key.
   * @param {KeyboardEvent} event
   * @param {string} key the key, lower case when a letter
   */
  const key = (event, key) => {
    if (key === "?") help.toggle();
    else if (key === "p" && ctx.presenter) ctx.presenter.toggle();
    else if (key === "Escape" && help.shown) help.hide();
    else if (key === "f") {
      if (fullCard()) leaveFull();
      else toggleFull(mapsCard);
    } else if ((key === "ArrowLeft" || key === "ArrowRight") && lessons.active && !event.shiftKey && !following) {
      if (key === "ArrowLeft") lessons.prev();
      else lessons.next();
    } else return false;
    return true;
  };

  const api = {
    following,
    opening,
    lessonInLink,
    lessons,
    saves,
    follow,
    help,
    key,
    /** @param {string} base ws://host/ws/conv */
    socketUrl: (base) => followSocketUrl(base, search),
    ...socketHandlers({ follow, lessons, saves, following, opening, lesson: lessonInLink, params }, ctx),
    relabel() {
      lessons.relabel();
      saves.relabel();
      help.relabel();
      follow.render();
    },
    load() {
      lessons.load();
    },
  };
  return api;
}
