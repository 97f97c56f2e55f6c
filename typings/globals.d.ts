// What the page puts on `window` itself.

interface Window {
  /** main.js's state, views and timings, for the browser tests and the console. */
  spacefold: Record<string, unknown>;
}
