"""The web interface under attack (issue 12, item 4): a ``javascript:`` IRI in query results, a crafted
``#/sparql?query=`` link, and the Content-Security-Policy that is the second wall behind both.

Debian's headless Chromium (driven by Playwright) against a live ``cnkg serve`` on 127.0.0.1 over one
ingested sample report. Skipped like tests/test_web_ui.py when Chromium or Playwright is missing, unless
``CNKG_BROWSER_TESTS=required``; the HTTP-level header tests run either way.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx
import pytest
from support.browser import browser_missing
from support.processes import ingest, serve

from api.routes.linked_data import render_resource

pytestmark = pytest.mark.browser

pytest_plugins = ["support.browser"]
BROWSER = not browser_missing()
needs_browser = pytest.mark.skipif(not BROWSER, reason="needs Debian's chromium and the playwright package")
if BROWSER:
    from playwright.sync_api import expect
if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request

# IRIs a browser would run or load instead of following: none may become a link.
HOSTILE_IRIS = (
    "javascript:alert(1)",
    "JaVaScRiPt:alert(2)",
    "javascript:%61lert(3)",
    "vbscript:msgbox(4)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCg1KTwvc2NyaXB0Pg==",
)
SAFE_IRI = "https://example.org/a-plain-web-page"
_VALUES = " ".join(f"<{iri}>" for iri in (*HOSTILE_IRIS, SAFE_IRI))
HOSTILE_QUERY = f"SELECT ?x WHERE {{ VALUES ?x {{ {_VALUES} }} }}"
BIND_QUERY = 'SELECT ?x WHERE { BIND(IRI("javascript:alert(document.domain)") AS ?x) }'
ENTITY = "/id/entity/kubernetes"  # in the lexicon, so known with any data directory
ENTITY_PAGE = "#/entity/edge-computing"  # mentioned in the sample report: relations, graph, facts


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sample_paths: list[Path]) -> Iterator[str]:
    data = tmp_path_factory.mktemp("web-security")
    ingest(data, [next(p for p in sample_paths if p.name.startswith("edge_computing"))])
    with serve(data) as url:
        yield url


def _csp(response: httpx.Response) -> dict[str, set[str]]:
    """The response's Content-Security-Policy as {directive: {source, …}}, parsed as CSP3 says."""
    header = response.headers.get("content-security-policy")
    assert header, f"{response.request.url} has no Content-Security-Policy"
    policy: dict[str, set[str]] = {}
    for directive in header.split(";"):
        name, *sources = directive.split()
        policy.setdefault(name.lower(), {s.lower() for s in sources})
    return policy


def _script_sources(policy: dict[str, set[str]]) -> set[str]:
    return policy.get("script-src", policy["default-src"])


def _assert_strict(response: httpx.Response) -> dict[str, set[str]]:
    assert response.status_code == 200, response.request.url
    assert response.headers["content-type"].startswith("text/html")
    policy = _csp(response)
    assert policy["default-src"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert _script_sources(policy) == {"'self'"}  # no 'unsafe-inline', 'unsafe-eval', data:, hosts, hashes
    assert policy["object-src"] == {"'none'"} and policy["base-uri"] == {"'none'"}
    assert response.headers["referrer-policy"] in ("no-referrer", "same-origin")
    assert response.headers["x-content-type-options"] == "nosniff"
    return policy


class _InlineCode(HTMLParser):
    """Everything in a page that would be inline script or inline style."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        values = dict(attrs)
        if tag == "script" and "src" not in names and values.get("type") != "application/json":
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag} {name}=" for name in names if name.startswith("on") or name == "style"]
        for name in ("href", "src"):
            if (values.get(name) or "").strip().lower().startswith(("javascript:", "vbscript:")):
                self.found.append(f"{tag} {name}={values[name]}")


def _inline_code(page: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(page)
    return parser.found


# -- HTTP level -------------------------------------------------------------------------------------


def test_every_html_page_has_a_strict_content_security_policy_and_no_inline_code(site: str) -> None:
    html = {"Accept": "text/html"}
    pages = {
        "/": httpx.get(site + "/", headers=html),
        "/id/…": httpx.get(site + ENTITY, headers=html),
        "/docs": httpx.get(site + "/docs", headers=html),
    }
    for path, response in pages.items():
        policy = _assert_strict(response)
        assert policy["style-src"] == {"'self'"}, path
        assert _inline_code(response.text) == [], path
    head = httpx.head(site + "/")  # HEAD too
    assert _csp(head)["default-src"] == {"'self'"}


def test_redoc_allows_inline_style_but_no_inline_script(site: str) -> None:
    response = httpx.get(site + "/redoc")
    policy = _assert_strict(response)
    assert policy["style-src"] == {"'self'", "'unsafe-inline'"}  # styled-components, see docs/security.md
    assert _inline_code(response.text) == []


def test_other_responses_are_no_documents_a_browser_could_run(site: str) -> None:
    """Scripts, JSON, RDF and errors: ``default-src 'none'`` (nothing loads or runs if one is opened as a
    document), and nosniff, so none is ever taken for HTML."""
    responses = [
        httpx.get(site + "/ui/js/main.js"),
        httpx.get(site + "/ui/app.css"),
        httpx.get(site + "/reports"),
        httpx.get(site + ENTITY, headers={"Accept": "text/turtle"}),
        httpx.get(site + "/sparql", params={"query": "ASK {}"}),
        httpx.get(site + "/ui/../api/app.py"),  # a 404 problem
    ]
    for response in responses:
        assert _csp(response) == {
            "default-src": {"'none'"},
            "frame-ancestors": {"'none'"},
            "base-uri": {"'none'"},
        }
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


def test_the_linked_data_page_shows_a_javascript_iri_as_text() -> None:
    rows = [
        {
            "p": {"type": "uri", "value": "http://www.w3.org/2000/01/rdf-schema#seeAlso"},
            "o": {"type": "uri", "value": iri},
        }
        for iri in (*HOSTILE_IRIS, SAFE_IRI)
    ]
    page = render_resource("https://w3id.org/cnkg/id/entity/x", rows)
    assert _inline_code(page) == []
    hrefs = _Links()
    hrefs.feed(page)
    assert SAFE_IRI in hrefs.found
    assert not [h for h in hrefs.found if not h.startswith(("/", "http://", "https://"))], hrefs.found
    for iri in HOSTILE_IRIS:
        assert f'<span class="iri-text">{html.escape(iri)}</span>' in page  # shown, as text


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.found += [value or "" for name, value in attrs if name == "href"]


# -- in the browser ---------------------------------------------------------------------------------

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
"""


class Watched:
    """A page with every dialog, /sparql request, console error and CSP violation recorded."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.sparql_requests: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.add_init_script(RECORD_VIOLATIONS)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request: Request) -> None:
        if request.url.split("?")[0].endswith("/sparql"):
            self.sparql_requests.append(request.url)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console.append(message.text)

    def violations(self) -> list[str]:
        """The CSP violations reported to the current document (``securitypolicyviolation`` events)."""
        return list(self.page.evaluate("window.__cspViolations || []"))

    def csp_messages(self) -> list[str]:
        """The browser's console errors about the CSP, since the page was opened."""
        return [m for m in self.console if "Content Security Policy" in m]


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        yield Watched(context.new_page())
    finally:
        context.close()


def _result_links(page: Page) -> list[dict[str, str]]:
    return page.evaluate(
        """[...document.querySelectorAll("#sparql-results a, #sparql-results [href]")]
             .map((a) => ({href: a.getAttribute("href") || "", protocol: a.protocol || ""}))"""
    )


@needs_browser
@pytest.mark.parametrize("query", [HOSTILE_QUERY, BIND_QUERY], ids=["values", "bind"])
def test_a_javascript_iri_in_sparql_results_is_text_not_a_link(
    site: str, watched: Watched, query: str
) -> None:
    page = watched.page
    page.goto(site + "/#/sparql")
    page.fill("#sparql-query", query)
    page.get_by_role("button", name="运行 Run").click()
    table = page.locator("#sparql-results table")
    expect(table.locator("th").first).to_have_text("?x")
    cells = table.locator("tbody td")
    hostile = [iri for iri in (*HOSTILE_IRIS, "javascript:alert(document.domain)") if iri in query]
    expect(cells).to_have_count(len(hostile) + (SAFE_IRI in query))
    for iri in hostile:
        cell = cells.filter(has_text=iri)
        expect(cell).to_have_count(1)
        cell.locator("a, span").first.click()  # what a curious user does
    page.wait_for_timeout(300)
    assert watched.dialogs == []  # no script ran
    for iri in hostile:
        assert cells.filter(has_text=iri).locator("a").count() == 0  # and nothing offers to run it
    links = _result_links(page)
    assert all(link["protocol"] in ("http:", "https:") for link in links), links
    if SAFE_IRI in query:
        assert [link["href"] for link in links] == [SAFE_IRI]
    assert watched.errors == []


@needs_browser
def test_a_query_in_the_url_fills_the_editor_and_waits_for_a_click(site: str, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{site}/#/sparql?query={quote(BIND_QUERY)}")
    expect(page.locator("#sparql-query")).to_have_value(BIND_QUERY)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    assert watched.sparql_requests == []  # nothing ran
    assert page.locator("#sparql-results").inner_text() == ""
    # the same for a link opened from another page, and after a reload
    page.reload()
    page.wait_for_load_state("networkidle")
    assert watched.sparql_requests == []
    page.get_by_role("button", name="运行 Run").click()
    cell = page.locator("#sparql-results tbody td")
    expect(cell).to_have_text("javascript:alert(document.domain)")
    assert len(watched.sparql_requests) == 1
    assert cell.locator("a").count() == 0
    assert watched.dialogs == []


@needs_browser
def test_the_pages_work_under_their_content_security_policy(site: str, watched: Watched) -> None:
    page = watched.page
    checks = {
        "/#/search?q=边缘计算市场规模": ".hit mark",
        "/#/ask?q=2023年中国边缘计算市场规模是多少？": "#answer-text",
        f"/{ENTITY_PAGE}": ".graph-box a.node",
        "/#/reports": "h1",
        "/#/sparql?example=vendors": "#sparql-results table td a",
        "/#/upload": "#upload-disabled",
        ENTITY: "table a",
        "/docs": ".swagger-ui .info .title",
    }
    for path, ready in checks.items():
        page.goto(site + path)
        expect(page.locator(ready).first).to_be_visible(timeout=30_000)
        page.wait_for_load_state("networkidle")
        assert watched.violations() == [], path
        assert watched.csp_messages() == [], path
        assert watched.errors == [], path
    # the styles of the linked-data page come from its style sheet
    page.goto(site + ENTITY)
    assert (
        page.evaluate("getComputedStyle(document.querySelector('th')).backgroundColor")
        == "rgb(243, 243, 243)"
    )
    # ReDoc renders; its only violation is the CSP stopping an image from its vendor's CDN
    page.goto(site + "/redoc")
    expect(page.locator("h1").first).to_contain_text("cnkg")
    page.wait_for_load_state("networkidle")
    assert all(v.startswith("img-src https://cdn.redoc.ly/") for v in watched.violations()), (
        watched.violations()
    )
    assert all("https://cdn.redoc.ly/" in m for m in watched.csp_messages()), watched.csp_messages()
    assert watched.dialogs == []
