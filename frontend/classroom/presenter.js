// Presenter mode (large type, the sidebar hidden: ?presenter=1 or the P key) and the sidebar
// sections each one can hide (remembered in this browser; ?hide=data,train in a link wins).

import { t } from "../i18n.js";
import { el } from "../views/dom.js";

const STORE_KEY = "spacefold.hidden";

function readStored() {
  try {
    return localStorage.getItem(STORE_KEY);
  } catch {
    return null;
  }
}

function writeStored(value) {
  try {
    localStorage.setItem(STORE_KEY, value);
  } catch {
    // private mode: not remembered
  }
}

/** Set or remove one query parameter in the address bar, keeping the rest. */
function writeParam(key, value) {
  const params = new URLSearchParams(location.search);
  if (value === null) params.delete(key);
  else params.set(key, value);
  const query = params.toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
}

export class Presenter {
  /** @param {HTMLElement} sidebar the element whose [data-testid^=group-] sections can hide */
  constructor(sidebar) {
    this.sidebar = sidebar;
    const params = new URLSearchParams(location.search);
    const fromLink = params.get("hide");
    const names = (fromLink ?? readStored() ?? "").split(",").filter(Boolean);
    this.hidden = new Set(names);
    this.on = ["1", "true", "yes"].includes((params.get("presenter") ?? "").toLowerCase());
    /** @type {HTMLButtonElement[]} */
    this.buttons = [];
    this.button = this.addButton("btn-presenter");
    this.boxes = el("div", { class: "section-boxes", "data-testid": "section-boxes" });
    this.group = el("details", { class: "group", "data-testid": "group-sections" }, [
      el("summary", {}, [el("h3", {}, [el("span", { "data-i18n": "presenter.sections", text: t("presenter.sections") })])]),
      el("p", { class: "hint", "data-i18n": "presenter.sectionsHint", text: t("presenter.sectionsHint") }),
      this.boxes,
    ]);
    this.apply();
  }

  /**
   * A button that turns presenter mode on and off (each mode's bar has one; they say the same).
   * @param {string} id its id and test id
   */
  addButton(id) {
    const button = el("button", { type: "button", id, "data-testid": id, on: { click: () => this.toggle() } });
    this.buttons.push(button);
    this.relabel();
    return button;
  }

  /** The sidebar sections that can be hidden, by name (group-data → data). */
  sections() {
    const nodes = /** @type {NodeListOf<HTMLElement>} */ (this.sidebar.querySelectorAll("[data-testid^=group-]"));
    return [...nodes]
      .map((node) => ({ node, name: String(node.dataset.testid).slice(6) }))
      .filter((s) => s.name !== "sections");
  }

  /** Build one checkbox per section (call once every section is in the sidebar). */
  buildBoxes() {
    this.boxes.replaceChildren();
    for (const { node, name } of this.sections()) {
      /** @type {HTMLElement | null} */
      const heading = node.querySelector("h3 [data-i18n], h3");
      const key = heading?.dataset?.i18n;
      const box = el("input", { type: "checkbox", "data-section": name, "data-testid": `show-${name}` });
      box.checked = !this.hidden.has(name);
      box.addEventListener("change", () => this.setHidden(name, !box.checked));
      this.boxes.append(
        el("label", { class: "toggle" }, [box, el("span", key ? { "data-i18n": key, text: t(key) } : { text: heading?.textContent ?? name })]),
      );
    }
    this.apply();
  }

  setHidden(name, hidden) {
    if (hidden) this.hidden.add(name);
    else this.hidden.delete(name);
    const value = [...this.hidden].join(",");
    writeStored(value);
    if (new URLSearchParams(location.search).has("hide")) writeParam("hide", value || null);
    this.apply();
  }

  toggle(on = !this.on) {
    this.on = on;
    writeParam("presenter", on ? "1" : null);
    this.apply();
  }

  apply() {
    document.body.classList.toggle("presenter", this.on);
    for (const { node, name } of this.sections()) node.hidden = this.hidden.has(name);
    this.relabel();
  }

  relabel() {
    const key = this.on ? "presenter.leave" : "presenter.enter";
    for (const button of this.buttons) {
      button.textContent = t(key);
      button.title = t("presenter.title");
      button.setAttribute("aria-pressed", String(this.on));
    }
  }
}
