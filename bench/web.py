"""First page load of the web interface on localhost, in Debian's headless Chromium.

    python bench/web.py                                  # prints the table, writes bench/results/web.txt
    python bench/web.py --screenshots docs/screenshots   # also saves the README screenshots

The four sample reports are ingested into a temporary data directory and ``cnkg serve`` runs on a free
port of 127.0.0.1. Every load is cold: a new browser context (empty cache, no cookies) per load. For each
page, from the Navigation Timing entry: DOMContentLoaded and the load event (HTML, CSS and the ES
modules the page imports, parsed and run); and "ready", the time until the page shows its data (its
API requests answered and rendered, found by a selector). Bytes are the transfer sizes of the document
and its scripts and styles (API responses not included), and the number of API requests the page made.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import httpx
from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.live import ROOT
from tests.support.processes import CHROMIUM, CHROMIUM_ARGS, cnkg_serve, ingest

RESULTS = ROOT / "bench" / "results" / "web.txt"
TOKEN = "bench-web-token"

# name, route (after the host), selector present once the page shows its data
PAGES = [
    ("home", "/", "#q"),
    ("search", "/#/search?q=边缘计算市场规模", ".hit mark"),
    ("ask", "/#/ask?q=2023年中国边缘计算市场规模是多少？", "#answer-text"),
    ("entity", "/#/entity/edge-computing", ".graph-box svg a.node"),
    ("report", "/#/report/{rid}", "main table"),
    ("sparql", "/#/sparql?example=figures", "#sparql-results table"),
    ("upload", "/#/upload", "form .drop"),
]

# Every section of the page has its data: no loading placeholder left, the router is done.
_SETTLED = "() => !document.querySelector('main .loading, main[aria-busy]')"

_TIMING = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const statics = performance.getEntriesByType("resource").filter((r) => r.name.includes("/ui/"));
  const api = performance.getEntriesByType("resource").filter((r) => !r.name.includes("/ui/"));
  return {
    dcl: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    bytes: nav.transferSize + statics.reduce((sum, r) => sum + r.transferSize, 0),
    files: 1 + statics.length,
    api: api.length,
    ready: performance.now(),
  };
}"""


def _load(browser: Browser, url: str, ready: str, width: int = 1280, height: int = 900) -> dict[str, float]:
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector(ready, timeout=60_000)
        page.wait_for_function(_SETTLED, timeout=60_000)
        timing: dict[str, float] = page.evaluate(_TIMING)
        return timing
    finally:
        context.close()


def _screenshots(browser: Browser, base: str, rid: str, out: Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    shots = [(name, route, ready, 1280, 900) for name, route, ready in PAGES if name != "home"]
    shots.append(("phone-search", "/#/search?q=服务网格 Istio", ".hit mark", 390, 844))
    shots.append(("phone-entity", "/#/entity/kubernetes", ".graph-box svg a.node", 390, 844))
    for name, route, ready, width, height in shots:
        context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
        page = context.new_page()
        page.goto(base + route.format(rid=rid))
        page.wait_for_selector(ready, timeout=60_000)
        page.wait_for_function(_SETTLED, timeout=60_000)
        page.wait_for_timeout(1500)  # the graph settles
        path = out / f"{name}.png"
        page.screenshot(path=str(path))
        saved.append(str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path))
        context.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold loads per page (default 5)")
    parser.add_argument("--screenshots", type=Path, help="save screenshots of each page into this folder")
    args = parser.parse_args()
    samples = sorted((ROOT / "samples").glob("*.md"))
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        ingest(data, samples)
        with cnkg_serve(data, token=TOKEN) as server, sync_playwright() as playwright:
            base = server.url
            reports = httpx.get(base + "/reports").json()["reports"]
            rid = next(r["rid"] for r in reports if r["source"].startswith("edge"))
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # One unmeasured load of each page first: the server's first search loads the index and the
            # embedder (about 2 s), a cost of the server's start, not of a page load.
            for _, route, ready in PAGES:
                _load(browser, base + route.format(rid=rid), ready)
            lines = [
                "web interface: cold first load on localhost (new browser context per load), Debian Chromium "
                f"headless, {args.runs} loads per page after one warm-up load each, median (max) in ms",
                f"{'page':<8} {'DOMContentLoaded':>18} {'load event':>16} {'ready (data shown)':>20} "
                f"{'static bytes':>13} {'files':>6} {'API req':>8}",
            ]
            for name, route, ready in PAGES:
                runs = [_load(browser, base + route.format(rid=rid), ready) for _ in range(args.runs)]

                def stat(key: str, runs: list[dict[str, float]] = runs) -> str:
                    values = [r[key] for r in runs]
                    return f"{statistics.median(values):.0f} ({max(values):.0f})"

                last = runs[-1]
                lines.append(
                    f"{name:<8} {stat('dcl'):>18} {stat('load'):>16} {stat('ready'):>20} "
                    f"{int(last['bytes']):>13,} {int(last['files']):>6} {int(last['api']):>8}"
                )
            if args.screenshots:
                saved = _screenshots(browser, base, rid, args.screenshots)
                print("screenshots: " + ", ".join(saved), file=sys.stderr)
            browser.close()
    lines.append(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    text = "\n".join(lines)
    print(text)
    RESULTS.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
