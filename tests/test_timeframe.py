"""Facts anchored in time: the report's reference date (text, file metadata, ``--date``), relative
expressions resolved against it, whether each year is stated or inferred, and the new fact forms real
documents use (dev documents of the real-world corpus)."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.server import AUTH, LiveServer, serve_sample

from ingest.clean import clean
from ingest.facts import find_figures
from ingest.metadata import reference_date
from ingest.pipeline import extract, prepare
from ingest.read import read_path
from kg.errors import InputError
from kg.namespaces import CNKG, DCTERMS

pytest_plugins = ["support.fixtures"]

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "tests" / "data" / "realworld" / "docs"


def _figures(text: str, reference_year: int | None = None) -> list[tuple[str, str | None, str, int | None]]:
    return [
        (str(f.value), None if f.value_max is None else str(f.value_max), f.unit, f.year)
        for f in find_figures(text, reference_year=reference_year)
    ]


# -- the reference date ----------
@pytest.mark.parametrize(
    ("document", "value", "source"),
    [
        ("volcano-case-xiaohongshu.md", "2021-05-27", "dated-line"),  # a dated first line
        ("policy-hz-city-brain-2020.md", "2020-11-27", "dated-line"),  # adopted, then approved: the latest
        ("k8s-case-adidas.html", None, None),  # no date anywhere: nothing is made up
    ],
)
def test_reference_date_from_the_text(document, value, source):
    found = reference_date(clean(read_path(DOCS / document)))
    assert (found.value, found.source) == (value, source) if found else value is None


def test_the_date_option_wins_and_is_checked():
    doc = clean(read_path(DOCS / "volcano-case-xiaohongshu.md"))
    assert reference_date(doc, option="2022-3").value == "2022-03"
    assert reference_date(doc, option="2022-3").source == "option"
    with pytest.raises(InputError, match="not a date"):
        prepare(read_path(DOCS / "volcano-case-xiaohongshu.md"), date="next week")


def test_file_metadata_gives_the_date_when_the_text_has_none():
    doc = clean(read_path(DOCS / "k8s-case-adidas.html"))
    assert reference_date(doc, file_date="2019-04-02") == reference_date(doc, option="2019-04-02").__class__(
        "2019-04-02", "file-metadata"
    )


# -- relative expressions ----------
def test_present_and_perfect_aspect_resolve_against_the_report_year():
    # volcano-case-xiaohongshu (2021-05-27)
    assert _figures("目前月活超过1亿", 2021) == [("1", None, "亿", 2021)]
    assert _figures("2019年上线以来，运行作业数为12w+", 2021) == [("12", None, "w", 2021)]
    figures = find_figures("由使用Yarn调度器的平均任务等待时间60秒降到现在的10秒", reference_year=2021)
    assert [(f.value, f.year, f.year_stated) for f in figures] == [
        (Decimal("60"), None, None),
        (Decimal("10"), 2021, False),
    ]
    # without a reference date nothing is resolved
    assert _figures("目前月活超过1亿") == [("1", None, "亿", None)]


def test_relative_years_and_spans():
    assert _figures("去年市场规模为15亿元", 2024) == [("15", None, "亿元", 2023)]
    assert _figures("预计未来5年将保持30%的增速", 2020) == [("30", None, "%", 2025)]
    assert _figures("过去三年的复合增长率超过40%", 2020) == [("40", None, "%", 2020)]
    assert _figures("到2025年将超过60亿元", 2020) == [("60", None, "亿元", 2025)]


def test_a_stated_year_beats_the_aspect_of_its_own_verb_and_a_change_start_is_not_the_figures_year():
    assert [f.year for f in find_figures("截至2023年底节点已超过2000个", reference_year=2024)] == [2023]
    # kaiyuanshe-2018-oss-report-questionnaire: 48.78% is not a 2015 figure, 已经 is in another clause
    text = "微信已经取代了传统的邮件列表，微信沟通的比例从 2015 年的 28.1% 上升到 48.78%"
    assert [(str(f.value), f.year) for f in find_figures(text, reference_year=2018)] == [
        ("28.1", 2015),
        ("48.78", None),
    ]


def test_perfect_aspect_goes_on_into_a_clause_opened_by_bing():
    # volcano-ann-v1-9 (dev, dated 2024): the counts after "，并获得" are reached by the time of writing too
    text = "社区已吸引5.8万+全球开发者，并获得3.5k+ Star 和800+ Fork"
    assert [(str(f.value), f.unit, f.year) for f in find_figures(text, reference_year=2024)] == [
        ("5.8", "万", 2024),
        ("3.5", "k", 2024),
        ("800", "Fork", 2024),
    ]


# -- fact forms of the real-world documents ----------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("拥有 4,000 个 Pod、200 个节点", [("4000", None, "个", None), ("200", None, "个", None)]),
        ("发布频率变为每天发布 3 到 4 次", [("3", "4", "次", None)]),
        ("部署时间从几个小时缩短到 5-10 分钟", [("5", "10", "分钟", None)]),
        ("处10万元以上100万元以下罚款", [("10", "100", "万元", None)]),
        ("可以并处五万元以上五十万元以下罚款", [("5", "50", "万元", None)]),
        ("处上一年度营业额百分之五以下罚款", [("5", None, "%", None)]),
        ("轮次分别有 49、46 次", [("49", None, "次", None), ("46", None, "次", None)]),
        ("Volcano已在国内外60+企业进行了生产落地", [("60", None, "企业", None)]),
        ("社区已吸引5.8万+全球开发者", [("5.8", None, "万", None)]),
        ("运营效率至少提升了十倍", [("10", None, "倍", None)]),
        ("50余万个应用的生命周期管理", [("50", None, "万个", None)]),
        ("样本量：508", [("508", None, "N", None)]),
        ("排行榜第 6 至第 15 名语言", []),
        ("Q==&mid=211757032&idx=1&sn=48b923fcd8e4", []),
        ("千万不要在1970s的机器上运行", []),
    ],
)
def test_fact_forms(text, expected):
    assert _figures(text) == expected


def test_table_cells_take_their_unit_and_year_from_the_header():
    ex = extract(read_path(DOCS / "kaiyuanshe-2024-report-data-macro.md"))
    keys = {(f.value, f.unit, f.year) for f in ex.facts}
    assert (Decimal("435202"), "人", None) in keys  # 总人数, under a heading without a year
    assert (Decimal("207.20"), "万", None) in keys  # 实际总量（万）
    assert (Decimal("591223"), "人", 2024) in keys  # 使用该语言开发者数, under 2024 年…榜单
    assert (Decimal("654037"), "个", 2024) in keys  # 使用该语言仓库数
    assert not any(f.unit == "人" and f.value < 20 for f in ex.facts)  # the 排名 column is not counted
    text = ex.source.text
    for f in ex.facts:
        assert text[f.start : f.end].replace(",", "").startswith(str(f.value).split(".")[0][:1])


# -- the graph ----------
def test_graph_records_the_date_its_source_and_whether_each_year_is_stated():
    bundle, _ = prepare(read_path(DOCS / "volcano-case-xiaohongshu.md"))
    quads = list(ox.parse(bundle.nquads, format=ox.RdfFormat.N_QUADS))
    issued = [q.object for q in quads if q.predicate.value == DCTERMS + "issued"]
    assert issued == [
        ox.Literal("2021-05-27", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))
    ]
    sources = [q.object.value for q in quads if q.predicate.value == CNKG + "dateSource"]
    assert sources == ["dated-line"]
    stated = [q.object.value for q in quads if q.predicate.value == CNKG + "yearStated"]
    assert "false" in stated  # 目前月活超过1亿 → 2021, inferred


# -- the user's date: CLI and upload ----------
def test_cli_rejects_a_bad_date_in_one_line(tmp_path):
    command = [sys.executable, "-m", "api.cli", "ingest", "--data", str(tmp_path), "--no-index"]
    result = subprocess.run(
        [*command, "--date", "2024-13-01", str(DOCS / "volcano-case-xiaohongshu.md")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert result.returncode != 0
    assert "not a date" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with serve_sample(tmp_path_factory.mktemp("cnkg-dated")) as live:
        yield live


def test_upload_with_a_date_resolves_relative_years(server: LiveServer):
    text = "# 某平台案例\n\n目前月活超过1亿，平台已承载超过300个业务。\n".encode()
    with server.client() as client:
        bad = client.post("/reports", files={"file": ("a.md", text)}, data={"date": "soon"}, headers=AUTH)
        assert bad.status_code == 400 and "not a date" in bad.json()["detail"]
        created = client.post(
            "/reports", files={"file": ("a.md", text)}, data={"date": "2021-05"}, headers=AUTH
        )
        assert created.status_code == 201, created.text
        query = (
            "SELECT ?y ?s WHERE { GRAPH ?g { ?o a cnkg:Observation ; cnkg:year ?y ; cnkg:yearStated ?s ."
            " ?r dcterms:issued ?d } }"
        )
        rows = client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert {(r["y"]["value"], r["s"]["value"]) for r in rows} == {("2021", "false")}
