// What the page alone decides about drawing (no server setting): show the test points, paint
// the regions as hard classes. Kept in the link like the experiment, so a copied link shows
// the same picture.

// Query key -> [option name, value when the key is absent].
const KEYS = {
  hidetest: ["showTest", true],
  discrete: ["discretize", false],
};

/** The query keys these options use (state.js leaves them alone). */
export const VIEW_OPTION_KEYS = Object.keys(KEYS);

export const viewOptions = { showTest: true, discretize: false };

const listeners = new Set();

/** Read the options from a query string (unknown values keep the default). */
export function readViewOptions(search) {
  const params = new URLSearchParams(search);
  const on = (key) => ["1", "true", "yes"].includes((params.get(key) ?? "").toLowerCase());
  viewOptions.showTest = !on("hidetest");
  viewOptions.discretize = on("discrete");
  return viewOptions;
}

/**
 * Change one option, put it in the address bar and tell every listener.
 * @param {"showTest"|"discretize"} name
 * @param {boolean} value
 */
export function setViewOption(name, value) {
  if (viewOptions[name] === value) return;
  viewOptions[name] = value;
  const params = new URLSearchParams(location.search);
  for (const [key, [option, absent]] of Object.entries(KEYS)) {
    if (viewOptions[option] === absent) params.delete(key);
    else params.set(key, "1");
  }
  const query = params.toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
  for (const listener of listeners) listener(name, value);
}

/** Call `listener(name, value)` whenever an option changes. */
export function onViewOption(listener) {
  listeners.add(listener);
}
