// A canvas whose pixels follow its CSS size (and the screen's pixel ratio): the views draw in
// CSS pixels and redraw themselves when the canvas is resized. A canvas out of sight is not
// drawn (painting is most of the cost of a frame); it is drawn when it comes into sight.

export class SizedCanvas {
  /**
   * @param {HTMLCanvasElement} canvas sized by CSS
   * @param {() => void} onResize called after a resize, to draw again
   */
  constructor(canvas, onResize) {
    this.canvas = canvas;
    this.context = canvas.getContext("2d");
    this.width = canvas.clientWidth;
    this.height = canvas.clientHeight;
    this.ratio = 1;
    this.sized = false;
    this.visible = true; // until the browser says otherwise
    this.stale = false; // a draw was skipped while out of sight
    new ResizeObserver((entries) => {
      const box = entries[0].contentRect;
      this.width = Math.round(box.width);
      this.height = Math.round(box.height);
      this.sized = false;
      onResize();
    }).observe(canvas);
    new IntersectionObserver(
      (entries) => {
        this.visible = entries.at(-1).isIntersecting;
        if (this.visible && this.stale) onResize();
      },
      { rootMargin: "100px" },
    ).observe(canvas);
  }

  /**
   * The context, cleared to white and scaled to CSS pixels; null while the canvas is out of
   * sight or too small to draw on (hidden, or not laid out yet).
   */
  begin() {
    this.stale = !this.visible;
    if (this.stale || this.width < 20 || this.height < 20) return null;
    if (!this.sized) {
      this.ratio = window.devicePixelRatio || 1;
      this.canvas.width = Math.max(1, Math.round(this.width * this.ratio));
      this.canvas.height = Math.max(1, Math.round(this.height * this.ratio));
      this.sized = true;
    }
    const ctx = this.context;
    ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
    ctx.fillStyle = "white"; // the cards are white: filling is clearing
    ctx.fillRect(0, 0, this.width, this.height);
    return ctx;
  }
}
