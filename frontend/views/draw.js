// Drawing data on the input plane: click adds a point of the chosen class, shift-click one of
// the next class, right-click (or ctrl-click) removes the point nearest the pointer, however far;
// "clear all"; Undo (or Ctrl+Z / Cmd+Z) takes back the last change of the points, which the
// server keeps (engine/pointundo.py). The point lands at the data coordinates under the
// pointer, read through the plane's own mapping.

import "../strings/playground.js";
import { t } from "../i18n.js";
import { el as make, typing } from "./dom.js";
import { classColor } from "./palette.js";

export class DrawTool {
  /**
   * @param {{canvas: HTMLCanvasElement, picker: HTMLElement, clear: HTMLButtonElement,
   *   hint: HTMLElement}} el canvas: the input plane's canvas, picker: where the class chips go,
   *   clear: the "clear all" button, hint: a line of text
   * @param {import("./plane.js").PlaneCanvas} plane the plane drawn on `canvas`
   * @param {(message: object) => void} send a control message to the server
   */
  constructor(el, plane, send) {
    this.el = el;
    this.plane = plane;
    this.send = send;
    this.classes = 2;
    this.chosen = 0;
    this.enabled = false; // a classification frame is shown and the socket is up
    this.regression = false;
    this.sent = []; // the messages sent, newest last (a few, for the curious)
    this.connected = false;
    this.undoable = 0; // point edits the server can take back
    this.undoButton = make("button", {
      type: "button",
      class: "small",
      disabled: true,
      "data-testid": "draw-undo",
      on: { click: () => this.undo() },
    });
    el.clear.before(this.undoButton);
    document.addEventListener("keydown", (event) => {
      const z = event.key === "z" || event.key === "Z";
      if (!z || !(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey) return;
      if (typing(event.target) || !this.undo()) return;
      event.preventDefault();
    });
    this.renderPicker();
    el.canvas.addEventListener("click", (event) => this.onClick(event));
    el.canvas.addEventListener("contextmenu", (event) => {
      event.preventDefault();
      this.act("remove", event);
    });
    el.clear.addEventListener("click", () => {
      if (this.enabled) this.post({ type: "clear_points" });
    });
  }

  onClick(event) {
    if (event.ctrlKey || event.metaKey) this.act("remove", event);
    else this.act(event.shiftKey ? "next" : "add", event);
  }

  /** The data coordinates under a pointer event, or null outside the plot's box. */
  toData(event) {
    const view = this.plane.view;
    if (!view) return null;
    const rect = this.el.canvas.getBoundingClientRect();
    const x = (event.clientX - rect.left - view.ox) / view.s;
    const y = (view.oy - (event.clientY - rect.top)) / view.s;
    if (x < view.x0 || x > view.x1 || y < view.y0 || y > view.y1) return null;
    return { x, y };
  }

  act(kind, event) {
    if (!this.enabled) return;
    const at = this.toData(event);
    if (!at) return;
    if (kind === "remove") {
      this.post({ type: "remove_point", x: at.x, y: at.y });
      return;
    }
    const label = kind === "next" ? (this.chosen + 1) % this.classes : this.chosen;
    this.post({ type: "add_point", x: at.x, y: at.y, label });
  }

  /** Ask the server to take back the last point edit; false when there is none to undo. */
  undo() {
    if (!this.connected || this.undoable < 1) return false;
    this.post({ type: "undo_points" });
    return true;
  }

  /** How many point edits the server can take back (its state event says). */
  setUndo(count, connected) {
    this.undoable = count ?? 0;
    this.connected = connected;
    this.undoButton.disabled = !(connected && this.undoable > 0);
  }

  post(message) {
    this.sent.push(message);
    if (this.sent.length > 20) this.sent.shift();
    this.send(message);
  }

  /** Follow the frame shown: its task and number of classes. */
  update(header, connected) {
    const regression = header.task === "regression";
    const classes = regression ? 0 : header.classes;
    this.enabled = connected && !regression;
    if (classes !== this.classes || regression !== this.regression) {
      this.classes = classes;
      this.regression = regression;
      this.chosen = Math.min(this.chosen, Math.max(0, classes - 1));
      this.renderPicker();
    }
    this.el.clear.disabled = !this.enabled;
    this.el.canvas.classList.toggle("drawable", this.enabled);
  }

  /** One chip per class; the chosen one pressed. */
  renderPicker() {
    const chips = [];
    for (let k = 0; k < this.classes; k++) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "class-chip";
      chip.setAttribute("data-testid", `draw-class-${k}`);
      chip.setAttribute("aria-pressed", String(k === this.chosen));
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = classColor(k);
      chip.append(swatch, t("draw.class", { k: k + 1 }));
      chip.addEventListener("click", () => {
        this.chosen = k;
        this.renderPicker();
      });
      chips.push(chip);
    }
    this.el.picker.replaceChildren(...chips);
    this.el.hint.textContent = this.regression ? t("draw.regression") : t("draw.hint");
    this.undoButton.textContent = t("draw.undo");
    this.undoButton.title = t("draw.undoTitle");
  }

  relabel() {
    this.renderPicker();
  }
}
