// Where the lesson caption sits: over the stage strip it talks about, and, while another view
// fills the screen, over that view (the browser shows nothing outside a full-screen element).

import { fullCard } from "./cards.js";

export class CaptionPlace {
  /**
   * @param {HTMLElement} bar the lesson bar (caption, step counter, previous and next)
   * @param {HTMLElement} home its place in the page, above the stage strip
   */
  constructor(bar, home) {
    this.bar = bar;
    this.home = home;
    home.append(bar);
    // Full screen is a class on the body (see cards.js): follow it.
    new MutationObserver(() => this.place()).observe(document.body, {
      attributes: true,
      attributeFilter: ["class"],
    });
  }

  /** Put the caption where it can be read now. */
  place() {
    const full = fullCard();
    const away = full !== null && !full.contains(this.home);
    const target = away ? full : this.home;
    this.bar.classList.toggle("overlay", away);
    if (this.bar.parentElement !== target) target.append(this.bar);
  }
}
