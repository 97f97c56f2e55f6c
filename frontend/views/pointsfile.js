// The points as a CSV file: export downloads the session's points (GET data.csv); import sends
// a chosen file (POST data.csv). A bad file is refused by the server, whose reason is shown in
// the message bar; the points stay as they were.

import "../strings/playground.js";
import { problemOf } from "../http.js";

export class PointsFile {
  /**
   * @param {{importButton: HTMLElement, exportButton: HTMLElement, file: HTMLInputElement}} el
   *   file: an <input type=file>
   * @param {() => string|null} session the session id, null before the socket says hello
   * @param {import("./messages.js").MessageBar} messages where outcomes are told
   */
  constructor(el, session, messages) {
    this.el = el;
    this.session = session;
    this.messages = messages;
    this.busy = false;
    this.uploads = 0; // files answered (read or refused), for the curious
    el.importButton.addEventListener("click", () => el.file.click());
    el.file.addEventListener("change", () => {
      const file = el.file.files?.[0];
      el.file.value = ""; // the same file may be chosen again
      if (file) this.upload(file);
    });
    el.exportButton.addEventListener("click", () => this.download());
  }

  url() {
    const id = this.session();
    return id ? `/api/sessions/${encodeURIComponent(id)}/data.csv` : null;
  }

  download() {
    const url = this.url();
    if (!url) {
      this.messages.show({ kind: "warn", key: "draw.noSession", tag: "csv" });
      return;
    }
    const link = document.createElement("a");
    link.href = url;
    link.download = "spacefold-points.csv";
    document.body.append(link);
    link.click();
    link.remove();
  }

  /** Send a file's text; tell what came of it. */
  async upload(file) {
    const url = this.url();
    if (!url) {
      this.messages.show({ kind: "warn", key: "draw.noSession", tag: "csv" });
      return;
    }
    this.busy = true;
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "text/csv" },
        body: file,
      });
      if (!response.ok) {
        this.messages.show({
          key: "draw.badFile",
          params: { name: file.name, message: await problemOf(response) },
          tag: "csv",
        });
        return;
      }
      const body = await response.json();
      this.messages.show({
        kind: "info",
        key: "draw.imported",
        params: { name: file.name, points: body.points },
        tag: "csv",
      });
    } catch (error) {
      this.messages.show({
        key: "draw.badFile",
        params: { name: file.name, message: error instanceof Error ? error.message : String(error) },
        tag: "csv",
      });
    } finally {
      this.busy = false;
      this.uploads++;
    }
  }
}
