// Upload: drop a report file (or choose one), send it with the write token, follow the upload and the
// ingestion, and show what was extracted. On a read-only server, explain how to enable writing.

import { forgetReports } from "../api.js";
import { h, fill } from "../dom.js";
import { config, reportHref, typeName } from "../labels.js";

const ACCEPTED = ".txt,.md,.markdown,.pdf,.docx,.html,.htm";
const TOKEN_KEY = "cnkg-write-token";

export async function render(main) {
  fill(main, h("h1", {}, "上传报告 ", h("span", { lang: "en", class: "muted" }, "Upload a report")));
  if (!config.writable) {
    main.append(
      h(
        "div",
        { class: "note", id: "upload-disabled" },
        h("p", {}, h("strong", {}, "此服务为只读模式，不能上传。"), " This server is read-only."),
        h(
          "p",
          {},
          "上传、删除和 SPARQL Update 只有在运维人员设置写入令牌后才会开启：",
          h("code", {}, "CNKG_WRITE_TOKEN=… cnkg serve"),
          "（或 ",
          h("code", {}, "--write-token"),
          "）。也可以在命令行直接导入：",
          h("code", {}, "cnkg ingest 报告.pdf"),
          "。",
        ),
      ),
    );
    return;
  }
  const token = h("input", {
    id: "token",
    type: "password",
    autocomplete: "current-password",
    value: sessionStorage.getItem(TOKEN_KEY) || "",
    required: true,
  });
  const file = h("input", { id: "file", type: "file", accept: ACCEPTED, class: "visually-hidden" });
  const chosen = h("span", { class: "muted" }, "尚未选择文件");
  const drop = h(
    "div",
    { class: "drop" },
    h("p", {}, "把报告文件拖到这里，或 ", h("label", { for: "file", class: "file-button", tabindex: "0", role: "button" }, "选择文件"), file),
    h("p", { class: "muted" }, `支持 ${ACCEPTED.replaceAll(",", " ")}`),
    chosen,
  );
  const submit = h("button", { type: "submit" }, "上传并导入");
  const progress = h("div", { id: "upload-progress", "aria-live": "polite" });
  const form = h(
    "form",
    {},
    h("p", {}, h("label", { for: "token" }, "写入令牌 Write token "), token),
    drop,
    h("p", {}, submit),
    progress,
  );
  main.append(form);

  let picked = null;
  const pick = (f) => {
    picked = f || null;
    chosen.textContent = picked ? `已选择：${picked.name}（${(picked.size / 1024).toFixed(1)} KB）` : "尚未选择文件";
  };
  file.addEventListener("change", () => pick(file.files[0]));
  drop.querySelector("label").addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      file.click();
    }
  });
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => {
      event.preventDefault();
      drop.classList.add("over");
    });
  }
  for (const name of ["dragleave", "drop"]) drop.addEventListener(name, () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    pick(event.dataTransfer.files[0]);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!picked) {
      fill(progress, h("p", { class: "error", role: "alert" }, "请先选择一个报告文件。"));
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token.value);
    submit.disabled = true;
    upload(picked, token.value, progress).finally(() => (submit.disabled = false));
  });
}

/** XMLHttpRequest, because fetch cannot report upload progress. */
function upload(file, token, box) {
  const bar = h("progress", { max: "100", value: "0", "aria-label": "上传进度" });
  const stage = h("p", {}, "上传中… 0%");
  fill(box, stage, bar);
  const started = performance.now();
  let timer = 0;
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/reports");
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.round((100 * event.loaded) / event.total);
      bar.value = percent;
      stage.textContent = `上传中… ${percent}%`;
    });
    xhr.upload.addEventListener("load", () => {
      bar.removeAttribute("value"); // indeterminate: the server is reading, extracting and indexing
      const tick = () => {
        stage.textContent = `导入中：读取 → 分段 → 抽取实体、关系和数据 → 写入图谱和索引…（${((performance.now() - started) / 1000).toFixed(0)} s）`;
      };
      tick();
      timer = setInterval(tick, 1000);
    });
    xhr.addEventListener("loadend", () => {
      clearInterval(timer);
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status === 200 || xhr.status === 201) {
        forgetReports();
        fill(box, result(body));
      } else {
        const detail = body?.detail || xhr.statusText || "无法连接服务";
        fill(box,
          h("div", { class: "error", role: "alert" }, h("strong", {}, `${xhr.status || ""} ${body?.title || "上传失败"}`), " ", detail),
        );
      }
      resolve();
    });
    const data = new FormData();
    data.append("file", file, file.name);
    xhr.send(data);
  });
}

function result(summary) {
  const verdict = { added: "已导入", replaced: "已替换旧版本", unchanged: "内容未变，无需重新导入" }[summary.status] || summary.status;
  const entities = Object.entries(summary.entities || {})
    .map(([type, n]) => `${typeName(type)} ${n}`)
    .join("、");
  return h(
    "div",
    { class: "note", id: "upload-result" },
    h("p", {}, h("strong", {}, `${verdict}：`), h("a", { href: reportHref(summary.rid) }, summary.title || summary.source)),
    h(
      "dl",
      { class: "meta" },
      [
        ["文件", summary.source],
        ["字数", summary.chars?.toLocaleString("zh-CN")],
        ["段落", summary.passages],
        ["实体", entities || "—"],
        ["新发现实体", summary.discovered],
        ["关系", summary.relations],
        ["数据", summary.facts],
        ["耗时", summary.seconds !== undefined ? `${summary.seconds} s` : undefined],
      ]
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => [h("dt", {}, k), h("dd", {}, String(v))]),
    ),
  );
}
