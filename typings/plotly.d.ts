// Plotly.js is no module of the page: views/plotly.js adds the server's copy as a script,
// which sets the global `Plotly`. These are the parts of its API the frontend calls.

declare namespace Plotly {
  /** A trace, a layout or a config: plain objects in Plotly's own vocabulary. */
  type Spec = Record<string, unknown>;

  function react(div: HTMLElement, data: Spec[], layout?: Spec, config?: Spec): Promise<HTMLElement>;
  function purge(div: HTMLElement): void;
  function toImage(div: HTMLElement, options: Spec): Promise<string>;
  const Plots: { resize(div: HTMLElement): void };
}

interface Window {
  /** Set once views/plotly.js has loaded the script; absent before. */
  Plotly?: typeof Plotly;
}
