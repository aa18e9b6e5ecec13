// The list of ingested reports.

import { forgetReports, listReports } from "../api.js";
import { h, table, fill } from "../dom.js";
import { reportHref } from "../labels.js";

export async function render(main, route, stale) {
  forgetReports();
  const reports = await listReports();
  if (stale()) return;
  fill(main,
    h("h1", {}, "报告 ", h("span", { lang: "en", class: "muted" }, "Reports")),
    reports.length
      ? table(
          ["标题", "文件", "字数", "段落", "关系", "数据", "导入时间"],
          reports.map((r) => [
            h("a", { href: reportHref(r.rid) }, r.title || r.source),
            r.source,
            r.chars.toLocaleString("zh-CN"),
            String(r.counts?.passages ?? "—"),
            String(r.counts?.relations ?? "—"),
            String(r.counts?.facts ?? "—"),
            (r.ingested || "").replace("T", " ").slice(0, 16),
          ]),
          `共 ${reports.length} 份报告`,
        )
      : h("p", { class: "note" }, "还没有导入报告。运行 ", h("code", {}, "cnkg ingest 文件"), "，或在", h("a", { href: "#/upload" }, "上传"), "页面添加。"),
  );
}
