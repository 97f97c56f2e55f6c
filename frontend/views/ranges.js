// Axis ranges of the stage views, shared by the strip and the focus view. Each stage's range
// follows its extent: it grows at once and shrinks slowly, so panels do not jitter as training
// moves them. Locked, every range stays as it is, so that motion between frames reads as
// motion of the points, not of the axes.

const SHRINK = 0.2; // share of the way to a smaller target taken per frame

export class RangeKeeper {
  constructor() {
    this.ranges = new Map(); // stage position -> {x: [lo, hi], y: [lo, hi]}
    this.key = "";
    this.locked = false;
  }

  /** Forget every range when the stages change (`key` describes them). */
  reset(key) {
    if (key === this.key) return;
    this.key = key;
    this.ranges.clear();
  }

  /** The range for stage position `p` this frame, moved towards `target` unless locked. */
  update(p, target) {
    const previous = this.ranges.get(p);
    if (previous && this.locked) return previous;
    const next = previous
      ? { x: ease(previous.x, target.x), y: ease(previous.y, target.y) }
      : target;
    this.ranges.set(p, next);
    return next;
  }

  get(p) {
    return this.ranges.get(p) ?? null;
  }

  setLocked(locked) {
    this.locked = Boolean(locked);
  }
}

function ease(previous, target) {
  const lo = target[0] < previous[0] ? target[0] : previous[0] + SHRINK * (target[0] - previous[0]);
  const hi = target[1] > previous[1] ? target[1] : previous[1] + SHRINK * (target[1] - previous[1]);
  return [lo, hi];
}

/** The range a fraction `t` of the way from `a` to `b`. */
export function lerpRange(a, b, t) {
  const mix = (p, q) => [p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])];
  return { x: mix(a.x, b.x), y: mix(a.y, b.y) };
}

/** The smallest range holding both. */
export function unionRange(a, b) {
  return {
    x: [Math.min(a.x[0], b.x[0]), Math.max(a.x[1], b.x[1])],
    y: [Math.min(a.y[0], b.y[0]), Math.max(a.y[1], b.y[1])],
  };
}
