// The one place the page keeps what it knows: the schema, the session's config and run state.
// Also: dotted-path helpers, reading and writing the experiment config in the URL query.

import { VIEW_OPTION_KEYS } from "./viewopts.js";

/** @typedef {Record<string, any>} Config a config or a part of one, as JSON: {data, model, train, view} */
/** @typedef {Record<string, any>} Schema GET /api/schema: fields, defaults, presets, datasets... */

export const state = {
  /** @type {Schema | null} */
  schema: null, // GET /api/schema
  /** @type {Config | null} */
  config: null, // the session's config, as the server last said
  running: false,
  step: 0,
  generation: 0,
  undo: 0, // point edits the server can take back
  /** @type {string | null} */
  session: null,
  connected: false,
};

// Parts of the config a link carries always; view.* settings travel only when not default.
const ALWAYS_IN_LINK = ["data.", "model.", "train.", "view.speed"];

// Query keys of the classroom (a lesson and its step, follow mode, presenter mode, hidden
// sections) that a rewritten address keeps. ?open=… (a saved experiment) is read once.
const CLASSROOM_KEYS = ["lesson", "step", "follow", "presenter", "hide"];

// Query keys that are not config fields (the page's own view options among them).
const RESERVED = new Set(["paused", "preset", "lang", "open", ...VIEW_OPTION_KEYS, ...CLASSROOM_KEYS]);

// Config fields a link never carries: what the page turns on while a view needs it.
const NEVER_IN_LINK = new Set(["view.units"]);

export function getPath(obj, path) {
  let here = obj;
  for (const part of path.split(".")) {
    if (here === null || typeof here !== "object") return undefined;
    here = here[part];
  }
  return here;
}

/** `{a: {b: value}}` for path "a.b". */
export function change(path, value) {
  const parts = path.split(".");
  const out = {};
  let here = out;
  for (const part of parts.slice(0, -1)) {
    here[part] = {};
    here = here[part];
  }
  here[parts.at(-1)] = value;
  return out;
}

/** Recursive merge of plain objects (a new object; `base` is untouched). */
export function merge(base, changes) {
  const out = { ...base };
  for (const [key, value] of Object.entries(changes ?? {})) {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      out[key] = merge(base?.[key] ?? {}, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Equal config values (numbers, strings, booleans, or lists of them). */
export function same(a, b) {
  if (Array.isArray(a) || Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

/** The leaves of `wanted` whose value differs from `have`, as a partial config (or null). */
export function difference(wanted, have) {
  /** @type {Config | null} */
  let out = null;
  for (const [key, value] of Object.entries(wanted ?? {})) {
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const inner = difference(value, have?.[key]);
      if (inner) (out ??= {})[key] = inner;
    } else if (!same(have?.[key], value)) {
      (out ??= {})[key] = value;
    }
  }
  return out;
}

/** Map a query key to a dotted field path: the last part when unique, else the whole path. */
function queryKeys(fields) {
  const paths = Object.keys(fields);
  const lastCount = new Map();
  for (const path of paths) {
    const last = path.split(".").at(-1);
    lastCount.set(last, (lastCount.get(last) ?? 0) + 1);
  }
  const keys = new Map();
  for (const path of paths) {
    const last = path.split(".").at(-1);
    keys.set(lastCount.get(last) === 1 ? last : path, path);
  }
  return keys;
}

/**
 * A config field as GET /api/schema describes it, e.g. {"type": "integer", "min": 1, "max": 32}.
 * @typedef {object} Field
 * @property {string} type integer, number, boolean, string or array
 * @property {(string | number)[]} [choices]
 * @property {number} [min]
 * @property {number} [max]
 * @property {boolean} [min_exclusive]
 * @property {boolean} [max_exclusive]
 * @property {any} [default]
 */

/**
 * Check one raw value against a schema field. Returns {value} or {why, params} for i18n.
 * @param {Field} field
 * @param {string} raw text from the URL or an input element
 */
export function parseField(field, raw) {
  if (field.choices) {
    if (!field.choices.map(String).includes(raw)) {
      return { why: "why.choice", params: { choices: field.choices.join(", ") } };
    }
    const index = field.choices.map(String).indexOf(raw);
    return { value: field.choices[index] };
  }
  if (field.type === "integer" || field.type === "number") {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value)) return { why: "why.notNumber", params: {} };
    if (field.type === "integer" && !Number.isInteger(value)) {
      return { why: "why.notInteger", params: {} };
    }
    const low = field.min ?? -Infinity;
    const high = field.max ?? Infinity;
    const tooLow = field.min_exclusive ? value <= low : value < low;
    const tooHigh = field.max_exclusive ? value >= high : value > high;
    if (tooLow || tooHigh) return { why: "why.range", params: { min: low, max: high } };
    return { value };
  }
  if (field.type === "boolean") {
    if (["true", "1", "yes", "on"].includes(raw.toLowerCase())) return { value: true };
    if (["false", "0", "no", "off"].includes(raw.toLowerCase())) return { value: false };
    return { why: "why.notBoolean", params: {} };
  }
  if (field.type === "array") {
    if (Array.isArray(field.default) && field.default.some((v) => typeof v === "string")) {
      const names = raw.split(",").map((part) => part.trim());
      if (names.some((name) => name === "")) return { why: "why.notList", params: {} };
      return { value: names }; // the server checks the names
    }
    const parts = raw.split(",").map((part) => Number(part.trim()));
    if (parts.some((v) => !Number.isInteger(v) || v < 0)) {
      return { why: "why.notList", params: {} };
    }
    return { value: parts };
  }
  return { value: raw };
}

/**
 * Something in the link that was ignored, and why (an i18n key and its params).
 * @typedef {{key: string, value: string, why: string, params: Record<string, unknown>}} Problem
 */

/**
 * Read the experiment from the query string.
 * @returns {{changes: Config, paused: boolean, problems: Problem[]}} `changes` is a
 *   partial config (a preset named by ?preset= first, then the fields), `problems` lists
 *   what was ignored.
 */
export function readQuery(schema, search) {
  const params = new URLSearchParams(search);
  const keys = queryKeys(schema.fields);
  const problems = [];
  let changes = {};
  const preset = params.get("preset");
  if (preset !== null) {
    if (schema.presets && preset in schema.presets) {
      changes = merge(changes, schema.presets[preset]);
    } else {
      problems.push({ key: "preset", value: preset, why: "why.preset", params: {} });
    }
  }
  for (const [key, raw] of params) {
    if (RESERVED.has(key)) continue;
    const path = keys.get(key);
    if (!path) {
      problems.push({ key, value: raw, why: "why.unknown", params: {} });
      continue;
    }
    const parsed = parseField(schema.fields[path], raw);
    if ("why" in parsed) problems.push({ key, value: raw, why: parsed.why, params: parsed.params });
    else changes = merge(changes, change(path, parsed.value));
  }
  const paused = ["1", "true", "yes"].includes((params.get("paused") ?? "").toLowerCase());
  return { changes, paused, problems };
}

/** Put the config (and whether training is paused) into the address bar, without reloading. */
export function writeQuery(schema, config, running) {
  const params = new URLSearchParams();
  for (const [key, path] of queryKeys(schema.fields)) {
    const value = getPath(config, path);
    if (value === undefined || value === null || NEVER_IN_LINK.has(path)) continue;
    const always = ALWAYS_IN_LINK.some((prefix) => path === prefix || path.startsWith(prefix));
    const isDefault = same(value, schema.fields[path].default);
    if (always || !isDefault) params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  if (!running) params.set("paused", "1");
  const kept = new URLSearchParams(location.search);
  for (const key of ["lang", ...VIEW_OPTION_KEYS, ...CLASSROOM_KEYS]) {
    const value = kept.get(key);
    if (value !== null) params.set(key, value);
  }
  const query = params.toString();
  const url = `${location.pathname}${query ? `?${query}` : ""}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) {
    history.replaceState(null, "", url);
  }
}

/** The name of the preset that `config` matches in every field the preset sets, or "". */
export function matchingPreset(presets, config) {
  for (const [name, preset] of Object.entries(presets ?? {})) {
    const wanted = { data: preset.data, model: preset.model, train: preset.train };
    if (difference(wanted, config) === null) return name;
  }
  return "";
}
