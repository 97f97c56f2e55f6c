// Saved experiments: save the session under a name (a short link that reopens it), list,
// open, rename, delete, download as JSON, and import a JSON file back.

import { t } from "../i18n.js";
import { problemOf } from "../http.js";
import { el } from "../views/dom.js";

/** The address of a saved experiment's short link ("/?open=ID") on this server. */
export function absolute(link) {
  return new URL(link, location.origin).href;
}

export class SavesPanel {
  /**
   * @param {Pick<import("./index.js").Context, "state" | "messages">} ctx the session id is state.session
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.saves = [];
    this.build();
  }

  build() {
    const label = (key, attrs = {}) => el("span", { "data-i18n": key, text: t(key), ...attrs });
    this.name = el("input", {
      type: "text",
      id: "save-name",
      "data-testid": "save-name",
      maxlength: "100",
      "data-i18n-title": "saves.name",
      title: t("saves.name"),
    });
    this.name.addEventListener("keydown", (event) => {
      if (event.key === "Enter") this.save();
    });
    const save = el("button", { type: "button", class: "primary", id: "save-btn", "data-testid": "save-btn", on: { click: () => this.save() } }, [label("saves.save")]);
    this.link = el("a", { id: "save-link", "data-testid": "save-link", target: "_blank", rel: "noopener" });
    this.linkRow = el("p", { class: "save-link", hidden: true }, [label("saves.link"), " ", this.link]);
    this.problem = el("p", { class: "panel-error", role: "alert", "data-testid": "saves-error", hidden: true });
    this.listNode = el("ul", { class: "saves-list", "data-testid": "saves-list" });
    this.empty = el("p", { class: "hint", "data-i18n": "saves.empty", text: t("saves.empty") });
    this.file = el("input", { type: "file", id: "import-file", "data-testid": "import-file", accept: ".json,application/json", hidden: true });
    this.file.addEventListener("change", () => {
      const [file] = this.file.files;
      if (file) this.importFile(file);
      this.file.value = "";
    });
    const choose = el("button", { type: "button", id: "import-btn", "data-testid": "import-btn", on: { click: () => this.file.click() } }, [label("saves.import")]);
    this.group = el("details", { class: "group", open: true, "data-testid": "group-saves" }, [
      el("summary", {}, [el("h3", {}, [label("saves.section")])]),
      el("div", { class: "save-row" }, [this.name, save]),
      this.linkRow,
      this.problem,
      this.listNode,
      this.empty,
      el("div", { class: "save-row" }, [choose, this.file]),
    ]);
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
    const saves = await this.call("/api/saves", {}, "saves.listFailed");
    if (saves) this.saves = saves;
    this.renderList();
  }

  async save() {
    if (!this.session()) return;
    const name = this.name.value.trim() || t("saves.untitled");
    const saved = await this.call(
      `/api/sessions/${this.session()}/saves`,
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
    const done = await this.call(`/api/sessions/${this.session()}/open/${encodeURIComponent(id)}`, { method: "POST" }, "saves.openFailed");
    return done !== null;
  }

  async rename(item, nameNode) {
    const input = el("input", { type: "text", value: item.name, maxlength: "100", class: "rename", "data-testid": "save-rename-input" });
    let done = false;
    const finish = async (keep) => {
      if (done) return;
      done = true;
      const name = input.value.trim();
      if (keep && name && name !== item.name) {
        await this.call(
          `/api/saves/${item.id}`,
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
    await this.call(`/api/saves/${item.id}`, { method: "DELETE" }, "saves.deleteFailed");
    await this.refresh();
  }

  /** Open an experiment file in this session; a bad one is refused and changes nothing. */
  async importFile(file) {
    if (!this.session()) return;
    await this.call(
      `/api/sessions/${this.session()}/experiment`,
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
        "data-testid": "save-open",
        "data-i18n-title": "saves.open",
        title: t("saves.open"),
        text: item.name,
        on: { click: () => this.open(item.id) },
      });
      const exportLink = el("a", { class: "small button", href: `/api/saves/${item.id}`, download: `spacefold-${item.id}.json`, "data-testid": "save-export" }, [
        el("span", { "data-i18n": "saves.json", text: t("saves.json") }),
      ]);
      this.listNode.append(
        el("li", { "data-id": item.id, "data-testid": "save-item" }, [
          name,
          el("span", { class: "save-tools" }, [
            small("saves.rename", "save-rename", () => this.rename(item, name)),
            exportLink,
            small("saves.delete", "save-delete", () => this.remove(item)),
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
