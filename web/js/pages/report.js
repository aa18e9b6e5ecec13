// One report: title and metadata, outline by section (each section opens to its passages), the entities
// it mentions grouped by type, its facts as a table, and related reports.

import { ApiError, getJSON, iriTerm, select } from "../api.js";
import { errorBox, h, loading, table, fill } from "../dom.js";
import { bestType, config, entityChip, entityHref, factValue, reportHref, typeBadge, typeName } from "../labels.js";
import { tidyPassage } from "./search.js";
import { factCharts } from "../chart.js";

const PREFIXES = `PREFIX cnkg: <https://w3id.org/cnkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
`;

export async function render(main, route, stale) {
  const report = await getJSON(`/reports/${encodeURIComponent(route.rest.join("/"))}`);
  if (stale()) return;
  const g = iriTerm(report.iri);
  const outline = h("div", { class: "outline" }, loading());
  const entities = h("div", {}, loading());
  const facts = h("div", {}, loading());
  const charts = h("div", {}, loading());
  const related = h("div", {}, loading());
  fill(main,
    h("h1", {}, report.title || report.source),
    metadata(report),
    h("div", { class: "two" }, h("section", {}, h("h2", {}, "目录 ", en("Outline")), outline), h("section", {}, h("h2", {}, "相关报告 ", en("Related reports")), related)),
    h("h2", {}, "提及的实体 ", en("Entities by type")),
    entities,
    h("h2", {}, "数据 ", en("Facts")),
    facts,
    h("h2", {}, "年度数据图 ", en("Figures over the years")),
    charts,
  );
  const settle = (box, promise) =>
    promise.then(
      (node) => !stale() && fill(box, node),
      (error) => !stale() && fill(box, errorBox(error)),
    );
  await Promise.all([
    settle(outline, outlineOf(g)),
    settle(entities, entitiesOf(g)),
    settle(facts, factsOf(g)),
    settle(charts, chartsOf(report)),
    settle(related, relatedTo(report.rid)),
  ]);
}

const en = (text) => h("span", { lang: "en", class: "muted" }, text);

function metadata(report) {
  const m = report.metadata || {};
  const rows = [
    ["发布机构 Publisher", m.publisher],
    ["发布时间 Issued", m.issued],
    ["文件 Source", report.source],
    ["字数 Characters", report.chars?.toLocaleString("zh-CN")],
    ["段落 Passages", report.counts?.passages],
    ["关系 Relations", report.counts?.relations],
    ["数据 Facts", report.counts?.facts],
    ["导入时间 Ingested", (report.ingested || "").replace("T", " ").slice(0, 19)],
    ["IRI", h("a", { href: `/id/report/${report.rid}` }, report.iri)],
  ].filter(([, v]) => v !== undefined && v !== null && v !== "");
  return h("dl", { class: "meta" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, typeof v === "number" ? String(v) : v)]));
}

async function outlineOf(g) {
  const rows = await select(`${PREFIXES}
SELECT ?section (COUNT(?p) AS ?n) (MIN(?s) AS ?first) WHERE {
  GRAPH ${g} { ?p a cnkg:Passage ; cnkg:start ?s . OPTIONAL { ?p cnkg:section ?sec } }
  BIND(COALESCE(?sec, "（无标题）") AS ?section)
} GROUP BY ?section ORDER BY ?first`);
  if (!rows.length) return h("p", { class: "muted" }, "没有段落。");
  return h(
    "div",
    {},
    rows.map((row) => {
      const body = h("div", {});
      const details = h("details", {}, h("summary", {}, row.section, h("span", { class: "muted" }, `（${row.n} 段）`)), body);
      details.addEventListener("toggle", async () => {
        if (!details.open || body.dataset.loaded) return;
        body.dataset.loaded = "1";
        body.append(loading());
        try {
          const passages = await select(`${PREFIXES}
SELECT ?p ?text ?s WHERE { GRAPH ${g} { ?p a cnkg:Passage ; cnkg:text ?text ; cnkg:start ?s .
  ${row.section === "（无标题）" ? "FILTER NOT EXISTS { ?p cnkg:section ?any }" : `?p cnkg:section ?sec FILTER(STR(?sec) = ${JSON.stringify(row.section)})`} } }
ORDER BY ?s`);
          fill(body, ...passages.map((p) => h("p", { class: "passage" }, tidyPassage(p.text))));
        } catch (error) {
          fill(body, errorBox(error));
        }
      });
      return details;
    }),
  );
}

async function entitiesOf(g) {
  const rows = await select(`${PREFIXES}
SELECT ?e (GROUP_CONCAT(DISTINCT STR(?t); separator=" ") AS ?types) (SAMPLE(?zh) AS ?labelZh) (SAMPLE(?en) AS ?labelEn)
       (COUNT(DISTINCT ?p) AS ?n)
WHERE {
  GRAPH ${g} { ?p cnkg:mentions ?e }
  OPTIONAL { ?e a ?t }
  OPTIONAL { ?e skos:prefLabel ?zh FILTER(LANGMATCHES(LANG(?zh), "zh")) }
  OPTIONAL { ?e skos:prefLabel ?en FILTER(LANGMATCHES(LANG(?en), "en")) }
} GROUP BY ?e ORDER BY DESC(?n) ?e`);
  const groups = new Map(config.types.map((t) => [t, []]));
  for (const row of rows) {
    const type = bestType((row.types || "").split(" "));
    if (!groups.has(type)) groups.set(type, []);
    groups.get(type).push(row);
  }
  const sections = [...groups.entries()].filter(([, list]) => list.length);
  if (!sections.length) return h("p", { class: "muted" }, "没有识别到实体。");
  return h(
    "div",
    {},
    sections.map(([type, list]) =>
      h(
        "section",
        {},
        h("h3", {}, typeBadge(type), ` ${list.length}`),
        h(
          "div",
          { class: "chips" },
          list.map((row) =>
            h(
              "a",
              { class: `chip t-${type || "none"}`, href: entityHref(row.e), title: `${typeName(type)} · ${row.n} 段提及` },
              row.labelZh || row.labelEn || row.e.split("/").pop(),
              h("span", { class: "visually-hidden" }, `，${row.n} 段`),
              ` ${row.n}`,
            ),
          ),
        ),
      ),
    ),
  );
}

async function factsOf(g) {
  const rows = await select(`${PREFIXES}
SELECT ?f ?metric ?value ?valueMax ?unit ?qualifier ?year ?about ?aboutLabel ?text WHERE {
  GRAPH ${g} { ?f a cnkg:Observation ; cnkg:value ?value .
    OPTIONAL { ?f cnkg:metric ?metric } OPTIONAL { ?f cnkg:valueMax ?valueMax } OPTIONAL { ?f cnkg:unit ?unit }
    OPTIONAL { ?f cnkg:qualifier ?qualifier } OPTIONAL { ?f cnkg:year ?year } }
  OPTIONAL { GRAPH ${g} { ?f cnkg:about ?about }
    OPTIONAL { ?about skos:prefLabel ?aboutLabel FILTER(LANGMATCHES(LANG(?aboutLabel), "zh")) } }
} ORDER BY ?year ?metric`);
  if (!rows.length) return h("p", { class: "muted" }, "报告中没有抽取到数值。");
  const seen = new Set();
  const unique = rows.filter((r) => !seen.has(r.f) && seen.add(r.f));
  return table(
    ["年份", "指标", "数值", "对象"],
    unique.map((r) => [
      r.year || "—",
      r.metric || "—",
      h("span", {}, factValue(r)),
      r.about ? h("a", { href: entityHref(r.about) }, r.aboutLabel || r.about.split("/").pop()) : "—",
    ]),
    `共 ${unique.length} 条数据观测 · Observations`,
  );
}

/** This report's measures over the years, with the same measure from the other reports beside them. */
async function chartsOf(report) {
  const body = await getJSON("/facts?limit=500");
  const mine = (body.groups || []).filter((g) => g.observations.some((o) => o.report.iri === report.iri && o.year));
  return factCharts({ groups: mine }, { highlight: report.iri });
}

async function relatedTo(rid) {
  let body;
  try {
    body = await getJSON(`/reports/${encodeURIComponent(rid)}/related`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      return h("p", { class: "muted" }, "此服务还没有相关报告接口。");
    }
    throw error;
  }
  const items = body.related || body.reports || [];
  if (!items.length) return h("p", { class: "muted" }, "没有找到相关报告。");
  return h(
    "ol",
    { class: "plain related" },
    items.map((item) =>
      h(
        "li",
        {},
        h("a", { href: reportHref(item.rid || item.iri) }, item.title || item.rid),
        item.sharedCount ? h("span", { class: "muted" }, ` · 共同提及 ${item.sharedCount} 个实体`) : null,
        item.shared?.length ? h("div", { class: "chips" }, item.shared.slice(0, 8).map(entityChip)) : null,
      ),
    ),
  );
}
