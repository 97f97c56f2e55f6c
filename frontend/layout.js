// The page's layout: the first screen (top bar, input plane, stage strip) fills the window;
// everything else follows below it. The settings drawer is the last section of the page and,
// when opened from the top bar, a column at the window's right edge that the page makes room
// for. When the window or the layout changes size, every view is drawn again from the last
// frame, so that no canvas keeps a stale picture.

import "./strings/layout.js";
import { planeSide } from "./views/striplayout.js";

const FIT_MIN_WIDTH = 900; // px: narrower windows scroll the views one under the other
const FIT_MIN_HEIGHT = 480;
const MIN_PLANE = 250; // px: the input plane's side, at least
const RATIO = 1.7; // the input plane's side over a panel's, at least

/** px a box adds to its content across: padding and border, left and right. */
function chrome(node) {
  const style = getComputedStyle(node);
  return ["paddingLeft", "paddingRight", "borderLeftWidth", "borderRightWidth"]
    .map((key) => Number.parseFloat(style[key]) || 0)
    .reduce((a, b) => a + b, 0);
}

/**
 * Wire the drawer and the first screen's size.
 * @param {{topbar: HTMLElement, first: HTMLElement, drawer: HTMLElement, openButton: HTMLElement,
 *   closeButton: HTMLElement, strip: () => {count: number, extra: {w: number, h: number}},
 *   redraw: () => void}} page first: the first screen; strip(): the stage strip's panels and what
 *   each adds to its plot; redraw(): draw every view again from the last frame
 * @returns {{open(): void, close(): void, toggle(): void, readonly isOpen: boolean}}
 */
export function setupLayout({ topbar, first, drawer, openButton, closeButton, strip, redraw }) {
  const body = document.body;
  const root = document.documentElement;
  const inputCard = first.querySelector(".card-input");
  const plane = inputCard.querySelector("canvas");
  const stageCard = first.querySelector(".card-stages");
  const stripBox = stageCard.querySelector(".strip");

  /** The input plane's column: as wide as leaves the strip's panels their largest size. */
  const sizePlane = () => {
    const { count, extra } = strip();
    if (!count) return;
    const gap = Number.parseFloat(getComputedStyle(first).columnGap) || 0;
    const width = first.clientWidth - gap - chrome(inputCard) - chrome(stageCard);
    const others = inputCard.scrollHeight - plane.offsetHeight; // the card, less the plane
    const { plane: side } = planeSide(
      {
        width,
        stripHeight: stripBox.clientHeight,
        maxPlane: Math.min(first.clientHeight - others, width / 2),
        minPlane: MIN_PLANE,
        count,
        extra,
      },
      RATIO,
    );
    first.style.setProperty("--plane-col", `${Math.round(side + chrome(inputCard))}px`);
  };

  const fit = () => {
    root.style.setProperty("--topbar-h", `${Math.ceil(topbar.getBoundingClientRect().height)}px`);
    const fits = window.innerWidth >= FIT_MIN_WIDTH && window.innerHeight >= FIT_MIN_HEIGHT;
    body.classList.toggle("fit", fits);
    if (!fits || body.classList.contains("presenter")) return; // presenting: no input card
    sizePlane();
    sizePlane(); // again: the legend under the plane may wrap otherwise at the new width
  };

  let queued = false;
  const again = () => {
    fit();
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      redraw();
    });
  };
  window.addEventListener("resize", again);
  new ResizeObserver(again).observe(topbar);
  // The caption shown or hidden, panels added or taken away: the strip's room changes.
  new ResizeObserver(again).observe(stageCard.querySelector(".lesson-slot"));
  new MutationObserver(again).observe(stripBox, { childList: true });
  // Presenter mode, full screen and the drawer change the layout without resizing the window.
  new MutationObserver(again).observe(body, { attributes: true, attributeFilter: ["class"] });
  fit();

  const drawerApi = {
    get isOpen() {
      return body.classList.contains("drawer-open");
    },
    open() {
      body.classList.add("drawer-open");
      openButton.setAttribute("aria-expanded", "true");
      drawer.scrollTop = 0;
      /** @type {HTMLElement} */
      const field = drawer.querySelector("select, input, button:not(.drawer-close)") ?? closeButton;
      field.focus({ preventScroll: true });
    },
    close() {
      const inside = drawer.contains(document.activeElement);
      body.classList.remove("drawer-open");
      openButton.setAttribute("aria-expanded", "false");
      if (inside) openButton.focus({ preventScroll: true });
    },
    toggle() {
      if (drawerApi.isOpen) drawerApi.close();
      else drawerApi.open();
    },
  };
  openButton.addEventListener("click", () => drawerApi.toggle());
  closeButton.addEventListener("click", () => drawerApi.close());
  return drawerApi;
}
