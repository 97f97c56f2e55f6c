// What a chart over training steps remembers: the steps, and named columns of lines (one line
// per layer, or per quantity) with a value or null at every step. Bounded: once it holds more
// than `limit` steps, its older half keeps every other point, so the recent past stays dense
// and a long run costs no more to draw than a short one.

export class StepHistory {
  /** @param {number} limit steps kept before the older half is thinned */
  constructor(limit) {
    this.limit = limit;
    this.clear();
  }

  clear() {
    this.step = [];
    this.columns = {};
  }

  get empty() {
    return this.step.length === 0;
  }

  /** Column `name`: one array of values (null where missing) per line. */
  lines(name) {
    return this.columns[name] ?? [];
  }

  /**
   * Add the values at `step`: `values` maps each column's name to one value per line.
   * Returns "same" (the step is the last one again: nothing added), "added", or "restarted"
   * (history began anew first: the step went back, as when a network is trained from scratch,
   * or the columns do not have the lines they had, as when a layer is added).
   * @param {number} step
   * @param {Object<string, (number|null)[]>} values
   */
  push(step, values) {
    const last = this.step.at(-1);
    if (last === step) return "same";
    let outcome = "added";
    if ((last !== undefined && step < last) || !this.fits(values)) {
      outcome = this.empty ? "added" : "restarted";
      this.clear();
      for (const [name, line] of Object.entries(values)) this.columns[name] = line.map(() => []);
    }
    this.step.push(step);
    for (const [name, line] of Object.entries(values)) {
      line.forEach((v, i) => this.columns[name][i].push(finiteOrNull(v)));
    }
    if (this.step.length > this.limit) this.thin();
    return outcome;
  }

  /** Do `values` have the columns and lines this history has? */
  fits(values) {
    const names = Object.keys(values);
    if (names.length !== Object.keys(this.columns).length) return false;
    return names.every((name) => this.columns[name]?.length === values[name].length);
  }

  /** Keep every other point of the older half. */
  thin() {
    const half = Math.floor(this.step.length / 2);
    const keep = (_, i) => i >= half || i % 2 === 0;
    this.step = this.step.filter(keep);
    for (const lines of Object.values(this.columns)) {
      lines.forEach((line, i) => (lines[i] = line.filter(keep)));
    }
  }
}

/** A number that can be drawn, else null (a gap in the line). */
function finiteOrNull(v) {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}
