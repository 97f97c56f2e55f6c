// Saved experiments: save the session under a name (a short link that reopens it), list,
// open, rename, delete, download as JSON, and import a JSON file back.

import { t } from "../i18n.js";
import { problemOf } from "../http.js";
import { el } from "../views/dom.js";

/** The address of a saved experiment's short link ("/?open=ID") on this server. */
export function absolute(link) {
  return new URL(link, location.origin).href;
}

/**
 * How the saves differ between the page's modes.
 * @typedef {object} SavesOptions
 * @property {string} [api] the routes' prefix: "/api" (the fold's) or "/api/conv"
 * @property {string} [prefix] before every id and test id ("" for the fold, "conv-")
 * @property {string} [file] the start of a downloaded file's name
 * @property {boolean} [download] offer this session's experiment as a JSON file too
 */

export class SavesPanel {
  /**
   * @param {{state: {session: string | null}, messages: import("../views/messages.js").MessageBar}} ctx
   *   the session id is state.session
   * @param {SavesOptions} [options]
   */
  constructor(ctx, { api = "/api", prefix = "", file = "spacefold", download = false } = {}) {
    this.ctx = ctx;
    this.api = api;
    this.prefix = prefix;
    this.file = file;
    this.download = download;
    this.saves = [];
    this.build();
  }

  /** An element's id and test id: `name`, after the mode's prefix. */
  ids(name) {
    return { id: `${this.prefix}${name}`, "data-testid": `${this.prefix}${name}` };
  }

  build() {
    const label = (key, attrs = {}) => el("span", { "data-i18n": key, text: t(key), ...attrs });
    this.name = el("input", {
      type: "text",
      ...this.ids("save-name"),
      maxlength: "100",
      "data-i18n-title": "saves.name",
      title: t("saves.name"),
    });
    this.name.addEventListener("keydown", (event) => {
      if (event.key === "Enter") this.save();
    });
    const save = el("button", { type: "button", class: "primary", ...this.ids("save-btn"), on: { click: () => this.save() } }, [label("saves.save")]);
    this.link = el("a", { ...this.ids("save-link"), target: "_blank", rel: "noopener" });
    this.linkRow = el("p", { class: "save-link", hidden: true }, [label("saves.link"), " ", this.link]);
    this.problem = el("p", { class: "panel-error", role: "alert", "data-testid": `${this.prefix}saves-error`, hidden: true });
    this.listNode = el("ul", { class: "saves-list", "data-testid": `${this.prefix}saves-list` });
    this.empty = el("p", { class: "hint", "data-i18n": "saves.empty", text: t("saves.empty") });
    this.fileInput = el("input", { type: "file", ...this.ids("import-file"), accept: ".json,application/json", hidden: true });
    this.fileInput.addEventListener("change", () => {
      const [file] = this.fileInput.files;
      if (file) this.importFile(file);
      this.fileInput.value = "";
    });
    const choose = el("button", { type: "button", ...this.ids("import-btn"), on: { click: () => this.fileInput.click() } }, [label("saves.import")]);
    // This session as a file (the fold's page has an export section of its own for it).
    const exportNow = this.download ? [this.exportLink(label("export.json"))] : [];
    this.group = el("details", { class: "group", open: true, "data-testid": `${this.prefix}group-saves` }, [
      el("summary", {}, [el("h3", {}, [label("saves.section")])]),
      el("div", { class: "save-row" }, [this.name, save]),
      this.linkRow,
      this.problem,
      this.listNode,
      this.empty,
      el("div", { class: "save-row" }, [choose, ...exportNow, this.fileInput]),
    ]);
  }

  /** A link that downloads this session's experiment as a JSON file. */
  exportLink(text) {
    const link = el("a", { class: "small button", ...this.ids("export-json"), download: `${this.file}.json` }, [text]);
    link.addEventListener("click", (event) => {
      if (!this.session()) event.preventDefault();
      else link.setAttribute("href", `${this.api}/sessions/${this.session()}/experiment`);
    });
    return link;
  }

  session() {
    return this.ctx.state.session;
  }

  showProblem(key, params = {}) {
    this.problem.hidden = false;
    this.problem.dataset.key = key;
    this.problem.dataset.params = JSON.stringify(params);
    this.problem.textContent = t(key, params);
  }

  clearProblem() {
    this.problem.hidden = true;
    this.problem.textContent = "";
    delete this.problem.dataset.key;
  }

  /** Send a request; the answer's JSON, or null after showing what went wrong. */
  async call(url, options, failKey) {
    try {
      const response = await fetch(url, options);
      if (!response.ok) {
        this.showProblem(failKey, { message: await problemOf(response) });
        return null;
      }
      this.clearProblem();
      return response.status === 204 ? {} : await response.json();
    } catch (error) {
      this.showProblem(failKey, { message: error instanceof Error ? error.message : String(error) });
      return null;
    }
  }

  /** Reload the list of saved experiments. */
  async refresh() {
    const saves = await this.call(`${this.api}/saves`, {}, "saves.listFailed");
    if (saves) this.saves = saves;
    this.renderList();
  }

  async save() {
    if (!this.session()) return;
    const name = this.name.value.trim() || t("saves.untitled");
    const saved = await this.call(
      `${this.api}/sessions/${this.session()}/saves`,
      { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name }) },
      "saves.saveFailed",
    );
    if (!saved) return;
    this.name.value = "";
    this.link.href = saved.link;
    this.link.textContent = absolute(saved.link);
    this.linkRow.hidden = false;
    await this.refresh();
  }

  /** Open saved experiment `id` in this session (as its link does). */
  async open(id) {
    if (!this.session()) return false;
    const done = await this.call(`${this.api}/sessions/${this.session()}/open/${encodeURIComponent(id)}`, { method: "POST" }, "saves.openFailed");
    return done !== null;
  }

  async rename(item, nameNode) {
    const input = el("input", { type: "text", value: item.name, maxlength: "100", class: "rename", "data-testid": `${this.prefix}save-rename-input` });
    let done = false;
    const finish = async (keep) => {
      if (done) return;
      done = true;
      const name = input.value.trim();
      if (keep && name && name !== item.name) {
        await this.call(
          `${this.api}/saves/${item.id}`,
          { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name }) },
          "saves.renameFailed",
        );
      }
      await this.refresh();
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") finish(true);
      if (event.key === "Escape") finish(false);
    });
    input.addEventListener("blur", () => finish(true));
    nameNode.replaceWith(input);
    input.focus();
    input.select();
  }

  async remove(item) {
    await this.call(`${this.api}/saves/${item.id}`, { method: "DELETE" }, "saves.deleteFailed");
    await this.refresh();
  }

  /** Open an experiment file in this session; a bad one is refused and changes nothing. */
  async importFile(file) {
    if (!this.session()) return;
    await this.call(
      `${this.api}/sessions/${this.session()}/experiment`,
      { method: "POST", headers: { "Content-Type": "application/json" }, body: file },
      "saves.importFailed",
    );
  }

  renderList() {
    const small = (key, testid, run) =>
      el("button", { type: "button", class: "small", "data-testid": testid, "data-i18n-title": key, title: t(key), on: { click: run } }, [
        el("span", { "data-i18n": key, text: t(key) }),
      ]);
    this.listNode.replaceChildren();
    for (const item of this.saves) {
      const name = el("button", {
        type: "button",
        class: "save-name link",
        "data-testid": `${this.prefix}save-open`,
        "data-i18n-title": "saves.open",
        title: t("saves.open"),
        text: item.name,
        on: { click: () => this.open(item.id) },
      });
      const exportLink = el("a", { class: "small button", href: `${this.api}/saves/${item.id}`, download: `${this.file}-${item.id}.json`, "data-testid": `${this.prefix}save-export` }, [
        el("span", { "data-i18n": "saves.json", text: t("saves.json") }),
      ]);
      this.listNode.append(
        el("li", { "data-id": item.id, "data-testid": `${this.prefix}save-item` }, [
          name,
          el("span", { class: "save-tools" }, [
            small("saves.rename", `${this.prefix}save-rename`, () => this.rename(item, name)),
            exportLink,
            small("saves.delete", `${this.prefix}save-delete`, () => this.remove(item)),
          ]),
        ]),
      );
    }
    this.empty.hidden = this.saves.length > 0;
  }

  relabel() {
    if (!this.problem.hidden && this.problem.dataset.key) {
      this.problem.textContent = t(this.problem.dataset.key, JSON.parse(this.problem.dataset.params ?? "{}"));
    }
  }
}
