// Ask: a question in Chinese or English; the answer taken from the reports, each evidence sentence
// highlighted inside its passage, and links to the entities and reports involved.

import { getJSON, passageDetails, reportTitles } from "../api.js";
import { announce, clear, collapseBlankLines, errorBox, examplesHint, h, loading, markRanges, table, fill } from "../dom.js";
import { entityChip, entityHref, factValue, iriOf, isEntity, reportHref, reportLink, ridOf, slugOf, termLabel } from "../labels.js";
import { go } from "../main.js";

const EXAMPLES = [
  "2023年中国边缘计算市场规模是多少？",
  "哪些厂商提供Serverless产品？",
  "服务网格的主流开源项目有哪些？",
  "What is FinOps?",
];

export async function render(main, route, stale) {
  const input = h("input", {
    id: "question",
    name: "q",
    type: "search",
    placeholder: "用中文或英文提问，例如：2023年中国边缘计算市场规模是多少？",
    autocomplete: "off",
    maxlength: "500",
    required: true,
    "data-focus": true,
  });
  const form = h(
    "form",
    { class: "ask-form", role: "search", "aria-label": "提问 · Ask" },
    h(
      "div",
      { class: "searchbar" },
      h("label", { for: "question", class: "visually-hidden" }, "问题 · Question"),
      input,
      h("button", { type: "submit" }, "提问"),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go("ask", { q: input.value.trim() });
  });
  fill(main,
    h("h1", {}, "问答 ", h("span", { lang: "en", class: "muted" }, "Ask the reports")),
    form,
    h("section", { id: "answer", "aria-label": "回答 · Answer" }),
  );
  await update(main, route, stale);
}

export async function update(main, route, stale = () => false) {
  const q = route.params.get("q") || "";
  main.querySelector("#question").value = q;
  const box = clear(main.querySelector("#answer"));
  if (!q) {
    box.append(...examplesHint("答案只取自已导入的报告，每一处都注明出处。试试：", "ask", EXAMPLES));
    return;
  }
  box.append(loading("正在查找答案…"));
  let body;
  let titles;
  try {
    [body, titles] = await Promise.all([getJSON("/ask", { q }), reportTitles()]);
  } catch (error) {
    if (!stale()) fill(box, errorBox(error));
    return;
  }
  const passages = await passageDetails(body.evidence.map((e) => e.passage)).catch(() => ({}));
  if (stale()) return;
  const declined = body.answered === false;
  fill(box,
    h(
      "div",
      { class: `answer${declined ? " unanswered" : ""}`, id: "answer-text" },
      h("h2", {}, "回答 ", h("span", { lang: "en", class: "muted" }, "Answer")),
      h("p", { class: "answer-main" }, body.answer),
      confidenceLine(body.confidence, "answer-confidence"),
    ),
    body.parts?.length ? partsSection(body.parts) : null,
    body.entities?.length
      ? h("div", {}, h("h2", {}, "问题中的实体 ", h("span", { lang: "en", class: "muted" }, "Entities")), h("div", { class: "chips" }, body.entities.map(entityChip)))
      : null,
    body.evidence.length ? evidenceSection(body.evidence, passages, titles) : null,
    declined && body.related?.length ? relatedSection(body.related, titles) : null,
    body.facts?.length ? factsSection(body.facts, titles) : null,
  );
  announce(`回答：${body.answer}`);
}

function confidenceLine(confidence, id) {
  if (typeof confidence !== "number") return null;
  const percent = Math.round(confidence * 100);
  return h(
    "p",
    { class: "confidence muted", ...(id ? { id } : {}) },
    `置信度 `,
    h("span", { lang: "en" }, "confidence"),
    `: ${percent}%`,
    h("meter", { min: "0", max: "100", value: String(percent), "aria-label": "置信度 · confidence" }),
  );
}

function partsSection(parts) {
  return h(
    "section",
    { id: "answer-parts", "aria-label": "分问回答 · Parts" },
    h("h2", {}, "分问回答 ", h("span", { lang: "en", class: "muted" }, "Parts")),
    h(
      "ol",
      { class: "parts" },
      parts.map((part) =>
        h(
          "li",
          { class: `part${part.answered ? "" : " unanswered"}` },
          h("p", { class: "part-question" }, part.question),
          h("p", { class: "part-answer" }, part.answered ? part.answer : "现有报告没有回答这一问。"),
          confidenceLine(part.confidence),
        ),
      ),
    ),
  );
}

function relatedSection(related, titles) {
  return h(
    "section",
    { id: "related", "aria-label": "相关段落 · Related passages" },
    h("h2", {}, "最接近的段落 ", h("span", { lang: "en", class: "muted" }, "Closest passages")),
    h("p", { class: "hint" }, "报告没有直接回答这个问题；下面是与问题最接近的段落，可以从这里继续查看。"),
    h(
      "ol",
      { class: "hits" },
      related.map((r) =>
        h(
          "li",
          { class: "hit related-item" },
          h(
            "div",
            { class: "hit-head" },
            h("a", { href: reportHref(r.report), class: "report-link" }, titles[r.report] || ridOf(r.report)),
            h("span", { class: "muted" }, ` · 第 ${r.start}–${r.end} 字`),
          ),
          h("p", { class: "passage" }, collapseBlankLines(document.createTextNode(r.text))),
        ),
      ),
    ),
  );
}

function evidenceSection(evidence, passages, titles) {
  const byPassage = new Map();
  for (const e of evidence) {
    if (!byPassage.has(e.passage)) byPassage.set(e.passage, []);
    byPassage.get(e.passage).push(e);
  }
  return h(
    "section",
    {},
    h("h2", {}, "依据 ", h("span", { lang: "en", class: "muted" }, "Evidence")),
    h(
      "ol",
      { class: "hits" },
      [...byPassage.entries()].map(([passage, spans]) => {
        const detail = passages[passage];
        const report = spans[0].report;
        let text;
        if (detail?.text !== undefined && detail.start !== null) {
          // The passage without its Markdown heading (the section is named above), offsets shifted to match.
          const cut = detail.text.match(/^\s*#+ [^\n]*\n+/)?.[0].length || 0;
          const from = detail.start + cut;
          text = collapseBlankLines(markRanges(detail.text.slice(cut), spans.map((s) => [s.start - from, s.end - from])));
        } else {
          text = spans.map((s) => h("mark", { class: "evidence" }, s.text));
        }
        return h(
          "li",
          { class: "hit evidence-item" },
          h(
            "div",
            { class: "hit-head" },
            h("a", { href: reportHref(report), class: "report-link" }, titles[report] || ridOf(report)),
            detail?.section ? h("span", { class: "section" }, ` › ${detail.section}`) : null,
            h("span", { class: "muted" }, ` · 第 ${spans[0].start}–${spans[spans.length - 1].end} 字`),
          ),
          h("p", { class: "passage" }, text),
        );
      }),
    ),
  );
}

function factsSection(facts, titles) {
  const observations = facts.filter((f) => f.metric !== undefined || f.value !== undefined);
  const relations = facts.filter((f) => f.predicate);
  const link = (ref) => {
    const iri = iriOf(ref);
    const label = (typeof ref === "object" && ref?.label) || slugOf(iri);
    return isEntity(iri) ? h("a", { href: entityHref(iri) }, label) : iri;
  };
  return h(
    "section",
    {},
    h("h2", {}, "图谱中的事实 ", h("span", { lang: "en", class: "muted" }, "Facts")),
    observations.length
      ? table(
          ["年份", "指标", "数值", "来源报告"],
          observations.map((f) => [
            f.year ? String(f.year) : "—",
            f.metric || "—",
            factValue(f),
            reportLink(f.report, titles),
          ]),
          "数据观测",
        )
      : null,
    relations.length
      ? table(
          ["主体", "关系", "客体"],
          relations.map((f) => [link(f.subject), termLabel(f.predicate).zh, link(f.object)]),
          "关系",
        )
      : null,
  );
}
