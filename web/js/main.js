// The router: #/page/rest?params → the page module's render(main, route). Pages are loaded on demand,
// so the first load fetches only what the page shown needs.

import { announce, errorBox, h, loading, fill } from "./dom.js";

const PAGES = {
  "": "search",
  search: "search",
  ask: "ask",
  entity: "entity",
  report: "report",
  reports: "reports",
  sparql: "sparql",
  upload: "upload",
};

export function parseRoute(hash = location.hash) {
  const raw = hash.replace(/^#\/?/, "");
  const [path, query = ""] = raw.split("?", 2);
  const parts = path.split("/").map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  return { page: parts[0] || "", rest: parts.slice(1), params: new URLSearchParams(query) };
}

/** Go to #/page?params (pushes history unless replace). */
export function go(page, params = {}, replace = false) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") query.set(k, v);
  const text = query.toString();
  const hash = `#/${page}${text ? `?${text}` : ""}`;
  if (replace) {
    history.replaceState(null, "", hash);
    render();
  } else if (location.hash === hash) {
    render();
  } else {
    location.hash = hash;
  }
}

let generation = 0;

async function render() {
  const route = parseRoute();
  const main = document.getElementById("main");
  const name = PAGES[route.page];
  const mine = ++generation;
  for (const link of document.querySelectorAll("[data-nav]")) {
    const current = link.dataset.nav === (name === "entity" || name === "report" ? "reports" : name || "search");
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (!name) {
    fill(main, h("h1", {}, "找不到页面"), h("p", {}, h("a", { href: "#/" }, "回到搜索")));
    return;
  }
  const previous = main.dataset.page;
  main.dataset.page = name;
  main.setAttribute("aria-busy", "true");
  try {
    const module = await import(`./pages/${name}.js`);
    if (mine !== generation) return;
    // A page that only changes its parameters keeps its form (and the focus in it).
    const keep = previous === name && typeof module.update === "function" && main.firstChild;
    if (keep) {
      await module.update(main, route, () => mine !== generation);
    } else {
      fill(main, loading());
      await module.render(main, route, () => mine !== generation);
    }
    if (mine !== generation) return;
    const heading = main.querySelector("h1");
    document.title = `${heading ? heading.textContent : "cnkg"} · cnkg`;
    if (!keep) {
      window.scrollTo(0, 0);
      announce(document.title);
      // Focus moves to the page: its main input when it has one, else its heading.
      const target = main.querySelector("[data-focus]") || heading;
      if (target && previous !== undefined) {
        if (!target.hasAttribute("tabindex") && target === heading) target.setAttribute("tabindex", "-1");
        target.focus({ preventScroll: true });
      }
    }
  } catch (error) {
    if (mine === generation) fill(main, h("h1", {}, "出错了"), errorBox(error));
  } finally {
    if (mine === generation) main.removeAttribute("aria-busy");
  }
}

window.addEventListener("hashchange", render);
document.querySelector("[data-skip]")?.addEventListener("click", (event) => {
  event.preventDefault();
  document.getElementById("main").focus();
});
render();
