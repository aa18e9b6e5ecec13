// Building DOM nodes without innerHTML: every text from the API is inserted as text, and every URL
// attribute is checked on its parsed form (a javascript: or data: URL never reaches the DOM).

// Attributes a browser follows or loads; their values must pass safeUrl.
const URL_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href"]);
const WEB_PROTOCOLS = new Set(["http:", "https:"]);

/** The http(s) URL `value` resolves to (absolute, or relative to this page), else null. Decided on the
 * URL the browser's own parser makes of it, so spaces, tabs, case or escapes in the scheme change nothing. */
export function webUrl(value) {
  if (typeof value !== "string" || value === "") return null;
  let url;
  try {
    url = new URL(value, location.href);
  } catch {
    return null;
  }
  return WEB_PROTOCOLS.has(url.protocol) ? url : null;
}

/** Whether a link or resource attribute may hold `value`: an http(s) URL, or a blob: URL this page made
 * (downloads). */
export function safeUrl(value) {
  if (webUrl(value)) return true;
  try {
    const url = new URL(value);
    return url.protocol === "blob:" && url.origin === location.origin;
  } catch {
    return false;
  }
}

/** h("a", {href: "#/x", class: "chip"}, "text", child, [more]) → an element. */
export function h(tag, attrs = {}, ...children) {
  const svg = tag.startsWith("svg:");
  const el = svg
    ? document.createElementNS("http://www.w3.org/2000/svg", tag.slice(4))
    : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) {
      // handlers are functions only: an attribute string would be inline script (refused by the CSP too)
      if (typeof value === "function") el.addEventListener(key.slice(2), value);
      else console.warn(`cnkg: refused the inline handler ${key}`);
    } else if (key === "class" && !svg) {
      el.className = value;
    } else if (key === "text") {
      el.textContent = value;
    } else if (URL_ATTRIBUTES.has(key) && !safeUrl(String(value))) {
      // a second wall behind the callers' own checks: the attribute is left out, the element stays inert
      console.warn(`cnkg: refused ${key}=${JSON.stringify(String(value))}`);
    } else {
      el.setAttribute(key, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replace the children of `el` (null and false children are skipped, arrays flattened). */
export function fill(el, ...children) {
  clear(el);
  return append(el, children);
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
  return el;
}

/** Text that the server has HTML-escaped with matches in <mark>: keep text and <mark>, drop the rest. */
export function markedText(html) {
  const doc = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const out = document.createDocumentFragment();
  const copy = (node, into) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) into.append(child.textContent);
      else if (child.nodeName === "MARK") copy(child, into.appendChild(document.createElement("mark")));
      else copy(child, into);
    }
  };
  copy(doc.body, out);
  return out;
}

/** text with the [start, end) ranges (offsets into text) wrapped in <mark class="cls">. */
export function markRanges(text, ranges, cls = "evidence") {
  const out = document.createDocumentFragment();
  const sorted = ranges
    .map(([s, e]) => [Math.max(0, s), Math.min(text.length, e)])
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [s, e] of sorted) {
    if (s < at) continue;
    out.append(text.slice(at, s), h("mark", { class: cls }, text.slice(s, e)));
    at = e;
  }
  out.append(text.slice(at));
  return out;
}

/** Blank lines between paragraphs become single line breaks (in every text node of `node`). */
export function collapseBlankLines(node) {
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    text.data = text.data.replace(/\n{2,}/g, "\n");
  }
  return node;
}

/** A table that scrolls sideways on narrow screens. */
export function table(headers, rows, caption) {
  return h(
    "div",
    { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption || "表格" },
    h(
      "table",
      {},
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c) => h("td", {}, c))))),
    ),
  );
}

export function announce(message) {
  const status = document.getElementById("status");
  if (status) status.textContent = message;
}

export function errorBox(error) {
  const title = error.title || "出错了";
  return h("div", { class: "error", role: "alert" }, h("strong", {}, title), " ", error.detail || error.message);
}

/** What a query page shows before a first query: a hint, then example queries, each linking to its results. */
export function examplesHint(hint, page, queries) {
  return [
    h("p", { class: "hint" }, hint),
    h("ul", { class: "examples" }, queries.map((x) => h("li", {}, h("a", { href: `#/${page}?q=${encodeURIComponent(x)}` }, x)))),
  ];
}

export function loading(text = "加载中…") {
  return h("p", { class: "loading", "aria-busy": "true" }, text);
}

export function downloadBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
