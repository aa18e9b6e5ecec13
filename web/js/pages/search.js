// Search: one box, passages with the matched words highlighted, their report and section, the entities
// they mention; filters by report and entity type; hybrid / BM25 / dense ranking; pages of 10.

import { getJSON, listReports, passageDetails, reportTitles } from "../api.js";
import { announce, clear, errorBox, examplesHint, h, loading, markedText, fill } from "../dom.js";
import { config, entityChip, reportHref, ridOf, typeName } from "../labels.js";
import { go } from "../main.js";

const PAGE_SIZE = 10;
const MAX_WINDOW = 1000;
const MODES = [
  ["hybrid", "混合", "Hybrid: keywords + meaning + graph"],
  ["bm25", "关键词", "BM25 keywords"],
  ["dense", "语义", "Dense: sentence meaning"],
];
const EXAMPLES = ["边缘计算市场规模", "哪些厂商提供Serverless产品", "服务网格 Istio 落地", "FinOps 成本优化"];

function form() {
  const modes = MODES.map(([value, zh, en], i) =>
    h(
      "label",
      { class: "seg", title: en },
      h("input", { type: "radio", name: "mode", value, checked: i === 0 }),
      h("span", {}, zh),
    ),
  );
  return h(
    "form",
    { class: "search-form", role: "search", "aria-label": "搜索报告 · Search the reports" },
    h(
      "div",
      { class: "searchbar" },
      h("label", { for: "q", class: "visually-hidden" }, "搜索内容 · Search"),
      h("input", {
        id: "q",
        name: "q",
        type: "search",
        placeholder: "输入问题或关键词，例如：边缘计算市场规模",
        autocomplete: "off",
        maxlength: "500",
        required: true,
        "data-focus": true,
      }),
      h("button", { type: "submit" }, "搜索"),
    ),
    h(
      "div",
      { class: "filters" },
      h("fieldset", { class: "modes" }, h("legend", {}, "排序方式 · Mode"), modes),
      h(
        "label",
        {},
        "报告 ",
        h("select", { name: "report", id: "f-report" }, h("option", { value: "" }, "全部报告")),
      ),
      h(
        "label",
        {},
        "实体类型 ",
        h(
          "select",
          { name: "type", id: "f-type" },
          h("option", { value: "" }, "不限"),
          config.types.map((t) => h("option", { value: t }, `${typeName(t)} ${t}`)),
        ),
      ),
    ),
  );
}

export async function render(main, route, stale) {
  const f = form();
  const results = h("section", { id: "results", "aria-label": "搜索结果 · Results" });
  fill(main, h("h1", {}, "搜索报告"), f, results);
  f.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(f, 1);
  });
  for (const control of f.querySelectorAll("select, input[type=radio]")) {
    control.addEventListener("change", () => f.q.value.trim() && submit(f, 1));
  }
  try {
    const reports = await listReports();
    f.report.append(...reports.map((r) => h("option", { value: r.rid }, r.title || r.source)));
  } catch {
    // The search still works without the report list; the filter stays "all".
  }
  await update(main, route, stale);
}

function submit(f, page) {
  go("search", {
    q: f.q.value.trim(),
    mode: f.mode.value === "hybrid" ? "" : f.mode.value,
    report: f.report.value,
    type: f.type.value,
    page: page > 1 ? page : "",
  });
}

export async function update(main, route, stale = () => false) {
  const f = main.querySelector("form");
  const p = route.params;
  const q = p.get("q") || "";
  f.q.value = q;
  f.mode.value = p.get("mode") || "hybrid";
  f.report.value = p.get("report") || "";
  if (p.get("report") && f.report.value !== p.get("report")) {
    f.report.append(h("option", { value: p.get("report") }, p.get("report")));
    f.report.value = p.get("report");
  }
  f.type.value = p.get("type") || "";
  const results = clear(main.querySelector("#results"));
  if (!q) {
    results.append(...examplesHint("试试：", "search", EXAMPLES));
    return;
  }
  const page = Math.max(1, Number.parseInt(p.get("page") || "1", 10) || 1);
  results.append(loading("搜索中…"));
  let body;
  let titles;
  try {
    [body, titles] = await Promise.all([
      getJSON("/search", {
        q,
        k: PAGE_SIZE,
        offset: Math.min((page - 1) * PAGE_SIZE, MAX_WINDOW - PAGE_SIZE),
        mode: p.get("mode") || "hybrid",
        report: p.get("report"),
        type: p.get("type"),
      }),
      reportTitles(),
    ]);
  } catch (error) {
    if (!stale()) fill(results, errorBox(error));
    return;
  }
  const details = await passageDetails(body.hits.map((hit) => hit.passage)).catch(() => ({}));
  if (stale()) return;
  fill(results,
    h("p", { class: "count" }, `共 ${body.total} 条结果`, body.total ? `，第 ${page} 页` : ""),
    body.hits.length
      ? h("ol", { class: "hits", start: (page - 1) * PAGE_SIZE + 1 }, body.hits.map((hit) => hitItem(hit, titles, details)))
      : h("p", {}, "没有找到匹配的段落。可以换个说法，或去掉筛选条件。"),
    pager(body.total, page),
  );
  announce(`共 ${body.total} 条结果`);
}

function hitItem(hit, titles, details) {
  const section = details[hit.passage]?.section;
  return h(
    "li",
    { class: "hit" },
    h(
      "div",
      { class: "hit-head" },
      h("a", { href: reportHref(hit.report), class: "report-link" }, titles[hit.report] || ridOf(hit.report)),
      section ? h("span", { class: "section" }, ` › ${section}`) : null,
      h("a", { class: "passage-link", href: `/id/${hit.passage.split("/id/")[1]}`, title: "段落 IRI · passage" }, "¶"),
    ),
    h("p", { class: "passage" }, markedText(tidyPassage(hit.highlight))),
    hit.entities.length ? h("div", { class: "chips" }, hit.entities.slice(0, 12).map(entityChip)) : null,
  );
}

/** The passage without its leading Markdown heading (the section is shown above) and blank lines. */
export function tidyPassage(text) {
  return text.replace(/^\s*#+ [^\n]*\n+/, "").replace(/\n{2,}/g, "\n");
}

function pager(total, page) {
  const last = Math.max(1, Math.ceil(Math.min(total, MAX_WINDOW) / PAGE_SIZE));
  if (last <= 1) return null;
  const params = new URLSearchParams(location.hash.split("?")[1] || "");
  const link = (n, text, label) => {
    params.set("page", n);
    return n === page
      ? h("span", { "aria-current": "page", class: "current" }, text)
      : h("a", { href: `#/search?${params}`, "aria-label": label || `第 ${n} 页` }, text);
  };
  const numbers = [];
  for (let n = Math.max(1, page - 3); n <= Math.min(last, page + 3); n += 1) numbers.push(link(n, String(n)));
  return h(
    "nav",
    { class: "pager", "aria-label": "分页 · Pages" },
    page > 1 ? link(page - 1, "‹ 上一页", "上一页 · Previous") : null,
    numbers,
    page < last ? link(page + 1, "下一页 ›", "下一页 · Next") : null,
  );
}
