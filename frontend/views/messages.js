// The message bar: errors, divergence and connection trouble, each dismissable, translated live.

import { t } from "../i18n.js";

const MAX_SHOWN = 4;

export class MessageBar {
  /** @param {HTMLElement} root container above the plots */
  constructor(root) {
    this.root = root;
    this.messages = []; // {id, kind, key, params, extra?, action?, node}
    this.nextId = 1;
  }

  /**
   * Show a message. `key`/`params` name an i18n string; `extra` is another one appended;
   * `action` is {key, run} for a button; `tag` replaces any earlier message with the same tag.
   */
  show({ kind = "error", key, params = {}, extra = null, action = null, tag = null }) {
    if (tag) this.dismissTag(tag);
    while (this.messages.length >= MAX_SHOWN) this.dismiss(this.messages[0].id);
    const id = this.nextId++;
    const node = document.createElement("div");
    node.className = `message ${kind}`;
    node.setAttribute("role", kind === "error" ? "alert" : "status");
    node.setAttribute("data-testid", `message-${kind}`);
    const message = { id, kind, key, params, extra, action, tag, node };
    this.messages.push(message);
    this.fill(message);
    this.root.append(node);
    return id;
  }

  fill(message) {
    const { node, key, params, extra, action } = message;
    node.replaceChildren();
    const text = document.createElement("span");
    text.className = "text";
    text.textContent = t(key, params) + (extra ? ` ${t(extra.key, extra.params)}` : "");
    node.append(text);
    if (action) {
      const run = document.createElement("button");
      run.type = "button";
      run.className = "action";
      run.textContent = t(action.key);
      run.addEventListener("click", () => {
        this.dismiss(message.id);
        action.run();
      });
      node.append(run);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.className = "close";
    close.textContent = "×";
    close.title = t("btn.dismiss");
    close.setAttribute("aria-label", t("btn.dismiss"));
    close.addEventListener("click", () => this.dismiss(message.id));
    node.append(close);
  }

  dismiss(id) {
    const index = this.messages.findIndex((m) => m.id === id);
    if (index < 0) return;
    this.messages[index].node.remove();
    this.messages.splice(index, 1);
  }

  dismissTag(tag) {
    for (const m of this.messages.filter((m) => m.tag === tag)) this.dismiss(m.id);
  }

  relabel() {
    for (const message of this.messages) this.fill(message);
  }
}
