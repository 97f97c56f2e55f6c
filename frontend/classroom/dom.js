// Small DOM helpers the classroom modules share: building elements and saving files.

/**
 * Make an element: `attrs` are attributes, except `text` (textContent), `dataset` (an object)
 * and `on` ({event: handler}).
 * @param {string} tag
 * @param {object} [attrs]
 * @param {Array<Node|string>} [children]
 * @returns {HTMLElement}
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "on") {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (value !== false && value !== null && value !== undefined) {
      node.setAttribute(key, value === true ? "" : value);
    }
  }
  node.append(...children);
  return node;
}

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

/**
 * The text of an HTTP error answer: FastAPI's {"detail": ...}, or the status line.
 * @param {Response} response a response that is not ok
 * @returns {Promise<string>}
 */
export async function problemOf(response) {
  let detail = null;
  try {
    const body = await response.json();
    detail = body?.detail;
  } catch {
    detail = null;
  }
  if (Array.isArray(detail)) detail = detail.map((d) => d.msg ?? JSON.stringify(d)).join("; ");
  return typeof detail === "string" && detail ? detail : `HTTP ${response.status}`;
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
