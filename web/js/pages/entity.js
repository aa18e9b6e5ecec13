// One entity: labels, aliases, type, Wikidata, its neighbourhood as a graph, relations grouped by property
// with the sentence each rests on, facts about it, and the reports that mention it.

import { getJSON, iriTerm, reportTitles, select } from "../api.js";
import { h, table, fill, webUrl } from "../dom.js";
import { bestType, entityHref, factValue, hrefFor, iriOf, reportLink, termLabel, typeBadge } from "../labels.js";
import { neighbourhoodGraph } from "../graph.js";
import { factCharts } from "../chart.js";
import { errorBox, loading } from "../dom.js";

const MAX_GRAPH_NODES = 40;

export async function render(main, route, stale) {
  const slug = route.rest.join("/");
  const entity = await getJSON(`/entities/${encodeURIComponent(slug)}`);
  const neighbours = await neighbourLabels(entity.relations.map((r) => r.entity.iri)).catch(() => ({}));
  const titles = await reportTitles();
  if (stale()) return;
  const zh = entity.labels.find((l) => l.lang.startsWith("zh"))?.value;
  const en = entity.labels.find((l) => l.lang.startsWith("en"))?.value;
  const title = zh || entity.label;
  const charts = h("div", {}, loading());
  fill(main,
    h("h1", {}, title, " ", typeBadge(entity.type)),
    en && en !== title ? h("p", { class: "subtitle", lang: "en" }, en) : null,
    about(entity),
    h("h2", {}, "关系图 ", h("span", { lang: "en", class: "muted" }, "Neighbourhood")),
    graphSection(entity, neighbours, title, contentWidth(main)),
    h("h2", {}, "关系 ", h("span", { lang: "en", class: "muted" }, "Relations")),
    relationsSection(entity.relations, neighbours, titles),
    h("h2", {}, "数据 ", h("span", { lang: "en", class: "muted" }, "Facts")),
    factsSection(entity.facts, titles),
    h("h2", {}, "年度数据图 ", h("span", { lang: "en", class: "muted" }, "Figures over the years")),
    charts,
    h("h2", {}, "提及该实体的报告 ", h("span", { lang: "en", class: "muted" }, "Mentions")),
    mentionsSection(entity, title),
  );
  try {
    const body = await getJSON(`/facts?entity=${encodeURIComponent(entity.slug)}`);
    if (!stale()) fill(charts, factCharts(body));
  } catch (error) {
    if (!stale()) fill(charts, errorBox(error));
  }
}

function contentWidth(el) {
  const style = getComputedStyle(el);
  return el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}

function about(entity) {
  const rows = [];
  if (entity.aliases.length) rows.push(["别名 Aliases", entity.aliases.join("、")]);
  if (entity.definition) rows.push(["定义 Definition", entity.definition]);
  // links from the data become links only when they are web addresses (hrefFor); others are shown as text
  const link = (l, text, attrs = {}) => (hrefFor(l) ? h("a", { href: hrefFor(l), rel: "noopener noreferrer", ...attrs }, text) : l);
  const wikidata = entity.links.filter((l) => webUrl(l)?.hostname.endsWith("wikidata.org"));
  if (wikidata.length) {
    rows.push([
      "Wikidata",
      wikidata.map((l, i) => [i ? "、" : "", link(l, l.split("/").pop(), { target: "_blank" })]),
    ]);
  }
  const other = entity.links.filter((l) => !wikidata.includes(l));
  if (other.length) rows.push(["外部链接 Links", other.map((l, i) => [i ? " " : "", link(l, l)])]);
  if (entity.discovered) rows.push(["来源", "从报告中新发现（不在词表中）· discovered"]);
  rows.push(["IRI", h("a", { href: `/id/entity/${encodeURIComponent(entity.slug)}` }, entity.iri)]);
  return h("dl", { class: "meta" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

/** {iri: {label, en, type}} of the neighbours, Chinese label first, in one query. */
async function neighbourLabels(iris) {
  const unique = [...new Set(iris)];
  if (!unique.length) return {};
  const rows = await select(`PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?e (GROUP_CONCAT(DISTINCT STR(?t); separator=" ") AS ?types) (SAMPLE(?zh) AS ?labelZh) (SAMPLE(?en) AS ?labelEn)
WHERE {
  VALUES ?e { ${unique.map(iriTerm).join(" ")} }
  OPTIONAL { ?e a ?t }
  OPTIONAL { ?e skos:prefLabel ?zh FILTER(LANGMATCHES(LANG(?zh), "zh")) }
  OPTIONAL { ?e skos:prefLabel ?en FILTER(LANGMATCHES(LANG(?en), "en")) }
} GROUP BY ?e`);
  return Object.fromEntries(
    rows.map((r) => [r.e, { label: r.labelZh || r.labelEn, en: r.labelEn, type: bestType((r.types || "").split(" ")) }]),
  );
}

function graphSection(entity, neighbours, title, available) {
  const nodes = [{ id: entity.iri, label: title, type: entity.type, href: entityHref(entity.iri), center: true }];
  const edges = [];
  const seen = new Set([entity.iri]);
  for (const relation of entity.relations) {
    const other = relation.entity.iri;
    if (!seen.has(other)) {
      if (seen.size >= MAX_GRAPH_NODES) continue;
      seen.add(other);
      const info = neighbours[other] || {};
      nodes.push({ id: other, label: info.label || relation.entity.label, type: info.type, href: entityHref(other) });
    }
    const label = termLabel(relation.predicate).zh;
    const [source, target] = relation.direction === "out" ? [entity.iri, other] : [other, entity.iri];
    if (!edges.some((e) => e.source === source && e.target === target)) edges.push({ source, target, label });
  }
  if (nodes.length === 1) return h("p", { class: "muted" }, "报告中还没有与它相连的实体。");
  const types = [...new Set(nodes.map((n) => n.type).filter(Boolean))];
  return h(
    "figure",
    { class: "graph-box" },
    neighbourhoodGraph(nodes, edges, {
      title: `${title} 的关系图：点击节点前往该实体`,
      // one SVG unit per CSS pixel: labels stay readable on a phone
      width: Math.max(320, Math.min(1100, available - 4)),
      height: available < 600 ? 460 : nodes.length > 20 ? 540 : 420,
    }),
    h(
      "figcaption",
      { class: "graph-legend" },
      types.map((t) => typeBadge(t)),
      h("span", {}, `共 ${nodes.length - 1} 个相连实体 · 点击节点前往 · 可拖动`),
    ),
  );
}

function relationsSection(relations, neighbours, titles) {
  if (!relations.length) return h("p", { class: "muted" }, "没有记录到关系。");
  const groups = new Map();
  for (const relation of relations) {
    const key = `${relation.direction} ${relation.predicate}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(relation);
  }
  return h(
    "div",
    {},
    [...groups.entries()].map(([key, items]) => {
      const [direction, predicate] = key.split(" ");
      const { zh, en } = termLabel(predicate);
      return h(
        "section",
        {},
        h("h3", {}, direction === "out" ? `${zh} →` : `← ${zh}`, " ", h("span", { lang: "en", class: "muted" }, direction === "out" ? en : `${en} (inverse)`)),
        h(
          "ul",
          { class: "relations" },
          items.map((relation) => {
            const info = neighbours[relation.entity.iri] || {};
            return h(
              "li",
              {},
              h("a", { href: entityHref(relation.entity.iri), class: `chip t-${info.type || "none"}` }, info.label || relation.entity.label),
              relation.evidence.length
                ? relation.evidence.map((ev) =>
                    h(
                      "blockquote",
                      { class: "evidence" },
                      ev.text || "（无原文片段）",
                      h("cite", {}, "— ", reportLink(ev.report, titles)),
                    ),
                  )
                : h("span", { class: "muted" }, " 词表（lexicon）"),
            );
          }),
        ),
      );
    }),
  );
}

function factsSection(facts, titles) {
  if (!facts.length) return h("p", { class: "muted" }, "报告中没有关于它的数值。");
  return table(
    ["年份", "指标", "数值", "原文", "来源报告"],
    facts.map((f) => [
      f.year ? String(f.year) : "—",
      f.metric || "—",
      factValue(f),
      f.evidence?.sentence || f.evidence?.text || "—",
      reportLink(f.report, titles),
    ]),
    "数据观测 · Observations",
  );
}

function mentionsSection(entity, title) {
  if (!entity.mentions.length) return h("p", { class: "muted" }, "没有报告提及它。");
  return table(
    ["报告", "段落数", ""],
    entity.mentions.map((m) => [
      reportLink({ iri: iriOf(m.report), title: m.title }),
      String(m.passages),
      h("a", { href: `#/search?${new URLSearchParams({ q: title, report: m.rid })}` }, "查看段落"),
    ]),
    "提及次数（按段落）",
  );
}
