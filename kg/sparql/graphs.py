"""Writes to report graphs, through the data directory and atomically.

The data directory is the single source of truth: every write (a Graph Store PUT or POST, a SPARQL
Update) produces new graph files for the report graphs it changes and swaps the manifest under the
writer lock, exactly as an ingest does. Readers (query workers, the CLI) see the old or the new graph,
never half of one. Only existing report graphs are writable: the lexicon comes from ``ontology/``, the
default graph is the union of all graphs, and a report (text, passages, indexes, graph) is created by
ingesting its file.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.datadir import DataDir, Manifest
from kg.errors import InputError, NotFoundError
from kg.namespaces import LEXICON_GRAPH, report_iri, rid_of
from kg.sparql.errors import ReadOnlyGraphError, UnsupportedMediaTypeError
from kg.sparql.formats import GRAPH_FORMATS
from kg.sparql.guard import UpdateOperation
from kg.sparql.process import run_in_fresh_worker
from kg.sparql.worker import UpdateJob, graph_nquads

__all__ = [
    "apply_update",
    "merge_report_graph",
    "parse_graph_payload",
    "replace_report_graph",
    "report_rid",
    "writable_report",
]


def report_rid(graph: str) -> str | None:
    """The report id of a report graph IRI, None for any other IRI.

    >>> report_rid("https://w3id.org/cnkg/id/report/0123abcd")
    '0123abcd'
    >>> report_rid("https://w3id.org/cnkg/id/report/0123abcd/passage/1") is None
    True
    """
    rid = rid_of(graph)
    return rid if rid and graph == report_iri(rid) else None


def writable_report(graph: str, manifest: Manifest) -> str:
    """The rid of ``graph`` if clients may write it; raises otherwise."""
    rid = report_rid(graph)
    if rid is None:
        what = "the lexicon graph (edit ontology/*.ttl instead)" if graph == LEXICON_GRAPH else f"<{graph}>"
        raise ReadOnlyGraphError(
            f"{what} is not a report graph; only the graphs of ingested reports can be written"
        )
    if rid not in manifest.reports:
        raise NotFoundError(f"no report {rid!r}; reports are created by uploading their file (POST /reports)")
    return rid


def parse_graph_payload(body: bytes, media_type: str, graph: str) -> bytes:
    """An RDF graph document (Turtle, N-Triples, RDF/XML, JSON-LD, N3) as N-Quads in ``graph``."""
    media = media_type.split(";")[0].strip().lower()
    fmt = next((f for f in GRAPH_FORMATS if media in f.accepts and f.rdf and not f.is_dataset), None)
    if fmt is None or fmt.rdf is None:
        raise UnsupportedMediaTypeError(
            f"cannot read a graph sent as {media or 'no media type'!r}; send one of "
            + ", ".join(f.media_type for f in GRAPH_FORMATS if not f.is_dataset)
        )
    target = ox.NamedNode(graph)
    try:
        quads = [
            ox.Quad(q.subject, q.predicate, q.object, target)
            for q in ox.parse(
                body, format=fmt.rdf, base_iri=graph, without_named_graphs=True, rename_blank_nodes=True
            )
        ]
    except (SyntaxError, ValueError) as exc:
        raise InputError(f"the {fmt.name} document does not parse: {exc}") from None
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""


def _publish(datadir: DataDir, manifest: Manifest, graphs: dict[str, bytes]) -> None:
    """Write new graph files for ``graphs`` (rid -> N-Quads) and swap the manifest; inside ``writing()``."""
    for rid, data in graphs.items():
        record = manifest.reports[rid]
        record.graph_file = datadir.new_artifact("graphs", rid, ".nq", data)
        record.counts = {**record.counts, "triples": data.count(b"\n")}
    if graphs:
        datadir.commit(manifest)


def replace_report_graph(datadir: DataDir, graph: str, nquads: bytes) -> str:
    """Graph Store PUT: the report graph becomes exactly ``nquads``; returns the rid."""
    with datadir.writing():
        manifest = datadir.read_manifest()
        rid = writable_report(graph, manifest)
        _publish(datadir, manifest, {rid: nquads})
    return rid


def merge_report_graph(datadir: DataDir, graph: str, nquads: bytes) -> str:
    """Graph Store POST: add ``nquads`` to the report graph; returns the rid."""
    with datadir.writing():
        manifest = datadir.read_manifest()
        rid = writable_report(graph, manifest)
        merged = ox.Store()
        merged.load(path=str(datadir.path(manifest.reports[rid].graph_file)), format=ox.RdfFormat.N_QUADS)
        merged.load(nquads, format=ox.RdfFormat.N_QUADS)
        data = graph_nquads(merged, graph)
        _publish(datadir, manifest, {rid: data})
    return rid


def apply_update(
    datadir: DataDir,
    operation: UpdateOperation,
    *,
    base_iri: str | None,
    timeout: float,
    allow_network: bool = False,
) -> list[str]:
    """Run a SPARQL Update against a fresh copy of the data directory and persist the report graphs it
    changed, all under the writer lock; returns their rids. Blocking (call it from a thread). The update
    process has no memory cap: it copies the whole store, and only token holders can start one. Like the
    query workers, it cannot reach the network unless ``allow_network``."""
    with datadir.writing():
        manifest = datadir.read_manifest()
        job = UpdateJob(operation.text, base_iri, tuple(manifest.reports))
        outcome = run_in_fresh_worker(Path(datadir.root), job, timeout=timeout, allow_network=allow_network)
        _publish(datadir, manifest, outcome.graphs)
    return sorted(outcome.graphs)
