// Small DOM helpers for every part of the page that builds its own elements.

/**
 * A new element: `attrs` are attributes (true: present; false, null or undefined: left out),
 * except `text` (its text), `dataset` (an object) and `on` ({event: handler}).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any>} [attrs]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "on") {
      for (const [name, handler] of Object.entries(value)) node.addEventListener(name, handler);
    } else if (value !== null && value !== undefined && value !== false) {
      node.setAttribute(key, value === true ? "" : String(value));
    }
  }
  node.append(...children);
  return node;
}

/** Set a node's text only when it differs (no needless layout). */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** Set a data attribute only when it differs (an unchanged write still costs a style pass). */
export function setData(node, key, value) {
  if (node.dataset[key] !== value) node.dataset[key] = value;
}

/** Set an attribute only when it differs. */
export function setAttr(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

/** Show or hide a node, touching it only when that changes. */
export function setHidden(node, hidden) {
  if (node.hidden !== hidden) node.hidden = hidden;
}

/** A number as shown: 3 decimals (none from 100 on), a true minus sign. */
export function fmt(value, digits = 3) {
  if (!Number.isFinite(value)) return "–";
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(digits);
  return text.replace("-", "−");
}

/** Radians as whole-ish degrees: one decimal. */
export function degrees(radians) {
  return fmt((radians * 180) / Math.PI, 1);
}

/** A share (0–1) as a percentage. */
export function pct(share) {
  return Number.isFinite(share) ? `${(100 * share).toFixed(1)}%` : "–";
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
