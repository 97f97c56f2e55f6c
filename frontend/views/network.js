// The network diagram: one column per layer, every unit drawn as a small heatmap of its output
// over the input plane (the input features computed here, hidden units from the frame's
// units/layer{l} maps, the outputs from the input plane's regions), edges coloured by the
// sign of their weight and thickened by its size, a small square per unit for its bias.
// Hover tells a value; a click on an edge or a bias square edits it (set_weight).
// Everything is painted on one canvas, once per frame.

import "../strings/playground.js";
import { t } from "../i18n.js";
import { featureMap } from "./features.js";
import { AXIS, classColor, FONT, INK, MUTED, rgb } from "./palette.js";
import { regionArrays } from "./regions.js";
import { SizedCanvas } from "./sized.js";

const POSITIVE = [46, 117, 182]; // blue
const NEGATIVE = [232, 119, 46]; // orange
const INPUT_CELLS = 24; // cells a side of an input feature's map
const HEAD = 22; // px above the tiles for the column titles
const BIAS = 8; // px, the bias square's side

/** The colour of `v` on a scale where ±`scale` is full blue / orange and 0 is white. */
export function divergingColor(v, scale) {
  const u = scale > 0 ? Math.max(-1, Math.min(1, v / scale)) : 0;
  const end = u >= 0 ? POSITIVE : NEGATIVE;
  const a = Math.abs(u);
  return end.map((c) => Math.round(255 + (c - 255) * a));
}

/** Tile size and gap (px) for a column of `most` units. */
function tileSize(most) {
  if (most <= 4) return { tile: 44, gap: 14 };
  if (most <= 8) return { tile: 36, gap: 10 };
  if (most <= 16) return { tile: 26, gap: 7 };
  return { tile: 17, gap: 4 };
}

function formatValue(v) {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 0.001) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** Distance from (px, py) to the segment a–b. */
function segmentDistance(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const length = dx * dx + dy * dy;
  const s = length > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length)) : 0;
  return Math.hypot(px - (ax + s * dx), py - (ay + s * dy));
}

export class NetworkView {
  /**
   * @param {{root: HTMLDetailsElement, canvas: HTMLCanvasElement, tip: HTMLElement,
   *   editor: HTMLInputElement}} el root: the card, tip: the tooltip element, editor: an
   *   <input type=number> for edits
   * @param {(message: object) => void} send a control message to the server
   * @param {(want: boolean) => void} onWant told when the diagram starts or stops needing
   *   the units' maps (open and in sight, or not)
   * @param {import("../state.js").Schema} schema GET /api/schema: the features' formulas, the
   *   default features and the largest weight an edit may set
   */
  constructor(el, send, onWant, schema) {
    this.el = el;
    this.send = send;
    this.onWant = onWant;
    this.formulas = schema.features;
    this.maxWeight = schema.max_weight;
    this.surface = new SizedCanvas(el.canvas, () => this.draw());
    this.frame = null;
    this.features = schema.defaults.model.features;
    this.layout = null; // what was drawn: columns of tiles, edges, bias squares
    this.drawn = null; // for the curious: {step, columns: [count], tiles, edges, dead}
    this.sheets = new Map(); // column index -> {source, canvas}
    this.editing = null; // {layer, row, col}
    this.open = el.root.open !== false;
    this.inSight = false;
    this.want = false;
    el.root.addEventListener("toggle", () => {
      this.open = el.root.open;
      this.checkWant();
      if (this.open) this.draw();
    });
    new IntersectionObserver(
      (entries) => {
        this.inSight = entries.at(-1).isIntersecting;
        this.checkWant();
      },
      { rootMargin: "200px" },
    ).observe(el.root);
    el.canvas.addEventListener("mousemove", (event) => this.hover(event));
    el.canvas.addEventListener("mouseleave", () => this.showTip(null));
    el.canvas.addEventListener("click", (event) => this.click(event));
    el.editor.addEventListener("keydown", (event) => {
      if (event.key === "Enter") this.commitEdit();
      else if (event.key === "Escape") this.closeEditor();
    });
    el.editor.addEventListener("blur", () => this.closeEditor());
  }

  checkWant() {
    const want = this.open && this.inSight;
    if (want === this.want) return;
    this.want = want;
    this.onWant(want);
  }

  /** The input features the first layer sees (from the config), for the first column. */
  setFeatures(features) {
    if (Array.isArray(features)) this.features = features;
  }

  /** Take a new frame; paint it if the diagram can be seen. */
  update(frame) {
    this.frame = frame;
    if (this.open) this.draw();
  }

  /** The columns of the diagram: inputs, each hidden layer, the outputs. */
  columns(header) {
    const layers = header.layers ?? [];
    if (layers.length === 0) return [];
    const inputs = layers[0].shape[1];
    const names =
      this.features.length === inputs
        ? this.features
        : Array.from({ length: inputs }, (_, j) => `x${j + 1}`);
    /** @type {{kind: string, layer: number, count: number, names?: string[]}[]} */
    const out = [{ kind: "input", layer: 0, count: inputs, names }];
    for (const entry of layers) {
      out.push({ kind: entry.output ? "output" : "hidden", layer: entry.layer, count: entry.shape[0] });
    }
    return out;
  }

  draw() {
    const frame = this.frame;
    if (!frame || !this.open) return;
    const { header } = frame;
    const columns = this.columns(header);
    if (columns.length === 0) return;
    const most = Math.max(...columns.map((c) => c.count));
    const { tile, gap } = tileSize(most);
    const height = HEAD + most * (tile + gap) + 6;
    if (this.el.canvas.style.height !== `${height}px`) {
      this.el.canvas.style.height = `${height}px`; // the resize draws again
    }
    const ctx = this.surface.begin();
    if (!ctx) return;
    const width = this.surface.width;
    const left = 18;
    const stepX = columns.length > 1 ? (width - 2 * left - tile) / (columns.length - 1) : 0;
    const layout = { tile, columns: [], edges: [], biases: [] };
    columns.forEach((column, c) => {
      const x = left + c * stepX;
      const top = HEAD + ((most - column.count) * (tile + gap)) / 2;
      const tiles = [];
      for (let i = 0; i < column.count; i++) tiles.push({ x, y: top + i * (tile + gap), unit: i });
      layout.columns.push({ ...column, tiles });
    });
    this.layout = layout;
    const weights = header.layers.map((entry) => entry.weight ?? null);
    const largest = Math.max(
      1e-9,
      ...weights.flatMap((w) => (w ? w.flat().map(Math.abs) : [])),
    );
    this.drawEdges(ctx, layout, header, largest);
    const dead = this.drawTiles(ctx, layout, frame);
    this.drawBiases(ctx, layout, header);
    this.drawTitles(ctx, layout);
    this.drawn = {
      step: header.step,
      columns: layout.columns.map((c) => c.count),
      tiles: layout.columns.map((c) => c.tiles.map(({ x, y }) => ({ x, y, size: tile }))),
      edges: layout.edges.length,
      weighted: weights.every(Boolean),
      dead,
    };
  }

  drawEdges(ctx, layout, header, largest) {
    const half = layout.tile / 2;
    for (let c = 1; c < layout.columns.length; c++) {
      const from = layout.columns[c - 1];
      const to = layout.columns[c];
      const weight = header.layers[c - 1]?.weight;
      for (const target of to.tiles) {
        for (const source of from.tiles) {
          const w = weight?.[target.unit]?.[source.unit];
          const edge = {
            layer: to.layer,
            row: target.unit,
            col: source.unit,
            value: w,
            ax: source.x + layout.tile,
            ay: source.y + half,
            bx: target.x,
            by: target.y + half,
            width: w === undefined ? 0.6 : 0.6 + 5 * Math.min(1, Math.abs(w) / largest),
          };
          layout.edges.push(edge);
          const color = w === undefined ? [190, 196, 204] : w >= 0 ? POSITIVE : NEGATIVE;
          ctx.strokeStyle = `rgba(${color.join(",")}, 0.7)`;
          ctx.lineWidth = edge.width;
          ctx.beginPath();
          ctx.moveTo(edge.ax, edge.ay);
          ctx.lineTo(edge.bx, edge.by);
          ctx.stroke();
        }
      }
    }
  }

  /** Every unit's map; returns the dead units drawn, as {layer: [units]}. */
  drawTiles(ctx, layout, frame) {
    const { header } = frame;
    const deadUnits = {};
    for (const entry of header.folds ?? []) {
      if (entry.dead_units) deadUnits[entry.layer] = entry.dead_units;
    }
    ctx.imageSmoothingEnabled = false;
    layout.columns.forEach((column, c) => {
      const sheet = this.sheet(column, c, frame);
      const size = layout.tile;
      column.tiles.forEach((tile, i) => {
        if (sheet) {
          ctx.drawImage(sheet.canvas, 0, i * sheet.cells, sheet.cells, sheet.cells,
            tile.x, tile.y, size, size);
        } else {
          ctx.fillStyle = "#f2f4f7";
          ctx.fillRect(tile.x, tile.y, size, size);
        }
        ctx.strokeStyle = AXIS;
        ctx.lineWidth = 1;
        ctx.strokeRect(tile.x + 0.5, tile.y + 0.5, size - 1, size - 1);
      });
    });
    const dead = {};
    for (const column of layout.columns) {
      if (column.kind !== "hidden") continue;
      for (const unit of deadUnits[column.layer] ?? []) {
        const tile = column.tiles[unit];
        if (!tile) continue;
        (dead[column.layer] ??= []).push(unit);
        tile.dead = true;
        const size = layout.tile;
        ctx.strokeStyle = INK;
        ctx.lineWidth = 1.6;
        ctx.beginPath();
        ctx.moveTo(tile.x + 3, tile.y + 3);
        ctx.lineTo(tile.x + size - 3, tile.y + size - 3);
        ctx.moveTo(tile.x + size - 3, tile.y + 3);
        ctx.lineTo(tile.x + 3, tile.y + size - 3);
        ctx.stroke();
      }
    }
    return dead;
  }

  /**
   * One column's maps as a sheet of square images stacked top to bottom (image row 0 of a
   * map is its highest y), painted once per frame: {canvas, cells, read(unit, row, col)}.
   */
  sheet(column, c, frame) {
    const { header, arrays } = frame;
    let source;
    let cells;
    let count = column.count;
    let valueAt; // (unit, i: row from the bottom, j: column) -> value
    let colorAt; // (unit, value) -> [r, g, b]
    if (column.kind === "hidden") {
      const maps = arrays.get(`units/layer${column.layer}`);
      const range = arrays.get(`units/layer${column.layer}/range`);
      if (!maps || !range) return null;
      cells = Math.round(Math.sqrt(maps.length / count));
      if (cells * cells * count !== maps.length) return null;
      source = maps;
      valueAt = (u, i, j) => {
        const lo = range[2 * u];
        const hi = range[2 * u + 1];
        return lo + (maps[(u * cells + i) * cells + j] / 255) * (hi - lo);
      };
      const scales = Array.from({ length: count }, (_, u) =>
        Math.max(Math.abs(range[2 * u]), Math.abs(range[2 * u + 1])),
      );
      colorAt = (u, v) => divergingColor(v, scales[u]);
    } else if (column.kind === "input") {
      const [x0, x1, y0, y1] = header.extent;
      cells = INPUT_CELLS;
      source = `${header.extent.join()}:${column.names.join()}`;
      const maps = column.names.map((name) => featureMap(this.formulas[name] ?? ["x", 0]));
      const at = (k, n, lo, hi) => lo + ((k + 0.5) / n) * (hi - lo);
      valueAt = (u, i, j) => maps[u](at(j, cells, x0, x1), at(i, cells, y0, y1));
      const scales = maps.map((_, u) => {
        let most = 0;
        for (let i = 0; i < cells; i++) {
          for (let j = 0; j < cells; j++) most = Math.max(most, Math.abs(valueAt(u, i, j)));
        }
        return most;
      });
      colorAt = (u, v) => divergingColor(v, scales[u]);
    } else {
      const region = regionArrays(arrays, 0);
      if (!region) return null;
      cells = region.x.length;
      source = region.value ?? region.label;
      if (region.value) {
        count = 1;
        let most = 0;
        for (const v of region.value) most = Math.max(most, Math.abs(v));
        valueAt = (u, i, j) => region.value[i * cells + j];
        colorAt = (u, v) => divergingColor(v, most);
      } else {
        // The probability of class u where the network predicts it (two classes: both sides).
        valueAt = (u, i, j) => {
          const cell = i * cells + j;
          const p = region.label[cell] === u ? region.conf[cell] : 0;
          return column.count === 2 && region.label[cell] !== u ? 1 - region.conf[cell] : p;
        };
        const colors = Array.from({ length: count }, (_, u) => rgb(classColor(u)));
        colorAt = (u, p) => colors[u].map((ch) => Math.round(255 + (ch - 255) * p));
      }
    }
    const known = this.sheets.get(c);
    if (known && known.source === source && known.count === count && known.cells === cells) {
      column.valueAt = valueAt;
      column.cells = cells;
      return known;
    }
    const canvas = known?.canvas ?? document.createElement("canvas");
    canvas.width = cells;
    canvas.height = cells * count;
    const context = canvas.getContext("2d");
    const image = context.createImageData(cells, cells * count);
    for (let u = 0; u < count; u++) {
      for (let i = 0; i < cells; i++) {
        const row = u * cells + (cells - 1 - i); // y up: the lowest row at the bottom
        for (let j = 0; j < cells; j++) {
          const color = colorAt(u, valueAt(u, i, j));
          const o = 4 * (row * cells + j);
          image.data[o] = color[0];
          image.data[o + 1] = color[1];
          image.data[o + 2] = color[2];
          image.data[o + 3] = 255;
        }
      }
    }
    context.putImageData(image, 0, 0);
    const entry = { source, count, cells, canvas };
    this.sheets.set(c, entry);
    column.valueAt = valueAt;
    column.cells = cells;
    return entry;
  }

  drawBiases(ctx, layout, header) {
    const biases = header.layers.map((entry) => entry.bias ?? null);
    const largest = Math.max(1e-9, ...biases.flatMap((b) => (b ? b.map(Math.abs) : [])));
    layout.columns.forEach((column) => {
      if (column.kind === "input") return;
      const bias = biases[column.layer - 1];
      for (const tile of column.tiles) {
        const value = bias?.[tile.unit];
        const box = { x: tile.x - BIAS - 2, y: tile.y + layout.tile - BIAS, size: BIAS };
        layout.biases.push({ layer: column.layer, row: tile.unit, col: null, value, ...box });
        const color =
          value === undefined ? [220, 224, 229] : divergingColor(value, largest);
        ctx.fillStyle = `rgb(${color.join(",")})`;
        ctx.fillRect(box.x, box.y, BIAS, BIAS);
        ctx.strokeStyle = MUTED;
        ctx.lineWidth = 1;
        ctx.strokeRect(box.x + 0.5, box.y + 0.5, BIAS - 1, BIAS - 1);
      }
    });
  }

  drawTitles(ctx, layout) {
    ctx.fillStyle = MUTED;
    ctx.font = `11px ${FONT}`;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const column of layout.columns) {
      const title =
        column.kind === "input"
          ? t("network.inputs")
          : column.kind === "output"
            ? t("network.output")
            : t("network.layer", { layer: column.layer });
      const x = column.tiles[0]?.x ?? 0;
      ctx.fillText(title, x + layout.tile / 2, 4, Math.max(30, layout.tile + 40));
    }
  }

  /** What lies under a pointer event: a bias, a unit's tile or an edge (or null). */
  pick(event) {
    const layout = this.layout;
    if (!layout) return null;
    const rect = this.el.canvas.getBoundingClientRect();
    const px = event.clientX - rect.left;
    const py = event.clientY - rect.top;
    for (const bias of layout.biases) {
      if (px >= bias.x - 2 && px <= bias.x + bias.size + 2 && py >= bias.y - 2 && py <= bias.y + bias.size + 2) {
        return { kind: "bias", ...bias, px, py };
      }
    }
    for (const column of layout.columns) {
      for (const tile of column.tiles) {
        if (px >= tile.x && px <= tile.x + layout.tile && py >= tile.y && py <= tile.y + layout.tile) {
          return { kind: "unit", column, tile, px, py };
        }
      }
    }
    let best = null;
    for (const edge of layout.edges) {
      const d = segmentDistance(px, py, edge.ax, edge.ay, edge.bx, edge.by);
      if (d <= Math.max(3, edge.width / 2 + 1.5) && (!best || d < best.d)) best = { d, edge };
    }
    return best ? { kind: "edge", ...best.edge, px, py } : null;
  }

  /** The tooltip's text for what was picked. */
  describe(hit) {
    if (hit.kind === "bias") {
      if (hit.value === undefined) return t("network.noWeights");
      return t("network.bias", { layer: hit.layer, unit: hit.row + 1, value: formatValue(hit.value) });
    }
    if (hit.kind === "edge") {
      if (hit.value === undefined) return t("network.noWeights");
      const from = this.layout.columns.find((c) => c.layer === hit.layer - 1);
      const name =
        from?.kind === "input"
          ? from.names[hit.col]
          : t("network.unitName", { unit: hit.col + 1 });
      return t("network.weight", {
        from: name,
        layer: hit.layer,
        unit: hit.row + 1,
        value: formatValue(hit.value),
      });
    }
    const { column, tile } = hit;
    if (column.kind === "input") return t("network.feature", { name: column.names[tile.unit] });
    if (tile.dead) return t("network.dead", { layer: column.layer, unit: tile.unit + 1 });
    if (!column.valueAt || column.kind === "output") {
      const title = column.kind === "output" ? t("network.output") : "";
      return `${title} ${tile.unit + 1}`.trim();
    }
    const size = this.layout.tile;
    const cells = column.cells;
    const j = Math.min(cells - 1, Math.floor(((hit.px - tile.x) / size) * cells));
    const i = Math.min(cells - 1, cells - 1 - Math.floor(((hit.py - tile.y) / size) * cells));
    return t("network.unitAt", {
      layer: column.layer,
      unit: tile.unit + 1,
      value: formatValue(column.valueAt(tile.unit, i, j)),
    });
  }

  hover(event) {
    const hit = this.pick(event);
    this.el.canvas.style.cursor = hit && hit.kind !== "unit" ? "pointer" : "default";
    this.showTip(hit ? { text: this.describe(hit), x: hit.px, y: hit.py } : null);
  }

  showTip(tip) {
    const el = this.el.tip;
    if (!tip) {
      el.hidden = true;
      return;
    }
    el.textContent = tip.text;
    el.style.left = `${tip.x + 12}px`;
    el.style.top = `${tip.y + 12}px`;
    el.hidden = false;
  }

  click(event) {
    const hit = this.pick(event);
    if (!hit || hit.kind === "unit" || hit.value === undefined) return;
    this.openEditor(hit);
  }

  /** A small number entry at the pointer, holding the value now. */
  openEditor(hit) {
    const editor = this.el.editor;
    this.editing = { layer: hit.layer, row: hit.row, col: hit.col };
    editor.value = String(Number(hit.value.toPrecision(6)));
    editor.classList.remove("invalid");
    editor.title = t("network.edit");
    editor.style.left = `${hit.px + 6}px`;
    editor.style.top = `${hit.py - 14}px`;
    editor.hidden = false;
    editor.focus();
    editor.select();
  }

  commitEdit() {
    const editor = this.el.editor;
    const value = Number(editor.value);
    if (!this.editing) return;
    if (editor.value.trim() === "" || !Number.isFinite(value) || Math.abs(value) > this.maxWeight) {
      editor.classList.add("invalid");
      editor.title = t("network.badValue", { max: this.maxWeight });
      return;
    }
    this.send({ type: "set_weight", ...this.editing, value });
    this.closeEditor();
  }

  closeEditor() {
    this.editing = null;
    this.el.editor.hidden = true;
  }

  relabel() {
    this.draw();
  }
}
