// The close-up of a 3-wide stage as a real 3D scene that the mouse turns: Plotly's scatter3d,
// the page's only WebGL 3D scene. Plotly is loaded (views/plotly.js) the first time one is needed.

import { t } from "../i18n.js";
import { AXIS, FONT, INK, MUTED } from "./palette.js";
import { frameFacts } from "./scene.js";

const CONFIG = { displayModeBar: false, responsive: true };

let webgl = null;

/** Can this browser draw a WebGL scene? (Asked once; without it, 3D stays oblique.) */
export function hasWebGL() {
  if (webgl === null) {
    try {
      const context = document.createElement("canvas").getContext("webgl");
      webgl = Boolean(context);
      context?.getExtension("WEBGL_lose_context")?.loseContext();
    } catch {
      webgl = false;
    }
  }
  return webgl;
}

/** Draw stage position `p` of a frame (3 columns) in `div`; returns the drawn {x, y, z}. */
export function drawScene3d(div, frame, p) {
  const { header, arrays } = frame;
  const stage = header.stages[p];
  const values = arrays.get(`stage${stage.index}/points`);
  const known = frameFacts(frame);
  const x = new Float32Array(known.n);
  const y = new Float32Array(known.n);
  const z = new Float32Array(known.n);
  for (let i = 0; i < known.n; i++) {
    x[i] = values[3 * i];
    y[i] = values[3 * i + 1];
    z[i] = values[3 * i + 2];
  }
  const traces = [];
  const grid = arrays.get(`stage${stage.index}/grid`);
  if (grid) traces.push(gridTrace(grid, header.grid.lines, header.grid.samples));
  for (const group of known.groups) {
    const pick = (column) => Float32Array.from(group.indices, (i) => column[i]);
    traces.push({
      type: "scatter3d",
      mode: "markers",
      name: "points",
      x: pick(x),
      y: pick(y),
      z: pick(z),
      marker: {
        size: 3.5,
        color: group.color,
        symbol: group.hollow ? "circle-open" : "circle",
      },
      hoverinfo: "skip",
    });
  }
  // Open marks around the points, as on the canvas views: the class colour shows inside.
  const marks = [
    ["dead", known.dead[p], { size: 7, color: INK, symbol: "square-open" }],
    ["merged", known.merged[p], { size: 5.5, color: INK, symbol: "circle-open" }],
  ];
  for (const [name, mask, marker] of marks) {
    if (!mask) continue;
    const indices = [];
    mask.forEach((v, i) => v && indices.push(i));
    const pick = (column) => indices.map((i) => column[i]);
    traces.push({
      type: "scatter3d",
      mode: "markers",
      name,
      x: pick(x),
      y: pick(y),
      z: pick(z),
      marker,
      hoverinfo: "skip",
    });
  }
  const axis = (n) => ({
    title: { text: t("focus.unit", { n }), font: { size: 12, color: MUTED } },
    tickfont: { size: 10, color: MUTED },
    zerolinecolor: AXIS,
    gridcolor: "#e5e9ee",
  });
  const units = stage.units ?? [0, 1, 2];
  const layout = {
    margin: { l: 0, r: 0, t: 0, b: 0 },
    paper_bgcolor: "rgba(0,0,0,0)",
    font: { family: FONT, color: INK },
    showlegend: false,
    uirevision: "focus3d", // keep the camera the user turned to across frames
    scene: {
      xaxis: axis(units[0] + 1),
      yaxis: axis(units[1] + 1),
      zaxis: axis(units[2] + 1),
      aspectmode: "cube",
      camera: { eye: { x: 1.5, y: -1.5, z: 1.1 } },
    },
  };
  Plotly.react(div, traces, layout, CONFIG);
  return { x, y, z };
}

/** The grid lines of a 3D stage as one scatter3d line with gaps. */
function gridTrace(grid, lines, samples) {
  const count = 2 * lines;
  const n = count * (samples + 1);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const z = new Float32Array(n);
  let o = 0;
  for (let line = 0; line < count; line++) {
    for (let j = 0; j < samples; j++) {
      const v = 3 * (line * samples + j);
      x[o] = grid[v];
      y[o] = grid[v + 1];
      z[o] = grid[v + 2];
      o++;
    }
    x[o] = y[o] = z[o] = NaN;
    o++;
  }
  return {
    type: "scatter3d",
    mode: "lines",
    name: "grid",
    x,
    y,
    z,
    line: { color: "#a3afbd", width: 2 },
    connectgaps: false,
    hoverinfo: "skip",
  };
}
