"""The web interface end to end: Debian's headless Chromium (driven by Playwright) against a live
``cnkg serve`` on 127.0.0.1 over the ingested sample reports.

Skipped when Chromium or Playwright is missing, unless ``CNKG_BROWSER_TESTS=required`` (CI sets it after
``apt-get install chromium``), so that CI can never pass by skipping them.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.browser import require_browser
from support.processes import ingest, serve

pytestmark = pytest.mark.browser

pytest_plugins = ["support.browser"]
require_browser()

from playwright.sync_api import expect  # noqa: E402

TOKEN = "ui-test-token-5821"
EDGE_REPORT = "中国边缘计算与云边协同市场研究报告"
SERVERLESS_REPORT = "中国Serverless（无服务器）市场研究报告"


@pytest.fixture(scope="module")
def samples_data(tmp_path_factory: pytest.TempPathFactory, sample_paths: list[Path]) -> Path:
    data = tmp_path_factory.mktemp("web-samples")
    ingest(data, sample_paths)
    return data


@pytest.fixture(scope="module")
def site(samples_data: Path) -> Iterator[str]:
    """A read-only server (no write token) over the four sample reports."""
    with serve(samples_data) as url:
        yield url


@pytest.fixture(scope="module")
def writable_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with a write token over an empty data directory."""
    with serve(tmp_path_factory.mktemp("web-upload"), token=TOKEN) as url:
        yield url


def test_root_serves_the_page_and_the_api_is_unchanged(site):
    page = httpx.get(site + "/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="cnkg-config"' in page.text and '"writable":false' in page.text
    assert httpx.get(site + "/ui/js/main.js").headers["content-type"].startswith("text/javascript")
    assert httpx.get(site + "/ui/../api/app.py").status_code == 404
    paths = httpx.get(site + "/openapi.json").json()["paths"]
    assert "/" not in paths and not any(p.startswith("/ui") for p in paths)
    assert httpx.get(site + "/reports").json()["reports"]  # JSON endpoints as before


def test_search_shows_highlighted_passages_with_report_section_and_entities(site, page):
    page.goto(site + "/#/search")
    page.fill("#q", "边缘计算市场规模")
    page.press("#q", "Enter")
    first = page.locator(".hit").first
    expect(first.locator("mark").first).to_be_visible()
    expect(page.locator(".hit .report-link").first).to_have_text(EDGE_REPORT)
    expect(first.locator(".section")).to_contain_text("›")
    expect(first.locator(".chips a.chip").first).to_be_visible()
    assert page.locator(".hit").count() == 10
    assert "q=" in page.url


def test_search_mode_filters_and_pages(site, page):
    page.goto(site + "/#/search?q=" + "容器")
    expect(page.locator(".hit").first).to_be_visible()
    page.locator("label.seg", has_text="关键词").click()
    expect(page).to_have_url(re.compile(r"mode=bm25"))
    expect(page.locator(".hit").first).to_be_visible()
    page.select_option("#f-type", "Vendor")
    expect(page).to_have_url(re.compile(r"type=Vendor"))
    expect(page.locator(".hit").first).to_be_visible()
    for hit in page.locator(".hit").all():
        assert hit.locator(".chip.t-Vendor").count() >= 1  # every passage mentions a vendor
    page.select_option("#f-type", "")
    page.select_option("#f-report", label=SERVERLESS_REPORT)
    expect(page).to_have_url(re.compile(r"report="))
    expect(page.locator(".hit").first).to_be_visible()
    assert set(page.locator(".hit .report-link").all_text_contents()) == {SERVERLESS_REPORT}
    page.select_option("#f-report", "")
    page.locator("label.seg", has_text="混合").click()
    expect(page).not_to_have_url(re.compile(r"mode=|report="))
    page.get_by_role("link", name="下一页 · Next").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("ol.hits")).to_have_attribute("start", "11")


def test_ask_shows_the_answer_with_its_evidence_inside_the_passage(site, page):
    page.goto(site + "/#/ask")
    page.fill("#question", "2023年中国边缘计算市场规模是多少？")
    page.press("#question", "Enter")
    expect(page.locator("#answer-text")).to_contain_text("86.3")
    evidence = page.locator(".evidence-item").first
    expect(evidence.locator("mark.evidence")).to_contain_text("86.3亿元")
    passage = evidence.locator(".passage").inner_text()
    sentence = evidence.locator("mark.evidence").inner_text()
    assert sentence in passage and len(passage) > len(sentence)  # the sentence is shown inside its passage
    expect(evidence.locator(".report-link")).to_have_text(EDGE_REPORT)
    page.locator("#answer a.chip", has_text="边缘计算").click()
    expect(page.locator("h1")).to_contain_text("边缘计算")


def test_ask_shows_a_multi_part_answer_part_by_part_with_its_confidence(site, page):
    page.goto(site + "/#/ask")
    page.fill("#question", "CostLens的前身是什么？MeshPilot的前身是什么？")
    page.press("#question", "Enter")
    parts = page.locator("#answer-parts li.part")
    expect(parts).to_have_count(2)
    expect(parts.nth(0).locator(".part-question")).to_have_text("CostLens的前身是什么？")
    expect(parts.nth(0).locator(".part-answer")).to_contain_text("BillScope")
    expect(parts.nth(1).locator(".part-answer")).to_contain_text("LoomProxy")
    expect(page.locator("#answer-confidence")).to_contain_text("%")
    expect(page.locator(".evidence-item mark.evidence").first).to_be_visible()


def test_ask_a_declined_question_shows_the_closest_passages(site, page):
    page.goto(site + "/#/ask")
    page.fill("#question", "How many employees does BoCloud have?")
    page.press("#question", "Enter")
    expect(page.locator("#answer-text.unanswered")).to_contain_text(
        "The reports do not answer this question."
    )
    related = page.locator("#related .related-item")
    expect(related.first).to_be_visible()
    assert 1 <= related.count() <= 3
    expect(related.first.locator(".report-link")).to_have_attribute("href", re.compile(r"^#/report"))
    expect(page.locator(".evidence-item")).to_have_count(0)


def test_an_entity_page_and_following_a_graph_node(site, page):
    page.goto(site + "/#/search?q=边缘计算市场规模")
    page.locator(".hit a.chip", has_text="边缘计算").first.click()
    expect(page).to_have_url(re.compile(r"#/entity/edge-computing$"))
    expect(page.locator("h1")).to_contain_text("边缘计算")
    expect(page.locator(".subtitle")).to_have_text("Edge computing")
    expect(page.locator("dl.meta")).to_contain_text("边缘侧")  # an alias
    expect(page.locator("h3", has_text="上位概念").first).to_be_visible()
    expect(page.locator("table", has_text="86.3 亿元")).to_be_visible()
    node = page.locator('.graph-box a.node[data-id$="/entity/kubeedge"]')
    expect(node).to_be_visible()
    node.locator("circle").click()
    expect(page).to_have_url(re.compile(r"#/entity/kubeedge$"))
    expect(page.locator("h1")).to_contain_text("KubeEdge")
    # the sentence a relation was read from (华为开源了KubeEdge …)
    expect(page.locator("blockquote.evidence").first).to_contain_text("KubeEdge")
    # the neighbourhood graph is drawn anew around KubeEdge before a node of it is focused
    expect(page.locator('.graph-box a.node.center[data-id$="/entity/kubeedge"]')).to_be_visible()
    # and from the keyboard: focus a node, Enter follows it
    back = page.locator('.graph-box a.node[data-id$="/entity/edge-computing"]')
    back.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#/entity/edge-computing$"))


def test_a_report_page(site, page):
    page.goto(site + "/#/reports")
    page.get_by_role("link", name=EDGE_REPORT).click()
    expect(page.locator("h1")).to_have_text(EDGE_REPORT)
    expect(page.locator("dl.meta")).to_contain_text("cnkg 示例研究组")
    page.locator(".outline summary", has_text="市场规模").click()
    expect(page.locator(".outline details[open] .passage").first).to_contain_text("边缘")
    expect(page.locator("h3 .badge.t-Vendor")).to_be_visible()
    expect(page.locator("table", has_text="86.3 亿元")).to_be_visible()
    expect(page.locator(".related li").first).to_be_visible()


def test_sparql_example_runs_and_downloads(site, page):
    page.goto(site + "/#/sparql")
    assert (
        page.locator("#sparql-query")
        .input_value()
        .startswith("PREFIX cnkg: <https://w3id.org/cnkg/ontology#>")
    )
    expect(page.locator(".editor pre .tok-kw").first).to_have_text("PREFIX")  # highlighted
    page.locator("button[data-example=industries]").click()
    table = page.locator("#sparql-results table")
    expect(table.locator("th").first).to_have_text("?industry")
    expect(table).to_contain_text("金融")
    page.locator("button[data-example=vendors]").click()
    expect(table.locator("th").nth(2)).to_have_text("?product")
    link = table.locator("td a").first
    expect(link).to_have_text(re.compile(r"^ent:"))
    link.click()
    expect(page).to_have_url(re.compile(r"#/entity/"))
    expect(page.locator("h1 .badge.t-Vendor")).to_be_visible()
    page.go_back()
    expect(table.locator("th").nth(2)).to_have_text("?product")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.splitlines()[0].strip() == "v,vendor,product,evidence"
    assert "https://w3id.org/cnkg/id/entity/" in text
    page.fill("#sparql-query", "SELECT * WHERE { ?s ?p }")
    page.get_by_role("button", name="运行 Run").click()
    expect(page.locator("#sparql-results .error")).to_contain_text("SPARQL")


def test_upload_explains_a_read_only_server(site, page):
    page.goto(site + "/#/upload")
    expect(page.locator("#upload-disabled")).to_contain_text("只读")
    expect(page.locator("#upload-disabled")).to_contain_text("CNKG_WRITE_TOKEN")
    assert page.locator("input[type=file]").count() == 0


def test_upload_with_the_token_ingests_and_links_the_report(writable_site, page, sample_paths, tmp_path):
    sample = next(p for p in sample_paths if p.name.startswith("serverless"))
    page.goto(writable_site + "/#/upload")
    page.fill("#token", "not-the-token")
    page.set_input_files("#file", str(sample))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator("#upload-progress .error")).to_contain_text("403")
    page.fill("#token", TOKEN)
    page.get_by_role("button", name="上传并导入").click()
    result = page.locator("#upload-result")
    expect(result).to_contain_text("已导入", timeout=120_000)
    expect(result).to_contain_text(sample.name)
    result.get_by_role("link", name=SERVERLESS_REPORT).click()
    expect(page.locator("h1")).to_have_text(SERVERLESS_REPORT)
    # the same file again is reported as unchanged, and the token is remembered for the session
    copy = tmp_path / sample.name
    shutil.copy(sample, copy)
    page.goto(writable_site + "/#/upload")
    page.set_input_files("#file", str(copy))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator("#upload-result")).to_contain_text("内容未变", timeout=120_000)


def test_phone_width_has_no_sideways_scroll(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        for route in ("#/search?q=服务网格", "#/entity/edge-computing", "#/sparql?example=figures"):
            page.goto(f"{site}/{route}")
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 391, (route, width)
        expect(page.get_by_role("link", name="搜索")).to_be_visible()
    finally:
        context.close()


def test_keyboard_reaches_the_skip_link_and_the_search_box(site, page):
    page.goto(site + "/#/search")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("跳到正文")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.locator("label[for=q]").count() == 1
