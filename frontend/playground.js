// The hands-on tools, wired to the page: drawing and CSV files on the input plane, the view
// options (show test data, discretize), the features-and-layers editor in the settings, the
// network diagram (which asks the server for the units' maps while it can be seen) and the
// per-layer update and gradient charts.

import "./strings/playground.js";
import { state } from "./state.js";
import { onViewOption, readViewOptions, setViewOption, viewOptions } from "./viewopts.js";
import { DrawTool } from "./views/draw.js";
import { LayerStatsView } from "./views/layerstats.js";
import { NetworkView } from "./views/network.js";
import { PointsFile } from "./views/pointsfile.js";
import { ShapeEditor } from "./views/shape.js";

/**
 * The page's element of this id (index.html has every one asked for here).
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @returns {T}
 */
const $ = (id) => /** @type {T} */ (document.getElementById(id));

/**
 * Build the tools on the page's elements.
 * @param {{schema: import("./state.js").Schema, messages: import("./views/messages.js").MessageBar,
 *   send: (message: Record<string, any>) => void, input: import("./views/input.js").InputView,
 *   request: () => void}} page request(): ask for a redraw
 * @returns the page's hooks: update(frame), render(config, connected), clear(), relabel(), views
 */
export function setupPlayground({ schema, messages, send, input, request }) {
  readViewOptions(location.search);
  const draw = new DrawTool(
    { canvas: $("plot-input"), picker: $("draw-classes"), clear: $("draw-clear"), hint: $("draw-hint") },
    input.plane,
    send,
  );
  const file = new PointsFile(
    { importButton: $("csv-import"), exportButton: $("csv-export"), file: $("csv-file") },
    () => state.session,
    messages,
  );

  /** @type {Record<keyof typeof viewOptions, HTMLInputElement>} */
  const toggles = { showTest: $("opt-show-test"), discretize: $("opt-discretize") };
  for (const name of /** @type {(keyof typeof viewOptions)[]} */ (Object.keys(toggles))) {
    const box = toggles[name];
    box.checked = viewOptions[name];
    box.addEventListener("change", () => setViewOption(name, box.checked));
  }
  onViewOption((name, value) => {
    toggles[name].checked = value;
    input.redraw();
  });

  const shape = new ShapeEditor(schema, (changes) => send({ type: "configure", changes }));
  const model = document.querySelector('#controls [data-testid="group-model"]');
  if (model) model.after(shape.root);
  else $("controls").append(shape.root);

  // The units' maps travel only while the diagram is open and in sight.
  const hasUnits = "view.units" in (schema.fields ?? {});
  let asked = null; // {session, want}: the last view.units asked for
  const syncUnits = () => {
    const config = state.config;
    if (!hasUnits || !state.connected || !config?.view) return;
    const want = network.want;
    if (config.view.units === want) {
      asked = null;
      return;
    }
    if (asked && asked.session === state.session && asked.want === want) return;
    asked = { session: state.session, want };
    send({ type: "configure", changes: { view: { units: want } } });
  };
  const network = new NetworkView(
    { root: $("network"), canvas: $("plot-network"), tip: $("network-tip"), editor: $("network-editor") },
    send,
    () => syncUnits(),
    schema,
  );

  const layerStats = new LayerStatsView({ ratio: $("plot-ratio"), grad: $("plot-grad") }, request);

  return {
    views: { draw, file, shape, network, layerStats },
    update(frame) {
      draw.update(frame.header, state.connected);
      network.setFeatures(state.config?.model?.features);
      network.update(frame);
      layerStats.push(frame.header);
    },
    render(config, connected) {
      shape.render(config, connected);
      syncUnits();
      draw.setUndo(state.undo, connected);
      if (!connected) draw.enabled = false;
    },
    clear() {
      layerStats.clear();
      request();
    },
    relabel() {
      draw.relabel();
      shape.relabel();
      network.relabel();
      layerStats.relabel();
    },
  };
}
