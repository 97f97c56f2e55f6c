// The morph: where every point and grid line is at any position s along the network, from the
// stages a frame already carries. s = k is stage k exactly; between stage k and k+1:
//  - an affine step whose map is 2x2 (and both ends drawn as planes) follows the lecture's path,
//    the mirror of nets/linalg.py affine_path: rotate by angle_in, reflect (a squash through the
//    axis), scale along the singular directions, rotate by angle_out, then shift by the bias;
//  - any other step is the straight interpolation (1-t)·a + t·b of the drawn coordinates. For a
//    fold that is exactly (1-t)·z + t·act(z), since a layer's affine and fold stages share one
//    projection.

// The sub-steps of a 2x2 layer's affine step, in order, each a fifth of the way.
export const AFFINE_PHASES = ["rotate", "reflect", "scale", "rotate2", "shift"];
const PHASES = AFFINE_PHASES.length;

function clamp01(x) {
  return Math.min(Math.max(x, 0), 1);
}

/** The map x -> m·x + c at time t in [0, 1] along a 2x2 layer's affine step. */
export function affineAt(decomposition, bias, t) {
  const u = [];
  for (let i = 0; i < PHASES; i += 1) u.push(clamp01(clamp01(t) * PHASES - i));
  const { angle_in: angleIn, angle_out: angleOut, reflect, scales } = decomposition;
  let m = rotation(u[0] * angleIn);
  if (reflect) m = multiply([[1, 0], [0, 1 - 2 * u[1]]], m);
  m = multiply([[1 + u[2] * (scales[0] - 1), 0], [0, 1 + u[2] * (scales[1] - 1)]], m);
  m = multiply(rotation(u[3] * angleOut), m);
  return { m, c: [u[4] * bias[0], u[4] * bias[1]] };
}

/** The sub-step a time t of an affine morph is in, for captions. */
export function affinePhase(decomposition, t) {
  const i = Math.min(PHASES - 1, Math.floor(clamp01(t) * PHASES));
  if (AFFINE_PHASES[i] === "reflect" && !decomposition.reflect) return "noReflect";
  return AFFINE_PHASES[i];
}

/** The rotation by `angle` radians, as a 2x2 matrix (rows). */
export function rotation(angle) {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return [[c, -s], [s, c]];
}

/** The product a·b of two 2x2 matrices. */
export function multiply(a, b) {
  return [
    [a[0][0] * b[0][0] + a[0][1] * b[1][0], a[0][0] * b[0][1] + a[0][1] * b[1][1]],
    [a[1][0] * b[0][0] + a[1][1] * b[1][0], a[1][0] * b[0][1] + a[1][1] * b[1][1]],
  ];
}

/**
 * W rebuilt from its decomposition: R(angle_out) · diag(scales) · F · R(angle_in), with
 * F = diag(1, -1) when it reflects. The end of the affine path (t = 1) without the shift.
 */
export function composeMatrix(decomposition) {
  return affineAt(decomposition, [0, 0], 1).m;
}

/**
 * Positions s on the morph at which each operation of layer `layer` has just been done, for
 * stepping through them one at a time: [{phase, s}], the affine step's sub-steps (rotate,
 * reflect, scale, rotate2, shift) for a 2x2 map or one straight step ("straight") otherwise,
 * then the fold if the layer has one. Each s lies a hair before the end of its phase, so that
 * the morph's caption still names it. Empty when the frame has no such layer.
 */
export function layerSteps(header, layer) {
  const stages = header.stages;
  const p = mapStage(header, layer);
  if (p < 1) return [];
  const eps = 1e-6;
  const steps = [];
  if (affineStep(header, p - 1)) {
    AFFINE_PHASES.forEach((phase, i) => steps.push({ phase, s: p - 1 + (i + 1) / PHASES - eps }));
  } else {
    steps.push({ phase: "straight", s: p - eps });
  }
  if (stages[p + 1]?.kind === "fold") steps.push({ phase: "fold", s: p + 1 - eps });
  return steps;
}

/**
 * Where layer `layer`'s map lies: the index of its affine stage (its output stage, for the
 * classifier), or -1 when the frame has no such layer. The stage before it is the layer's input.
 */
export function mapStage(header, layer) {
  return (header?.stages ?? []).findIndex(
    (stage) => (stage.kind === "affine" || stage.kind === "output") && stage.layer === layer,
  );
}

/** The 2x2 layer map for the step from stage k to k+1, when the lecture's path applies. */
export function affineStep(header, k) {
  const from = header.stages[k];
  const to = header.stages[k + 1];
  if (!to || (to.kind !== "affine" && to.kind !== "output")) return null;
  if (from.projection !== "plane" || to.projection !== "plane") return null;
  if (from.width !== 2 || to.width !== 2) return null;
  const layer = header.layers.find((entry) => entry.layer === to.layer);
  return layer?.decomposition ? layer : null;
}

/**
 * Drawn coordinates at position s (0 ≤ s ≤ stages-1) of one array family ("points" or "grid"):
 * a new Float32Array of (x, y) pairs. Only the first two drawn coordinates are used.
 */
export function morphAt(header, arrays, s, family = "points") {
  const last = header.stages.length - 1;
  const pos = Math.min(Math.max(s, 0), last);
  const k = Math.min(Math.floor(pos), last - 1 < 0 ? 0 : last - 1);
  const t = last === 0 ? 0 : pos - k;
  const a = arrays.get(`stage${header.stages[k].index}/${family}`);
  const dimsA = header.stages[k].projection === "3d" ? 3 : 2;
  const n = a.length / dimsA;
  const out = new Float32Array(n * 2);
  if (last === 0 || t === 0) {
    for (let i = 0; i < n; i += 1) {
      out[2 * i] = a[dimsA * i];
      out[2 * i + 1] = a[dimsA * i + 1];
    }
    return out;
  }
  const b = arrays.get(`stage${header.stages[k + 1].index}/${family}`);
  const dimsB = header.stages[k + 1].projection === "3d" ? 3 : 2;
  const layer = affineStep(header, k);
  if (layer) {
    const { m, c } = affineAt(layer.decomposition, layer.bias, t);
    for (let i = 0; i < n; i += 1) {
      const x = a[2 * i];
      const y = a[2 * i + 1];
      out[2 * i] = m[0][0] * x + m[0][1] * y + c[0];
      out[2 * i + 1] = m[1][0] * x + m[1][1] * y + c[1];
    }
    return out;
  }
  for (let i = 0; i < n; i += 1) {
    out[2 * i] = (1 - t) * a[dimsA * i] + t * b[dimsB * i];
    out[2 * i + 1] = (1 - t) * a[dimsA * i + 1] + t * b[dimsB * i + 1];
  }
  return out;
}
