// Names of things as people read them: the ontology's Chinese (and English) labels, and links into the
// interface for cnkg IRIs.

import { h, webUrl } from "./dom.js";

const CONFIG = JSON.parse(document.getElementById("cnkg-config")?.textContent || "{}");

export const config = {
  writable: Boolean(CONFIG.writable),
  prefixes: CONFIG.prefixes || {},
  types: CONFIG.types || [],
  labels: CONFIG.labels || {},
};

const CNKG = config.prefixes.cnkg || "https://w3id.org/cnkg/ontology#";
const ID = "https://w3id.org/cnkg/id/";
const ENTITY = `${ID}entity/`;
const REPORT = `${ID}report/`;

/** {zh, en} of an ontology term (class or property IRI, or a bare cnkg local name). */
export function termLabel(iriOrName) {
  const iri = iriOrName.includes(":") ? iriOrName : CNKG + iriOrName;
  const known = config.labels[iri];
  const local = iri.split(/[#/]/).pop();
  return { zh: known?.zh || known?.en || local, en: known?.en || local };
}

export function typeName(type) {
  return type ? termLabel(type).zh : "未分类";
}

/** "厂商 Vendor" as a small badge, coloured by type. */
export function typeBadge(type) {
  const { zh, en } = termLabel(type || "Entity");
  return h("span", { class: `badge t-${type || "none"}` }, zh, en !== zh ? h("span", { lang: "en" }, ` ${en}`) : null);
}

/** The best of several rdf:type IRIs: the first entity type in the ontology's order. */
export function bestType(typeIris) {
  const names = new Set(typeIris.filter((t) => t && t.startsWith(CNKG)).map((t) => t.slice(CNKG.length)));
  return config.types.find((t) => names.has(t)) || null;
}

export const isEntity = (iri) => typeof iri === "string" && iri.startsWith(ENTITY);
export const isReport = (iri) => typeof iri === "string" && iri.startsWith(REPORT) && !iri.slice(REPORT.length).includes("/");
export const slugOf = (iri) => iri.slice(ENTITY.length);
export const ridOf = (iri) => iri.slice(REPORT.length).split("/")[0];

/** An IRI given as a string or as an object {iri, …} (both shapes appear in the API). */
export const iriOf = (ref) => (ref && typeof ref === "object" ? ref.iri || ref.slug || ref.rid || "" : ref || "");

export function entityHref(ref) {
  const iri = iriOf(ref);
  return `#/entity/${encodeURIComponent(isEntity(iri) ? slugOf(iri) : iri)}`;
}

export function reportHref(ref) {
  const iri = iriOf(ref);
  return `#/report/${encodeURIComponent(iri.startsWith(REPORT) ? ridOf(iri) : iri)}`;
}

/** A link to a report, titled from the reference itself or from `titles` {iri: title}. */
export function reportLink(ref, titles = {}) {
  const iri = iriOf(ref);
  if (!iri) return "—";
  const title = (ref && typeof ref === "object" && ref.title) || titles[iri] || (iri.startsWith(REPORT) ? ridOf(iri) : iri);
  return h("a", { href: reportHref(iri) }, title);
}

/** Where a link to any IRI should go: entity and report pages in the interface, other cnkg IRIs to
 * their /id/ page, http(s) IRIs to themselves; null for every other IRI (javascript:, data:, urn:, …),
 * which is then shown as text, not as a link. */
export function hrefFor(iri) {
  if (isEntity(iri)) return entityHref(iri);
  if (isReport(iri)) return reportHref(iri);
  if (iri.startsWith(ID)) return `/id/${iri.slice(ID.length)}`;
  return webUrl(iri) ? iri : null;
}

export function shortIri(iri) {
  for (const [prefix, ns] of Object.entries(config.prefixes)) {
    if (iri.startsWith(ns) && iri.length > ns.length) return `${prefix}:${iri.slice(ns.length)}`;
  }
  return iri;
}

/** A link to an entity, coloured by its type. */
export function entityChip(entity) {
  const type = entity.type || null;
  return h(
    "a",
    { class: `chip t-${type || "none"}`, href: entityHref(entity.iri || entity.slug), title: typeName(type) },
    entity.label || slugOf(entity.iri || ""),
  );
}

/** A fact (observation) as one line: 2023 · 市场规模 = 86.3 亿元 */
export function factValue(fact) {
  const q = fact.qualifier && fact.qualifier !== "=" && fact.qualifier !== "range" ? `${fact.qualifier} ` : "";
  const value = fact.valueMax ? `${fact.value}–${fact.valueMax}` : fact.value;
  return `${q}${value}${fact.unit ? ` ${fact.unit}` : ""}`;
}
