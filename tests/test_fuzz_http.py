"""Fuzz the HTTP API from its own OpenAPI schema (schemathesis): every generated request, valid or not,
with and without the write token, is answered with a 2xx, 3xx or 4xx — never a 5xx, never a traceback.

Bounded (``MAX_EXAMPLES`` per operation) so the whole module runs in a few minutes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from support.server import TOKEN, LiveServer, serve, server_settings

from ingest.pipeline import ingest_path
from kg.datadir import DataDir
from kg.search.updater import make_index_updater

MAX_EXAMPLES = 25


@schemathesis.serializer(
    "application/sparql-query",
    "application/sparql-update",
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
)
def _text_body(ctx: object, value: object) -> bytes:
    """Bodies documented as text (queries, updates, RDF documents): strings as UTF-8, anything else as
    its JSON text (still a body the server must refuse politely)."""
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else json.dumps(value).encode()


schemathesis.serializer.alias("application/ld+json", "application/json")


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory, sample_paths: list[Path]) -> Iterator[LiveServer]:
    """Two sample reports, graph and indexes, served with a write token and a short query timeout."""
    datadir = DataDir(tmp_path_factory.mktemp("cnkg-fuzz"))
    for path in sample_paths[:2]:
        ingest_path(path, datadir, index_updater=make_index_updater("use3"))
    with serve(server_settings(datadir.root, query_timeout=5.0, row_cap=100)) as server:
        yield server


@pytest.fixture(scope="module")
def api_schema(fuzz_server: LiveServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(fuzz_server.url + "/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


def _check(response: schemathesis.Response, case: schemathesis.Case) -> None:
    # successful spreadsheets (format=xlsx) are binary: undecodable bytes become U+FFFD there, not errors
    body = response.content.decode("utf-8", "replace" if response.status_code < 300 else "strict")
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path} → {response.status_code}: {body[:500]}"
    )
    assert "Traceback" not in body and 'File "' not in body, body[:500]
    if response.status_code >= 400:
        assert response.headers.get("content-type", [""])[0].startswith("application/problem+json")


@pytest.mark.slow
@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
)
def test_no_request_gets_a_5xx_or_a_traceback(case: schemathesis.Case, fuzz_server: LiveServer) -> None:
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}"}):
        response = case.call(base_url=fuzz_server.url, headers=headers, timeout=60)
        _check(response, case)
