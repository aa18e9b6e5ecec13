"""Charts of market figures in the web interface (web/js/chart.js): headless Chromium against a live
``cnkg serve`` over the sample reports; the drawn points must be the observations ``GET /facts`` returns,
forecasts told apart from actuals, each point linked to its passage with its sentence as the tooltip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.browser import require_browser
from support.processes import ingest, serve

pytestmark = pytest.mark.browser

pytest_plugins = ["support.browser"]
require_browser()

from playwright.sync_api import Page, expect  # noqa: E402

EDGE_REPORT = "中国边缘计算与云边协同市场研究报告"
NOT_CHARTED = {"样本数"}  # as chart.js


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sample_paths: list[Path]) -> Iterator[str]:
    data = tmp_path_factory.mktemp("web-charts")
    ingest(data, sample_paths)
    with serve(data) as url:
        yield url


def _chartable(groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    dated = [g for g in groups if any(o["year"] is not None for o in g["observations"])]
    return [g for g in dated if g["metric"] and g["metric"] not in NOT_CHARTED]


def _expected(group: dict[str, Any]) -> set[tuple[str, str, str, str, str]]:
    return {
        (o["iri"], str(o["year"]), o["value"], o["report"]["iri"], "true" if o["forecast"] else "false")
        for o in group["observations"]
        if o["year"] is not None
    }


def _drawn(page: Page) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every chart on the page: (metric, subject, unit) → its points and their links and tooltips."""
    figures = page.eval_on_selector_all(
        "figure.fact-chart",
        """figures => figures.map(f => ({
            key: [f.dataset.metric, f.dataset.subject, f.dataset.unit],
            points: [...f.querySelectorAll("circle[data-fact]")].map(c => ({
                fact: c.dataset.fact, year: c.dataset.year, value: c.dataset.value, report: c.dataset.report,
                forecast: c.dataset.forecast, fill: c.getAttribute("fill"), stroke: c.getAttribute("stroke"),
                href: c.closest("a").getAttribute("href"),
                tooltip: c.closest("a").querySelector("title").textContent,
                passage: c.dataset.passage,
            })),
        }))""",
    )
    return {tuple(f["key"]): f for f in figures}


def _check_points(drawn: dict[str, Any], group: dict[str, Any]) -> None:
    points = drawn["points"]
    drawn_points = {(p["fact"], p["year"], p["value"], p["report"], p["forecast"]) for p in points}
    assert drawn_points == _expected(group)
    by_fact = {o["iri"]: o for o in group["observations"]}
    for p in points:
        observation = by_fact[p["fact"]]
        passage = observation["evidence"]["passage"]
        assert p["href"] == "/id/" + passage.split("/id/", 1)[1]
        assert observation["evidence"]["sentence"] in p["tooltip"]
        assert (p["fill"] == "#fff") is (p["forecast"] == "true")  # forecasts hollow, actuals filled


def test_report_page_charts_are_the_facts_of_its_measures_across_reports(site, page):
    reports = httpx.get(site + "/reports").json()["reports"]
    edge = next(r for r in reports if r["title"] == EDGE_REPORT)
    groups = _chartable(httpx.get(site + "/facts", params={"limit": 500}).json()["groups"])
    mine = [
        g for g in groups if any(o["report"]["iri"] == edge["iri"] and o["year"] for o in g["observations"])
    ]
    assert mine
    page.goto(f"{site}/#/report/{edge['rid']}")
    expect(page.locator("figure.fact-chart").first).to_be_visible()
    expect(page.locator("figure.fact-chart")).to_have_count(len(mine))
    drawn = _drawn(page)
    for group in mine:
        _check_points(drawn[(group["metric"], group["subject"] or "", group["unit"] or "")], group)
    points = [p for f in drawn.values() for p in f["points"]]
    assert {p["forecast"] for p in points} == {"true", "false"}  # the report has both kinds
    assert len({p["report"] for p in points}) > 1  # the same measure from other reports, side by side
    growth = drawn[("同比增长", "", "%")]
    assert len({p["report"] for p in growth["points"]}) == len({p["stroke"] for p in growth["points"]}) > 1


def test_a_chart_point_leads_to_its_passage(site, page):
    rid = next(r["rid"] for r in httpx.get(site + "/reports").json()["reports"] if r["title"] == EDGE_REPORT)
    page.goto(f"{site}/#/report/{rid}")
    point = page.locator("figure.fact-chart a.chart-point").first
    expect(point).to_be_visible()
    passage = point.locator("circle").get_attribute("data-passage")
    point.click()
    page.wait_for_url(f"{site}/id/{passage.split('/id/', 1)[1]}")
    assert page.locator("body").inner_text()


def test_entity_page_charts_are_its_facts(site, page):
    groups = _chartable(httpx.get(site + "/facts", params={"entity": "edge-computing"}).json()["groups"])
    assert groups
    page.goto(f"{site}/#/entity/edge-computing")
    expect(page.locator("figure.fact-chart")).to_have_count(len(groups))
    drawn = _drawn(page)
    for group in groups:
        _check_points(drawn[(group["metric"], group["subject"] or "", group["unit"] or "")], group)
