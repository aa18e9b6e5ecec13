"""Build the named graph of one report: report, passages, mentions, entities found, relations with
their rdf:Statement provenance, and observations."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ingest.document import ExtractedEntity, Fact, Mention, Passage, Relation
from kg.namespaces import (
    CNKG,
    DCTERMS,
    PROV,
    RDF,
    RDFS,
    SKOS,
    XSD,
    entity_iri,
    fact_iri,
    passage_iri,
    report_iri,
    statement_iri,
)

__all__ = ["ReportMetadata", "build_report_graph", "serialize_nquads"]


@dataclass(frozen=True)
class ReportMetadata:
    rid: str
    title: str
    source: str
    sha256: str
    chars: int
    publisher: str | None = None
    issued: str | None = None  # xsd:gYear, xsd:gYearMonth or xsd:date lexical form
    issued_source: str | None = None  # how the date was found (ingest.metadata.DATE_SOURCES)


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: str, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(value, language=lang)
    if datatype:
        return ox.Literal(value, datatype=_n(datatype))
    return ox.Literal(value)


def _int(value: int) -> ox.Literal:
    return _lit(str(value), XSD + "integer")


class _QuadSink:
    def __init__(self, graph: str) -> None:
        self.graph = _n(graph)
        self.quads: list[ox.Quad] = []

    def add(self, s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        self.quads.append(ox.Quad(_n(s), _n(p), o, self.graph))


_DATE_TYPES = {4: "gYear", 7: "gYearMonth", 10: "date"}


def _issued_literal(issued: str) -> ox.Literal:
    return _lit(issued, XSD + _DATE_TYPES[len(issued)])


def build_report_graph(
    meta: ReportMetadata,
    passages: tuple[Passage, ...],
    entities: dict[str, ExtractedEntity],
    mentions: tuple[Mention, ...],
    relations: list[Relation],
    facts: list[Fact],
) -> list[ox.Quad]:
    report = report_iri(meta.rid)
    g = _QuadSink(report)
    g.add(report, RDF + "type", _n(CNKG + "Report"))
    g.add(report, DCTERMS + "title", _lit(meta.title, lang="zh"))
    g.add(report, RDFS + "label", _lit(meta.title, lang="zh"))
    g.add(report, DCTERMS + "language", _lit("zh"))
    g.add(report, DCTERMS + "source", _lit(meta.source))
    g.add(report, CNKG + "sha256", _lit(meta.sha256))
    g.add(report, CNKG + "charCount", _int(meta.chars))
    if meta.publisher:
        g.add(report, DCTERMS + "publisher", _lit(meta.publisher, lang="zh"))
    if meta.issued:
        g.add(report, DCTERMS + "issued", _issued_literal(meta.issued))
        if meta.issued_source:
            g.add(report, CNKG + "dateSource", _lit(meta.issued_source))

    for p in passages:
        iri = passage_iri(meta.rid, p.n)
        g.add(iri, RDF + "type", _n(CNKG + "Passage"))
        g.add(iri, DCTERMS + "isPartOf", _n(report))
        g.add(iri, CNKG + "text", _lit(p.text, lang="zh"))
        g.add(iri, CNKG + "start", _int(p.start))
        g.add(iri, CNKG + "end", _int(p.end))
        g.add(iri, CNKG + "section", _lit(p.section, lang="zh"))
    for p_n, slug in sorted({(m.passage, m.slug) for m in mentions}):
        g.add(passage_iri(meta.rid, p_n), CNKG + "mentions", _n(entity_iri(slug)))

    for entity in entities.values():
        if not entity.discovered:
            continue
        iri = entity_iri(entity.slug)
        g.add(iri, RDF + "type", _n(CNKG + entity.type))
        g.add(iri, SKOS + "prefLabel", _lit(entity.label, lang=entity.lang))
        g.add(iri, RDFS + "label", _lit(entity.label, lang=entity.lang))
        g.add(iri, CNKG + "discovered", _lit("true", XSD + "boolean"))
        for alias in entity.aliases:
            g.add(iri, SKOS + "altLabel", _lit(alias, lang="en" if alias.isascii() else "zh"))

    for k, rel in enumerate(relations):
        predicate = SKOS + "broader" if rel.predicate == "broader" else CNKG + rel.predicate
        subject, obj = entity_iri(rel.subject), entity_iri(rel.object)
        g.add(subject, predicate, _n(obj))
        st = statement_iri(meta.rid, k)
        g.add(st, RDF + "type", _n(RDF + "Statement"))
        g.add(st, RDF + "subject", _n(subject))
        g.add(st, RDF + "predicate", _n(predicate))
        g.add(st, RDF + "object", _n(obj))
        g.add(st, PROV + "wasDerivedFrom", _n(passage_iri(meta.rid, rel.passage)))
        g.add(st, CNKG + "start", _int(rel.start))
        g.add(st, CNKG + "end", _int(rel.end))
        g.add(st, CNKG + "confidence", _lit(f"{rel.confidence:.2f}", XSD + "decimal"))

    for k, fact in enumerate(facts):
        iri = fact_iri(meta.rid, k)
        g.add(iri, RDF + "type", _n(CNKG + "Observation"))
        g.add(iri, CNKG + "metric", _lit(fact.metric, lang="zh"))
        g.add(iri, CNKG + "value", _lit(str(fact.value), XSD + "decimal"))
        if fact.value_max is not None:
            g.add(iri, CNKG + "valueMax", _lit(str(fact.value_max), XSD + "decimal"))
        g.add(iri, CNKG + "unit", _lit(fact.unit))
        g.add(iri, CNKG + "qualifier", _lit(fact.qualifier))
        if fact.year is not None:
            g.add(iri, CNKG + "year", _lit(str(fact.year), XSD + "gYear"))
            if fact.year_stated is not None:
                g.add(iri, CNKG + "yearStated", _lit(str(fact.year_stated).lower(), XSD + "boolean"))
        if fact.about:
            g.add(iri, CNKG + "about", _n(entity_iri(fact.about)))
        g.add(iri, PROV + "wasDerivedFrom", _n(passage_iri(meta.rid, fact.passage)))
        g.add(iri, CNKG + "start", _int(fact.start))
        g.add(iri, CNKG + "end", _int(fact.end))
    return g.quads


def serialize_nquads(quads: list[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
