"""The MCP server, driven by the official SDK's own client: over stdio (``cnkg mcp --data DIR`` as a
subprocess) and over streamable HTTP (``/mcp`` of a real ``cnkg serve``), on two sample reports ingested
for real. Results are checked against the report texts and the /sparql endpoint."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pyoxigraph as ox
import pytest
from mcp import Client, StdioServerParameters
from support.datadirs import EDGE_AND_MESH, ingested_samples
from support.processes import serve as cnkg_serve
from support.server import serve as serve_in_thread
from support.server import server_settings

from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.namespaces import rid_of
from kg.store import ONTOLOGY_FILES

REPO = Path(__file__).resolve().parent.parent
EDGE_TITLE = "中国边缘计算与云边协同市场研究报告"
ROW_CAP = 7  # the stdio server's row cap (CNKG_ROW_CAP), to see the tool keep it
TOOLS = {
    "search": {"query", "k", "type", "report"},
    "ask": {"question"},
    "sparql": {"query"},
    "entity": {"name", "iri"},
    "facts": {"entity", "metric", "year"},
    "reports": set(),
}
T = TypeVar("T")


class McpConnection:
    """An SDK ``Client`` kept open in a background event loop for the whole module, so the tests share
    one server process; ``call`` runs a coroutine on it and returns its result."""

    def __init__(self, server: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.ready: Future[Client] = Future()
        self.stop = asyncio.Event()
        self.holder = asyncio.run_coroutine_threadsafe(self._hold(server), self.loop)
        self.client = self.ready.result(timeout=180)

    async def _hold(self, server: Any) -> None:
        try:
            async with Client(server, read_timeout_seconds=120) as client:
                self.ready.set_result(client)
                await self.stop.wait()
        except BaseException as exc:
            if not self.ready.done():
                self.ready.set_exception(exc)
            raise

    def call(self, make: Callable[[Client], Awaitable[T]]) -> T:
        async def run() -> T:
            return await make(self.client)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=180)

    def tool(self, tool: str, /, **arguments: Any) -> tuple[bool, Any]:
        """(is_error, structured result or the error text) of one tool call."""
        result = self.call(lambda c: c.call_tool(tool, arguments))
        if result.is_error:
            return True, result.content[0].text
        return False, result.structured_content

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.stop.set)
        self.holder.result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)


@pytest.fixture(scope="module")
def datadir(tmp_path_factory: pytest.TempPathFactory) -> DataDir:
    return ingested_samples(tmp_path_factory.mktemp("mcp"), EDGE_AND_MESH)


@pytest.fixture(scope="module")
def stdio(datadir: DataDir) -> Iterator[McpConnection]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "CNKG_ROW_CAP": str(ROW_CAP), "CNKG_QUERY_WORKERS": "1"}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "api.cli", "mcp", "--data", str(datadir.root)], env=env, cwd=REPO
    )
    connection = McpConnection(params)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def served(datadir: DataDir) -> Iterator[str]:
    """A real ``cnkg serve`` on 127.0.0.1; its base URL."""
    with cnkg_serve(datadir.root) as url:
        yield url


@pytest.fixture(scope="module")
def http(served: str) -> Iterator[McpConnection]:
    connection = McpConnection(served + "/mcp")
    yield connection
    connection.close()


def _report_text(datadir: DataDir, report_iri: str) -> str:
    return Catalog(datadir).text(rid_of(report_iri))


def _assert_cited(datadir: DataDir, cite: dict[str, Any]) -> None:
    """A citation names a report by IRI and title, a passage of it, and offsets whose text is quoted."""
    assert cite["passage"].startswith(cite["report"] + "/passage/")
    assert cite["title"] == Catalog(datadir).get(rid_of(cite["report"])).title
    assert _report_text(datadir, cite["report"])[cite["start"] : cite["end"]] == cite["text"]


# -- stdio ----------------------------------------------------------------------------------------


def test_stdio_lists_the_tools_with_their_argument_names(stdio):
    tools = stdio.call(lambda c: c.list_tools()).tools
    assert {t.name: set(t.input_schema.get("properties", {})) for t in tools} == TOOLS
    assert all(t.annotations is not None and t.annotations.read_only_hint for t in tools)


def test_stdio_search_returns_a_cited_passage_of_the_report(stdio, datadir):
    error, result = stdio.tool("search", query="边缘计算", k=3)
    assert not error
    assert len(result["citations"]) == 3
    top = result["citations"][0]
    assert top["title"] == EDGE_TITLE and "边缘计算" in top["text"]
    for cite in result["citations"]:
        _assert_cited(datadir, cite)


def test_stdio_search_filters_by_report_and_type(stdio, datadir):
    rid = next(r.rid for r in Catalog(datadir).reports() if r.title != EDGE_TITLE)
    error, result = stdio.tool("search", query="边缘计算", k=5, report=rid, type="Technology")
    assert not error and result["citations"]
    assert all(c["report"].endswith(rid) for c in result["citations"])


def test_stdio_search_bad_arguments_are_tool_errors(stdio):
    error, text = stdio.tool("search", query="云", k=0)
    assert error and "k must be between 1 and 100" in text
    error, text = stdio.tool("search", query="云", type="Animal")
    assert error and "Vendor" in text


def test_stdio_ask_answers_with_citations(stdio, datadir):
    error, result = stdio.tool("ask", question="2023年中国边缘计算市场规模是多少？")
    assert not error and result["answered"]
    assert "86.3" in result["answer"]
    assert result["citations"] and result["citations"] == result["evidence"]
    for cite in result["citations"]:
        _assert_cited(datadir, cite)


def test_stdio_sparql_select_cites_the_passages_it_returns(stdio, datadir):
    query = "SELECT ?p WHERE { ?p a cnkg:Passage ; cnkg:text ?t FILTER(CONTAINS(?t, '86.3亿元')) }"
    error, result = stdio.tool("sparql", query=query)
    assert not error and result["form"] == "select" and not result["truncated"]
    passages = [row["p"]["value"] for row in result["results"]["bindings"]]
    assert passages and [c["passage"] for c in result["citations"]] == passages
    for cite in result["citations"]:
        assert "86.3亿元" in cite["text"]
        _assert_cited(datadir, cite)


def test_stdio_sparql_keeps_the_row_cap(stdio):
    error, result = stdio.tool("sparql", query="SELECT ?s WHERE { ?s ?p ?o }")
    assert not error and result["truncated"] and result["rowCap"] == ROW_CAP
    assert len(result["results"]["bindings"]) == ROW_CAP


def test_stdio_sparql_ask_and_construct(stdio):
    assert stdio.tool("sparql", query="ASK { ?r a cnkg:Report }")[1]["boolean"] is True
    error, result = stdio.tool("sparql", query="CONSTRUCT { ?r a cnkg:Report } WHERE { ?r a cnkg:Report }")
    assert not error and len(list(ox.parse(result["ntriples"].encode(), format=ox.RdfFormat.N_TRIPLES))) == 2


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("CLEAR ALL", "Update"),
        ("INSERT DATA { <http://e/a> <http://e/p> 1 }", "Update"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * WHERE { ?s ?p", ""),
    ],
)
def test_stdio_sparql_refuses_what_the_endpoint_refuses(stdio, datadir, query, reason):
    before = {r.rid: r.graph_file for r in Catalog(datadir).reports()}
    error, text = stdio.tool("sparql", query=query)
    assert error and reason in text
    assert {r.rid: r.graph_file for r in Catalog(datadir).reports()} == before


def test_stdio_entity_by_alias_has_relations_with_evidence(stdio, datadir):
    error, result = stdio.tool("entity", name="K8s")
    assert not error and result["slug"] == "kubernetes" and result["type"] == "Technology"
    assert result["wikidata"] == "http://www.wikidata.org/entity/Q22661306"
    evidence = [e for r in result["relations"] for e in r["evidence"]]
    assert evidence and result["citations"]
    for cite in result["citations"]:
        if cite["text"] is not None:
            _assert_cited(datadir, cite)


def test_stdio_entity_by_iri_and_bad_input(stdio):
    error, result = stdio.tool("entity", iri="https://w3id.org/cnkg/id/entity/kubeedge")
    assert not error and result["label"] == "KubeEdge"
    assert stdio.tool("entity")[0] and stdio.tool("entity", name="K8s", iri=result["iri"])[0]
    error, text = stdio.tool("entity", name="完全不存在的东西")
    assert error and "Not found" in text
    assert stdio.tool("entity", iri="http://example.org/x")[0]


def test_stdio_facts_have_the_sentence_and_report(stdio, datadir):
    error, result = stdio.tool("facts", entity="边缘计算", metric="市场规模", year=2023)
    assert not error
    observations = [o for g in result["groups"] for o in g["observations"]]
    edge = [o for o in observations if o["value"] == "86.3"]
    assert len(edge) == 1 and edge[0]["report"]["title"] == EDGE_TITLE
    assert "2023年中国边缘计算市场规模达到86.3亿元" in edge[0]["evidence"]["sentence"]
    cite = next(c for c in result["citations"] if c["fact"] == edge[0]["iri"])
    assert cite["text"] == "86.3亿元" and cite["sentence"] == edge[0]["evidence"]["sentence"]
    _assert_cited(datadir, cite)


def test_stdio_reports_lists_the_catalog(stdio, datadir):
    error, result = stdio.tool("reports")
    assert not error
    assert {(r["rid"], r["title"]) for r in result["reports"]} == {
        (r.rid, r.title) for r in Catalog(datadir).reports()
    }


def test_stdio_resources_are_the_ontology_and_each_report(stdio, datadir):
    uris = {str(r.uri) for r in stdio.call(lambda c: c.list_resources()).resources}
    rids = [r.rid for r in Catalog(datadir).reports()]
    assert uris == {f"cnkg://ontology/{name}" for name in ONTOLOGY_FILES} | {
        f"cnkg://report/{rid}" for rid in rids
    }
    ontology = stdio.call(lambda c: c.read_resource("cnkg://ontology/cnkg.ttl")).contents[0]
    assert ontology.mime_type == "text/turtle"
    assert any(
        q.object == ox.NamedNode("http://www.w3.org/2002/07/owl#Class")
        for q in ox.parse(ontology.text.encode(), format=ox.RdfFormat.TURTLE)
    )


def test_stdio_report_resource_has_metadata_and_passages(stdio, datadir):
    record = next(r for r in Catalog(datadir).reports() if r.title == EDGE_TITLE)
    content = stdio.call(lambda c: c.read_resource(f"cnkg://report/{record.rid}")).contents[0]
    report = json.loads(content.text)
    assert report["title"] == EDGE_TITLE and report["metadata"]["publisher"]
    text = Catalog(datadir).text(record.rid)
    assert report["passages"] and all(text[p["start"] : p["end"]] == p["text"] for p in report["passages"])
    assert [p["start"] for p in report["passages"]] == sorted(p["start"] for p in report["passages"])


def test_stdio_unknown_report_resource_is_an_error(stdio):
    with pytest.raises(Exception, match="no report"):
        stdio.call(lambda c: c.read_resource("cnkg://report/0123456789abcdef"))


# -- streamable HTTP on cnkg serve ----------------------------------------------------------------


def test_http_search_returns_a_cited_passage(http, datadir):
    error, result = http.tool("search", query="边缘计算", k=2)
    assert not error and result["citations"][0]["title"] == EDGE_TITLE
    for cite in result["citations"]:
        _assert_cited(datadir, cite)


def test_http_sparql_answers_as_the_endpoint_does(http, served):
    query = "SELECT ?f ?v WHERE { ?f a cnkg:Observation ; cnkg:value ?v } ORDER BY ?f"
    error, result = http.tool("sparql", query=query)
    endpoint = httpx.get(served + "/sparql", params={"query": query}, headers={"Accept": "application/json"})
    assert not error and result["results"] == endpoint.json()["results"]
    assert result["truncated"] is (endpoint.headers["x-cnkg-truncated"] == "true")


def test_http_tools_are_the_stdio_tools(http):
    tools = http.call(lambda c: c.list_tools()).tools
    assert {t.name: set(t.input_schema.get("properties", {})) for t in tools} == TOOLS


def test_http_sparql_update_is_refused(http):
    error, text = http.tool("sparql", query="DROP ALL")
    assert error and "Update" in text


_INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
_MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def test_http_refuses_a_foreign_host_and_origin(served):
    assert httpx.post(served + "/mcp", json=_INIT, headers=_MCP_HEADERS).status_code == 200
    foreign_host = httpx.post(served + "/mcp", json=_INIT, headers={**_MCP_HEADERS, "Host": "evil.example"})
    assert foreign_host.status_code in (400, 421)
    foreign_origin = {**_MCP_HEADERS, "Origin": "http://evil.example"}
    assert httpx.post(served + "/mcp", json=_INIT, headers=foreign_origin).status_code == 403


def test_http_mcp_is_rate_limited_like_the_rest(datadir):
    with serve_in_thread(server_settings(datadir.root, rate_limit_per_minute=3)) as live:
        codes = [
            httpx.post(live.url + "/mcp", json=_INIT, headers=_MCP_HEADERS).status_code for _ in range(5)
        ]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_http_holds_no_event_stream_open(served):
    response = httpx.get(served + "/mcp", headers={"Accept": "text/event-stream"}, timeout=10)
    assert response.status_code == 405
