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
    values = " ".join(iri_term(p) for p in passages)
    props = " ".join(iri_term(_property(p)) for p in predicates)
    return await select(
        f"""SELECT ?s ?p ?o ?passage ?start ?end (SAMPLE(?st) AS ?stype) (SAMPLE(?ot) AS ?otype) WHERE {{
  VALUES ?passage {{ {values} }} VALUES ?p {{ {props} }}
  ?x rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?passage ;
     cnkg:start ?start ; cnkg:end ?end .
  OPTIONAL {{ ?s a ?st FILTER(STRSTARTS(STR(?st), "{CNKG}")) }}
  OPTIONAL {{ ?o a ?ot FILTER(STRSTARTS(STR(?ot), "{CNKG}")) }}
}} GROUP BY ?s ?p ?o ?passage ?start ?end ORDER BY ?passage ?start"""
    )


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
