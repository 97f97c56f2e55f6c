// Follow mode. A student's page opened with ?follow=SESSION watches the teacher's session
// read-only (its controls are inert, a badge says so); the teacher's page shows how many
// follow and copies the follow link.

import { t } from "../i18n.js";
import { el } from "../views/dom.js";

const SESSION = /^([a-z0-9]{1,12}-)?[0-9a-f]{12}$/; // server/manager.py SESSION_ID_PATTERN

/**
 * The session this page follows (?follow=…), or null when it leads its own.
 * @param {string} [search] the query to read (the mode's own part of the address)
 */
export function followTarget(search = location.search) {
  const id = new URLSearchParams(search).get("follow");
  return id && SESSION.test(id) ? id : null;
}

/**
 * The socket address for this page: the page's own, with ?follow=… when following.
 * @param {string} base ws://host/ws
 * @param {string} [search] the query to read
 */
export function followSocketUrl(base, search = location.search) {
  const id = followTarget(search);
  return id ? `${base}?follow=${id}` : base;
}

/**
 * The link that opens `session` read-only.
 * @param {string} session
 * @param {string} [page] the query before it that picks the mode ("mode=conv&")
 */
export function followLink(session, page = "") {
  return new URL(`/?${page}follow=${session}`, location.origin).href;
}

export class FollowPanel {
  /**
   * @param {{state: {session: string | null}, messages: import("../views/messages.js").MessageBar}} ctx
   * @param {{search?: string, page?: string, prefix?: string}} [options] the query this mode
   *   reads, the query its links start with ("mode=conv&"), before every id and test id
   */
  constructor(ctx, { search = location.search, page = "", prefix = "" } = {}) {
    this.ctx = ctx;
    this.page = page;
    this.following = followTarget(search);
    this.count = 0;
    this.copied = false;
    const ids = (name) => ({ id: `${prefix}${name}`, "data-testid": `${prefix}${name}` });
    this.badge = el("span", { class: "follow-badge", ...ids("follow-badge"), hidden: true });
    this.linkText = el("input", { type: "text", readonly: true, class: "follow-link", "data-testid": `${prefix}follow-link` });
    this.share = el("button", { type: "button", ...ids("btn-share"), on: { click: () => this.copy() } });
    this.group = el("details", { class: "group", open: true, "data-testid": `${prefix}group-share` }, [
      el("summary", {}, [el("h3", {}, [el("span", { "data-i18n": "follow.section", text: t("follow.section") })])]),
      el("p", { class: "hint", "data-i18n": "follow.hint", text: t("follow.hint") }),
      el("div", { class: "save-row" }, [this.share, this.linkText]),
    ]);
    if (this.following) {
      document.body.classList.add("following");
      this.group.hidden = true;
    }
    this.render();
  }

  /** A state (or hello) from the server: the leader's count of followers. */
  update(message) {
    if (typeof message.followers === "number") this.count = message.followers;
    if (!this.following && this.ctx.state.session) this.linkText.value = followLink(this.ctx.state.session, this.page);
    this.render();
  }

  async copy() {
    if (!this.ctx.state.session) return;
    const link = followLink(this.ctx.state.session, this.page);
    this.linkText.value = link;
    try {
      await navigator.clipboard.writeText(link);
      this.copied = true;
    } catch {
      // no clipboard here (an insecure origin, a refused permission): the link is selected
      this.linkText.select();
      this.copied = false;
    }
    this.render();
  }

  render() {
    if (this.following) {
      this.badge.hidden = false;
      this.badge.textContent = t("follow.following");
      this.badge.title = t("follow.readOnly");
    } else {
      this.badge.hidden = this.count === 0;
      this.badge.textContent = t("follow.count", { n: this.count });
    }
    this.share.textContent = t(this.copied ? "follow.copied" : "follow.share");
  }
}
