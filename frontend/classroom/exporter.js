// Exports: a PNG of any view (the card as laid out: title, canvases, charts, legends, numbers),
// the whole experiment as JSON, the data as CSV, and a WebM video of the morph animation
// recorded from the close-up's canvas.

import { t } from "../i18n.js";
import { problemOf } from "../http.js";
import { download, stamp } from "./dom.js";
import { paintCard } from "./picture.js";

/**
 * A card's picture as PNG bytes: what it shows (title, canvases, Plotly charts, legends,
 * numbers), painted by `paintCard`.
 * @param {HTMLElement} root a card
 * @returns {Promise<Blob|null>} null when the card is not on the page
 */
async function viewPng(root) {
  const box = root.getBoundingClientRect();
  if (box.width < 1 || box.height < 1) return null;
  const canvas = await paintCard(root);
  return new Promise((done) => canvas.toBlob(done, "image/png"));
}

export class Exporter {
  /**
   * @param {Pick<import("./index.js").Context, "state" | "messages" | "player" | "morphCanvas">} ctx
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.recording = null;
  }

  fail(key, error) {
    this.ctx.messages.show({ key, params: { message: String(error?.message ?? error) }, tag: "export" });
  }

  /** Download a PNG of the card `root`; `name` goes in the file name. */
  async png(root, name) {
    const blob = await viewPng(root);
    if (!blob) {
      this.ctx.messages.show({ kind: "warn", key: "export.noCanvas", tag: "export" });
      return;
    }
    download(blob, `spacefold-${name}-${stamp()}.png`);
  }

  /** The session's points as CSV. */
  async csv() {
    const session = this.ctx.state.session;
    if (!session) return;
    try {
      const response = await fetch(`/api/sessions/${session}/data.csv`);
      if (!response.ok) throw new Error(await problemOf(response));
      download(await response.blob(), `spacefold-points-${stamp()}.csv`);
    } catch (error) {
      this.fail("export.failed", error);
    }
  }

  /** The whole experiment (settings, points, weights, step) as the server writes it. */
  async json() {
    const session = this.ctx.state.session;
    if (!session) return;
    try {
      const file = await fetch(`/api/sessions/${session}/experiment`);
      if (!file.ok) throw new Error(await problemOf(file));
      download(await file.blob(), `spacefold-experiment-${stamp()}.json`);
    } catch (error) {
      this.fail("export.failed", error);
    }
  }

  get canRecord() {
    return typeof MediaRecorder !== "undefined" && typeof HTMLCanvasElement.prototype.captureStream === "function";
  }

  /**
   * Play the morph from the first stage to the last and record the close-up canvas as WebM.
   * @param {(recording: boolean) => void} onChange told when recording starts and stops
   */
  async video(onChange = () => {}) {
    const { player, morphCanvas } = this.ctx;
    if (this.recording) return;
    if (!this.canRecord) {
      this.ctx.messages.show({ kind: "warn", key: "export.noVideo", tag: "export" });
      return;
    }
    if (!player.header || morphCanvas.offsetParent === null) {
      this.ctx.messages.show({ kind: "warn", key: "export.noMorph", tag: "export" });
      return;
    }
    const type = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm"].find((m) => MediaRecorder.isTypeSupported(m));
    const stream = morphCanvas.captureStream(30);
    const recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
    const chunks = [];
    recorder.ondataavailable = (event) => {
      if (event.data.size > 0) chunks.push(event.data);
    };
    const stopped = new Promise((done) => {
      recorder.onstop = done;
    });
    this.recording = recorder;
    onChange(true);
    morphCanvas.scrollIntoView({ block: "center" }); // views out of sight are not drawn
    player.goTo(0);
    recorder.start(250);
    player.play();
    await /** @type {Promise<void>} */ (new Promise((done) => {
      const watch = setInterval(() => {
        if (!player.playing) {
          clearInterval(watch);
          done();
        }
      }, 100);
    }));
    await new Promise((done) => setTimeout(done, 300)); // the last stage stays a moment
    recorder.stop();
    await stopped;
    for (const track of stream.getTracks()) track.stop();
    this.recording = null;
    onChange(false);
    download(new Blob(chunks, { type: "video/webm" }), `spacefold-morph-${stamp()}.webm`);
  }
}

/** The label of the record button, for its state. */
export function videoLabel(recording) {
  return t(recording ? "export.recording" : "export.video");
}
