// Small helpers the classroom modules share: saving files, stamps, and where keys land.

import { el } from "../views/dom.js";

/**
 * Hand a file to the browser as a download.
 * @param {Blob} blob the file's bytes
 * @param {string} name the file name offered
 */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A stamp for file names: 2026-11-25-2107. */
export function stamp() {
  const d = new Date();
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}`;
}

// Inputs that take typed text or arrow keys of their own (a number box, a slider).
const TEXT_INPUTS = ["text", "number", "search", "email", "url", "tel", "password", "range"];
const TEXT_FIELD = [
  ...TEXT_INPUTS.map((type) => `input[type=${type}]`),
  "input:not([type])",
  "textarea",
  "[contenteditable='']",
  "[contenteditable=true]",
].join(", ");

/**
 * True when a key press lands in a text field (shortcuts must keep out). A menu (select),
 * a checkbox or a button is not one: the shortcuts work there too.
 */
export function typing(target) {
  if (!(target instanceof Element)) return false;
  return target.closest(TEXT_FIELD) !== null;
}
