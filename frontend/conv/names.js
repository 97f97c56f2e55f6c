// What the page calls a motif and a class in the reader's language: the server names motifs
// ("bump") and, for "motif present?", the classes "no bump" and "bump"; glyphs and digits are
// their own names.

import { has, t } from "../i18n.js";

/** A motif's name, translated where a translation exists. */
export function motifName(name) {
  const key = `conv.motif.${name}`;
  return has(key) ? t(key) : name;
}

/** A class's name as the frame gives it ("no bump", "bump", "C", "3"), translated. */
export function className(name) {
  return name.startsWith("no ") ? t("conv.class.none", { motif: motifName(name.slice(3)) }) : motifName(name);
}
