"""SPARQL abuse against a live server with a short timeout: deep nesting, cartesian products, huge LIMITs,
regex bombs, SERVICE and FROM aimed at a listener on 127.0.0.1. Each is refused, capped, or stopped
within the timeout, nothing is fetched, and the server keeps answering."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from support.server import Listener, LiveServer, serve_sample

TIMEOUT = 2.0
SLACK = 4.0  # killing the worker and answering, on a loaded 2-core machine


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("cnkg-abuse")
    with serve_sample(root, query_timeout=TIMEOUT, row_cap=1000, query_workers=2) as live:
        yield live


@pytest.fixture
def listener() -> Iterator[Listener]:
    lis = Listener()
    yield lis
    lis.close()


def _query(server: LiveServer, query: str, **params: str):
    with server.client() as client:
        t0 = time.monotonic()
        response = client.post(
            "/sparql",
            params=params,
            content=query.encode("utf-8"),
            headers={"Accept": "application/sparql-results+json", "Content-Type": "application/sparql-query"},
        )
        return response, time.monotonic() - t0


def _still_answers(server: LiveServer) -> None:
    response, seconds = _query(server, "ASK { ?s ?p ?o }")
    assert response.status_code == 200 and response.json()["boolean"] is True and seconds < 5


@pytest.mark.parametrize("depth", [50, 2000, 30_000])
def test_deeply_nested_groups(server, depth):
    query = "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth + "LIMIT 1"
    response, seconds = _query(server, query)
    assert response.status_code in (200, 400, 413, 503), response.text
    assert seconds < TIMEOUT + SLACK
    _still_answers(server)


def test_deeply_nested_subqueries_and_optionals(server):
    inner = "?s ?p ?o"
    for i in range(300):
        if i % 2:
            inner = f"SELECT * WHERE {{ OPTIONAL {{ {inner} }} }}"
        else:
            inner = f"{{ {inner} }} UNION {{ ?x{i} ?y ?z }}"
    response, seconds = _query(server, f"SELECT * WHERE {{ {inner} }} LIMIT 1")
    assert response.status_code in (200, 400, 503), response.text
    assert seconds < TIMEOUT + SLACK
    _still_answers(server)


def test_a_cartesian_product_is_stopped_within_the_timeout(server):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    response, seconds = _query(server, query)
    assert response.status_code == 503 and response.json()["title"] == "Query timed out"
    assert TIMEOUT <= seconds < TIMEOUT + SLACK
    _still_answers(server)


def test_a_huge_limit_is_capped_and_says_so(server):
    response, seconds = _query(server, "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 99999999999999")
    assert response.status_code == 200 and seconds < TIMEOUT + SLACK
    assert response.headers["x-cnkg-truncated"] == "true"
    assert len(response.json()["results"]["bindings"]) == 1000


@pytest.mark.parametrize(
    "pattern", ["(a+)+$", "(a|aa)+$", "(.*a){25}", "^(([a-z])+.)+[A-Z]([a-z])+$", "(x+x+)+y"]
)
def test_regex_bombs_end_within_the_timeout(server, pattern):
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o . BIND(CONCAT(REPEAT_A, STR(?o)) AS ?t) "
        f'FILTER(REGEX(?t, "{pattern}")) }}'
    ).replace("REPEAT_A", '"' + "a" * 5000 + '"')
    response, seconds = _query(server, query)
    assert response.status_code in (200, 400, 503), response.text
    assert seconds < TIMEOUT + SLACK
    _still_answers(server)


def test_service_to_localhost_is_refused_and_never_called(server, listener):
    for query in (
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}",
    ):
        response, _ = _query(server, query)
        assert response.status_code == 403, response.text
    time.sleep(0.5)
    assert listener.connections == 0


def test_from_a_url_only_selects_a_graph_and_fetches_nothing(server, listener):
    url = f"http://127.0.0.1:{listener.port}/data.ttl"
    response, _ = _query(server, f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}")
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []
    response, _ = _query(server, "SELECT * WHERE { ?s ?p ?o }", **{"default-graph-uri": url})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []
    assert url in response.headers["x-cnkg-unknown-graphs"]
    time.sleep(0.5)
    assert listener.connections == 0


def test_load_is_always_refused(server, listener):
    from support.server import AUTH

    with server.client() as client:
        response = client.post(
            "/sparql", data={"update": f"LOAD <http://127.0.0.1:{listener.port}/x.ttl>"}, headers=AUTH
        )
    assert response.status_code == 403
    assert listener.connections == 0
