// Plotly.js, loaded once for every view that uses it (the training charts, the 3D close-up):
// from the server's copy (/vendor/plotly.min.js), never from the network, so an offline
// classroom has it too.

/** @type {Promise<typeof Plotly> | null} */
let loading = null;

/**
 * Plotly, once loaded: the first call adds its script to the page; every call shares it.
 * @returns {Promise<typeof Plotly>}
 */
export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    const link = /** @type {HTMLLinkElement | null} */ (document.getElementById("plotly-src"));
    script.src = link?.href ?? "/vendor/plotly.min.js";
    script.addEventListener("load", () => resolve(window.Plotly));
    script.addEventListener("error", () => {
      loading = null; // a later call may try again
      reject(new Error(`could not load ${script.src}`));
    });
    document.head.append(script);
  });
  return loading;
}

/** Is Plotly here? If not, it is loaded and `onLoad` runs once it is; the answer is false. */
export function plotlyReady(onLoad) {
  if (window.Plotly) return true;
  loadPlotly().then(onLoad, () => {});
  return false;
}
