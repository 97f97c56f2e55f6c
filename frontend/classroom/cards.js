// Every view (a .card) gets two small buttons: save it as PNG, show it full screen. Full screen
// uses the Fullscreen API; where the browser refuses, the card fills the window (a CSS class).

import { t } from "../i18n.js";
import { el } from "../views/dom.js";

const FULL = "is-full";
const VIEW = ".card:not(.lesson-bar)"; // the lesson bar is a card, not a view of its own

/**
 * The card shown full screen now, or null.
 * @returns {HTMLElement | null}
 */
export function fullCard() {
  return document.querySelector(`.card.${FULL}`);
}

/**
 * Show `card` full screen, or leave full screen when it (or another card) is.
 * @param {HTMLElement} card
 */
export function toggleFull(card) {
  const current = fullCard();
  if (current) {
    leaveFull();
    if (current === card) return;
  }
  card.classList.add(FULL);
  document.body.classList.add("has-full");
  window.dispatchEvent(new Event("resize")); // views size their canvases to the card
  if (card.requestFullscreen && document.fullscreenEnabled) {
    card.requestFullscreen().catch(() => {
      // refused (no user gesture, an iframe): the CSS class alone fills the window
    });
  }
}

/** Leave full screen (the API's and the CSS fallback's). */
export function leaveFull() {
  for (const card of document.querySelectorAll(`.card.${FULL}`)) card.classList.remove(FULL);
  document.body.classList.remove("has-full");
  if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
  window.dispatchEvent(new Event("resize"));
}

// Esc leaves the browser's full screen without telling us: drop the class too.
document.addEventListener("fullscreenchange", () => {
  if (!document.fullscreenElement && fullCard()) leaveFull();
});

/** A short name for a card, for file names: "input", "stages", … */
export function cardName(card) {
  const named = [...card.classList].find((c) => c.startsWith("card-"));
  return named ? named.slice(5) : card.id || "view";
}

/** Four corners pointing out: the full-screen icon (drawn, so no font needs the glyph). */
function cornersIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M1 6V1h5M10 1h5v5M15 10v5h-5M6 15H1v-5");
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "2");
  svg.append(path);
  return svg;
}

export class CardTools {
  /**
   * @param {HTMLElement} root where the cards are (the main column)
   * @param {(card: HTMLElement) => void} onPng asked to save a card as PNG
   */
  constructor(root, onPng) {
    this.root = root;
    this.onPng = onPng;
    /** @type {HTMLElement | null} */
    this.picked = null; // the view last clicked (null: none, or somewhere outside the views)
    this.decorate();
    // Views added later (by other modules) get their buttons too.
    new MutationObserver(() => this.decorate()).observe(root, { childList: true, subtree: true });
    document.addEventListener("pointerdown", (event) => {
      this.picked = event.target instanceof Element ? event.target.closest(VIEW) : null;
    });
  }

  decorate() {
    const cards = /** @type {NodeListOf<HTMLElement>} */ (this.root.querySelectorAll(".card:not(.has-tools)"));
    for (const card of cards) {
      if (card.classList.contains("lesson-bar")) continue;
      card.classList.add("has-tools");
      const tool = (key, testid, content, run) =>
        el("button", {
          type: "button",
          class: "card-tool",
          "data-testid": testid,
          "data-i18n-title": key,
          title: t(key),
          on: { click: run },
        }, [content]);
      const tools = el("div", { class: "card-tools" }, [
        tool("card.png", "card-png", "PNG", () => this.onPng(card)),
        tool("card.full", "card-full", cornersIcon(), () => toggleFull(card)),
      ]);
      card.prepend(tools);
    }
  }

  /**
   * The view a shortcut means: the one holding the keyboard focus, else the one last clicked, else the stage strip.
   * @returns {HTMLElement | null}
   */
  target() {
    /** @type {HTMLElement | null | undefined} */
    const focused = document.activeElement?.closest(VIEW);
    if (focused && this.root.contains(focused)) return focused;
    if (this.picked?.isConnected) return this.picked;
    return this.root.querySelector(".card-stages") ?? this.root.querySelector(VIEW);
  }
}
