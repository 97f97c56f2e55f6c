// The page's two modes, switched without a reload: the 2-D fold ("Fold") and "Convolution".
// The mode is in the address (?mode=conv); the mode out of sight pauses, and plays again when it
// comes back if it was playing.

import { ConvPage, convBarContent } from "./page.js";

/** Query keys that belong to the conv mode, not to the fold's experiment. */
const CONV_KEYS = ["mode", "conv"];

/** Keys both modes use: in a conv link they are the conv session's (its lesson, save, leader). */
const SHARED_KEYS = ["paused", "lesson", "step", "open", "follow"];

/** Does the address ask for the conv mode? */
export function wantsConv(search = location.search) {
  return new URLSearchParams(search).get("mode") === "conv";
}

/**
 * The address's query as the fold mode reads it: without the conv mode's keys (and, in a conv
 * link, without its `paused`, lesson, save and leader, which are the conv session's).
 * @param {string} search
 */
export function foldQuery(search) {
  const params = new URLSearchParams(search);
  if (params.get("mode") === "conv") for (const key of SHARED_KEYS) params.delete(key);
  for (const key of CONV_KEYS) params.delete(key);
  const query = params.toString();
  return query ? `?${query}` : "";
}

/**
 * Wire the mode switch.
 * @param {{messages: import("../views/messages.js").MessageBar,
 *   presenter: import("../classroom/presenter.js").Presenter,
 *   fold: {leave: () => boolean, enter: (wasRunning: boolean) => void}}} options the page's
 *   message bar; presenter mode (one for both modes); the fold mode's hooks (leave returns
 *   whether it was to be playing)
 * @returns {{conv: boolean, page: ConvPage}} whether the page starts in the conv mode
 */
export function setupModes({ messages, presenter, fold }) {
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const bar = $("conv-bar");
  bar.append(...convBarContent());
  const page = new ConvPage({ root: $("conv"), bar, messages, presenter });
  const buttons = { fold: $("btn-mode-fold"), conv: $("btn-mode-conv") };
  let mode = "fold";
  let foldWasRunning = false;
  const show = (next) => {
    document.body.classList.toggle("mode-conv", next === "conv");
    $("conv").hidden = next !== "conv";
    bar.hidden = next !== "conv";
    for (const [name, button] of Object.entries(buttons)) {
      button.setAttribute("aria-pressed", String(name === next));
      button.classList.toggle("on", name === next);
    }
  };
  const go = (next) => {
    if (next === mode) return;
    mode = next;
    if (next === "conv") {
      foldWasRunning = fold.leave();
      if (document.body.classList.contains("drawer-open")) $("btn-drawer-close").click();
      show("conv");
      page.enter();
    } else {
      page.leave();
      show("fold");
      fold.enter(foldWasRunning);
      window.dispatchEvent(new Event("resize")); // the fold's views measure themselves again
    }
    result.conv = next === "conv";
  };
  buttons.fold.addEventListener("click", () => go("fold"));
  buttons.conv.addEventListener("click", () => go("conv"));
  const result = { conv: false, page, go };
  if (wantsConv()) {
    mode = "conv";
    result.conv = true;
    foldWasRunning = fold.leave(); // the fold mode waits, and plays when it is first shown
    show("conv");
    page.enter();
  }
  return result;
}
