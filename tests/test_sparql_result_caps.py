"""The row cap and the byte cap hold for every query (issue 12, item 2), and results are streamed.

The reported bypass: the old guard took the outer LIMIT from a tokenizer, and a ``{`` hidden behind an
escaped local name (``dcterms:x\\#y`` read as the start of a comment) made a subquery's ``LIMIT 5`` look
like the query's own, so the result was written without counting its rows. Rows are now counted as they
are written whatever LIMIT says, and bodies are cut at ``max_result_bytes`` (a valid document, flagged).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from support.server import LiveServer, make_datadir, serve_sample

from kg.sparql.formats import format_by_name
from kg.sparql.guard import QueryForm
from kg.sparql.pool import QueryPool
from kg.sparql.worker import STREAM_CHUNK, QueryJob

ROW_CAP = 50  # server_settings' row cap
BYTE_CAP = 4096

# The outer query has no LIMIT; the subquery's LIMIT 5 sits on the line after a '{ {' that the old
# tokenizer took for a comment. 5 subquery rows times every triple of the store: far more than the cap.
HIDDEN_BRACE = (
    "SELECT ?a ?b ?c (dcterms:x\\#y AS ?z) WHERE { {\nSELECT ?s WHERE { ?s ?p ?o } LIMIT 5 } ?a ?b ?c }"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_sample(tmp_path_factory.mktemp("cnkg-caps"), row_cap=ROW_CAP) as live:
        yield live


@pytest.fixture(scope="module")
def byte_capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("cnkg-bytecap")
    with serve_sample(root, row_cap=100_000, max_result_bytes=BYTE_CAP) as live:
        yield live


def test_a_hidden_brace_cannot_pass_a_subquery_limit_off_as_the_outer_one(server):
    with server.client() as client:
        response = client.get(
            "/sparql", params={"query": HIDDEN_BRACE}, headers={"Accept": "application/sparql-results+json"}
        )
        total = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).json()[
            "results"
        ]["bindings"][0]["n"]["value"]
    assert int(total) * 5 > ROW_CAP  # the uncapped result would be larger than the cap
    assert response.status_code == 200, response.text
    assert response.headers["x-cnkg-truncated"] == "true"
    body = response.json()
    assert len(body["results"]["bindings"]) == ROW_CAP and body["truncated"] is True


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_a_query_with_its_own_small_limit_is_still_counted(server, fmt):
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 7"
    with server.client() as client:
        response = client.get("/sparql", params={"query": query, "format": fmt})
    assert response.status_code == 200 and response.headers["x-cnkg-truncated"] == "false"
    if fmt != "json":  # JSON within the cap is checked from its braces, without a row count
        assert response.headers["x-cnkg-rows"] == "7"


def _rows(fmt: str, body: bytes) -> int:
    if fmt == "json":
        return len(json.loads(body)["results"]["bindings"])
    if fmt == "csv":
        return len(list(csv.reader(io.StringIO(body.decode())))) - 1
    spec = format_by_name(fmt)
    if spec.results is not None:
        parsed = ox.parse_query_results(body, format=spec.results)
        assert isinstance(parsed, ox.QuerySolutions)
        return len(list(parsed))
    assert spec.rdf is not None
    return len(list(ox.parse(body, format=spec.rdf)))


SELECT_ALL = "SELECT * WHERE { ?s ?p ?o }"
CONSTRUCT_ALL = "CONSTRUCT WHERE { ?s ?p ?o }"
CUT_CASES = [(SELECT_ALL, fmt) for fmt in ("json", "xml", "csv", "tsv")] + [
    (CONSTRUCT_ALL, fmt) for fmt in ("turtle", "ntriples", "nquads", "rdfxml", "trig", "jsonld")
]


@pytest.mark.parametrize(("query", "fmt"), CUT_CASES, ids=[f"{q.split()[0]}-{f}" for q, f in CUT_CASES])
def test_bodies_are_cut_at_the_byte_cap_into_valid_documents(byte_capped, query, fmt):
    with byte_capped.client() as client:
        response = client.get("/sparql", params={"query": query, "format": fmt})
    assert response.status_code == 200, response.text
    assert len(response.content) <= BYTE_CAP
    assert response.headers["x-cnkg-truncated"] == "true"
    assert 0 < _rows(fmt, response.content) == int(response.headers["x-cnkg-rows"])


def test_the_byte_cap_is_published(byte_capped):
    with byte_capped.client() as client:
        description = client.get("/sparql", headers={"Accept": "application/n-triples"}).text
    cap = '<https://w3id.org/cnkg/ontology#maxResultBytes> "4096"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert cap in description


def _big_job() -> QueryJob:
    # about 3 MB of JSON: 60 rows of a 50,000-character string
    values = " ".join(str(i) for i in range(60))
    query = f'SELECT ?i ?t WHERE {{ VALUES ?i {{ {values} }} BIND(CONCAT(STR(?i), "{"x" * 50_000}") AS ?t) }}'
    return QueryJob(query, QueryForm.SELECT, "json", 1000)


def test_a_large_body_arrives_in_chunks_and_the_worker_is_reused(tmp_path):
    make_datadir(tmp_path)

    async def run() -> tuple[list[int], bytes, dict[str, object]]:
        pool = QueryPool(tmp_path, size=1, spares=0)
        await pool.start()
        try:
            stream = await pool.stream(_big_job(), timeout=30)
            sizes: list[int] = []
            parts: list[bytes] = []
            async for chunk in stream:
                sizes.append(len(chunk))
                parts.append(chunk)
            again = await pool.run(_big_job(), timeout=30)  # the same (single) worker, released
            assert again.body == b"".join(parts)
            return sizes, b"".join(parts), pool.status()
        finally:
            await pool.close()

    sizes, body, status = asyncio.run(run())
    assert len(sizes) > 1 and max(sizes) <= STREAM_CHUNK
    assert len(json.loads(body)["results"]["bindings"]) == 60
    assert status["idle"] == 1


def test_an_abandoned_stream_gives_its_worker_back(tmp_path):
    """A client that goes away mid-body: the worker (with the rest of the body in its pipe) is replaced."""
    make_datadir(tmp_path)

    async def run() -> bytes:
        pool = QueryPool(tmp_path, size=1, spares=1)
        await pool.start()
        try:
            stream = await pool.stream(_big_job(), timeout=30)
            async for _ in stream:
                break  # stop after the first chunk
            ask = await pool.run(QueryJob("ASK {}", QueryForm.ASK, "json", 1), timeout=30)
            return ask.body
        finally:
            await pool.close()

    assert json.loads(asyncio.run(run()))["boolean"] is True
