// What the page calls things follows the task of the frame shown: a classification net has
// decision regions and an accuracy; a regression net (plane, bumps) has an output map and a
// loss only. The input card's title, the metric table's accuracy column (hidden by CSS under
// body.is-regression) and any string with a ".regression" twin follow the frame's task.

import "../strings/task.js";
import { has, t } from "../i18n.js";

let regression = false;
let named = false; // the page's names follow `regression` (set by the first frame)

/**
 * True for a regression net's frame (one output, no classes).
 * @param {{task?: string}} header
 */
export function isRegression(header) {
  return header.task === "regression";
}

/** `key`, or its ".regression" twin while a regression frame is shown (where one exists). */
export function taskKey(key) {
  return regression && has(`${key}.regression`) ? `${key}.regression` : key;
}

/**
 * A frame is shown: name things for its task.
 * @param {{task?: string}} header
 */
export function showTask(header) {
  const was = regression;
  regression = isRegression(header);
  if (named && regression === was) return; // every frame of one task: nothing to rename
  named = true;
  document.body.classList.toggle("is-regression", regression);
  for (const node of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("[data-task-i18n]"))) {
    const key = taskKey(node.dataset.taskI18n);
    if (node.dataset.i18n !== key) {
      node.dataset.i18n = key;
      node.textContent = t(key);
    }
  }
}
