// The convolution mode's classroom words (its keys), in English and Chinese.

import { addStrings } from "../i18n.js";

addStrings({
  en: {
    "conv.keys.title": "Keyboard shortcuts of the convolution mode (?)",
    "conv.keys.lesson": "With a lesson open: previous or next step. Without one: move the input left or right",
    "conv.keys.shift": "Move the input (always; the arrow buttons beside the input do the same)",
    "conv.keys.full": "Feature maps and caption full screen (again to leave)",
  },
  zh: {
    "conv.keys.title": "卷积模式的键盘快捷键（?）",
    "conv.keys.lesson": "打开课程时：上一步或下一步。没有课程时：把输入向左或向右移",
    "conv.keys.shift": "移动输入（任何时候都可以；输入旁的箭头按钮作用相同）",
    "conv.keys.full": "特征图和说明全屏（再按一次退出）",
  },
});
