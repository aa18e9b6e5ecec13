"""Shared by the extraction bench and its test: load a development set and score an extraction."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ingest.pipeline import Extraction, extract
from ingest.read import read_path
from kg.lexicon import Lexicon
from kg.namespaces import normalize_name

ROOT = Path(__file__).resolve().parents[2]
DEVSET_DIR = ROOT / "tests" / "data" / "devset"
CORPUS_DIR = ROOT.parent / "shared" / "corpus"


def document_path(document: str) -> Path:
    if document.startswith("corpus/"):
        return CORPUS_DIR / document.removeprefix("corpus/")
    return ROOT / document


def load_devsets() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(DEVSET_DIR.glob("*.json"))]


@dataclass
class Score:
    tp_pred: int = 0  # predicted items that match gold
    pred: int = 0
    tp_gold: int = 0  # gold items that are found
    gold: int = 0
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp_pred / self.pred if self.pred else 1.0

    @property
    def recall(self) -> float:
        return self.tp_gold / self.gold if self.gold else 1.0

    def count_predicted(self, ok: bool, label: str) -> None:
        """One predicted item: ``ok`` when it matches gold; ``label`` is listed as spurious when not."""
        self.pred += 1
        self.tp_pred += ok
        if not ok:
            self.spurious.append(label)

    def count_gold(self, ok: bool, label: str) -> None:
        """One gold item: ``ok`` when it was found; ``label`` is listed as missed when not."""
        self.gold += 1
        self.tp_gold += ok
        if not ok:
            self.missed.append(label)

    def add(self, other: Score) -> None:
        self.tp_pred += other.tp_pred
        self.pred += other.pred
        self.tp_gold += other.tp_gold
        self.gold += other.gold


def _entity_forms(ex: Extraction, lexicon: Lexicon) -> dict[str, set[str]]:
    forms: dict[str, set[str]] = defaultdict(set)
    for m in ex.mentions:
        forms[m.slug].add(normalize_name(m.surface))
    for slug, entity in ex.entities.items():
        forms[slug].add(normalize_name(entity.label))
        entry = lexicon.get(slug)
        if entry:
            forms[slug].update(normalize_name(s) for s in entry.surfaces())
    return forms


def _gold_forms(item: dict) -> set[str]:
    return {normalize_name(n) for n in [item["name"], *item.get("aliases", [])]}


def score_entities(ex: Extraction, gold: list[dict], lexicon: Lexicon) -> dict[str, Score]:
    """Per type (and 'all'): precision over predicted entities, recall over gold entities; typed."""
    forms = _entity_forms(ex, lexicon)
    scores: dict[str, Score] = defaultdict(Score)
    gold_keys = [(_gold_forms(g), g["type"], g["name"]) for g in gold]
    for slug, entity in ex.entities.items():
        ok = any(entity.type == t and forms[slug] & f for f, t, _ in gold_keys)
        for key in (entity.type, "all"):
            scores[key].count_predicted(ok, f"{entity.label}/{entity.type}")
    for f, t, name in gold_keys:
        ok = any(ex.entities[slug].type == t and forms[slug] & f for slug in ex.entities)
        for key in (t, "all"):
            scores[key].count_gold(ok, f"{name}/{t}")
    return scores


def resolve_gold_name(name: str, gold_entities: list[dict], ex: Extraction, lexicon: Lexicon) -> set[str]:
    """Slugs of predicted entities that a gold entity name stands for."""
    forms = _entity_forms(ex, lexicon)
    target = {normalize_name(name)}
    for g in gold_entities:
        if normalize_name(g["name"]) in target:
            target |= _gold_forms(g)
    return {slug for slug, f in forms.items() if f & target}


_ResolvedRelation = tuple[str, set[str], set[str], dict]


def _resolved_relations(ex: Extraction, gold: dict, lexicon: Lexicon) -> list[_ResolvedRelation]:
    """Each gold relation with the slugs of the found entities its subject and object stand for."""
    return [
        (
            g["predicate"],
            resolve_gold_name(g["subject"], gold["entities"], ex, lexicon),
            resolve_gold_name(g["object"], gold["entities"], ex, lexicon),
            g,
        )
        for g in gold["relations"]
    ]


def relations_within_reach(ex: Extraction, gold: dict, lexicon: Lexicon) -> tuple[int, int]:
    """(gold relations both of whose entities the extraction found, gold relations): what relation
    recall can reach before any relation rule, given the entities."""
    golds = _resolved_relations(ex, gold, lexicon)
    return sum(1 for _, s, o, _ in golds if s and o), len(golds)


def score_relations(ex: Extraction, gold: dict, lexicon: Lexicon) -> dict[str, Score]:
    scores: dict[str, Score] = defaultdict(Score)
    golds = _resolved_relations(ex, gold, lexicon)
    for rel in ex.relations:
        ok = any(rel.predicate == p and rel.subject in s and rel.object in o for p, s, o, _ in golds)
        for key in (rel.predicate, "all"):
            scores[key].count_predicted(ok, f"{rel.subject} {rel.predicate} {rel.object} [{rel.pattern}]")
    for p, s, o, g in golds:
        ok = any(rel.predicate == p and rel.subject in s and rel.object in o for rel in ex.relations)
        for key in (p, "all"):
            scores[key].count_gold(ok, f"{g['subject']} {p} {g['object']}")
    return scores


def _fact_key(value: Decimal, value_max: Decimal | None, unit: str, year: int | None) -> tuple:
    return (value.normalize(), value_max.normalize() if value_max is not None else None, unit, year)


def score_facts(ex: Extraction, gold: list[dict]) -> dict[str, Score]:
    """A fact is right when value, range end, unit and year all match (multiset matching)."""
    scores: dict[str, Score] = defaultdict(Score)
    predicted = Counter(_fact_key(f.value, f.value_max, f.unit, f.year) for f in ex.facts)
    wanted = Counter(
        _fact_key(
            Decimal(g["value"]),
            Decimal(g["value_max"]) if g.get("value_max") else None,
            g["unit"],
            g.get("year"),
        )
        for g in gold
    )
    both = predicted & wanted
    s = scores["all"]
    s.pred, s.tp_pred = sum(predicted.values()), sum(both.values())
    s.gold, s.tp_gold = sum(wanted.values()), sum(both.values())
    s.missed = [str(k) for k in (wanted - predicted).elements()]
    s.spurious = [str(k) for k in (predicted - wanted).elements()]
    return scores


def evaluate(devset: dict, lexicon: Lexicon) -> dict[str, dict[str, Score]]:
    ex = extract(read_path(document_path(devset["document"])), lexicon=lexicon)
    return {
        "entities": score_entities(ex, devset["entities"], lexicon),
        "relations": score_relations(ex, devset, lexicon),
        "facts": score_facts(ex, devset["facts"]),
    }
