// What a stage is called: "fold 2 · ReLU", what is drawn of it ("units 1,2 of 8", "PCA of 8
// units"), how many points its fold merges and kills, and whether decision regions can be drawn
// there.

import { t } from "../i18n.js";

/** "fold 2 · ReLU" */
export function stageName(stage, activation) {
  if (stage.kind === "input") return t("stage.input");
  if (stage.kind === "features") return t("stage.features");
  if (stage.kind === "affine") return t("stage.affine", { layer: stage.layer });
  if (stage.kind === "fold") {
    return t("stage.fold", { layer: stage.layer, act: t(`choice.${activation ?? "relu"}`) });
  }
  if (stage.kind === "output") return t("stage.output");
  return `${stage.kind} ${stage.layer}`;
}

/** A few characters for the stage buttons under the morph's scrubber: "in", "A1", "F1"… */
export function stageShort(stage) {
  const layer = stage.layer;
  if (stage.kind === "input") return t("short.input");
  if (stage.kind === "features") return t("short.features");
  if (stage.kind === "affine") return t("short.affine", { layer });
  if (stage.kind === "fold") return t("short.fold", { layer });
  if (stage.kind === "output") return t("short.output");
  return String(stage.index);
}

/** How the stage is drawn: "" for its own plane, else the units, the PCA or the 3D view. */
export function projectionCaption(stage) {
  const units = stage.units ?? [0, 1];
  if (stage.projection === "pca") return t("stage.pca", { n: stage.width });
  if (stage.projection === "3d") return t("stage.3d");
  if (stage.width === 1 || units[1] === null) return t("stage.unit1");
  if (stage.width > 2) {
    return t("stage.units", { a: units[0] + 1, b: units[1] + 1, n: stage.width });
  }
  return "";
}

/** The header's `folds` entry of a fold stage (what it flattens, kills, merges), or null. */
export function foldOf(header, stage) {
  if (stage.kind !== "fold") return null;
  return header.folds?.find((fold) => fold.stage === stage.index) ?? null;
}

/** "33% merged · 15% dead · dead units 3" for a fold (empty when nothing is lost). */
export function foldCaption(fold) {
  const parts = [];
  if (!fold) return "";
  if (typeof fold.merged_share === "number" && fold.merged_share > 0) {
    parts.push(t("stage.merged", { pct: percent(fold.merged_share) }));
  }
  if (typeof fold.dead_share === "number" && fold.dead_share > 0) {
    parts.push(t("stage.dead", { pct: percent(fold.dead_share) }));
  }
  if (fold.dead_units?.length) {
    parts.push(t("stage.deadUnits", { units: fold.dead_units.map((u) => u + 1).join(",") }));
  }
  return parts.join(" · ");
}

/** [title, detail] of a stage panel. */
export function stageTitle(header, stage) {
  const fold = foldCaption(foldOf(header, stage));
  const detail = [projectionCaption(stage), fold].filter(Boolean).join(" · ");
  return [stageName(stage, header.activation), detail];
}

/** Is the stage drawn as a projection (a pair, PCA or 3D view of a wider stage)? */
export function isProjection(stage) {
  const units = stage.units ?? [0, 1];
  return stage.projection !== "plane" || units[1] === null;
}

/**
 * Why a stage has no decision regions, as an i18n key, or null when it has them:
 * a projection has none; hidden 2-wide stages have them only with view.regions on.
 */
export function noRegionsReason(stage) {
  if (stage.regions) return null;
  if (stage.width === 1) return "regions.line";
  if (isProjection(stage)) return "regions.projection";
  return "regions.off";
}

/** Whole percent, but never "0%" for something that is there. */
export function percent(share) {
  const value = 100 * share;
  if (value > 0 && value < 1) return "<1";
  return String(Math.round(value));
}
