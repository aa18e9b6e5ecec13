"""List and relation questions answered from the typed relations of the graph, up to two hops.

"Kubernetes的前身是什么？" is ``?x cnkg:predecessorOf ent:kubernetes``;
"哪些厂商提供基于Kubernetes的容器云产品？" is ``?x cnkg:offers ?y . ?y cnkg:basedOn ent:kubernetes`` with
``?x`` a Vendor. Every member of the answer carries the statements (``rdf:Statement`` with
``prov:wasDerivedFrom`` and offsets) it rests on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kg.namespaces import CNKG, ENTITY_BASE, ORG_TYPES, SKOS, cnkg_name_of, entity_iri, slug_of
from kg.qa.evidence import Answer, Evidence
from kg.qa.question import RELATION_CUES, LinkedEntity, Question
from kg.qa.sentences import sentence_at
from kg.qa.source import Select
from kg.sparql.resources import iri_term

__all__ = ["RelationPlan", "answer_from_relations", "plan_relations"]

# The agent side of these properties is an Organization or Vendor (the anchor's type decides direction).
_AGENT_PROPERTIES = {"developedBy", "openSourcedBy", "issuedBy"}
# Two-hop paths go through named things only, never through a broad concept (容器, 云原生 …).
_HOP_TYPES = {"Product", "Technology", "Vendor", "Organization", "Policy"}
MAX_CANDIDATES = 200  # (answer, middle) pairs read from the graph for one relation question


@dataclass(frozen=True)
class Hop:
    predicate: str
    unknown_is_subject: bool  # ?x p anchor (True) or anchor p ?x (False)


@dataclass(frozen=True)
class RelationPlan:
    anchor: LinkedEntity
    hops: tuple[Hop, ...]  # one hop, or (outer hop from ?x to ?y, inner hop from ?y to the anchor)


def _property(name: str) -> str:
    return SKOS + "broader" if name == "broader" else CNKG + name


def _direction(predicate: str, anchor_type: str | None, cue_before_anchor: bool) -> bool:
    """True when the question asks for the subject of ``predicate`` with the anchor as object."""
    if predicate == "predecessorOf":
        return True  # X的前身: ?x predecessorOf X
    if predicate in _AGENT_PROPERTIES:
        return anchor_type in ORG_TYPES  # 华为开源了哪些项目 vs KubeEdge由谁开源
    if predicate == "usedByIndustry":
        return anchor_type == "Industry"
    return cue_before_anchor  # 哪些产品基于K8s (?x basedOn K8s) vs K8s基于什么 (K8s basedOn ?x)


def plan_relations(question: Question, entity_type: Callable[[str], str | None]) -> list[RelationPlan]:
    """Candidate graph paths for a list or relation question, most specific first."""
    if not question.predicates or not question.entities:
        return []
    text = question.text
    noun = question.target_noun
    anchors = []
    for entity in question.entities:
        after = text[entity.end : entity.end + len(noun) + 1]
        if noun and after.lstrip("的").startswith(noun) and len(question.entities) > 1:
            continue  # 容器云产品: the kind of thing wanted, not what it is related to
        anchors.append(entity)
    plans: list[RelationPlan] = []
    for anchor in anchors:
        anchor_type = entity_type(anchor.slug)

        if len(question.predicates) >= 2:
            outer, inner = question.predicates[0], question.predicates[1]
            plans.append(RelationPlan(anchor, (Hop(outer, True), _hop(text, inner, anchor, anchor_type))))
        for predicate in question.predicates:
            plans.append(RelationPlan(anchor, (_hop(text, predicate, anchor, anchor_type),)))
    return plans


def _hop(text: str, predicate: str, anchor: LinkedEntity, anchor_type: str | None) -> Hop:
    cue = _cue_position(text, predicate)
    before = cue is not None and cue < anchor.start
    return Hop(predicate, _direction(predicate, anchor_type, before))


def _cue_position(text: str, predicate: str) -> int | None:
    for name, pattern in RELATION_CUES:
        if name == predicate:
            match = pattern.search(text)
            return match.start() if match else None
    return None


def _pattern(plan: RelationPlan) -> str:
    anchor = iri_term(entity_iri(plan.anchor.slug))

    def triple(hop: Hop, unknown: str, known: str) -> str:
        p = iri_term(_property(hop.predicate))
        return f"{unknown} {p} {known} ." if hop.unknown_is_subject else f"{known} {p} {unknown} ."

    if len(plan.hops) == 1:
        return triple(plan.hops[0], "?x", anchor) + " BIND(?x AS ?y)"
    outer, inner = plan.hops
    hop_types = ", ".join(iri_term(CNKG + t) for t in sorted(_HOP_TYPES))
    # the middle entities first, each once: the union of the report graphs states a relation once per
    # report, and joining the repeats of both hops made the lookup grow with the square of the reports.
    # Their types are checked from them (the innermost subquery is evaluated first, FILTER IN keeps the
    # lookup bound): with a VALUES block of types the join began with every entity of those types
    return (
        f"{{ SELECT DISTINCT ?y WHERE {{ {{ SELECT DISTINCT ?y WHERE {{ {triple(inner, '?y', anchor)} }} }} "
        f"?y a ?yt FILTER(?yt IN ({hop_types})) }} }} "
        f"?x {iri_term(_property(outer.predicate))} ?y . FILTER(?x != ?y)"
    )


async def _candidates(select: Select, plan: RelationPlan) -> list[dict[str, str]]:
    rows = await select(
        f"""SELECT ?x ?y (SAMPLE(?t) AS ?type) (SAMPLE(?zh) AS ?labelZh) (SAMPLE(?en) AS ?labelEn)
WHERE {{
  {{ SELECT DISTINCT ?x ?y WHERE {{
    {_pattern(plan)}
    FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{ENTITY_BASE}"))
  }} LIMIT {MAX_CANDIDATES} }}
  OPTIONAL {{ ?x a ?t FILTER(STRSTARTS(STR(?t), "{CNKG}")) }}
  OPTIONAL {{ ?x skos:prefLabel ?zh FILTER(LANGMATCHES(LANG(?zh), "zh")) }}
  OPTIONAL {{ ?x skos:prefLabel ?en FILTER(LANGMATCHES(LANG(?en), "en")) }}
}} GROUP BY ?x ?y"""
    )
    out = []
    for row in rows:
        out.append(
            {
                "x": row["x"]["value"],
                "y": row["y"]["value"],
                "type": cnkg_name_of(row.get("type", {}).get("value", "")),
                "label": (row.get("labelZh") or row.get("labelEn") or {"value": ""})["value"]
                or slug_of(row["x"]["value"]),
                "labelEn": row.get("labelEn", {}).get("value", ""),
            }
        )
    return out


async def _statements(
    select: Select, triples: list[tuple[str, str, str]]
) -> dict[tuple[str, str, str], Evidence]:
    """The cited sentence of each (subject, property, object) triple: one per triple, that of its statement
    of highest confidence (then the first passage IRI, then the first offset).

    Two queries. The first reads the statements of the triples without their passages' text, starting from
    the triples (a subquery is evaluated first: joined to a plain VALUES block, the lookup began with every
    statement of the store); every report states a relation again in its own graph, so this reads one small
    row per report that states it. It looks a statement up inside each report graph that asserts its triple
    (the ingest writes a relation and the statement of it into the same report graph, ``ingest/graph.py``):
    over the union default graph the lookup by the statement's subject read every statement about that
    entity in every report (a vendor named in most reports), which grew with the store; inside one graph it
    reads that report's few statements about the subject. The second reads the text of the chosen passages
    only, one row each."""
    wanted = list(dict.fromkeys(triples))  # a two-hop answer repeats its inner triple for every member
    if not wanted:
        return {}
    values = " ".join(f"({iri_term(s)} {iri_term(p)} {iri_term(o)})" for s, p, o in wanted)
    rows = await select(
        f"""SELECT ?s ?p ?o ?passage ?start ?end ?conf WHERE {{
  {{ SELECT ?s ?p ?o WHERE {{ VALUES (?s ?p ?o) {{ {values} }} }} }}
  GRAPH ?g {{
    ?s ?p ?o .
    ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?passage ;
        cnkg:start ?start ; cnkg:end ?end ; cnkg:confidence ?conf .
  }}
}}"""
    )
    best: dict[tuple[str, str, str], tuple[float, str, int, int]] = {}
    for row in rows:
        key = (row["s"]["value"], row["p"]["value"], row["o"]["value"])
        found = (
            -float(row["conf"]["value"]),
            row["passage"]["value"],
            int(row["start"]["value"]),
            int(row["end"]["value"]),
        )
        if key not in best or found < best[key]:
            best[key] = found
    passages = await _passages(select, {passage for _, passage, _, _ in best.values()})
    cited: dict[tuple[str, str, str], Evidence] = {}
    for key, (_, passage, start, end) in best.items():
        if passage not in passages:
            continue  # a passage without its text cites nothing
        report, text, pstart = passages[passage]
        sentence = sentence_at(text, pstart, start, end)
        cited[key] = Evidence(passage, report, sentence.text, sentence.start, sentence.end)
    return cited


async def _passages(select: Select, passages: set[str]) -> dict[str, tuple[str, str, int]]:
    """passage IRI -> (report IRI, text, offset of the text in the report)."""
    if not passages:
        return {}
    values = " ".join(iri_term(p) for p in sorted(passages))
    rows = await select(
        f"""SELECT ?passage ?r ?text ?pstart WHERE {{
  {{ SELECT ?passage WHERE {{ VALUES ?passage {{ {values} }} }} }}
  ?passage cnkg:text ?text ; cnkg:start ?pstart ; dcterms:isPartOf ?r .
}}"""
    )
    return {
        row["passage"]["value"]: (row["r"]["value"], row["text"]["value"], int(row["pstart"]["value"]))
        for row in rows
    }


def _type_fits(found: str, wanted: tuple[str, ...]) -> bool:
    return not wanted or found in wanted


async def answer_from_relations(
    question: Question,
    select: Select,
    entity_type: Callable[[str], str | None],
    surfaces: Callable[[str], list[str]],
    within: set[str] | None = None,
) -> Answer | None:
    """The members the graph gives for the first plan that yields any, with their evidence; None if no plan
    does. ``within``: only the members with a step stated in one of these passages."""
    for plan in plan_relations(question, entity_type):
        rows = [r for r in await _candidates(select, plan) if _type_fits(r["type"], question.target_types)]
        rows = [r for r in rows if r["x"] != entity_iri(plan.anchor.slug)]
        if not rows:
            continue
        anchor = entity_iri(plan.anchor.slug)
        paths: list[tuple[dict[str, str], list[tuple[str, str, str]]]] = []
        for r in rows:
            if len(plan.hops) == 1:
                paths.append((r, [_oriented(plan.hops[0], r["x"], anchor)]))
            else:
                outer, inner = plan.hops
                paths.append(
                    (r, [(r["x"], _property(outer.predicate), r["y"]), _oriented(inner, r["y"], anchor)])
                )
        cited = await _statements(select, [t for _, path in paths for t in path])
        evidence: list[Evidence] = []
        items: list[str] = []
        facts = []
        for r, path in paths:
            if not all(t in cited for t in path):
                continue  # every step must be stated in a report (the curated lexicon is not evidence)
            spans = [cited[t] for t in path]
            if within is not None and not any(e.passage in within for e in spans):
                continue  # stated only in passages the search did not retrieve for this question
            items.append(_written_name(r, surfaces, spans))
            evidence.extend(spans)
            for s, p, o in path:
                facts.append(
                    {"subject": s, "predicate": p, "object": o, "evidence": cited[(s, p, o)].passage}
                )
        if not items:
            continue
        items = list(dict.fromkeys(items))
        answer = "、".join(items)
        return Answer(answer, True, "graph", evidence, facts, items, score=1.0)
    return None


def _oriented(hop: Hop, unknown: str, anchor: str) -> tuple[str, str, str]:
    p = _property(hop.predicate)
    return (unknown, p, anchor) if hop.unknown_is_subject else (anchor, p, unknown)


def _written_name(row: dict[str, str], surfaces: Callable[[str], list[str]], spans: list[Evidence]) -> str:
    """The member's name as the evidence writes it (Red Hat), with the canonical label when it differs."""
    slug = slug_of(row["x"])
    label = row["label"]
    text = " ".join(e.text for e in spans).casefold()
    for form in [label, row["labelEn"], *surfaces(slug)]:
        if form and form.casefold() in text:
            return form if form == label else f"{label}（{form}）"
    return label
