// One level line of a regular grid (marching squares), as a polyline with NaN gaps: the 50 %
// decision boundary. Far cheaper than a Plotly contour trace, which resolves at screen pixels.

/**
 * @param {Float32Array} values row-major (rows = ys.length, columns = xs.length)
 * @param {ArrayLike<number>} xs column centres
 * @param {ArrayLike<number>} ys row centres
 * @param {number} level
 * @returns {{x: number[], y: number[]}} segments, each two points then a NaN
 */
export function levelLine(values, xs, ys, level) {
  const x = [];
  const y = [];
  const cols = xs.length;
  const at = (i, j) => values[i * cols + j];
  const cross = (i0, j0, i1, j1) => {
    const v0 = at(i0, j0);
    const v1 = at(i1, j1);
    const t = v1 === v0 ? 0.5 : (level - v0) / (v1 - v0);
    return [xs[j0] + t * (xs[j1] - xs[j0]), ys[i0] + t * (ys[i1] - ys[i0])];
  };
  const segment = (p, q) => {
    x.push(p[0], q[0], NaN);
    y.push(p[1], q[1], NaN);
  };
  for (let i = 0; i + 1 < ys.length; i++) {
    for (let j = 0; j + 1 < cols; j++) {
      const a = at(i, j) >= level; // bottom left
      const b = at(i, j + 1) >= level; // bottom right
      const c = at(i + 1, j + 1) >= level; // top right
      const d = at(i + 1, j) >= level; // top left
      if (a === b && b === c && c === d) continue;
      const bottom = a !== b ? cross(i, j, i, j + 1) : null;
      const right = b !== c ? cross(i, j + 1, i + 1, j + 1) : null;
      const top = d !== c ? cross(i + 1, j, i + 1, j + 1) : null;
      const left = a !== d ? cross(i, j, i + 1, j) : null;
      if (bottom && right && top && left) {
        // A saddle: the centre decides which corners the line cuts off.
        const centre = (at(i, j) + at(i, j + 1) + at(i + 1, j + 1) + at(i + 1, j)) / 4;
        if (centre >= level === a) {
          segment(bottom, right);
          segment(top, left);
        } else {
          segment(bottom, left);
          segment(right, top);
        }
        continue;
      }
      const ends = [bottom, right, top, left].filter((p) => p !== null);
      if (ends.length === 2) segment(ends[0], ends[1]);
    }
  }
  return { x, y };
}
