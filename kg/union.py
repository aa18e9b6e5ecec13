"""The default graph of a cnkg store: the set union of its named graphs, kept by the writer.

Every report is a named graph, the lexicon another. A SPARQL query without a dataset (no FROM, no
protocol ``default-graph-uri``) reads the default graph, which in cnkg is the RDF merge of all of them.
pyoxigraph 0.5 can evaluate such queries on a *view* of the union of the named graphs
(``use_default_graph_as_union``), but that view is not deduplicated: a triple stated by 800 report
graphs is returned 800 times (oxigraph issue 1919, fixed only in its 0.6 line, not on PyPI), which is
both wrong (a default graph is a set, COUNT was inflated) and slow (the hot-entity lookup at 1,000
reports read 7,993 rows for 1,031 offerers). So cnkg keeps the union in the store's real default graph,
as a set: whoever adds a named graph copies its triples in, whoever drops one first removes the triples
no other named graph still states (:func:`drop_graph`). The default graph is not a named graph, so
``GRAPH ?g`` still ranges over the report and lexicon graphs only, and nothing else writes to it.

The copy of a report graph is made from its N-Quads file (:func:`triples_of`): the file with the graph
name cut from every line, loaded as N-Triples into the default graph. That is the cheapest copy measured
(100 synthetic reports of 1,000, 1.09M quads, 1.01M distinct triples, into an on-disk store: the named
graphs' bulk load 9.3 s CPU, peak 77 MiB; the copy by this text 5.0 s CPU more, peak 325 MiB; by
``bulk_extend`` of the re-parsed quads 6.3 s, 901 MiB; by ``bulk_extend`` of the store's own quads 12.0 s,
996 MiB; by SPARQL ``INSERT … WHERE { GRAPH <g> … }`` 18 s in another run).
A load gives the blank nodes of a document fresh names, so a file that may hold a blank node (``_:``
anywhere in it: cnkg's report files hold none) or is not in the canonical one-quad-a-line form
:func:`pyoxigraph.serialize` writes is copied from the store's own quads instead (:func:`copy_graph`),
which keeps the very blank nodes of the named graph; so is the lexicon (its Turtle has anonymous
blank nodes).

Each function also keeps *mirrors* in step: stores that hold the default graph alone, which an in-memory
query worker keeps beside the full store for the queries that read nothing else
(:meth:`kg.store.GraphStore.store_for`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox

__all__ = ["add_file", "copy_graph", "drop_graph", "named_quads", "triples_of", "triples_or_copy"]

_BLANK = b"_:"


def triples_of(path: Path, graph: str) -> bytes | None:
    """The triples of the report graph file ``path`` (N-Quads of the graph IRI ``graph``) as N-Triples,
    with the blank nodes' labels of the file; None when the file must be copied from the store instead
    (it may hold a blank node, or a line does not end with the graph's own name as a canonical quad
    does)."""
    data = path.read_bytes()
    if _BLANK in data or (data and not data.endswith(b"\n")):
        return None
    term = b" <" + graph.encode() + b"> .\n"  # ends a line, so at most once a line
    if data.count(term) != data.count(b"\n"):
        return None
    return data.replace(term, b" .\n")


def _triples(store: ox.Store, graph: ox.NamedNode) -> list[ox.Quad]:
    return [
        ox.Quad(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, graph)
    ]


def copy_graph(store: ox.Store, graph: ox.NamedNode, mirrors: Sequence[ox.Store] = ()) -> None:
    """Copy the triples of the named graph ``graph`` (already in ``store``) into the default graph, with
    its own blank nodes; and into each store of ``mirrors`` (stores of the default graph alone)."""
    triples = _triples(store, graph)
    for target in (store, *mirrors):
        target.extend(triples)


def triples_or_copy(
    store: ox.Store, graph: ox.NamedNode, path: Path, mirrors: Sequence[ox.Store] = ()
) -> bytes | None:
    """The triples of ``graph``, just loaded from the N-Quads file ``path``, as N-Triples for the caller to
    load into the default graph; or, when the file cannot be cut so (:func:`triples_of`), None once they
    are copied from the store's own quads (:func:`copy_graph`)."""
    triples = triples_of(path, graph.value)
    if triples is None:
        copy_graph(store, graph, mirrors)
    return triples


def add_file(store: ox.Store, graph: ox.NamedNode, path: Path, mirrors: Sequence[ox.Store] = ()) -> None:
    """Copy the named graph ``graph``, just loaded from the N-Quads file ``path``, into the default graph
    (and into each store of ``mirrors``)."""
    triples = triples_or_copy(store, graph, path, mirrors)
    if triples is not None:
        for target in (store, *mirrors):
            target.load(triples, format=ox.RdfFormat.N_TRIPLES)


# DELETE from the default graph every triple of <g> that no other named graph states (NOT EXISTS stops
# at the first other graph found, so a triple stated by hundreds of reports costs one index seek)
_ONLY_HERE = """DELETE {{ ?s ?p ?o }} WHERE {{
  GRAPH <{g}> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{g}>) }}
}}"""


def drop_graph(store: ox.Store, graph: ox.NamedNode, mirrors: Sequence[ox.Store] = ()) -> None:
    """Remove the named graph ``graph``, and from the default graph (and from each store of ``mirrors``)
    the triples only it stated."""
    store.update(_ONLY_HERE.format(g=graph.value))
    if mirrors:
        gone = [triple for triple in _triples(store, graph) if triple not in store]
        for mirror in mirrors:
            for triple in gone:
                mirror.remove(triple)
    store.remove_graph(graph)


_NAMED_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def named_quads(store: ox.Store) -> int:
    """Quads in the named graphs (``len(store)`` also counts the default graph's copies)."""
    result = store.query(_NAMED_QUADS)
    assert isinstance(result, ox.QuerySolutions)
    cell = next(iter(result))["n"]
    return int(cell.value) if isinstance(cell, ox.Literal) else 0
