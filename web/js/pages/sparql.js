// SPARQL: an editor with highlighting and the prefixes filled in, example queries, results as a table with
// linked IRIs, and downloads (CSV / JSON for SELECT and ASK, Turtle / JSON-LD for CONSTRUCT and DESCRIBE).

import { sparql } from "../api.js";
import { downloadBlob, errorBox, h, loading, table, announce, fill } from "../dom.js";
import { config, hrefFor, shortIri } from "../labels.js";
import { highlightInto } from "../sparql-highlight.js";

const EXAMPLES = [
  {
    id: "vendors",
    title: "厂商与产品 · Vendors and products",
    query: `# 厂商及其产品，附每条结论所依据的原文片段（报告中的字符位置）
SELECT ?v ?vendor ?product ?evidence WHERE {
  ?v cnkg:offers ?p .
  ?v skos:prefLabel ?vendor FILTER(lang(?vendor) = "zh")
  ?p skos:prefLabel ?product FILTER(lang(?product) = "zh")
  OPTIONAL {
    ?st rdf:subject ?v ; rdf:predicate cnkg:offers ; rdf:object ?p ; prov:wasDerivedFrom ?passage ;
        cnkg:start ?start ; cnkg:end ?end .
    ?passage cnkg:text ?text ; cnkg:start ?offset .
    BIND(SUBSTR(?text, ?start - ?offset + 1, ?end - ?start) AS ?evidence)
  }
} ORDER BY ?vendor ?product LIMIT 200`,
  },
  {
    id: "industries",
    title: "各行业采用的技术 · Technologies by industry",
    query: `# 技术与概念，按采用它们的行业分组
SELECT ?industry (GROUP_CONCAT(DISTINCT ?tech; separator="、") AS ?technologies) WHERE {
  ?t cnkg:usedByIndustry ?i .
  ?i skos:prefLabel ?industry FILTER(lang(?industry) = "zh")
  ?t skos:prefLabel ?tech FILTER(lang(?tech) = "zh")
} GROUP BY ?industry ORDER BY ?industry`,
  },
  {
    id: "figures",
    title: "按年份的市场数据 · Market figures by year",
    query: `# 市场数据（亿元、%），按年份，附来源报告
SELECT ?year ?metric ?qualifier ?value ?valueMax ?unit ?report WHERE {
  ?f a cnkg:Observation ; cnkg:metric ?metric ; cnkg:value ?value ; cnkg:unit ?unit ;
     cnkg:qualifier ?qualifier ; prov:wasDerivedFrom/dcterms:isPartOf ?r .
  OPTIONAL { ?f cnkg:year ?year }  OPTIONAL { ?f cnkg:valueMax ?valueMax }
  ?r dcterms:title ?report .
  FILTER(?unit IN ("亿元", "%"))
} ORDER BY ?year ?metric`,
  },
];

const prefixBlock = () =>
  Object.entries(config.prefixes)
    .map(([prefix, ns]) => `PREFIX ${prefix}: <${ns}>`)
    .join("\n");

const withPrefixes = (query) => `${prefixBlock()}\n\n${query}\n`;

function isGraphQuery(query) {
  const body = query.replace(/#[^\n]*/g, "").replace(/<[^>\s]*>/g, "");
  return /\b(CONSTRUCT|DESCRIBE)\b/i.test(body);
}

export async function render(main, route) {
  const textarea = h("textarea", {
    id: "sparql-query",
    spellcheck: "false",
    autocomplete: "off",
    autocapitalize: "off",
    "aria-describedby": "sparql-help",
    "data-focus": true,
  });
  const pre = h("pre", { "aria-hidden": "true" });
  const results = h("section", { id: "sparql-results", "aria-label": "查询结果 · Results", "aria-live": "polite" });
  const sync = () => {
    highlightInto(pre, textarea.value);
    pre.scrollTop = textarea.scrollTop;
    pre.scrollLeft = textarea.scrollLeft;
  };
  textarea.addEventListener("input", sync);
  textarea.addEventListener("scroll", () => {
    pre.scrollTop = textarea.scrollTop;
    pre.scrollLeft = textarea.scrollLeft;
  });
  const run = () => execute(textarea.value, results);
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  const examples = h(
    "div",
    { class: "toolbar", role: "group", "aria-label": "示例查询 · Examples" },
    h("span", { class: "muted" }, "示例："),
    EXAMPLES.map((example) =>
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          "data-example": example.id,
          onclick: () => {
            textarea.value = withPrefixes(example.query);
            sync();
            run();
          },
        },
        example.title,
      ),
    ),
  );
  fill(main,
    h("h1", {}, "SPARQL 查询"),
    examples,
    h("label", { for: "sparql-query", class: "visually-hidden" }, "SPARQL 查询 · Query"),
    h("div", { class: "editor" }, pre, textarea),
    h(
      "p",
      { id: "sparql-help", class: "muted" },
      "Ctrl+Enter 运行。默认图是所有图的并集；每份报告是一个命名图。Tab 键离开编辑框。",
    ),
    h(
      "div",
      { class: "toolbar" },
      h("button", { type: "button", onclick: run, "data-run": true }, "运行 Run"),
      h("button", { type: "button", class: "secondary", onclick: () => download(textarea.value, "csv") }, "下载 CSV"),
      h("button", { type: "button", class: "secondary", onclick: () => download(textarea.value, "json") }, "下载 JSON"),
    ),
    results,
  );
  // A query from the URL only fills the editor: anyone can send a link, so it runs on the user's click.
  // It runs at once only when this page ran it itself in this history entry (back and forward keep the
  // entry's state, which no other origin can write), or when the URL names one of the examples above.
  const given = route.params.get("query");
  const example = EXAMPLES.find((x) => x.id === route.params.get("example"));
  textarea.value = given || withPrefixes((example || EXAMPLES[0]).query);
  sync();
  const ranHere = given !== null && history.state?.[RAN_STATE] === given;
  if (ranHere || (!given && example)) run();
}

// The key in history.state under which execute() records the query it ran.
const RAN_STATE = "cnkgSparqlRan";

async function execute(query, results) {
  history.replaceState({ [RAN_STATE]: query }, "", `#/sparql?${new URLSearchParams({ query })}`);
  fill(results, loading("查询中…"));
  const started = performance.now();
  try {
    const graph = isGraphQuery(query);
    const response = await sparql(query, graph ? "text/turtle" : "application/sparql-results+json");
    const truncated = response.headers.get("X-Cnkg-Truncated") === "true";
    const ms = Math.round(performance.now() - started);
    if (graph) {
      const text = await response.text();
      fill(results, h("p", { class: "count" }, `Turtle · ${ms} ms`), h("pre", { class: "turtle" }, text));
      return;
    }
    const body = await response.json();
    if (typeof body.boolean === "boolean") {
      fill(results, h("p", { class: "count" }, `ASK → ${body.boolean ? "true（是）" : "false（否）"} · ${ms} ms`));
      return;
    }
    const vars = body.head.vars;
    const rows = body.results.bindings;
    fill(results,
      h("p", { class: "count" }, `${rows.length} 行 · ${ms} ms`, truncated ? "（结果已截断 · truncated）" : ""),
      table(vars.map((v) => `?${v}`), rows.map((row) => vars.map((v) => cell(row[v]))), "查询结果"),
    );
    announce(`${rows.length} 行结果`);
  } catch (error) {
    fill(results, errorBox(error));
    announce(`查询出错：${error.detail || error.message}`);
  }
}

function cell(term) {
  if (!term) return "";
  if (term.type === "uri") {
    const href = hrefFor(term.value);
    // an IRI that is no web address (javascript:, urn:, mailto:, …) is shown, not linked
    if (href === null) return h("span", { class: "iri", title: term.value }, shortIri(term.value));
    const external = !href.startsWith("#") && !href.startsWith("/");
    return h("a", { href, title: term.value, rel: external ? "noopener noreferrer" : null }, shortIri(term.value));
  }
  if (term.type === "bnode") return `_:${term.value}`;
  const lang = term["xml:lang"];
  return lang ? h("span", { lang }, term.value, h("sup", { class: "muted" }, ` @${lang}`)) : term.value;
}

async function download(query, kind) {
  const graph = isGraphQuery(query);
  const [accept, extension] = graph
    ? kind === "csv"
      ? ["text/turtle", "ttl"]
      : ["application/ld+json", "jsonld"]
    : kind === "csv"
      ? ["text/csv", "csv"]
      : ["application/sparql-results+json", "json"];
  try {
    const response = await sparql(query, accept);
    downloadBlob(await response.blob(), `cnkg-results.${extension}`);
  } catch (error) {
    const results = document.getElementById("sparql-results");
    fill(results, errorBox(error));
  }
}
