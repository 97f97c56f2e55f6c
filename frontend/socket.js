// The WebSocket to /ws: connect, reconnect with backoff, send JSON, dispatch what arrives.
// Text messages go to handlers[message.type]; binary ones to handlers.frame (an ArrayBuffer).

const PING_EVERY_MS = 20000;

export class Socket {
  /**
   * @param {string} url ws:// or wss:// address
   * @param {Record<string, (message?: any) => void>} handlers by event: open(), close(),
   *   frame(buffer), and one per message type: hello(msg), state(msg)...
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.ws = null;
    this.retryMs = 250;
    this.pingTimer = null;
    this.closedOnPurpose = false;
  }

  connect() {
    this.closedOnPurpose = false;
    const ws = new WebSocket(this.url);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      this.retryMs = 250;
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ type: "ping" }), PING_EVERY_MS);
      this.handlers.open?.();
    };
    ws.onmessage = (event) => this.dispatch(event.data);
    ws.onclose = () => {
      clearInterval(this.pingTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      this.handlers.close?.();
      if (!this.closedOnPurpose) {
        setTimeout(() => this.connect(), this.retryMs);
        this.retryMs = Math.min(this.retryMs * 2, 4000);
      }
    };
    this.ws = ws;
  }

  dispatch(data) {
    if (data instanceof ArrayBuffer) {
      this.handlers.frame?.(data);
      return;
    }
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      console.warn("spacefold: ignored a text message that is not JSON");
      return;
    }
    const handler = this.handlers[message.type];
    if (handler) handler(message);
  }

  get open() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Send one control message; false if the socket is not open (nothing is queued). */
  send(message) {
    if (!this.open) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  close() {
    this.closedOnPurpose = true;
    this.ws?.close();
  }
}

/** ws://host/ws for the page's own host (wss:// under https). */
export function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}
