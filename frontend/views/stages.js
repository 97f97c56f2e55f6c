// The stage strip: one small canvas panel per stage of the network (input, affine k, fold k,
// ..., output), each with that stage's points, the warped image of the input grid, the points
// folded to zero so far (×), and, for stages drawn as their own plane, the decision regions of
// the rest of the network there. A click on a panel shows it large in the focus view.

import { t } from "../i18n.js";
import { setAttr, setData, setText } from "./dom.js";
import { PlaneCanvas } from "./plane.js";
import { count, frameFacts, pointRadius, stageScene, stageTarget } from "./scene.js";
import { GAP_X, GAP_Y, stripGrid } from "./striplayout.js";
import { isProjection, noRegionsReason, stageTitle } from "./titles.js";

// The strip fills a box of fixed height (the first screen, full screen) or grows down.
const BOUNDED = "body.fit .first .strip, .is-full .strip";
const PANEL_EXTRA = { w: 10, h: 42 }; // px a panel adds to its plot, until measured
const REGION_FACTOR = 2; // panels are small: regions painted twice as fine as they arrive
// Panels that could have regions but cannot show them say why, in a few words.
const SHORT_NOTES = {
  "regions.projection": "regions.projectionShort",
  "regions.line": "regions.lineShort",
};

export class StagesView {
  /**
   * @param {HTMLElement} root the strip's container
   * @param {import("./ranges.js").RangeKeeper} ranges axis ranges, shared with the focus view
   * @param {(p: number) => void} onPick called with a stage position when a panel is clicked
   */
  constructor(root, ranges, onPick) {
    this.root = root;
    this.ranges = ranges;
    this.onPick = onPick;
    this.panels = [];
    this.stageCount = 0;
    this.projected = false;
    this.selected = [];
    this.last = null;
    this.width = root.clientWidth;
    this.height = root.clientHeight;
    new ResizeObserver((entries) => {
      const box = entries[0].contentRect;
      const [width, height] = [Math.round(box.width), Math.round(box.height)];
      if (width !== this.width || height !== this.height) {
        this.width = width;
        this.height = height;
        this.layout();
      }
    }).observe(root);
  }

  /**
   * Draw one decoded frame.
   * @param {import("../frame.js").Frame} frame
   * @param {import("../state.js").Config} [view] the config's view part (are regions asked for
   *   in every stage?)
   */
  update(frame, view = {}) {
    this.last = { frame, view };
    const { header } = frame;
    const stages = header.stages;
    if (stages.length !== this.panels.length) this.build(stages.length);
    this.ranges.reset(`${header.generation}:${stages.map((s) => `${s.projection}${s.width}`)}`);
    const radius = pointRadius(frameFacts(frame).n);
    stages.forEach((stage, p) => {
      const panel = this.panels[p];
      const scene = stageScene(frame, p, { factor: REGION_FACTOR, radius });
      scene.range = this.ranges.update(p, stageTarget(stage, scene.points, scene.grid));
      const reason = noRegionsReason(stage);
      scene.note = SHORT_NOTES[reason] ? t(SHORT_NOTES[reason]) : null;
      panel.plane.draw(scene);
      const [title, detail] = stageTitle(header, stage);
      setText(panel.title, title);
      if (panel.title.title !== title) panel.title.title = title; // a narrow panel cuts it short
      setText(panel.detail, detail);
      if (panel.detail.title !== detail) panel.detail.title = detail;
      setData(panel.node, "kind", stage.kind);
      setData(panel.node, "index", String(stage.index));
      setAttr(panel.node, "aria-label", `${title} ${detail}`.trim());
      panel.drawn = {
        index: stage.index,
        kind: stage.kind,
        x: scene.points.x,
        y: scene.points.y,
        range: scene.range,
        regions: Boolean(scene.regions),
        line: Boolean(scene.line),
        dead: count(scene.dead),
        merged: count(scene.merged),
        note: scene.note,
      };
    });
    // Say why some panels have no regions: only stages drawn as their own plane have them.
    this.projected = Boolean(view.regions) && stages.some(isProjection);
    this.stageCount = stages.length;
    setData(this.root, "stageCount", String(stages.length));
  }

  /** Make `count` panels. */
  build(count) {
    this.root.replaceChildren();
    this.panels = [];
    for (let p = 0; p < count; p++) {
      const node = document.createElement("div");
      node.className = "stage-panel";
      node.tabIndex = 0;
      node.setAttribute("role", "button");
      node.setAttribute("data-testid", "stage-panel");
      node.dataset.stage = String(p);
      const head = document.createElement("div");
      head.className = "stage-head";
      const title = document.createElement("span");
      title.className = "stage-title";
      const detail = document.createElement("span");
      detail.className = "stage-detail";
      head.append(title, detail);
      const canvas = document.createElement("canvas");
      canvas.className = "stage-canvas";
      node.append(head, canvas);
      node.addEventListener("click", () => this.onPick(p));
      node.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          this.onPick(p);
        }
      });
      this.root.append(node);
      this.panels.push({ node, title, detail, plane: new PlaneCanvas(canvas), drawn: null });
    }
    this.layout();
    this.select(this.selected);
  }

  /** Rows, columns and panel size: every panel in the box, as large as it allows. */
  layout() {
    const count = this.panels.length;
    if (count === 0) return;
    const width = Math.max(320, this.width || 900);
    const bounded = this.root.matches(BOUNDED) && this.height > 0;
    const extra = this.extra(); // measured before anything is written: one layout, not two
    const { cols, plot } = stripGrid(count, width, bounded ? this.height : null, extra);
    this.root.style.gap = `${GAP_Y}px ${GAP_X}px`;
    this.root.style.gridTemplateColumns = `repeat(${cols}, ${plot + extra.w}px)`;
    this.root.dataset.cols = String(cols);
    this.root.style.setProperty("--plot", `${plot}px`); // the panels' type follows their size
  }

  /** What a panel adds to its plot, across and down (its head, padding and border). */
  extra() {
    const panel = this.panels[0];
    const canvas = panel?.node.querySelector("canvas");
    if (!canvas || canvas.offsetWidth === 0) return PANEL_EXTRA;
    return {
      w: panel.node.offsetWidth - canvas.offsetWidth,
      h: panel.node.offsetHeight - canvas.offsetHeight,
    };
  }

  /** Mark the panels the focus view shows: one stage, or the two a morph is between. */
  select(positions) {
    this.selected = positions;
    this.panels.forEach((panel, p) => {
      const on = positions.includes(p);
      panel.node.classList.toggle("selected", on);
      panel.node.setAttribute("aria-pressed", String(on));
    });
  }

  /** Lay out again and redraw the last frame (after a language switch or a new layout). */
  redraw() {
    this.layout();
    if (this.last) this.update(this.last.frame, this.last.view);
  }
}

