// How the stage strip's panels fill their box: the number of rows and columns, and the panel
// size, that make the panels as large as the box allows. A panel is its square plot plus its
// head (title and detail) and a little padding.

export const GAP_X = 10; // px between panels across
export const GAP_Y = 8; // px between rows
const MAX_ROWS = 2; // one row, or two that fit
const MAX_PLOT = 440; // px: a larger plot shows nothing more
const MIN_PLOT = 60; // px: below this, the rows are chosen by the width alone

/**
 * The grid for `count` panels in a box `width` × `height` px (height null: as tall as needed).
 * @param {number} count panels
 * @param {number} width px across
 * @param {number | null} height px down, or null when the strip may grow downwards
 * @param {{w: number, h: number}} extra px a panel adds to its plot across and down
 * @param {number} [unbounded] plot px wanted when the height is free
 * @returns {{rows: number, cols: number, plot: number}} plot: the square plot's side in px
 */
export function stripGrid(count, width, height, extra, unbounded = 200) {
  const across = (cols) => Math.floor((width - (cols - 1) * GAP_X) / cols) - extra.w;
  if (count <= 0) return { rows: 0, cols: 0, plot: 0 };
  let best = null;
  for (let rows = 1; rows <= Math.min(MAX_ROWS, count); rows++) {
    const cols = Math.ceil(count / rows);
    const down = height === null ? Infinity : Math.floor((height - (rows - 1) * GAP_Y) / rows) - extra.h;
    const plot = Math.min(across(cols), down, MAX_PLOT);
    if (best === null || plot > best.plot) best = { rows, cols, plot };
  }
  if (height !== null && best.plot >= MIN_PLOT) return best;
  // Free to grow down (or too cramped to fit): as many columns as keep plots near `unbounded`.
  const cols = Math.max(1, Math.min(count, Math.floor((width + GAP_X) / (unbounded + extra.w + GAP_X))));
  const rows = Math.ceil(count / cols);
  const even = Math.ceil(count / rows); // rows as even as can be
  return { rows, cols: even, plot: Math.max(MIN_PLOT, Math.min(across(even), MAX_PLOT)) };
}

/**
 * The input plane's side beside the strip: the strip's panels as large as they can be while
 * the plane stays at least `ratio` times as large as they are, then the plane as large as it
 * can be without making them smaller.
 * @param {{width: number, stripHeight: number, maxPlane: number, minPlane: number, count: number,
 *   extra: {w: number, h: number}}} box width: px for the plane and the strip together;
 *   stripHeight: px; maxPlane: px the plane may be at most (the height it has); minPlane: px;
 *   count: panels; extra: what a panel adds to its plot
 * @param {number} [ratio]
 * @returns {{plane: number, plot: number}}
 */
export function planeSide({ width, stripHeight, maxPlane, minPlane, count, extra }, ratio = 1.7) {
  const plotFor = (plane) => stripGrid(count, width - plane, stripHeight, extra).plot;
  const top = Math.max(minPlane, Math.floor(maxPlane));
  let plane = top;
  for (let s = minPlane; s <= top; s += 4) {
    plane = s;
    if (s >= ratio * plotFor(s)) break;
  }
  const plot = plotFor(plane);
  while (plane + 4 <= top && plotFor(plane + 4) >= plot) plane += 4;
  return { plane, plot };
}
