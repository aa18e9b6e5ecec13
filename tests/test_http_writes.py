"""Writes over HTTP: tokens, SPARQL Update and the Graph Store persisted through the data directory,
report upload and deletion."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import rdflib
from support.server import (
    AUTH,
    RID,
    LiveServer,
    make_datadir,
    report_bundle,
    serve,
    serve_sample,
    server_settings,
)

from kg.datadir import DataDir
from kg.namespaces import LEXICON_GRAPH, report_iri
from kg.store import GraphStore

pytest_plugins = ["support.fixtures"]

RID2 = "feedfacecafe0002"
GRAPH = report_iri(RID)
GRAPH2 = report_iri(RID2)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("cnkg-writes")
    make_datadir(root, report_bundle(RID), report_bundle(RID2, "第二份报告"))
    with serve(server_settings(root)) as live:
        yield live


@pytest.fixture(scope="module")
def read_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_sample(tmp_path_factory.mktemp("cnkg-read-only"), write_token=None) as live:
        yield live


def _update(server: LiveServer, update: str, params: dict[str, str] | None = None) -> httpx.Response:
    """POST ``update`` as application/sparql-update with the write token (``params``: the protocol's)."""
    with server.client() as client:
        return client.post(
            "/sparql",
            params=params,
            content=update,
            headers={**AUTH, "Content-Type": "application/sparql-update"},
        )


def _ask(server: LiveServer, query: str) -> bool:
    with server.client() as client:
        response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def _generation(server: LiveServer) -> int:
    return DataDir(server.settings.data).read_manifest().generation


# -- tokens ------------------------------------------------------------------------------------
def test_update_without_token_is_401_with_www_authenticate(server):
    with server.client() as client:
        response = client.post("/sparql", data={"update": "CLEAR ALL"})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_update_with_wrong_token_is_403(server):
    with server.client() as client:
        response = client.post(
            "/sparql", data={"update": "CLEAR ALL"}, headers={"Authorization": "Bearer wrong"}
        )
    assert response.status_code == 403 and response.json()["title"] == "Forbidden"


def test_writes_are_off_without_a_configured_token(read_only):
    with read_only.client() as client:
        update = client.post("/sparql", data={"update": "CLEAR ALL"}, headers=AUTH)
        upload = client.post("/reports", files={"file": ("a.txt", "文本".encode())}, headers=AUTH)
        put = client.put(
            "/store", params={"graph": GRAPH}, content="", headers={**AUTH, "Content-Type": "text/turtle"}
        )
    assert {update.status_code, upload.status_code, put.status_code} == {403}
    assert "read-only" in update.json()["detail"]


def test_update_via_get_is_rejected(server):
    with server.client() as client:
        assert client.get("/sparql", params={"update": "CLEAR ALL"}, headers=AUTH).status_code == 400


# -- SPARQL Update ---------------------------------------------------------------------------------
def test_update_of_a_report_graph_is_persisted(server):
    triple = "<https://w3id.org/cnkg/id/entity/ack> cnkg:competesWith <https://w3id.org/cnkg/id/entity/eks>"
    before = _generation(server)
    response = _update(server, f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triple} }} }}")
    assert response.status_code == 200, response.text
    assert response.json()["changedReports"] == [RID]
    assert _generation(server) == before + 1
    assert _ask(server, f"ASK {{ GRAPH <{GRAPH}> {{ {triple} }} }}")
    fresh = GraphStore.open(DataDir(server.settings.data))  # what any other reader of the directory sees
    assert fresh.ask(f"ASK {{ GRAPH <{GRAPH}> {{ {triple} }} }}")


def test_update_with_using_graph_uri(server):
    update = (
        "DELETE { GRAPH ?g { ?s cnkg:basedOn ?o } } INSERT { GRAPH ?g { ?s cnkg:supports ?o } } "
        "WHERE { GRAPH ?g { ?s cnkg:basedOn ?o } }"
    )
    response = _update(server, update, {"using-named-graph-uri": GRAPH2})
    assert response.status_code == 200 and response.json()["changedReports"] == [RID2]
    assert _ask(server, f"ASK {{ GRAPH <{GRAPH2}> {{ ?s cnkg:supports ?o }} }}")
    assert _ask(server, f"ASK {{ GRAPH <{GRAPH}> {{ ?s cnkg:basedOn ?o }} }}")


def test_using_parameter_conflicts_with_with_clause(server):
    update = f"WITH <{GRAPH}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s cnkg:nothing ?o }}"
    response = _update(server, update, {"using-graph-uri": GRAPH})
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("update", "needle"),
    [
        (f"INSERT DATA {{ GRAPH <{LEXICON_GRAPH}> {{ <urn:a> <urn:b> <urn:c> }} }}", "lexicon"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "default graph"),
        (
            "INSERT DATA { GRAPH <http://example.org/new> { <urn:a> <urn:b> <urn:c> } }",
            "not the graph of a report",
        ),
        ("CLEAR ALL", "default graph"),
        ("LOAD <http://127.0.0.1:9/data.ttl>", "LOAD"),
        (
            f"INSERT {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }} "
            "WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
            "SERVICE",
        ),
    ],
)
def test_refused_updates_change_nothing(server, update, needle):
    before = _generation(server)
    with server.client() as client:
        response = client.post("/sparql", data={"update": update}, headers=AUTH)
    assert response.status_code == 403, response.text
    assert needle in response.json()["detail"]
    assert _generation(server) == before


def test_update_syntax_error_is_400(server):
    with server.client() as client:
        response = client.post("/sparql", data={"update": "CLEAR XYZ"}, headers=AUTH)
    assert response.status_code == 400


# -- Graph Store -----------------------------------------------------------------------------------
def test_graph_store_get(server):
    with server.client() as client:
        response = client.get("/store", params={"graph": GRAPH}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (
        rdflib.URIRef(GRAPH),
        rdflib.RDF.type,
        rdflib.URIRef("https://w3id.org/cnkg/ontology#Report"),
    ) in graph


def test_graph_store_get_unknown_graph_is_404(server):
    with server.client() as client:
        assert client.get("/store", params={"graph": "http://example.org/none"}).status_code == 404


def test_graph_store_needs_exactly_one_target(server):
    with server.client() as client:
        assert client.get("/store").status_code == 400


def test_graph_store_post_adds_triples(server):
    turtle = (
        "<https://w3id.org/cnkg/id/entity/ack> <https://w3id.org/cnkg/ontology#supports> "
        "<https://w3id.org/cnkg/id/entity/arm> ."
    )
    with server.client() as client:
        response = client.post(
            "/store", params={"graph": GRAPH}, content=turtle, headers={**AUTH, "Content-Type": "text/turtle"}
        )
    assert response.status_code == 204
    assert _ask(
        server, f"ASK {{ GRAPH <{GRAPH}> {{ ent:ack cnkg:supports ent:arm . <{GRAPH}> a cnkg:Report }} }}"
    )


def test_graph_store_put_replaces_the_graph(server):
    turtle = (
        f'<{GRAPH2}> a <https://w3id.org/cnkg/ontology#Report> ; <http://purl.org/dc/terms/title> "改"@zh .'
    )
    with server.client() as client:
        response = client.put(
            "/store",
            params={"graph": GRAPH2},
            content=turtle,
            headers={**AUTH, "Content-Type": "text/turtle"},
        )
        assert response.status_code == 204
        dump = client.get("/store", params={"graph": GRAPH2}, headers={"Accept": "application/n-triples"})
    assert len(dump.text.strip().splitlines()) == 2 and "改" in dump.text


@pytest.mark.parametrize(
    ("params", "content_type", "body", "status"),
    [
        ({"graph": LEXICON_GRAPH}, "text/turtle", "<urn:a> <urn:b> <urn:c> .", 403),
        ({"default": ""}, "text/turtle", "<urn:a> <urn:b> <urn:c> .", 403),
        ({"graph": report_iri("0000000000000000")}, "text/turtle", "<urn:a> <urn:b> <urn:c> .", 404),
        ({"graph": GRAPH}, "text/turtle", "<urn:a> <urn:b> .", 400),
        ({"graph": GRAPH}, "application/n-quads", "<urn:a> <urn:b> <urn:c> <urn:g> .", 415),
    ],
)
def test_graph_store_refusals(server, params, content_type, body, status):
    before = _generation(server)
    with server.client() as client:
        response = client.put(
            "/store", params=params, content=body, headers={**AUTH, "Content-Type": content_type}
        )
    assert response.status_code == status, response.text
    assert _generation(server) == before


def test_graph_store_put_needs_token(server):
    with server.client() as client:
        response = client.put(
            "/store", params={"graph": GRAPH}, content="", headers={"Content-Type": "text/turtle"}
        )
    assert response.status_code == 401


# -- reports -------------------------------------------------------------------------------------
REPORT_TEXT = (
    "# 边缘容器市场观察\n\n"
    "阿里云推出了容器服务ACK，ACK基于Kubernetes。\n"
    "2020年中国容器云市场规模达到15.2亿元。\n"
)


def test_a_report_reference_matching_several_reports_is_400_wherever_a_report_is_named(server):
    """RID and RID2 share the prefix feedfacecafe000: too short to name one report. Every route that
    takes a report reference answers alike (400, with how many match), and nothing is deleted."""
    prefix = RID[:-1]
    with server.client() as client:
        responses = [
            client.get(f"/reports/{prefix}"),
            client.get(f"/reports/{prefix}/related"),
            client.get("/search", params={"q": "容器云", "report": prefix}),
            client.delete(f"/reports/{prefix}", headers=AUTH),
        ]
        for response in responses:
            assert response.status_code == 400, response.text
            assert response.json()["detail"] == f"{prefix!r} matches 2 reports; give the report id"
        assert client.get(f"/reports/{RID}").status_code == 200
        assert client.get(f"/reports/{prefix}-none").status_code == 404


def test_upload_and_delete_a_report(server):
    with server.client() as client:
        created = client.post("/reports", files={"file": ("edge.md", REPORT_TEXT.encode())}, headers=AUTH)
        assert created.status_code == 201, created.text
        rid = created.json()["rid"]
        assert created.headers["location"] == f"/reports/{rid}"
        again = client.post("/reports", files={"file": ("edge.md", REPORT_TEXT.encode())}, headers=AUTH)
        assert again.status_code == 200 and again.json()["status"] == "unchanged"
        assert client.get(f"/reports/{rid}").json()["title"]
        assert _ask(server, f"ASK {{ GRAPH <{report_iri(rid)}> {{ ?p a cnkg:Passage }} }}")
        deleted = client.delete(f"/reports/{rid}", headers=AUTH)
        assert deleted.status_code == 200 and deleted.json()["deleted"]["rid"] == rid
        assert client.get(f"/reports/{rid}").status_code == 404
        assert client.delete(f"/reports/{rid}", headers=AUTH).status_code == 404
    assert not _ask(server, f"ASK {{ GRAPH <{report_iri(rid)}> {{ ?s ?p ?o }} }}")


def test_upload_path_traversal_name_is_reduced_to_a_file_name(server):
    with server.client() as client:
        response = client.post(
            "/reports", files={"file": ("../../etc/edge2.md", REPORT_TEXT.encode() + b"x")}, headers=AUTH
        )
    assert response.status_code == 201, response.text
    assert response.json()["source"] == "edge2.md"


def test_upload_unsupported_format_is_415(server):
    with server.client() as client:
        response = client.post("/reports", files={"file": ("photo.png", b"\x89PNG\r\n")}, headers=AUTH)
    assert response.status_code == 415


def test_upload_too_large_is_413(tmp_path):
    make_datadir(tmp_path)
    with serve(server_settings(tmp_path, max_upload_bytes=1000)) as small, small.client() as client:
        response = client.post("/reports", files={"file": ("big.txt", "容".encode() * 2000)}, headers=AUTH)
    assert response.status_code == 413


def test_upload_needs_token(server):
    with server.client() as client:
        assert client.post("/reports", files={"file": ("a.md", REPORT_TEXT.encode())}).status_code == 401


def test_graph_store_delete_deletes_the_report(server):
    with server.client() as client:
        assert client.delete("/store", params={"graph": GRAPH2}, headers=AUTH).status_code == 204
        assert client.get(f"/reports/{RID2}").status_code == 404
        assert client.get("/store", params={"graph": GRAPH2}).status_code == 404
