"""The SPARQL endpoint with real clients against a live server: SPARQLWrapper, rdflib's SPARQLStore,
content negotiation, status codes, row cap, SERVICE refusal, the hard timeout."""

from __future__ import annotations

import json
import threading
import time

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper
from support.server import EXPENSIVE_QUERY, RID

pytest_plugins = ["support.fixtures"]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LABELS = "SELECT ?e ?label WHERE { ?e skos:prefLabel ?label } ORDER BY ?e ?label"
REPORT = f"<https://w3id.org/cnkg/id/report/{RID}>"


def _wrapper(live, query: str, fmt: str) -> SPARQLWrapper:
    sparql = SPARQLWrapper(live.sparql)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    return sparql


def test_sparqlwrapper_json(live):
    result = _wrapper(
        live, f"SELECT ?title WHERE {{ {REPORT} dcterms:title ?title }}", JSON
    ).queryAndConvert()
    assert result["results"]["bindings"][0]["title"]["value"] == "容器云测试报告"


def test_sparqlwrapper_xml(live):
    document = _wrapper(live, f"ASK {{ {REPORT} a cnkg:Report }}", XML).queryAndConvert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"


def test_sparqlwrapper_csv(live):
    body = _wrapper(
        live, f"SELECT ?p WHERE {{ ?p dcterms:isPartOf {REPORT} }} ORDER BY ?p", CSV
    ).queryAndConvert()
    lines = body.decode().strip().splitlines()
    assert lines[0] == "p" and len(lines) == 4


def test_sparqlwrapper_construct_turtle(live):
    query = f"CONSTRUCT {{ ?p a cnkg:Passage }} WHERE {{ ?p dcterms:isPartOf {REPORT} }}"
    body = _wrapper(live, query, TURTLE).queryAndConvert()
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert len(graph) == 3


def test_sparqlwrapper_post(live):
    sparql = _wrapper(live, f"SELECT ?t WHERE {{ {REPORT} dcterms:title ?t }}", JSON)
    sparql.setMethod("POST")
    assert sparql.queryAndConvert()["results"]["bindings"]


def test_rdflib_sparqlstore(live):
    graph = rdflib.Graph(store=SPARQLStore(live.sparql, returnFormat="json"))
    rows = list(
        graph.query(
            f"SELECT ?t WHERE {{ <https://w3id.org/cnkg/id/report/{RID}> "
            "<http://purl.org/dc/terms/title> ?t }"
        )
    )
    assert str(rows[0][0]) == "容器云测试报告"
    assert (rdflib.URIRef(f"https://w3id.org/cnkg/id/report/{RID}"), rdflib.RDF.type, None) in graph


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json;q=0.5, text/csv;q=0.9", "text/csv"),
    ],
)
def test_select_negotiation(live, accept, media):
    headers = {"Accept": accept} if accept else {}
    with live.client() as client:
        response = client.get("/sparql", params={"query": "SELECT (1 AS ?x) {}"}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media)


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/trig", "application/trig", "trig"),
        ("application/n-quads", "application/n-quads", "nquads"),
    ],
)
def test_construct_negotiation(live, accept, media, rdflib_format):
    query = f"CONSTRUCT {{ ?p a cnkg:Passage }} WHERE {{ ?p dcterms:isPartOf {REPORT} }}"
    with live.client() as client:
        response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    dataset = rdflib.Dataset().parse(data=response.content, format=rdflib_format)
    assert len(list(dataset.quads())) == 3


def test_format_parameter_overrides_accept(live):
    with live.client() as client:
        response = client.get(
            "/sparql",
            params={"query": "SELECT (1 AS ?x) {}", "format": "tsv"},
            headers={"Accept": "application/json"},
        )
    assert response.headers["content-type"].startswith("text/tab-separated-values")


def test_406_when_nothing_acceptable(live):
    with live.client() as client:
        response = client.get(
            "/sparql", params={"query": "SELECT (1 AS ?x) {}"}, headers={"Accept": "image/png"}
        )
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"


def test_415_wrong_content_type(live):
    with live.client() as client:
        response = client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_400_carries_the_parser_message(live):
    with live.client() as client:
        response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "syntax error" in response.json()["detail"] and "1:" in response.json()["detail"]


def test_413_oversized_query(live):
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * live.settings.max_query_chars
    with live.client() as client:
        response = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413


def test_413_oversized_body_stops_reading(live):
    body = b"query=" + b"x" * (live.settings.max_query_chars * 10)
    with live.client() as client:
        response = client.post(
            "/sparql", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
    assert response.status_code == 413


def test_row_cap_truncates_with_header_and_json_field(live):
    with live.client() as client:
        response = client.get("/sparql", params={"query": LABELS})
    body = response.json()
    assert response.headers["x-cnkg-truncated"] == "true"
    assert body["truncated"] is True and body["rowCap"] == live.settings.row_cap
    assert len(body["results"]["bindings"]) == live.settings.row_cap


@pytest.mark.parametrize(
    "accept", ["text/csv", "application/sparql-results+xml", "text/tab-separated-values"]
)
def test_row_cap_in_other_formats(live, accept):
    with live.client() as client:
        response = client.get("/sparql", params={"query": LABELS}, headers={"Accept": accept})
    assert response.headers["x-cnkg-truncated"] == "true"
    assert response.headers["x-cnkg-rows"] == str(live.settings.row_cap)


def test_row_cap_applies_to_construct(live):
    with live.client() as client:
        response = client.get(
            "/sparql",
            params={"query": "CONSTRUCT WHERE { ?s skos:prefLabel ?l }"},
            headers={"Accept": "application/n-triples"},
        )
    assert response.headers["x-cnkg-truncated"] == "true"
    assert len(response.text.strip().splitlines()) == live.settings.row_cap


def test_small_result_is_not_truncated(live):
    with live.client() as client:
        response = client.get("/sparql", params={"query": "SELECT (1 AS ?x) {}"})
    assert response.headers["x-cnkg-truncated"] == "false" and "truncated" not in response.json()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVIC\\u0045 <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused(live, query):
    with live.client() as client:
        response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403
    assert "SERVICE" in response.json()["detail"]


def test_service_word_in_strings_and_variables_is_fine(live):
    query = "SELECT ?service WHERE { BIND('SERVICE <http://x/>' AS ?service) } # SERVICE"
    with live.client() as client:
        assert client.get("/sparql", params={"query": query}).status_code == 200


def test_from_an_unknown_url_is_not_fetched(live):
    query = "ASK FROM <http://127.0.0.1:9/data.ttl> { ?s ?p ?o }"
    with live.client() as client:
        response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200 and response.json()["boolean"] is False


def test_protocol_dataset_reports_unknown_graphs(live):
    with live.client() as client:
        response = client.get(
            "/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": "http://nowhere/g"}
        )
    assert response.json()["boolean"] is False
    assert response.headers["x-cnkg-unknown-graphs"] == "<http://nowhere/g>"


def test_protocol_dataset_selects_the_report_graph(live):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?p a cnkg:Passage }"
    with live.client() as client:
        response = client.get("/sparql", params={"query": query, "default-graph-uri": REPORT[1:-1]})
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "3"


def test_default_graph_is_the_union(live):
    query = "ASK { ?e skos:altLabel ?alias . ?p cnkg:mentions ?e }"
    with live.client() as client:
        assert client.get("/sparql", params={"query": query}).json()["boolean"] is True


def test_update_sent_as_query_is_400(live):
    with live.client() as client:
        response = client.get("/sparql", params={"query": "CLEAR ALL"})
    assert response.status_code == 400


def test_timeout_stops_the_query_and_others_are_served(live):
    """A deliberately expensive query is stopped at the timeout; a cheap one answers meanwhile."""
    outcome: dict[str, object] = {}

    def expensive() -> None:
        started = time.monotonic()
        with live.client() as client:
            outcome["response"] = client.get("/sparql", params={"query": EXPENSIVE_QUERY})
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=expensive)
    thread.start()
    time.sleep(0.5)
    with live.client() as client:
        started = time.monotonic()
        cheap = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        cheap_seconds = time.monotonic() - started
    thread.join()
    assert cheap.status_code == 200 and cheap_seconds < 1.0
    response = outcome["response"]
    assert response.status_code == 503  # type: ignore[attr-defined]
    assert "stopped" in response.json()["detail"]  # type: ignore[attr-defined]
    assert live.settings.query_timeout <= outcome["seconds"] < live.settings.query_timeout + 2  # type: ignore[operator]
    with live.client() as client:
        health = client.get("/health").json()
    assert health["engine"]["stopped_by_timeout"] >= 1
    with live.client() as client:  # the pool recovered: a query right after still answers
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_service_description_on_bare_get(live):
    with live.client() as client:
        response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    cnkg = rdflib.Namespace("https://w3id.org/cnkg/ontology#")
    service = next(graph.subjects(rdflib.RDF.type, sd.Service))
    assert str(graph.value(service, sd.endpoint)) == live.sparql
    assert int(graph.value(service, cnkg.rowCap)) == live.settings.row_cap
    assert float(graph.value(service, cnkg.queryTimeoutSeconds)) == live.settings.query_timeout
    assert (service, sd.supportedLanguage, sd.SPARQL11Update) in graph
    names = {str(n) for n in graph.objects(None, sd.name)}
    assert REPORT[1:-1] in names


def test_service_description_as_json_ld(live):
    with live.client() as client:
        response = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert response.status_code == 200 and json.loads(response.text)


def test_query_limit_within_the_cap_is_served_directly(live):
    with live.client() as client:
        response = client.get("/sparql", params={"query": LABELS + " LIMIT 10"})
    assert response.headers["x-cnkg-truncated"] == "false"
    assert len(response.json()["results"]["bindings"]) == 10


def test_query_limit_above_the_cap_is_still_capped(live):
    with live.client() as client:
        response = client.get("/sparql", params={"query": LABELS + " LIMIT 100000"})
    assert response.headers["x-cnkg-truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == live.settings.row_cap


def test_subquery_limit_does_not_lift_the_cap(live):
    query = "SELECT ?e ?label WHERE { { SELECT ?e WHERE { ?e a ?t } LIMIT 5 } ?e2 skos:prefLabel ?label }"
    with live.client() as client:
        response = client.get("/sparql", params={"query": query})
    assert response.headers["x-cnkg-truncated"] == "true"
