"""The members of a list ("哪些厂商提供Serverless产品？") from the graph, around the retrieved passages.

Two relation paths, by entity type, each member with the sentence that states it:
  - a relation stated in one of the top passages whose predicate the question names (提供 → offers, 开源 →
    openSourcedBy …), taking the side whose type the question wants (厂商 → Vendor/Organization, 项目 →
    Technology/Product);
  - an entity of the wanted type classed under the question's concept (``skos:broader``: Istio under 服务网格)
    that a top passage names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kg.namespaces import CNKG, ENTITY_BASE, SKOS, cnkg_name_of, entity_iri, slug_of
from kg.qa.evidence import Answer, Evidence
from kg.qa.question import Question
from kg.qa.sentences import sentence_at, split_sentences
from kg.qa.source import Select
from kg.sparql.resources import iri_term

__all__ = ["MEMBER_PASSAGES", "MIN_GRAPH_MEMBERS", "members_from_graph"]

MEMBER_PASSAGES = 5  # top passages whose statements and names can give members
MIN_GRAPH_MEMBERS = 2  # fewer members is no list


def _property(name: str) -> str:
    return SKOS + "broader" if name == "broader" else CNKG + name


async def _stated(select: Select, passages: Sequence[str], predicates: Sequence[str]) -> list[dict[str, Any]]:
    """The relations of ``predicates`` stated in ``passages``, each row with its sides' types (``stype``,
    ``otype``). The types are read in a second query, once per entity: joined in the first, a type that
    every report graph repeats multiplied the rows by the reports twice over."""
    values = " ".join(iri_term(p) for p in passages)
    props = ", ".join(iri_term(_property(p)) for p in predicates)
    rows = await select(
        # the passages' statements first (a subquery is evaluated first): left to the optimizer, the join
        # began with every statement of the predicate, which grows with the store; for the same reason
        # the predicates are a FILTER on the statements found, not a VALUES block joined to them
        f"""SELECT DISTINCT ?s ?p ?o ?passage ?start ?end WHERE {{
  {{ SELECT ?x ?passage WHERE {{ VALUES ?passage {{ {values} }} ?x prov:wasDerivedFrom ?passage }} }}
  ?x rdf:predicate ?p ; rdf:subject ?s ; rdf:object ?o ; cnkg:start ?start ; cnkg:end ?end .
  FILTER(?p IN ({props}))
}} ORDER BY ?passage ?start"""
    )
    types = await _types(select, {row[side]["value"] for row in rows for side in ("s", "o")})
    for row in rows:
        for side, key in (("s", "stype"), ("o", "otype")):
            found = types.get(row[side]["value"])
            if found:
                row[key] = {"type": "uri", "value": found}
    return rows


async def _types(select: Select, entities: set[str]) -> dict[str, str]:
    """One cnkg type of each entity (the first by IRI, where a thing has several)."""
    if not entities:
        return {}
    values = " ".join(iri_term(e) for e in sorted(entities))
    rows = await select(
        f"""SELECT DISTINCT ?e ?t WHERE {{
  VALUES ?e {{ {values} }} ?e a ?t FILTER(STRSTARTS(STR(?t), "{CNKG}"))
}}"""
    )
    found: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r["t"]["value"]):
        found.setdefault(row["e"]["value"], row["t"]["value"])
    return found


async def _narrower(select: Select, concepts: Sequence[str]) -> dict[str, str]:
    values = " ".join(iri_term(entity_iri(c)) for c in concepts)
    rows = await select(
        f"""SELECT ?x (SAMPLE(?t) AS ?type) WHERE {{
  VALUES ?c {{ {values} }} ?x skos:broader ?c .
  OPTIONAL {{ ?x a ?t FILTER(STRSTARTS(STR(?t), "{CNKG}")) }}
}} GROUP BY ?x"""
    )
    return {r["x"]["value"]: cnkg_name_of(r.get("type", {}).get("value", "")) for r in rows}


def _wanted(type_name: str, question: Question) -> bool:
    return type_name in question.target_types


async def members_from_graph(
    question: Question,
    hits: Sequence[dict[str, Any]],
    select: Select,
    surfaces: Callable[[str], list[str]],
    label: Callable[[str], str],
) -> Answer | None:
    """A list answer of the graph's members around the top passages, or None when it has fewer than
    ``MIN_GRAPH_MEMBERS``."""
    if not question.target_types or not hits:
        return None
    top = list(hits[:MEMBER_PASSAGES])
    by_passage = {h["passage"]: h for h in top}
    asked = set(question.slugs)
    members: dict[str, Evidence] = {}
    facts: list[dict[str, Any]] = []
    if question.predicates:
        for row in await _stated(select, list(by_passage), question.predicates):
            s, o = row["s"]["value"], row["o"]["value"]
            st = cnkg_name_of(row.get("stype", {}).get("value", ""))
            ot = cnkg_name_of(row.get("otype", {}).get("value", ""))
            side = s if _wanted(st, question) else o if _wanted(ot, question) else None
            if side is None or not side.startswith(ENTITY_BASE) or slug_of(side) in asked:
                continue
            hit = by_passage[row["passage"]["value"]]
            sentence = sentence_at(
                hit["text"], int(hit["start"]), int(row["start"]["value"]), int(row["end"]["value"])
            )
            members.setdefault(
                side, Evidence(hit["passage"], hit["report"], sentence.text, sentence.start, sentence.end)
            )
            facts.append(
                {"subject": s, "predicate": row["p"]["value"], "object": o, "evidence": hit["passage"]}
            )
    concepts = [slug for slug in question.slugs]
    if concepts:
        narrower = {x: t for x, t in (await _narrower(select, concepts)).items() if _wanted(t, question)}
        for hit in top:
            for x in narrower:
                if x in members:
                    continue
                slug = slug_of(x)
                forms = [f.casefold() for f in [label(slug), *surfaces(slug)] if f]
                for sentence in split_sentences(hit["text"], int(hit["start"])):
                    if any(f in sentence.text.casefold() for f in forms):
                        members[x] = Evidence(
                            hit["passage"], hit["report"], sentence.text, sentence.start, sentence.end
                        )
                        facts.append(
                            {
                                "subject": x,
                                "predicate": SKOS + "broader",
                                "object": entity_iri(concepts[0]),
                                "evidence": hit["passage"],
                            }
                        )
                        break
    if len(members) < MIN_GRAPH_MEMBERS:
        return None
    items = [_written(x, members[x], surfaces, label) for x in members]
    return Answer("、".join(items), True, "graph", list(members.values()), facts, items, score=1.0)


def _written(
    iri: str, evidence: Evidence, surfaces: Callable[[str], list[str]], label: Callable[[str], str]
) -> str:
    """The member's name as its sentence writes it (else its label)."""
    slug = slug_of(iri)
    text = evidence.text.casefold()
    for form in sorted([label(slug), *surfaces(slug)], key=len, reverse=True):
        if form and form.casefold() in text:
            start = text.index(form.casefold())
            return evidence.text[start : start + len(form)]
    return label(slug)
