// The input features the first layer may see, from the server's formulas (GET /api/schema
// "features", written once in nets/features.py): ["x", i] is coordinate i itself, ["mul", i, j]
// a product, ["sin", i] a sine, where coordinate 0 is x₁ and 1 is x₂.

const coordinate = (a, b, i) => (i === 0 ? a : b);

const OPS = {
  x: (a, b, i) => coordinate(a, b, i),
  mul: (a, b, i, j) => coordinate(a, b, i) * coordinate(a, b, j),
  sin: (a, b, i) => Math.sin(coordinate(a, b, i)),
};

const NAMES = ["x₁", "x₂"];

/**
 * A feature's value at the point (a, b), as a function of the point.
 * @param {[string, ...number[]]} formula
 * @returns {(a: number, b: number) => number}
 */
export function featureMap(formula) {
  const [op, ...args] = formula;
  const f = OPS[op];
  if (!f) throw new Error(`no feature formula ${op}`);
  return (a, b) => f(a, b, ...args);
}

/**
 * A feature's name as written on the page: x₁, x₁², x₁·x₂, sin x₁.
 * @param {[string, ...number[]]} formula
 * @returns {string}
 */
export function featureLabel(formula) {
  const [op, i, j] = formula;
  if (op === "mul") return i === j ? `${NAMES[i]}²` : `${NAMES[i]}·${NAMES[j]}`;
  if (op === "sin") return `sin ${NAMES[i]}`;
  return NAMES[i];
}
