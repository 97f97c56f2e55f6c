// Weights set by hand, sent to the server one message at a time: training is paused first;
// while an edit waits for its answer (the frame that carries the new weights) further edits
// wait in order, and whole-layer edits of one layer collapse into the latest, so a drag or a
// slider never floods the socket. Each edit is logged with the time of its input event and
// the time the frame with its weights was drawn (window.spacefold.views.inspector.edits.log).
// A gesture (a drag, one slider movement, a typed entry) is compared as a whole: "loss a → b"
// reads a from the last frame before the gesture began, b from the answer to its last edit.

import { state } from "../state.js";

const WAIT_MS = 2000; // an answer that never comes (a refused edit) frees the channel after this
const LOG_SIZE = 500;

export class EditChannel {
  /**
   * @param {(message: object) => void} send sends a control message to the server
   */
  constructor(send) {
    this.send = send;
    this.inFlight = null; // {message, inputAt, sentAt, before}
    this.queue = []; // edits waiting for the one in flight
    this.log = []; // [{type, layer, inputAt, sentAt, drawnAt, ms}]
    this.timer = null;
    this.lastMetrics = null; // the metrics of the last frame drawn
    this.result = null; // {before, after}: the metrics around the last gesture answered
    this.gesture = null; // {before, open}: the metrics before the gesture under way began
  }

  /** A gesture begins (pointer down on a slider or the basis vectors): its edits share one "before". */
  begin() {
    if (!this.gesture?.open) this.gesture = { before: this.lastMetrics, open: true };
  }

  /** The gesture is over (pointer up, the slider's change): the next edit starts a new one. */
  end() {
    if (this.gesture) this.gesture.open = false;
  }

  /**
   * Set a whole layer (its weight, its bias, or both).
   * @param {number} layer 1-based
   * @param {number[][] | null} weight
   * @param {number[] | null} bias
   * @param {number} [inputAt] performance.now() time of the input event that asked for it
   */
  setLayer(layer, weight, bias, inputAt = performance.now()) {
    const message = { type: "set_layer", layer };
    if (weight) message.weight = weight;
    if (bias) message.bias = bias;
    this.submit(message, inputAt);
  }

  /** Set one weight (col a number) or one bias (col null) of `layer`. */
  setWeight(layer, row, col, value, inputAt = performance.now()) {
    this.submit({ type: "set_weight", layer, row, col, value }, inputAt);
  }

  submit(message, inputAt) {
    if (!this.gesture?.open) this.gesture = { before: this.lastMetrics, open: false };
    const edit = { message, inputAt, before: this.gesture.before };
    if (!this.inFlight) {
      this.sendNow(edit);
      return;
    }
    // A drag or a slider sends whole layers: only the latest one of a layer needs to go.
    const last = this.queue.at(-1);
    if (last && message.type === "set_layer" && last.message.type === "set_layer"
        && last.message.layer === message.layer) {
      this.queue[this.queue.length - 1] = edit;
    } else {
      this.queue.push(edit);
    }
  }

  sendNow({ message, inputAt, before }) {
    if (state.running) this.send({ type: "pause" }); // hand edits happen on a still network
    this.send(message);
    this.inFlight = { message, inputAt, sentAt: performance.now(), before };
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.settle(null), WAIT_MS);
  }

  /**
   * A frame has been drawn: is it the answer to the edit in flight?
   * @param {{header: import("../frame.js").Header}} frame
   * @param {number} receivedAt performance.now() when it came
   */
  drawn(frame, receivedAt) {
    const edit = this.inFlight;
    if (edit && receivedAt >= edit.sentAt && answers(frame.header, edit.message)) {
      this.settle(frame);
    }
    this.lastMetrics = frame.header.metrics ?? null;
  }

  /** The server refused a message: nothing more will answer the edit in flight. */
  refused() {
    if (this.inFlight) this.settle(null);
  }

  settle(frame) {
    const edit = this.inFlight;
    clearTimeout(this.timer);
    this.inFlight = null;
    if (edit && frame) {
      const drawnAt = performance.now();
      this.log.push({
        type: edit.message.type,
        layer: edit.message.layer,
        inputAt: edit.inputAt,
        sentAt: edit.sentAt,
        drawnAt,
        ms: drawnAt - edit.inputAt,
      });
      if (this.log.length > LOG_SIZE) this.log.shift();
      this.result = { before: edit.before, after: frame.header.metrics ?? null };
    }
    if (this.queue.length) this.sendNow(this.queue.shift());
  }
}

/** Does the frame carry the weights that `message` set? */
function answers(header, message) {
  const layer = header.layers?.find((entry) => entry.layer === message.layer);
  if (!layer?.weight || !layer?.bias) return true; // no weights to compare: the next frame
  const near = (a, b) => Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b));
  if (message.type === "set_weight") {
    const have =
      message.col === null ? layer.bias[message.row] : layer.weight[message.row]?.[message.col];
    return have !== undefined && near(have, message.value);
  }
  if (message.weight) {
    for (let i = 0; i < message.weight.length; i++) {
      for (let j = 0; j < message.weight[i].length; j++) {
        if (!near(layer.weight[i]?.[j], message.weight[i][j])) return false;
      }
    }
  }
  if (message.bias && !message.bias.every((v, i) => near(layer.bias[i], v))) return false;
  return true;
}
