// A ReLU network's grid lines are straight between a few kinks, and a canvas pays for every
// vertex of a stroke: a line's vertices are fed in order, and a vertex is left out while every
// one left out since the last drawn lies within SLACK px of the straight segment that replaces
// them (and along it: a line that turns back, a fold, keeps its turn).

const SLACK = 0.2; // px: how far a vertex left out may lie from the segment drawn instead
const HELD = 24; // vertices left out in a row at most (each new one is checked against all)

/** One line of a path, its vertices fed in order, the needless ones left out. */
export class PolylineRun {
  constructor(ctx) {
    this.ctx = ctx;
    this.started = false;
    this.ax = 0; // the last vertex drawn
    this.ay = 0;
    this.pending = false; // (bx, by): the newest vertex, not drawn yet
    this.bx = 0;
    this.by = 0;
    this.heldX = new Float64Array(HELD); // vertices between a and b, left out
    this.heldY = new Float64Array(HELD);
    this.held = 0;
  }

  add(x, y) {
    if (!this.started) {
      this.ctx.moveTo(x, y);
      this.started = true;
      this.ax = x;
      this.ay = y;
      return;
    }
    if (this.pending) {
      if (this.held < HELD && this.covers(x, y)) {
        this.heldX[this.held] = this.bx;
        this.heldY[this.held] = this.by;
        this.held++;
      } else {
        this.ctx.lineTo(this.bx, this.by);
        this.ax = this.bx;
        this.ay = this.by;
        this.held = 0;
      }
    }
    this.bx = x;
    this.by = y;
    this.pending = true;
  }

  /** Would the segment from a to (x, y) pass within SLACK of b and every vertex held? */
  covers(x, y) {
    const dx = x - this.ax;
    const dy = y - this.ay;
    const length2 = dx * dx + dy * dy;
    if (!(length2 > 0)) return false;
    const near = (px, py) => {
      const ux = px - this.ax;
      const uy = py - this.ay;
      const along = ux * dx + uy * dy;
      if (along < 0 || along > length2) return false; // it turns back: a fold
      const across = ux * dy - uy * dx;
      return across * across <= SLACK * SLACK * length2;
    };
    if (!near(this.bx, this.by)) return false;
    for (let i = 0; i < this.held; i++) if (!near(this.heldX[i], this.heldY[i])) return false;
    return true;
  }

  /** The line ends (a gap, or the last vertex): draw what is pending. */
  end() {
    if (this.pending) this.ctx.lineTo(this.bx, this.by);
    this.started = this.pending = false;
    this.held = 0;
  }
}
