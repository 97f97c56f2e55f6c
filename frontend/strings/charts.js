// The strings of the training charts: loss and accuracy, what each fold merges, and the
// per-layer update and gradient charts share these.

import { addStrings } from "../i18n.js";

addStrings({
  en: {
    "chart.noData": "no data yet",
    "card.folds": "What each fold merges, per layer",
    "card.folds.hint":
      "Solid: share of points a fold puts on a point of another class, which no later layer can undo; dotted: share it sends to zero in every unit (ReLU only).",
    "folds.layer": "layer {layer}",
    "folds.merged": "merged",
    "folds.dead": "dead",
    "folds.flatness": "flatness",
  },
  zh: {
    "chart.noData": "暂无数据",
    "card.folds": "每层折叠合并的点",
    "card.folds.hint":
      "实线：被折叠到另一类的点上的点所占比例，之后的任何层都无法再把它们分开；虚线：在所有单元上都被折叠到零的点所占比例（仅 ReLU）。",
    "folds.layer": "第 {layer} 层",
    "folds.merged": "合并",
    "folds.dead": "死点",
    "folds.flatness": "扁平度",
  },
});
