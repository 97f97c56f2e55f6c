// Keyboard shortcuts for the whole page, wherever the focus is (a menu just chosen from
// included: its own arrow keys and space give way to the shortcuts). None fires while typing in
// a text field, or with Ctrl, Alt or Cmd held (the browser's own shortcuts stay the browser's).

import { typing } from "../views/dom.js";

/**
 * Listen for the shortcuts on `document`.
 * @param {Record<"playPause" | "step" | "reset" | "prev" | "next" | "full" | "presenter" | "help"
 *   | "escape", () => boolean>} on the handlers; each returns false when it did nothing (then
 *   the key keeps its usual effect)
 * @returns {(event: KeyboardEvent) => boolean} the handler (true when it used the key)
 */
export function listenForShortcuts(on) {
  const handle = (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return false;
    if (typing(event.target)) return false;
    // Space on a focused button presses that button: leave it to the button.
    if (event.key === " " && event.target instanceof Element && event.target.closest("button, a, summary")) return false;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const action = {
      " ": on.playPause,
      s: on.step,
      r: on.reset,
      ArrowLeft: on.prev,
      ArrowRight: on.next,
      f: on.full,
      p: on.presenter,
      "?": on.help,
      Escape: on.escape,
    }[key];
    if (!action || action() === false) return false;
    event.preventDefault();
    return true;
  };
  document.addEventListener("keydown", handle);
  return handle;
}
