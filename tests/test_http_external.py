"""External-store mode: cnkg in front of a real ``oxigraph serve`` (started here on 127.0.0.1)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest
from support.server import AUTH, RID, LiveServer, free_port, make_datadir, serve, server_settings

from kg.namespaces import LEXICON_GRAPH, report_iri
from kg.sparql.external import STATE_GRAPH

pytest_plugins = ["support.fixtures"]

GRAPH = report_iri(RID)


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    location = tmp_path_factory.mktemp("oxigraph-store")
    port = free_port()
    process = subprocess.Popen(
        [
            "oxigraph",
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def external(oxigraph: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("cnkg-external")
    make_datadir(root)
    with serve(server_settings(root, store_url=oxigraph)) as server:
        yield server


def _ask_store(oxigraph: str, query: str) -> bool:
    response = httpx.post(
        oxigraph + "/query", data={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    return bool(response.json()["boolean"])


def test_graphs_are_mirrored_into_the_store(external, oxigraph):
    assert _ask_store(
        oxigraph, f"ASK {{ GRAPH <{GRAPH}> {{ <{GRAPH}> a <https://w3id.org/cnkg/ontology#Report> }} }}"
    )
    assert _ask_store(oxigraph, f"ASK {{ GRAPH <{LEXICON_GRAPH}> {{ ?e ?p ?o }} }}")
    assert _ask_store(oxigraph, f"ASK {{ GRAPH <{STATE_GRAPH}> {{ <{GRAPH}> ?p ?o }} }}")


def test_queries_are_answered_by_the_store(external):
    with external.client() as client:
        select = client.get("/sparql", params={"query": f"SELECT ?t WHERE {{ <{GRAPH}> dcterms:title ?t }}"})
        ask = client.get(
            "/sparql",
            params={"query": "ASK { ?p cnkg:mentions ent:kubernetes }"},
            headers={"Accept": "application/sparql-results+xml"},
        )
        construct = client.get(
            "/sparql",
            params={"query": f"CONSTRUCT WHERE {{ ?p dcterms:isPartOf <{GRAPH}> }}"},
            headers={"Accept": "application/n-triples"},
        )
    assert select.json()["results"]["bindings"][0]["t"]["value"] == "容器云测试报告"
    assert "<boolean>true</boolean>" in ask.text
    assert len(construct.text.strip().splitlines()) == 3


def test_row_cap_and_truncation(external):
    with external.client() as client:
        response = client.get("/sparql", params={"query": "SELECT ?e ?l WHERE { ?e skos:prefLabel ?l }"})
    assert response.headers["x-cnkg-truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == external.settings.row_cap


def test_service_refused_before_reaching_the_store(external):
    with external.client() as client:
        response = client.get(
            "/sparql", params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}
        )
    assert response.status_code == 403


def test_syntax_error_from_the_store_is_400(external):
    with external.client() as client:
        assert client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}).status_code == 400


def test_resources_work_on_the_store(external):
    with external.client() as client:
        assert client.get("/entities/kubernetes").json()["type"] == "Technology"
        assert client.get("/id/entity/kubernetes", headers={"Accept": "text/turtle"}).status_code == 200


def test_update_goes_to_the_data_directory_then_the_store(external, oxigraph):
    triple = "<https://w3id.org/cnkg/id/entity/ack> <https://w3id.org/cnkg/ontology#supports> <https://w3id.org/cnkg/id/entity/arm>"
    with external.client() as client:
        response = client.post(
            "/sparql", data={"update": f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triple} }} }}"}, headers=AUTH
        )
    assert response.status_code == 200 and response.json()["changedReports"] == [RID]
    assert _ask_store(oxigraph, f"ASK {{ GRAPH <{GRAPH}> {{ {triple} }} }}")
    assert _ask_store(oxigraph, f"ASK {{ GRAPH <{GRAPH}> {{ <{GRAPH}> a ?type }} }}")  # replaced, not emptied


def test_restart_sends_nothing_new_and_delete_drops_the_graph(external, oxigraph):
    with (
        serve(server_settings(external.settings.data, store_url=oxigraph)) as again,
        again.client() as client,
    ):
        assert client.get("/health").json()["engine"]["engine"] == "external"
        assert client.delete(f"/reports/{RID}", headers=AUTH).status_code == 200
    assert not _ask_store(oxigraph, f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    assert not _ask_store(oxigraph, f"ASK {{ GRAPH <{STATE_GRAPH}> {{ <{GRAPH}> ?p ?o }} }}")


def test_unreachable_store_is_502(tmp_path):
    make_datadir(tmp_path)
    settings = server_settings(tmp_path, store_url=f"http://127.0.0.1:{free_port()}")
    with serve(settings) as server, server.client() as client:
        response = client.get("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 502 and "external store" in response.json()["detail"]
