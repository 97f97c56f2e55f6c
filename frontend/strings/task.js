// The words that change with the task: a regression net (plane, bumps) has an output map and a
// loss, no decision regions and no accuracy (./views/task.js picks them).

import { addStrings } from "../i18n.js";

addStrings({
  en: {
    "card.input.regression": "Input plane · network output",
    "stages.projected.regression":
      "Layers wider than 2 are drawn as projections, which have no output map of their own.",
    "hint.mixedWidths": "The layers have widths {widths}: − and + set them all to one width",
  },
  zh: {
    "card.input.regression": "输入平面 · 网络输出",
    "stages.projected.regression": "宽于 2 的层以投影方式显示，投影上没有它自己的输出图。",
    "hint.mixedWidths": "各层宽度为 {widths}：− 和 + 会把它们都设成同一宽度",
  },
});
