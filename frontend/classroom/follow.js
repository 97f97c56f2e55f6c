// Follow mode. A student's page opened with ?follow=SESSION watches the teacher's session
// read-only (its controls are inert, a badge says so); the teacher's page shows how many
// follow and copies the follow link.

import { t } from "../i18n.js";
import { el } from "../views/dom.js";

const SESSION = /^[0-9a-f]{12}$/;

/** The session this page follows (?follow=…), or null when it leads its own. */
export function followTarget() {
  const id = new URLSearchParams(location.search).get("follow");
  return id && SESSION.test(id) ? id : null;
}

/**
 * The socket address for this page: the page's own, with ?follow=… when following.
 * @param {string} base ws://host/ws
 */
export function followSocketUrl(base) {
  const id = followTarget();
  return id ? `${base}?follow=${id}` : base;
}

/** The link that opens `session` read-only. */
export function followLink(session) {
  return new URL(`/?follow=${session}`, location.origin).href;
}

export class FollowPanel {
  /** @param {Pick<import("./index.js").Context, "state" | "messages">} ctx */
  constructor(ctx) {
    this.ctx = ctx;
    this.following = followTarget();
    this.count = 0;
    this.copied = false;
    this.badge = el("span", { class: "follow-badge", id: "follow-badge", "data-testid": "follow-badge", hidden: true });
    this.linkText = el("input", { type: "text", readonly: true, class: "follow-link", "data-testid": "follow-link" });
    this.share = el("button", { type: "button", id: "btn-share", "data-testid": "btn-share", on: { click: () => this.copy() } });
    this.group = el("details", { class: "group", open: true, "data-testid": "group-share" }, [
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
    if (!this.following && this.ctx.state.session) this.linkText.value = followLink(this.ctx.state.session);
    this.render();
  }

  async copy() {
    if (!this.ctx.state.session) return;
    const link = followLink(this.ctx.state.session);
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
