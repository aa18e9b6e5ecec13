"""Helpers of the HTTP tests: a data directory with a small report, and uvicorn serving
``create_app(settings)`` on 127.0.0.1 on a free port (in a thread of the test process).
The shared server fixtures are in :mod:`support.fixtures`."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import uvicorn

from api.app import create_app
from api.settings import ServerSettings
from kg.catalog import Catalog, PassageRecord, ReportBundle
from kg.datadir import DataDir
from kg.namespaces import CNKG, DCTERMS, PROV, RDF, RDFS, SKOS, XSD, entity_iri, passage_iri, report_iri

from .processes import free_port

RID = "feedfacecafe0001"
TOKEN = "test-write-token-123"
PASSAGES = [
    "阿里云推出了容器服务ACK，ACK基于Kubernetes。",
    "2020年中国容器云市场规模达到15.2亿元。",
    "金融行业采用容器云平台提升交付效率。",
]


def _quad(s: str, p: str, o: ox.NamedNode | ox.Literal, g: str) -> ox.Quad:
    return ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.NamedNode(g))


def _lit(value: str, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=ox.NamedNode(datatype)) if datatype else ox.Literal(value)


def report_bundle(rid: str = RID, title: str = "容器云测试报告") -> ReportBundle:
    """A small report shaped like the ingest pipeline's graphs (report, passages, mentions, a relation
    with its rdf:Statement provenance, an observation)."""
    report = report_iri(rid)
    text = "".join(PASSAGES)
    quads = [
        _quad(report, RDF + "type", ox.NamedNode(CNKG + "Report"), report),
        _quad(report, DCTERMS + "title", _lit(title, lang="zh"), report),
        _quad(report, RDFS + "label", _lit(title, lang="zh"), report),
        _quad(report, DCTERMS + "publisher", _lit("测试研究院", lang="zh"), report),
        _quad(report, CNKG + "sha256", _lit(hashlib.sha256(text.encode()).hexdigest()), report),
    ]
    start = 0
    for n, passage in enumerate(PASSAGES):
        p = passage_iri(rid, n)
        quads += [
            _quad(p, RDF + "type", ox.NamedNode(CNKG + "Passage"), report),
            _quad(p, DCTERMS + "isPartOf", ox.NamedNode(report), report),
            _quad(p, CNKG + "text", _lit(passage, lang="zh"), report),
            _quad(p, CNKG + "start", _lit(str(start), XSD + "integer"), report),
            _quad(p, CNKG + "end", _lit(str(start + len(passage)), XSD + "integer"), report),
        ]
        start += len(passage)
    mentions = (
        (0, "kubernetes"),
        (0, "alibaba-cloud"),
        (1, "container-cloud"),
        (2, "container-cloud"),
        (2, "finance"),
        (2, "测试云科技"),
    )
    for n, slug in mentions:
        quads.append(_quad(passage_iri(rid, n), CNKG + "mentions", ox.NamedNode(entity_iri(slug)), report))
    discovered = entity_iri("测试云科技")  # a discovered entity: Unicode slug, defined in the report graph
    quads.append(_quad(discovered, RDF + "type", ox.NamedNode(CNKG + "Vendor"), report))
    quads.append(_quad(discovered, SKOS + "prefLabel", _lit("测试云科技", lang="zh"), report))
    quads.append(_quad(discovered, CNKG + "discovered", _lit("true", XSD + "boolean"), report))
    quads.append(_quad(entity_iri("ack"), RDF + "type", ox.NamedNode(CNKG + "Product"), report))
    quads.append(_quad(entity_iri("ack"), SKOS + "prefLabel", _lit("ACK", lang="en"), report))
    quads.append(_quad(entity_iri("ack"), CNKG + "basedOn", ox.NamedNode(entity_iri("kubernetes")), report))
    st = f"{report}/statement/0"
    quads += [
        _quad(st, RDF + "type", ox.NamedNode(RDF + "Statement"), report),
        _quad(st, RDF + "subject", ox.NamedNode(entity_iri("ack")), report),
        _quad(st, RDF + "predicate", ox.NamedNode(CNKG + "basedOn"), report),
        _quad(st, RDF + "object", ox.NamedNode(entity_iri("kubernetes")), report),
        _quad(st, PROV + "wasDerivedFrom", ox.NamedNode(passage_iri(rid, 0)), report),
        _quad(st, CNKG + "start", _lit("13", XSD + "integer"), report),
        _quad(st, CNKG + "end", _lit("28", XSD + "integer"), report),
        _quad(st, CNKG + "confidence", _lit("0.90", XSD + "decimal"), report),
    ]
    fact = f"{report}/fact/0"
    quads += [
        _quad(fact, RDF + "type", ox.NamedNode(CNKG + "Observation"), report),
        _quad(fact, CNKG + "metric", _lit("中国容器云市场规模", lang="zh"), report),
        _quad(fact, CNKG + "value", _lit("15.2", XSD + "decimal"), report),
        _quad(fact, CNKG + "unit", _lit("亿元"), report),
        _quad(fact, CNKG + "year", _lit("2020", XSD + "gYear"), report),
        _quad(fact, CNKG + "about", ox.NamedNode(entity_iri("container-cloud")), report),
        _quad(fact, PROV + "wasDerivedFrom", ox.NamedNode(passage_iri(rid, 1)), report),
    ]
    passages = tuple(
        PassageRecord(iri=passage_iri(rid, n), rid=rid, n=n, text=p, start=0, end=len(p), section="")
        for n, p in enumerate(PASSAGES)
    )
    return ReportBundle(
        rid=rid,
        source=f"{rid}.txt",
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        title=title,
        text=text,
        nquads=ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"",
        pipeline="test",
        passages=passages,
        counts={"passages": len(PASSAGES)},
    )


def make_datadir(root: Path, *bundles: ReportBundle) -> DataDir:
    datadir = DataDir(root)
    catalog = Catalog(datadir)
    for bundle in bundles or (report_bundle(),):
        catalog.write(bundle)
    return datadir


class Listener:
    """A TCP listener on 127.0.0.1 that counts every connection made to it (the target of SSRF tests)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()


@dataclass
class LiveServer:
    url: str
    settings: ServerSettings

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)  # type: ignore[arg-type]

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"


@contextmanager
def serve(settings: ServerSettings) -> Iterator[LiveServer]:
    """Run the app under uvicorn on 127.0.0.1 until the block ends."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, name="cnkg-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", settings)
    finally:
        server.should_exit = True
        thread.join(30)


@contextmanager
def serve_sample(root: Path, **overrides: object) -> Iterator[LiveServer]:
    """A live server over a new data directory at ``root`` holding the test report (:func:`make_datadir`),
    with ``overrides`` of :func:`server_settings`."""
    make_datadir(root)
    with serve(server_settings(root, **overrides)) as live:
        yield live


def server_settings(data: Path, **overrides: object) -> ServerSettings:
    values: dict[str, object] = {
        "data": data,
        "write_token": TOKEN,
        "query_timeout": 3.0,
        "row_cap": 50,
        "query_workers": 2,
        "rate_limit_per_minute": 100_000,
        "max_concurrent_per_client": 64,
    }
    values.update(overrides)
    return ServerSettings(**values)  # type: ignore[arg-type]


AUTH = {"Authorization": f"Bearer {TOKEN}"}
# A triple cross join: runs for minutes on any non-trivial graph, so it meets every timeout.
EXPENSIVE_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
