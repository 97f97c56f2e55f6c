// Small helpers the classroom modules share: saving files and stamps.

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
