// The WebSocket to /ws: connect, reconnect with backoff, send JSON, dispatch what arrives.
// Text messages go to handlers[message.type]; binary ones to handlers.frame (an ArrayBuffer).
// A reconnect asks for the tab's own experiment back (?resume=ID&key=KEY, from the last hello);
// a follower told that its session moved follows the new id; a socket refused by policy (1008:
// no such session, origin) or closed as idle (1001) is not knocked on again.

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
    /** @type {{session: string, key: string} | null} the session this tab reopens after a lost socket */
    this.resume = null;
  }

  /** The address to connect to now: the page's, asking for its own experiment back once it had one. */
  address() {
    if (!this.resume) return this.url;
    const { session, key } = this.resume;
    const joiner = this.url.includes("?") ? "&" : "?";
    return `${this.url}${joiner}resume=${encodeURIComponent(session)}&key=${encodeURIComponent(key)}`;
  }

  connect() {
    this.closedOnPurpose = false;
    const old = this.ws;
    this.ws = null;
    old?.close(); // one socket at a time
    const ws = new WebSocket(this.address());
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      this.retryMs = 250;
      clearInterval(this.pingTimer);
      this.pingTimer = setInterval(() => this.send({ type: "ping" }), PING_EVERY_MS);
      this.handlers.open?.();
    };
    ws.onmessage = (event) => {
      if (this.ws === ws) this.dispatch(event.data); // never what a replaced socket still hears
    };
    ws.onclose = (event) => {
      clearInterval(this.pingTimer);
      if (this.ws !== ws) return;
      this.ws = null;
      // Refused for good (1008), or closed as idle (1001: the page says to reload): stop.
      if (event.code === 1008 || event.code === 1001) this.closedOnPurpose = true;

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
    if (message.type === "hello" && typeof message.resume === "string") {
      this.resume = { session: message.session, key: message.resume };
    } else if (message.type === "moved") {
      this.follow(message.session);
    }
    const handler = this.handlers[message.type];
    if (handler) handler(message);
  }

  /** Follow session ``id`` from now on (the one followed was reopened as it): here and in the address bar. */
  follow(id) {
    const url = new URL(this.url);
    url.searchParams.set("follow", id);
    this.url = url.href;
    const page = new URL(location.href);
    if (page.searchParams.has("follow")) {
      page.searchParams.set("follow", id);
      history.replaceState(history.state, "", page.href);
    }
    this.ws?.close(); // and knock again, at the new address
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
