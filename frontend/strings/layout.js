// The strings of the page's layout: the settings drawer and its button.

import { addStrings } from "../i18n.js";

addStrings({
  en: {
    "drawer.open": "Settings",
    "drawer.title": "All settings",
    "drawer.close": "Close the settings",
  },
  zh: {
    "drawer.open": "设置",
    "drawer.title": "全部设置",
    "drawer.close": "关闭设置",
  },
});
