// The input plane: decision regions behind the data points, the input grid faintly on top,
// rings around misclassified points and a × on the points some fold sends to zero for good.

import { t } from "../i18n.js";
import { viewOptions } from "../viewopts.js";
import { hardRegions } from "./discrete.js";
import { classColor } from "./palette.js";
import { PlaneCanvas } from "./plane.js";
import { count, frameFacts, pointRadius, stageScene } from "./scene.js";

const REGION_FACTOR = 4; // the regions are painted this many times finer than they arrive

export class InputView {
  /**
   * @param {HTMLCanvasElement} canvas the plot
   * @param {HTMLElement} legend element for the HTML legend under it
   */
  constructor(canvas, legend) {
    this.plane = new PlaneCanvas(canvas, {
      margin: { l: 36, r: 8, t: 8, b: 22 },
      fontSize: 11,
      ticks: 6,
    });
    this.legend = legend;
    this.legendKey = "";
    this.drawn = null;
    this.renderLegend(2, false);
  }

  /** Draw one decoded frame (again, with the same frame, after a view option changed). */
  update(frame) {
    this.frame = frame;
    const { header, arrays } = frame;
    const known = frameFacts(frame);
    const scene = stageScene(frame, 0, {
      factor: REGION_FACTOR,
      radius: pointRadius(known.n, true),
    });
    const [x0, x1, y0, y1] = header.extent;
    scene.range = { x: [x0, x1], y: [y0, y1] };
    scene.grid = scene.grid && { ...scene.grid, faint: true };
    scene.wrong = misclassified(arrays.get("labels"), arrays.get("pred"));
    scene.dead = known.deadAll; // folded to zero somewhere in the network
    scene.merged = known.mergedAll; // on a point of another class: no layer can split them
    if (!viewOptions.showTest) hideTest(scene, known.nTrain);
    if (viewOptions.discretize) scene.regions = hardRegions(scene.regionArrays) ?? scene.regions;
    this.plane.draw(scene);
    this.drawn = {
      x: scene.points.x,
      y: scene.points.y,
      regions: Boolean(scene.regions),
      wrong: count(scene.wrong),
      dead: count(scene.dead),
      merged: count(scene.merged),
    };
    const folds = (header.folds ?? []).some((fold) => fold.dead_share !== null);
    const classes = header.task === "regression" ? 0 : header.classes;
    if (`${classes}:${folds}` !== this.legendKey) this.renderLegend(classes, folds);
  }

  /** Legend in HTML: class swatches (or the value ramp), then what the marks mean. */
  renderLegend(classes, folds) {
    this.legendKey = `${classes}:${folds}`;
    this.legendArgs = [classes, folds];
    const item = (mark, text) => `<span class="legend-item">${mark}${text}</span>`;
    const parts = [];
    for (let k = 0; k < classes; k++) {
      const swatch = `<span class="swatch" style="background:${classColor(k)}"></span>`;
      parts.push(item(swatch, t("legend.class", { k: k + 1 })));
    }
    if (classes === 0) parts.push(item('<span class="swatch ramp"></span>', t("legend.value")));
    parts.push(
      item('<span class="dot filled"></span>', t("legend.train")),
      item('<span class="dot hollow"></span>', t("legend.test")),
    );
    if (classes > 0) parts.push(item('<span class="dot ring"></span>', t("legend.wrong")));
    if (classes > 0) parts.push(item('<span class="dot merged"></span>', t("legend.merged")));
    if (folds) parts.push(item('<span class="dot dead"></span>', t("legend.dead")));
    parts.push(item('<span class="gridmark"></span>', t("legend.grid")));
    this.legend.innerHTML = parts.join("");
  }

  relabel() {
    this.renderLegend(...(this.legendArgs ?? [2, false]));
  }

  /** Draw the last frame again (a view option changed). */
  redraw() {
    if (this.frame) this.update(this.frame);
  }
}

/** Leave the test points (the ones after the first `nTrain`) out of a scene. */
function hideTest(scene, nTrain) {
  scene.style = { ...scene.style, groups: scene.style.groups.filter((g) => !g.hollow) };
  const trainOnly = (mask) => {
    if (!mask) return null;
    const out = Uint8Array.from(mask);
    out.fill(0, nTrain);
    return out;
  };
  scene.wrong = trainOnly(scene.wrong);
  scene.dead = trainOnly(scene.dead);
  scene.merged = trainOnly(scene.merged);
}

/** 1 where the predicted class is wrong (null for a regression net). */
function misclassified(labels, pred) {
  if (!labels || !pred || pred instanceof Float32Array) return null;
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = labels[i] !== pred[i] ? 1 : 0;
  return out;
}
