"""SSRF through SPARQL (issue 12, item 1): no query or update, however it is written, makes the service
open a network connection unless --allow-service is set.

A live server and a listener on 127.0.0.1 that counts accepted connections. The reported exploits (an
escaped local name ``dcterms:x\\#y`` that the old tokenizer read as the start of a comment, hiding the
rest of the line), then generated variants: local-name escapes, ``\\u`` escapes in keywords and IRIs,
comments and long strings around SERVICE and LOAD, sent by GET, form POST and application/sparql-query
POST, and updates with the write token. The listener must count zero. A separate test proves the second
wall alone: a SERVICE query or a LOAD handed straight to a worker, bypassing the guard, cannot connect.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.server import AUTH, RID, Listener, LiveServer, make_datadir, serve_sample

from kg.errors import QueryError
from kg.namespaces import report_iri
from kg.sparql import sandbox
from kg.sparql.guard import QueryForm
from kg.sparql.process import WorkerProcess, run_in_fresh_worker
from kg.sparql.sandbox import NETWORK_NAMESPACE
from kg.sparql.worker import QueryJob, UpdateJob, WorkerSetup

SETTLE = 0.3  # a connection attempt the engine made would have been accepted by now


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    lis = Listener()
    yield lis
    lis.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_sample(tmp_path_factory.mktemp("cnkg-ssrf"), query_timeout=5.0, query_workers=2) as live:
        yield live


def _send(client: httpx.Client, transport: str, query: str) -> httpx.Response:
    accept = {"Accept": "application/sparql-results+json"}
    if transport == "get":
        return client.get("/sparql", params={"query": query}, headers=accept)
    if transport == "form":
        return client.post("/sparql", data={"query": query}, headers=accept)
    return client.post(
        "/sparql", content=query.encode(), headers={**accept, "Content-Type": "application/sparql-query"}
    )


def _update(client: httpx.Client, transport: str, update: str) -> httpx.Response:
    if transport == "form":
        return client.post("/sparql", data={"update": update}, headers=AUTH)
    return client.post(
        "/sparql", content=update.encode(), headers={**AUTH, "Content-Type": "application/sparql-update"}
    )


def _no_connection(listener: Listener, before: int) -> None:
    time.sleep(SETTLE)
    assert listener.connections == before, "the service opened a connection to the listener"


TRANSPORTS = ["get", "form", "sparql-query"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_reported_service_exploit_is_refused_and_connects_nowhere(server, listener, transport):
    before = listener.connections
    query = (
        f"SELECT * {{ BIND(dcterms:x\\#y AS ?z) SERVICE <http://127.0.0.1:{listener.port}/sparql> "
        "{ ?s ?p ?o } }"
    )
    with server.client() as client:
        response = _send(client, transport, query)
    assert response.status_code in (400, 403), response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    _no_connection(listener, before)


@pytest.mark.parametrize("transport", ["form", "sparql-update"])
def test_reported_load_exploit_is_refused_and_connects_nowhere(server, listener, transport):
    before = listener.connections
    graph = report_iri(RID)
    update = (
        f"INSERT DATA {{ GRAPH <{graph}> {{ <http://e/a> <http://e/b> dcterms:x\\#y }} }} ; "
        f"LOAD <http://127.0.0.1:{listener.port}/x.ttl> INTO GRAPH <{graph}>"
    )
    with server.client() as client:
        response = _update(client, transport, update)
    assert response.status_code in (400, 403), response.text
    _no_connection(listener, before)


def test_health_and_the_service_description_name_the_network_wall(server):
    with server.client() as client:
        engine = client.get("/health").json()["engine"]
        description = client.get("/sparql", headers={"Accept": "application/n-triples"}).text
    assert engine["network_wall"] == NETWORK_NAMESPACE
    assert f'<https://w3id.org/cnkg/ontology#queryWorkerNetworkWall> "{NETWORK_NAMESPACE}"' in description


# -- generated variants ------------------------------------------------------------------------------
_ESCAPES = [
    "\\#",
    "\\'",
    "\\.",
    "\\-",
    "\\~",
    "\\_",
    "\\!",
    "\\$",
    "\\&",
    "\\(",
    "\\)",
    "\\*",
    "\\+",
    "\\,",
    "\\;",
    "\\=",
    "\\/",
    "\\?",
    "\\@",
    "\\%",
    "%23",
]
# the reported escape half of the time (it hid the rest of the line from the old tokenizer), any other
# escape the grammar allows otherwise
_ESCAPE = st.one_of(st.just("\\#"), st.sampled_from(_ESCAPES))
_NEWLINES = st.sampled_from(["\n", "\r", "\r\n", " ", ""])


@st.composite
def _hiders(draw: st.DrawFn) -> str:
    """Something before the SERVICE/LOAD that a tokenizer might misread as the start of a comment or a
    string running over the rest of the line."""
    escape = draw(_ESCAPE)
    local = f"x{escape}{draw(st.sampled_from(['y', '']))}"
    return draw(
        st.sampled_from(
            [
                f"BIND(dcterms:{local} AS ?z)",
                f"?s0 ?p0 dcterms:{local} .",
                f"?s0 dcterms:{local} ?o0 .",
                f"FILTER(?s0 != dcterms:{local})",
                f"VALUES ?v {{ dcterms:{local} }}",
                "BIND('''a#b\\''' # ''' AS ?z)",
                'BIND("\\"#" AS ?z)',
                "# } SERVICE\n",
                'BIND("""x\n# """ AS ?z)',
                "",
            ]
        )
    )


def _escape_some(draw: st.DrawFn, word: str) -> str:
    return "".join(
        f"\\u{ord(c):04X}"
        if draw(st.integers(0, 4)) == 0
        else (c.upper() if draw(st.booleans()) else c.lower())
        for c in word
    )


@st.composite
def _service_queries(draw: st.DrawFn, port: int) -> str:
    keyword = _escape_some(draw, "service")
    silent = draw(st.sampled_from(["", "SILENT ", _escape_some(draw, "silent") + " "]))
    address = f"http://127.0.0.1:{port}/sparql"
    how = draw(st.sampled_from(["iri", "escaped-iri", "prefixed", "relative"]))
    prologue = ""
    if how == "iri":
        target = f"<{address}>"
    elif how == "escaped-iri":
        target = "<" + "".join(f"\\u{ord(c):04x}" if c in "h1:/" else c for c in address) + ">"
    elif how == "prefixed":
        prologue = f"PREFIX fed: <http://127.0.0.1:{port}/> "
        target = "fed:sparql"
    else:
        prologue = f"BASE <http://127.0.0.1:{port}/> "
        target = "<sparql>"
    clause = f"{keyword} {silent}{target} {{ ?s ?p ?o }}"
    wrapper = draw(
        st.sampled_from(
            [
                "{}",
                "OPTIONAL {{ {} }}",
                "FILTER EXISTS {{ {} }}",
                "{{ SELECT * {{ {} }} }}",
                "{{ {} }} UNION {{}}",
            ]
        )
    )
    hider = draw(_hiders())
    newline = draw(_NEWLINES)
    return f"{prologue}SELECT * {{ {hider} {wrapper.format(clause)}{newline}}}"


@st.composite
def _load_updates(draw: st.DrawFn, port: int) -> str:
    keyword = _escape_some(draw, "load")
    silent = draw(st.sampled_from(["", "SILENT "]))
    graph = report_iri(RID)
    hider = draw(_hiders()).replace("?z", "?zz")
    escape = draw(_ESCAPE)
    head = draw(
        st.sampled_from(
            [
                f"INSERT DATA {{ GRAPH <{graph}> {{ <http://e/a> <http://e/b> dcterms:x{escape}y }} }} ;",
                f"DELETE {{ GRAPH <{graph}> {{ ?s0 ?p0 ?o0 }} }} WHERE {{ {hider} FILTER(false) }} ;",
                "",
            ]
        )
    )
    return f"{head} {keyword} {silent}<http://127.0.0.1:{port}/x.ttl> INTO GRAPH <{graph}>"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_written_form_of_service_reaches_the_network(server, listener, data):
    query = data.draw(_service_queries(listener.port))
    transport = data.draw(st.sampled_from(TRANSPORTS))
    before = listener.connections
    with server.client() as client:
        response = _send(client, transport, query)
    assert response.status_code in (400, 403), (query, response.status_code, response.text)
    _no_connection(listener, before)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_written_form_of_load_reaches_the_network(server, listener, data):
    update = data.draw(_load_updates(listener.port))
    transport = data.draw(st.sampled_from(["form", "sparql-update"]))
    before = listener.connections
    with server.client() as client:
        response = _update(client, transport, update)
    assert response.status_code in (400, 403), (update, response.status_code, response.text)
    _no_connection(listener, before)


# -- the second wall alone ---------------------------------------------------------------------------
def _service_job(port: int) -> QueryJob:
    return QueryJob(
        f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        QueryForm.SELECT,
        "json",
        10,
    )


@pytest.fixture(scope="module")
def datadir_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cnkg-wall")
    make_datadir(root)
    return root


def test_a_worker_cannot_connect_even_when_the_guard_is_bypassed(datadir_root, listener):
    before = listener.connections
    worker = WorkerProcess(WorkerSetup(datadir_root)).wait_ready(120)
    try:
        assert worker.network_wall == NETWORK_NAMESPACE
        with pytest.raises(QueryError, match="SPARQL evaluation error"):
            worker.execute(_service_job(listener.port), 30)
    finally:
        worker.stop()
    _no_connection(listener, before)


def test_an_update_worker_cannot_load_even_when_the_guard_is_bypassed(datadir_root, listener):
    before = listener.connections
    job = UpdateJob(
        f"LOAD <http://127.0.0.1:{listener.port}/x.ttl> INTO GRAPH <{report_iri(RID)}>", None, (RID,)
    )
    with pytest.raises(QueryError, match="SPARQL Update error"):
        run_in_fresh_worker(datadir_root, job, timeout=30)
    _no_connection(listener, before)


def test_the_wall_test_can_see_a_connection(datadir_root, listener):
    """Control: with --allow-service the same job does reach the listener, so the tests above could fail."""
    before = listener.connections
    worker = WorkerProcess(WorkerSetup(datadir_root, allow_network=True)).wait_ready(120)
    try:
        with pytest.raises(QueryError):
            worker.execute(_service_job(listener.port), 30)
    finally:
        worker.stop()
    time.sleep(SETTLE)
    assert listener.connections > before


def test_no_namespace_means_no_worker(monkeypatch):
    """Fail closed: when the kernel refuses both namespaces, the worker does not start (it would have a
    network). Simulated: calling the real unshare here would take this test process off the network."""
    monkeypatch.setattr(sandbox, "_unshare", lambda flags: errno.EPERM)
    with pytest.raises(sandbox.NetworkWallError, match="refuses to run queries"):
        sandbox.isolate_network()
    assert sandbox.network_is_reachable()  # this process kept its network: the probe can tell
