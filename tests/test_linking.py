"""Linking across reports, on two sample reports ingested into a temporary data directory: one IRI per
entity, entity pages, related reports, comparable facts, and deleting one report removing exactly its
contribution."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from support.server import LiveServer, serve, server_settings

from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.entities import list_entities
from kg.namespaces import CNKG, ENTITY_BASE, RDF, entity_iri, normalize_name, preferred_type, report_iri
from kg.qa.source import store_select
from kg.search.shards import EntityInfo
from kg.search.table import merged_entity
from kg.search.updater import make_index_updater
from kg.store import GraphStore

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
FINOPS, SERVERLESS = SAMPLES / "finops_2025.md", SAMPLES / "serverless_2024.md"
SHARED_DISCOVERED = "数帆智算集团"  # a company outside the lexicon that both reports name


def _ingest(root: Path) -> dict[str, str]:
    from ingest.pipeline import ingest_path

    datadir = DataDir(root)
    rids = {}
    for path in (FINOPS, SERVERLESS):
        rids[path.stem] = ingest_path(path, datadir, index_updater=make_index_updater()).rid
    return rids


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("linking")
    return root, _ingest(root)


@pytest.fixture(scope="module")
def store(two_reports: tuple[Path, dict[str, str]]) -> GraphStore:
    return GraphStore.open(DataDir(two_reports[0]))


@pytest.fixture(scope="module")
def server(two_reports: tuple[Path, dict[str, str]]) -> Iterator[LiveServer]:
    with serve(server_settings(two_reports[0], row_cap=100_000)) as live:
        yield live


def _get(server: LiveServer, path: str, **params: Any) -> Any:
    with server.client() as client:
        response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


# -- one IRI per entity ------------------------------------------------------------------------
def test_shared_discovered_entity_is_one_iri_in_both_report_graphs(store, two_reports):
    rows = store.select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?p cnkg:mentions <{entity_iri(SHARED_DISCOVERED)}> }} }}"
    )
    assert {r["g"].value for r in rows} == {report_iri(rid) for rid in two_reports[1].values()}


def test_no_two_iris_share_a_normalised_name_and_type(store):
    rows = store.select(
        "SELECT DISTINCT ?e ?l ?t WHERE { ?p cnkg:mentions ?e . ?e skos:prefLabel ?l ; a ?t }"
    )
    by_name: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        by_name.setdefault((normalize_name(row["l"].value), row["t"].value), set()).add(row["e"].value)
    assert by_name and all(len(iris) == 1 for iris in by_name.values())


def test_legal_form_is_folded_into_the_trade_name(store):
    # serverless_2024.md writes 云霁科技有限公司 once and 云霁科技 afterwards: one company
    assert store.ask(f"ASK {{ <{entity_iri('云霁科技')}> skos:altLabel '云霁科技有限公司'@zh }}")
    assert not store.ask(f"ASK {{ ?p cnkg:mentions <{entity_iri('云霁科技有限公司')}> }}")


def test_conflicting_types_resolve_by_precedence_whatever_the_order(store):
    assert preferred_type(["Technology", "Product"]) == preferred_type(["Product", "Technology"]) == "Product"
    a, b = EntityInfo("x", "X", "Technology"), EntityInfo("x", "X", "Product")
    assert merged_entity(a, b) == merged_entity(b, a) == EntityInfo("x", "X", "Product")
    # a third report typing the shared company Organization does not change its type (Vendor wins)
    extra = ox.NamedNode(report_iri("0" * 16))
    quad = ox.Quad(
        ox.NamedNode(entity_iri(SHARED_DISCOVERED)),
        ox.NamedNode(RDF + "type"),
        ox.NamedNode(CNKG + "Organization"),
        extra,
    )
    # in the report graph and in the default graph, which holds the union of the graphs (kg.union)
    added = [quad, ox.Quad(quad.subject, quad.predicate, quad.object)]
    store.oxigraph.extend(added)
    try:
        assert store.ask(f"ASK {{ <{entity_iri(SHARED_DISCOVERED)}> a cnkg:Organization }}")
        listed = asyncio.run(list_entities(store_select(store), discovered_only=True))
        rows = {r.slug: r for r in listed}
        assert rows[SHARED_DISCOVERED].type == "Vendor" and rows[SHARED_DISCOVERED].reports == 2
    finally:
        for each in added:
            store.oxigraph.remove(each)


# -- entity page -------------------------------------------------------------------------------
def test_entity_page_gathers_mentions_from_both_reports(server, two_reports):
    body = _get(server, f"/entities/{SHARED_DISCOVERED}")
    assert body["type"] == "Vendor" and body["discovered"] is True
    assert {m["rid"] for m in body["mentions"]} == set(two_reports[1].values())
    assert body["reports"] == 2


def test_entity_page_has_wikidata_link_relations_and_dated_facts(server, two_reports):
    body = _get(server, "/entities/kubernetes")
    assert body["wikidata"] is not None and body["wikidata"].startswith("http://www.wikidata.org/entity/Q")
    assert {m["rid"] for m in body["mentions"]} == set(two_reports[1].values())
    assert body["relations"] and all(e["report"] for r in body["relations"] for e in r["evidence"])
    serverless = _get(server, "/entities/serverless")
    years = [f["year"] for f in serverless["facts"] if f["year"] is not None]
    assert years and years == sorted(years)
    assert all(f["report"]["rid"] in two_reports[1].values() for f in serverless["facts"])


# -- related reports ---------------------------------------------------------------------------
def test_related_reports_list_the_other_report_with_shared_entities(server, two_reports):
    finops, serverless = two_reports[1]["finops_2025"], two_reports[1]["serverless_2024"]
    body = _get(server, f"/reports/{finops}/related", shared=100)
    assert [r["rid"] for r in body["related"]] == [serverless]
    top = body["related"][0]
    assert top["score"] > 0 and top["contentSimilarity"] is not None and top["entitySimilarity"] > 0
    slugs = [e["slug"] for e in top["shared"]]
    assert SHARED_DISCOVERED in slugs and "kubernetes" in slugs and len(slugs) == top["sharedCount"]
    assert all(set(e["passages"]) == {finops, serverless} for e in top["shared"])


def test_report_response_includes_related(server, two_reports):
    body = _get(server, f"/reports/{two_reports[1]['serverless_2024']}")
    assert body["related"][0]["rid"] == two_reports[1]["finops_2025"]


def test_related_of_unknown_report_is_404(server):
    with server.client() as client:
        response = client.get("/reports/ffffffffffff0000/related")
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


# -- comparable facts --------------------------------------------------------------------------
def _group(body: dict[str, Any], subject: str = "") -> dict[str, Any]:
    return next(g for g in body["groups"] if g["subject"] == subject)


def test_same_metric_from_both_reports_side_by_side(server, two_reports):
    body = _get(server, "/facts", metric="sample size")
    assert body["metric"] == "样本数"
    group = _group(body)
    assert group["reports"] == 2
    assert {o["report"]["rid"] for o in group["observations"]} == set(two_reports[1].values())
    assert {(o["value"], o["year"]) for o in group["observations"]} == {("408", 2024), ("286", 2024)}
    for o in group["observations"]:
        assert o["value"] in o["evidence"]["text"] and o["evidence"]["passage"].startswith(o["report"]["iri"])


def test_growth_figures_by_year_and_source(server, two_reports):
    group = _group(_get(server, "/facts", metric="同比增长"))
    assert [(o["year"], o["value"]) for o in group["observations"]] == [(2023, "47.3"), (2024, "38.9")]


def test_facts_filtered_by_entity_and_year(server):
    body = _get(server, "/facts", entity="Serverless", year=2023)
    observations = [o for g in body["groups"] for o in g["observations"]]
    assert observations and all(o["year"] == 2023 for o in observations)
    assert any(o["value"] == "58.6" and o["unit"] == "亿元" for o in observations)


def test_bad_fact_filters_are_400(server):
    with server.client() as client:
        assert client.get("/facts", params={"year": 12345}).status_code == 400
        assert client.get("/facts", params={"report": "x'}"}).status_code in (400, 422)


# -- deleting one report -----------------------------------------------------------------------
def _graph_quads(store: GraphStore, rid: str) -> set[str]:
    return {str(q) for q in store.oxigraph.quads_for_pattern(None, None, None, ox.NamedNode(report_iri(rid)))}


def test_deleting_a_report_removes_exactly_its_contribution(two_reports, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(two_reports[0], root)
    rids = two_reports[1]
    gone, kept = rids["finops_2025"], rids["serverless_2024"]
    before = GraphStore.open(DataDir(root))
    kept_quads, gone_quads, total = _graph_quads(before, kept), _graph_quads(before, gone), len(before)
    with serve(server_settings(root, row_cap=100_000)) as live:
        kept_facts = _get(live, "/facts", report=kept)
        assert [r["rid"] for r in _get(live, f"/reports/{kept}/related")["related"]] == [gone]
        Catalog(DataDir(root), index_updater=make_index_updater()).delete(gone)

        after = GraphStore.open(DataDir(root))
        assert _graph_quads(after, gone) == set() and len(after) == total - len(gone_quads)
        assert _graph_quads(after, kept) == kept_quads
        assert not after.ask(f"ASK {{ GRAPH <{report_iri(gone)}> {{ ?s ?p ?o }} }}")
        assert not after.ask(f"ASK {{ ?p cnkg:mentions ?e ; dcterms:isPartOf <{report_iri(gone)}> }}")
        assert _get(live, "/facts", report=gone)["groups"] == []
        assert _get(live, "/facts", report=kept) == kept_facts
        assert _get(live, f"/reports/{kept}/related")["related"] == []
        page = _get(live, f"/entities/{SHARED_DISCOVERED}")
        assert [m["rid"] for m in page["mentions"]] == [kept]
        assert all(
            f["report"]["rid"] == kept for g in _get(live, "/facts")["groups"] for f in g["observations"]
        )


def test_entity_iri_base(store):
    # every mention points into the entity namespace: no report-local identifiers leak out
    rows = store.select("SELECT DISTINCT ?e WHERE { ?p cnkg:mentions ?e }")
    assert rows and all(r["e"].value.startswith(ENTITY_BASE) for r in rows)
