"""The VoID description of the dataset (``GET /.well-known/void``), computed from the live store.

``void:Dataset`` with its title, SPARQL endpoint, URI space, vocabularies, counts (triples = quads over
all graphs, the number an export holds; entities = distinct subjects in the URI space; distinct
subjects and objects), class and property partitions, one ``void:subset`` per named graph (the lexicon
and each report, with ``sd:name`` the graph IRI) and a ``void:Linkset`` to Wikidata counting the
``skos:exactMatch`` links. The counts cost a few full scans, so the description is cached per version
of the data directory.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.datadir import DataDir
from kg.namespaces import (
    CNKG,
    DCTERMS,
    ID_BASE,
    LEXICON_GRAPH,
    PROV,
    RDF,
    RDFS,
    REPORT_BASE,
    SKOS,
    WIKIDATA,
    XSD,
)
from kg.sparql.engine import SparqlEngine, select_json

__all__ = ["VOID", "VoidStatistics", "void_quads", "void_statistics"]

VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
FOAF = "http://xmlns.com/foaf/0.1/"
VOCABULARIES = (CNKG, SKOS, PROV, DCTERMS, RDFS)
_ROWS = 100_000


@dataclass
class VoidStatistics:
    triples: int = 0
    entities: int = 0
    subjects: int = 0
    objects: int = 0
    links: int = 0
    classes: dict[str, int] = field(default_factory=dict)  # class -> distinct instances
    properties: dict[str, int] = field(default_factory=dict)  # property -> triples
    graphs: dict[str, tuple[int, str | None]] = field(default_factory=dict)  # graph -> (triples, title)


def _int(row: dict[str, Any], name: str) -> int:
    cell = row.get(name)
    return int(cell["value"]) if cell else 0


async def _compute(engine: SparqlEngine) -> VoidStatistics:
    stats = VoidStatistics()
    for row in await select_json(
        engine,
        f"""SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
       (COUNT(DISTINCT ?e) AS ?entities) WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} BIND(IF(isIRI(?s) && STRSTARTS(STR(?s), "{ID_BASE}"), ?s, ?unbound) AS ?e)
}}""",
    ):
        stats.triples, stats.subjects = _int(row, "triples"), _int(row, "subjects")
        stats.objects, stats.entities = _int(row, "objects"), _int(row, "entities")
    for row in await select_json(
        engine,
        f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s skos:exactMatch ?o
  FILTER(STRSTARTS(STR(?o), "{WIKIDATA}")) }} }}""",
    ):
        stats.links = _int(row, "n")
    for row in await select_json(
        engine, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c", row_cap=_ROWS
    ):
        stats.classes[row["c"]["value"]] = _int(row, "n")
    for row in await select_json(
        engine, "SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p", row_cap=_ROWS
    ):
        stats.properties[row["p"]["value"]] = _int(row, "n")
    for row in await select_json(
        engine,
        """SELECT ?g (COUNT(*) AS ?n) (SAMPLE(?t) AS ?title) WHERE {
  GRAPH ?g { ?s ?p ?o } OPTIONAL { GRAPH ?g { ?g dcterms:title ?t } }
} GROUP BY ?g""",
        row_cap=_ROWS,
    ):
        title = row.get("title")
        stats.graphs[row["g"]["value"]] = (_int(row, "n"), title["value"] if title else None)
    return stats


_cache: dict[str, tuple[int, VoidStatistics]] = {}  # by data directory: (manifest generation, counts)
_lock = threading.Lock()


async def void_statistics(engine: SparqlEngine, datadir: DataDir) -> VoidStatistics:
    """The counts of the current version of the data directory (computed once per version)."""
    key, stamp = str(datadir.root.resolve()), datadir.manifest_stamp()
    with _lock:
        cached = _cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    stats = await _compute(engine)
    if datadir.manifest_stamp() == stamp:  # not if a writer changed the data meanwhile
        with _lock:
            _cache[key] = (stamp, stats)
    return stats


def void_quads(stats: VoidStatistics, base: str, title: str) -> list[ox.Quad]:
    """The description as triples; ``base`` is where the service runs (``http://host:port/``)."""
    base = base.rstrip("/") + "/"
    dataset = ox.NamedNode(base + ".well-known/void#cnkg")
    triples: list[tuple[ox.NamedNode | ox.BlankNode, str, ox.NamedNode | ox.Literal | ox.BlankNode]] = []

    def n(iri: str) -> ox.NamedNode:
        return ox.NamedNode(iri)

    def count(value: int) -> ox.Literal:
        return ox.Literal(str(value), datatype=n(XSD + "integer"))

    triples += [
        (dataset, RDF + "type", n(VOID + "Dataset")),
        (dataset, DCTERMS + "title", ox.Literal(title, language="en")),
        (dataset, DCTERMS + "description", ox.Literal("云原生行业研究报告知识图谱", language="zh")),
        (dataset, VOID + "sparqlEndpoint", n(base + "sparql")),
        (dataset, VOID + "uriSpace", ox.Literal(ID_BASE)),
        (dataset, VOID + "feature", n("http://www.w3.org/ns/formats/TriG")),
        (dataset, VOID + "feature", n("http://www.w3.org/ns/formats/N-Quads")),
        (dataset, VOID + "triples", count(stats.triples)),
        (dataset, VOID + "entities", count(stats.entities)),
        (dataset, VOID + "distinctSubjects", count(stats.subjects)),
        (dataset, VOID + "distinctObjects", count(stats.objects)),
        (dataset, VOID + "classes", count(len(stats.classes))),
        (dataset, VOID + "properties", count(len(stats.properties))),
    ]
    triples += [(dataset, VOID + "vocabulary", n(v)) for v in VOCABULARIES]
    # a class partition counts its entities, a property partition the triples using the property
    partitions = (("class", stats.classes, "entities"), ("property", stats.properties, "triples"))
    for kind, sizes, measure in partitions:
        for k, (iri, size) in enumerate(sorted(sizes.items())):
            part = n(f"{base}.well-known/void#{kind}-{k}")
            triples += [
                (dataset, VOID + f"{kind}Partition", part),
                (part, VOID + kind, n(iri)),
                (part, VOID + measure, count(size)),
            ]
    for graph, (size, graph_title) in sorted(stats.graphs.items()):
        name = "lexicon" if graph == LEXICON_GRAPH else graph.removeprefix(REPORT_BASE).replace("/", "-")
        subset = n(f"{base}.well-known/void#graph-{name}")
        triples += [
            (dataset, VOID + "subset", subset),
            (subset, RDF + "type", n(VOID + "Dataset")),
            (subset, SD + "name", n(graph)),
            (subset, VOID + "triples", count(size)),
        ]
        if graph_title:
            triples.append((subset, DCTERMS + "title", ox.Literal(graph_title, language="zh")))
        if graph.startswith(REPORT_BASE):
            triples.append((subset, FOAF + "primaryTopic", n(graph)))
    wikidata = n(base + ".well-known/void#wikidata")
    linkset = n(base + ".well-known/void#wikidata-links")
    triples += [
        (wikidata, RDF + "type", n(VOID + "Dataset")),
        (wikidata, FOAF + "homepage", n("https://www.wikidata.org/")),
        (wikidata, VOID + "uriSpace", ox.Literal(WIKIDATA)),
        (dataset, VOID + "subset", linkset),
        (linkset, RDF + "type", n(VOID + "Linkset")),
        (linkset, VOID + "linkPredicate", n(SKOS + "exactMatch")),
        (linkset, VOID + "subjectsTarget", dataset),
        (linkset, VOID + "objectsTarget", wikidata),
        (linkset, VOID + "triples", count(stats.links)),
    ]
    return [ox.Quad(s, n(p), o) for s, p, o in triples]
