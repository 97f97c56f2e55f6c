// The help overlay: every keyboard shortcut, in the current language. "?" opens it, Esc closes.

import { t } from "../i18n.js";
import { el } from "../views/dom.js";

/** Every shortcut: the keys shown and the i18n key of what it does. */
export const SHORTCUTS = [
  { keys: ["Space"], what: "keys.play" },
  { keys: ["S"], what: "keys.step" },
  { keys: ["R"], what: "keys.reset" },
  { keys: ["←", "→"], what: "keys.lesson" },
  { keys: ["F"], what: "keys.full" },
  { keys: ["P"], what: "keys.presenter" },
  { keys: ["?"], what: "keys.help" },
  { keys: ["Esc"], what: "keys.close" },
  { keys: ["Ctrl+Z"], what: "keys.undo" },
];

export class HelpOverlay {
  /**
   * @param {{keys: string[], what: string}[]} [shortcuts] the keys listed (the fold's)
   * @param {string} [id] the overlay's id and test id
   */
  constructor(shortcuts = SHORTCUTS, id = "help") {
    this.shortcuts = shortcuts;
    this.list = el("dl", { class: "help-keys", "data-testid": "help-keys" });
    this.title = el("h2", { id: `${id}-title` });
    this.close = el("button", { type: "button", class: "help-close", text: "×", on: { click: () => this.hide() } });
    this.panel = el("div", { class: "help-panel", role: "dialog", "aria-modal": "true", "aria-labelledby": `${id}-title` }, [
      el("div", { class: "card-head" }, [this.title, this.close]),
      this.list,
    ]);
    this.root = el("div", { class: "help-overlay", id, "data-testid": id, hidden: true }, [this.panel]);
    this.root.addEventListener("click", (event) => {
      if (event.target === this.root) this.hide();
    });
    document.body.append(this.root);
    this.relabel();
  }

  get shown() {
    return !this.root.hidden;
  }

  show() {
    this.root.hidden = false;
    this.close.focus();
  }

  hide() {
    this.root.hidden = true;
  }

  toggle() {
    if (this.shown) this.hide();
    else this.show();
  }

  relabel() {
    this.title.textContent = t("keys.title");
    this.close.title = t("btn.dismiss");
    this.list.replaceChildren();
    for (const { keys, what } of this.shortcuts) {
      this.list.append(
        el("dt", {}, keys.map((key) => el("kbd", { text: key === "Space" ? t("keys.space") : key === "Esc" ? t("keys.esc") : key }))),
        el("dd", { text: t(what) }),
      );
    }
  }
}
