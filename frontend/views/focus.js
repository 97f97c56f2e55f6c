// The focus view (the close-up): one stage large, or any position s between two stages of the
// morph. At a stage: its regions, the warped grid, the points by class, the × of points folded
// to zero, the classifier's line where it applies, a caption of what is drawn, and the layer's
// numbers. A 3-wide stage drawn in 3D becomes a rotatable scene (./focus3d.js). Between stages:
// the morph (../morphpath.js), the regions carried along a 2×2 layer's path.

import { columns, gridPolyline } from "../frame.js";
import { t } from "../i18n.js";
import { setData, setHidden, setText } from "./dom.js";
import { affineAt, affineStep, morphAt } from "../morphpath.js";
import { drawScene3d, hasWebGL } from "./focus3d.js";
import { plotlyReady } from "./plotly.js";
import { PlaneCanvas } from "./plane.js";
import { infoStage } from "./steps.js";
import { lerpRange, unionRange } from "./ranges.js";
import {
  around,
  count,
  frameFacts,
  pointRadius,
  stageGrid,
  stagePoints,
  stageScene,
  stageTarget,
} from "./scene.js";
import {
  foldCaption,
  foldOf,
  isProjection,
  noRegionsReason,
  percent,
  projectionCaption,
  stageName,
} from "./titles.js";

const REGION_FACTOR = 4;

export class FocusView {
  /**
   * @param {{root: HTMLElement, canvas: HTMLCanvasElement, plot3d: HTMLElement, title: HTMLElement,
   *   detail: HTMLElement, notice: HTMLElement, info: HTMLElement}} el
   * @param {import("./ranges.js").RangeKeeper} ranges the strip's axis ranges
   * @param {() => void} request asks for a redraw (when Plotly has loaded)
   */
  constructor(el, ranges, request) {
    this.el = el;
    this.ranges = ranges;
    this.request = request;
    this.plane = new PlaneCanvas(el.canvas, {
      margin: { l: 40, r: 10, t: 10, b: 24 },
      fontSize: 11,
      ticks: 7,
    });
    this.frame = null;
    this.s = 0;
    this.layerOf = () => null; // the layer the close-up's lines are about (main.js: its stage's)
    this.dirty = false;
    this.mode = "2d";
    this.drawn = null; // what was drawn last, for tests and the curious
    this.draws = 0; // how many times it has drawn (the morph draws it every animation frame)
  }

  setFrame(frame) {
    this.frame = frame;
    this.dirty = true;
  }

  setPosition(s) {
    if (s === this.s) return;
    this.s = s;
    this.dirty = true;
  }

  /** Draw if anything changed since the last draw. */
  render() {
    if (!this.dirty || !this.frame) return;
    this.dirty = false;
    this.draws++;
    const frame = this.frame;
    const last = frame.header.stages.length - 1;
    const s = Math.min(Math.max(this.s, 0), last);
    if (last === 0 || Math.abs(s - Math.round(s)) < 1e-9) this.drawStage(frame, Math.round(s));
    else this.drawMorph(frame, s);
  }

  /** Force a redraw (a language switch, the axes locked or unlocked). */
  redraw() {
    this.dirty = true;
    this.render();
  }

  drawStage(frame, p) {
    const { header } = frame;
    const stage = header.stages[p];
    const known = frameFacts(frame);
    const real3d = stage.projection === "3d" && hasWebGL();
    const detail = real3d
      ? [t("stage.3dTurn"), foldCaption(foldOf(header, stage))].filter(Boolean).join(" · ")
      : detailOf(header, stage);
    this.show(header, [p], stageName(stage, header.activation), detail);
    this.showNotice(noRegionsReason(stage), stage);
    const about = infoStage(header, stage, this.layerOf());
    this.showInfo(infoLines(header, about), about.layer);
    if (real3d && this.plotly()) {
      this.draw3d(frame, p);
      return;
    }
    this.setMode("2d");
    const radius = pointRadius(known.n, true);
    const scene = stageScene(frame, p, { factor: REGION_FACTOR, radius });
    scene.range = this.ranges.get(p) ?? stageTarget(stage, scene.points, scene.grid);
    if (scene.dead) {
      scene.deadLabel = t("focus.deadLabel", { count: count(scene.dead) });
    }
    this.plane.draw(scene);
    this.drawn = drawnOf(frame, p, this.s, scene, "2d");
  }

  drawMorph(frame, s) {
    const { header, arrays } = frame;
    const last = header.stages.length - 1;
    const k = Math.min(Math.floor(s), last - 1);
    const u = s - k;
    const [from, to] = [header.stages[k], header.stages[k + 1]];
    const known = frameFacts(frame);
    const name = (stage) => stageName(stage, header.activation);
    const detail = detailOf(header, to) || detailOf(header, from);
    this.show(header, [k, k + 1], `${name(from)} → ${name(to)}`, detail);
    const projected = isProjection(from) ? from : isProjection(to) ? to : null;
    this.showNotice(projected ? noRegionsReason(projected) : null, projected);
    const about = to.kind === "fold" ? from : to;
    this.showInfo(infoLines(header, about), about.layer);
    this.setMode("2d");

    const points = split(morphAt(header, arrays, s, "points"));
    const flatGrid = morphAt(header, arrays, s, "grid");
    const grid = gridPolyline(flatGrid, header.grid.lines, header.grid.samples, 2);
    const scene = {
      points,
      style: { groups: known.groups, radius: pointRadius(known.n, true) },
      grid,
      regions: null,
      contour: null,
      line: null,
      dead: known.dead[k],
      merged: known.merged[k],
      axes3d: false,
    };
    const layer = affineStep(header, k);
    if (layer) {
      // Along a 2×2 layer's path the plane moves rigidly (then scales): its regions move with it.
      const map = affineAt(layer.decomposition, layer.bias, u);
      const start = stageScene(frame, k, {
        factor: REGION_FACTOR,
        radius: scene.style.radius,
      });
      if (start.regions) {
        scene.regions = start.regions;
        scene.carry = map;
      }
      if (start.contour) scene.contour = carry(start.contour, map);
      if (start.line) scene.line = carry(start.line, map);
    }
    const ends = [k, k + 1].map((p) => {
      const stage = header.stages[p];
      return this.ranges.get(p) ?? stageTarget(stage, stagePoints(frame, p), stageGrid(frame, p));
    });
    let range = lerpRange(ends[0], ends[1], u);
    if (!this.ranges.locked) range = unionRange(range, around([points.x], [points.y]));
    scene.range = range;
    this.plane.draw(scene);
    this.drawn = drawnOf(frame, null, s, scene, "2d");
  }

  draw3d(frame, p) {
    this.setMode("3d");
    const { x, y, z } = drawScene3d(this.el.plot3d, frame, p);
    this.drawn = { ...drawnOf(frame, p, this.s, { points: { x, y } }, "3d"), z };
  }

  setMode(mode) {
    if (mode === this.mode) return;
    this.mode = mode;
    this.el.canvas.hidden = mode !== "2d";
    this.el.plot3d.hidden = mode !== "3d";
    if (mode !== "3d") window.Plotly?.purge(this.el.plot3d); // one WebGL scene, while shown
    this.el.root.dataset.mode = mode;
  }

  /** Is Plotly here? If not, it is loaded, and the view redraws when it is. */
  plotly() {
    return plotlyReady(() => {
      this.dirty = true;
      this.request();
    });
  }

  show(header, positions, title, detail) {
    setText(this.el.title, title);
    setText(this.el.detail, detail);
    const stage = header.stages[positions[0]];
    setData(this.el.root, "stage", positions.join("-"));
    setData(this.el.root, "kind", positions.length === 1 ? stage.kind : "morph");
  }

  showNotice(reason, stage) {
    const text = reason ? t(reason, { caption: stage ? projectionCaption(stage) : "" }) : "";
    setHidden(this.el.notice, !reason);
    setText(this.el.notice, text);
  }

  /** The lines about the close-up's layer (`layer`, kept in data-layer). */
  showInfo(lines, layer) {
    setData(this.el.info, "layer", String(layer ?? ""));
    const items = this.el.info.children;
    if (items.length === lines.length) {
      // The numbers change every frame, the lines seldom: only the texts are written.
      lines.forEach((line, i) => setText(/** @type {HTMLElement} */ (items[i]), line));
      return;
    }
    this.el.info.replaceChildren(
      ...lines.map((line) => {
        const item = document.createElement("li");
        item.textContent = line;
        return item;
      }),
    );
  }
}


function detailOf(header, stage) {
  const fold = foldCaption(foldOf(header, stage));
  return [projectionCaption(stage), fold].filter(Boolean).join(" · ");
}

/** Interleaved (x, y) pairs as two columns. */
function split(pairs) {
  return columns(pairs, 2);
}

/** A polyline (or two points of a line) carried by the map x -> m·x + c. */
function carry(line, { m, c }) {
  const x = new Float32Array(line.x.length);
  const y = new Float32Array(line.y.length);
  for (let i = 0; i < x.length; i++) {
    x[i] = m[0][0] * line.x[i] + m[0][1] * line.y[i] + c[0];
    y[i] = m[1][0] * line.x[i] + m[1][1] * line.y[i] + c[1];
  }
  return { x, y };
}

function drawnOf(frame, p, s, scene, mode) {
  return {
    frame,
    s,
    stage: p,
    mode,
    x: scene.points.x,
    y: scene.points.y,
    range: scene.range ?? null,
    regions: Boolean(scene.regions),
    carried: Boolean(scene.regions && scene.carry),
    line: Boolean(scene.line),
    dead: count(scene.dead),
    merged: count(scene.merged),
  };
}

/** What to say about a stage's layer: its map, its dead points, the classifier's line. */
function infoLines(header, stage) {
  const lines = [];
  const round = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)).replace("-", "−");
  const layer = header.layers?.find((entry) => entry.layer === stage.layer);
  if ((stage.kind === "affine" || stage.kind === "output") && layer) {
    const [rows, cols] = layer.shape;
    lines.push(t("info.shape", { rows, cols }));
    if (layer.weight && layer.bias && rows === 2 && cols === 2) {
      const w = layer.weight.map((row) => `[${row.map(round).join(", ")}]`).join(" ");
      lines.push(t("info.map", { w, b: layer.bias.map(round).join(", ") }));
    }
    const d = layer.decomposition;
    if (d) {
      const deg = (r) => String(Math.round((r * 180) / Math.PI)).replace("-", "−");
      lines.push(
        t(d.reflect ? "info.svdReflect" : "info.svd", {
          a: deg(d.angle_in),
          s1: round(d.scales[0]),
          s2: round(d.scales[1]),
          b: deg(d.angle_out),
          det: round(d.det),
        }),
      );
    }
  }
  const fold = foldOf(header, stage);
  if (typeof fold?.merged_share === "number") {
    lines.push(t("info.merged", { pct: percent(fold.merged_share) }));
  }
  if (typeof fold?.dead_share === "number") {
    lines.push(t("info.dead", { pct: percent(fold.dead_share) }));
    const units = fold.dead_units ?? [];
    lines.push(
      units.length
        ? t("info.deadUnits", { units: units.map((u) => u + 1).join(", ") })
        : t("info.noDeadUnits"),
    );
  }
  if (stage.boundary?.every(Number.isFinite)) {
    const [a, b, c] = stage.boundary.map(round);
    lines.push(t("info.line", { a, b, c }));
  }
  return lines;
}
