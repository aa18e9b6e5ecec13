"""Spreadsheet export (CSV and XLSX) of ``/facts``, ``/search`` and SPARQL SELECT results, and
``cnkg export --facts``, on two sample reports ingested for real; the workbooks are opened with openpyxl
and their values checked against the graph."""

from __future__ import annotations

import csv
import doctest
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from support.datadirs import EDGE_AND_MESH, ingested_samples

import kg.tables
import kg.tabular
from api.app import create_app
from api.settings import ServerSettings
from kg.datadir import DataDir
from kg.store import GraphStore
from kg.tables import FACT_COLUMNS, SEARCH_COLUMNS
from kg.tabular import XLSX_MEDIA_TYPE, Table, write_csv, write_xlsx

REPO = Path(__file__).resolve().parent.parent
EDGE_TITLE = "中国边缘计算与云边协同市场研究报告"
ROW_CAP = 5


@pytest.fixture(scope="module")
def datadir(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    return ingested_samples(tmp_path_factory.mktemp("spreadsheets"), EDGE_AND_MESH)


@pytest.fixture(scope="module")
def client(datadir: DataDir) -> Iterator[TestClient]:
    settings = ServerSettings(
        data=datadir.root, row_cap=ROW_CAP, query_workers=1, rate_limit_per_minute=100_000
    )
    with TestClient(create_app(settings), base_url="http://localhost") as started:
        yield started


@pytest.fixture(scope="module")
def graph_observations(datadir: DataDir) -> dict[str, dict[str, Any]]:
    """Every observation in the graph: value, unit, year, passage, passage text, report title."""
    rows = GraphStore.open(datadir).query(
        """SELECT ?f ?value ?unit ?year ?passage ?ptext ?title WHERE { GRAPH ?r {
             ?f a cnkg:Observation ; cnkg:value ?value ; prov:wasDerivedFrom ?passage .
             OPTIONAL { ?f cnkg:unit ?unit } OPTIONAL { ?f cnkg:year ?year }
             ?passage cnkg:text ?ptext . ?r dcterms:title ?title } }"""
    )
    return {
        row["f"].value: {
            "value": Decimal(row["value"].value),
            "unit": row["unit"].value if row["unit"] else None,
            "year": int(row["year"].value) if row["year"] else None,
            "passage": row["passage"].value,
            "ptext": row["ptext"].value,
            "title": row["title"].value,
        }
        for row in rows
    }


def _sheet(body: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _records(rows: list[list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# -- the table writer ------------------------------------------------------------------------------


def test_table_writer_doctests_pass():
    for module in (kg.tabular, kg.tables):
        result = doctest.testmod(module)
        assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("payload", ["=1+2", "+SUM(A1)", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x","y")'])
def test_formula_cells_are_text_in_csv_and_xlsx(payload):
    table = Table(("value",), [(payload,)])
    assert write_csv(table).decode("utf-8-sig").splitlines()[1].lstrip('"').startswith("'" + payload[0])
    sheet = load_workbook(io.BytesIO(write_xlsx(table))).active
    assert sheet["A2"].value == payload and sheet["A2"].data_type == "s"


def test_csv_starts_with_a_byte_order_mark_for_excel():
    assert write_csv(Table(("名称",), [("云原生",)])).startswith(b"\xef\xbb\xbf")


def test_overlong_text_is_cut_to_the_cell_limit():
    sheet = load_workbook(io.BytesIO(write_xlsx(Table(("t",), [("云" * 40_000,)])))).active
    assert len(sheet["A2"].value) == kg.tabular.MAX_CELL_CHARS


# -- /facts ----------------------------------------------------------------------------------------


def test_facts_xlsx_values_match_the_graph(client, graph_observations):
    response = client.get("/facts", params={"format": "xlsx"})
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert 'filename="facts.xlsx"' in response.headers["content-disposition"]
    rows = _sheet(response.content)
    assert tuple(rows[0]) == FACT_COLUMNS
    records = _records(rows)
    assert {r["fact IRI"] for r in records} == set(graph_observations)
    for record in records:
        expected = graph_observations[record["fact IRI"]]
        assert Decimal(str(record["value"])) == expected["value"]
        assert record["unit"] == expected["unit"] and record["year"] == expected["year"]
        assert record["passage IRI"] == expected["passage"]
        assert record["report title"] == expected["title"]
        assert record["sentence"] in expected["ptext"]
        assert record["figure as written"] in record["sentence"]


def test_facts_xlsx_holds_the_edge_market_size(client):
    rows = _records(_sheet(client.get("/facts", params={"format": "xlsx", "metric": "市场规模"}).content))
    edge = [r for r in rows if r["report title"] == EDGE_TITLE and r["year"] == 2023 and r["value"] == 86.3]
    assert len(edge) == 1
    assert edge[0]["unit"] == "亿元" and "2023年中国边缘计算市场规模达到86.3亿元" in edge[0]["sentence"]


def test_facts_csv_by_accept_has_the_same_rows_as_xlsx(client):
    xlsx = _records(_sheet(client.get("/facts", params={"format": "xlsx"}).content))
    response = client.get("/facts", headers={"Accept": "text/csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    records = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["fact IRI"] for r in records] == [r["fact IRI"] for r in xlsx]
    assert [r["sentence"] for r in records] == [r["sentence"] for r in xlsx]


def test_facts_xlsx_by_accept(client):
    response = client.get("/facts", headers={"Accept": XLSX_MEDIA_TYPE})
    assert response.headers["content-type"] == XLSX_MEDIA_TYPE
    assert _sheet(response.content)[0][0] == "metric"


def test_facts_stay_json_for_browsers_and_unknown_accept(client):
    for accept in ("text/html,application/xhtml+xml,*/*;q=0.8", "image/png", None):
        headers = {"Accept": accept} if accept else {}
        response = client.get("/facts", headers=headers)
        assert response.headers["content-type"].startswith("application/json")
        assert "groups" in response.json()


def test_facts_unknown_format_is_a_problem(client):
    response = client.get("/facts", params={"format": "pdf"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


# -- /search ---------------------------------------------------------------------------------------


def test_search_xlsx_rows_are_the_json_hits_with_titles(client):
    params = {"q": "边缘计算市场规模", "k": 5}
    hits = client.get("/search", params=params).json()["hits"]
    response = client.get("/search", params={**params, "format": "xlsx"})
    assert response.status_code == 200 and response.headers["content-type"] == XLSX_MEDIA_TYPE
    rows = _sheet(response.content)
    assert tuple(rows[0]) == SEARCH_COLUMNS
    records = _records(rows)
    assert [r["passage IRI"] for r in records] == [h["passage"] for h in hits]
    assert [r["text"] for r in records] == [h["text"] for h in hits]
    assert [(r["start"], r["end"]) for r in records] == [(h["start"], h["end"]) for h in hits]
    assert records[0]["rank"] == 1 and records[0]["report title"] == EDGE_TITLE


def test_search_csv_by_accept(client):
    response = client.get("/search", params={"q": "服务网格", "k": 3}, headers={"Accept": "text/csv"})
    records = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(records) == 3
    assert all(r["passage IRI"].startswith("https://w3id.org/cnkg/id/report/") for r in records)


# -- SPARQL SELECT ---------------------------------------------------------------------------------

_VALUES = "SELECT ?f ?v WHERE { ?f a cnkg:Observation ; cnkg:value ?v } ORDER BY ?f"


def test_sparql_select_as_xlsx_has_typed_values(client, graph_observations):
    query = _VALUES + " LIMIT 3"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": XLSX_MEDIA_TYPE})
    assert response.status_code == 200 and response.headers["content-type"] == XLSX_MEDIA_TYPE
    rows = _sheet(response.content)
    assert rows[0] == ["f", "v"] and len(rows) == 4
    for fact, value in rows[1:]:
        assert isinstance(value, float | int) and Decimal(str(value)) == graph_observations[fact]["value"]


def test_sparql_xlsx_keeps_the_row_cap(client):
    response = client.post("/sparql", data={"query": _VALUES, "format": "xlsx"})
    assert response.status_code == 200
    assert response.headers["x-cnkg-truncated"] == "true"
    assert len(_sheet(response.content)) == ROW_CAP + 1


def test_sparql_xlsx_neutralises_formulas(client):
    response = client.get("/sparql", params={"query": 'SELECT ("=1+2" AS ?x) {}', "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "=1+2" and sheet["A2"].data_type == "s"


def test_sparql_ask_as_xlsx_is_not_acceptable(client):
    response = client.get("/sparql", params={"query": "ASK {}", "format": "xlsx"})
    assert response.status_code == 406


def test_sparql_refuses_updates_whatever_the_format(client):
    response = client.get("/sparql", params={"query": "CLEAR ALL", "format": "xlsx"})
    assert response.status_code == 400


# -- cnkg export --facts ---------------------------------------------------------------------------


def _cnkg(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "api.cli", *args]
    return subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)


def test_cli_export_facts_writes_the_same_rows_as_the_api(client, datadir, tmp_path):
    out = tmp_path / "facts.xlsx"
    result = _cnkg("export", "--data", str(datadir.root), "--facts", str(out))
    assert result.returncode == 0, result.stderr
    cli_rows = _sheet(out.read_bytes())
    api_rows = _sheet(client.get("/facts", params={"format": "xlsx", "limit": 500}).content)
    assert cli_rows == api_rows and len(cli_rows) > 10
    assert f"exported {len(cli_rows) - 1} observations" in result.stderr


def test_cli_export_facts_filters_and_writes_csv(datadir, tmp_path):
    out = tmp_path / "edge.csv"
    result = _cnkg("export", "--data", str(datadir.root), "--facts", str(out), "--entity", "服务网格")
    assert result.returncode == 0, result.stderr
    records = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert records and all("服务网格" in (r["subject"] + r["entity"]) for r in records)


def test_cli_export_facts_bad_suffix_is_one_line(datadir, tmp_path):
    result = _cnkg("export", "--data", str(datadir.root), "--facts", str(tmp_path / "facts.pdf"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "cnkg: error: --facts writes .csv or .xlsx files, not 'facts.pdf'"
    ]
    assert not (tmp_path / "facts.pdf").exists()


def test_facts_tell_forecasts_from_actuals(client):
    observations = [
        o for g in client.get("/facts", params={"limit": 500}).json()["groups"] for o in g["observations"]
    ]
    edge = {(o["year"], o["value"]): o for o in observations if o["report"]["title"] == EDGE_TITLE}
    assert edge[(2023, "86.3")]["forecast"] is False  # measured, in a report of June 2024
    assert edge[(2027, "300")]["forecast"] is True  # "预计到2027年将超过300亿元"
    rows = _records(_sheet(client.get("/facts", params={"format": "xlsx", "limit": 500}).content))
    kinds = {r["fact IRI"]: r["forecast"] for r in rows}
    assert kinds[edge[(2027, "300")]["iri"]] == "forecast" and kinds[edge[(2023, "86.3")]["iri"]] == "actual"
