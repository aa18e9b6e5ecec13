"""The curated lexicon: SKOS entries read from ``ontology/lexicon.ttl``, and alias resolution.

>>> lex = Lexicon.load()
>>> lex.resolve("K8s").slug
'kubernetes'
>>> lex.resolve("ｋ８ｓ").slug
'kubernetes'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import rdflib
from rdflib.namespace import RDF, SKOS

from kg.errors import StoreError
from kg.namespaces import CNKG, ENTITY_BASE, ENTITY_TYPES, WIKIDATA, normalize_name
from kg.store import ontology_path

__all__ = ["Lexicon", "LexiconEntry"]

_CNKG = rdflib.Namespace(CNKG)
_TYPE_IRIS = {rdflib.URIRef(CNKG + t): t for t in ENTITY_TYPES}


@dataclass
class LexiconEntry:
    slug: str
    type: str
    pref_zh: str
    pref_en: str
    aliases: list[str] = field(default_factory=list)
    context_aliases: list[str] = field(default_factory=list)  # valid only in a cloud context
    definition: str = ""
    wikidata: str | None = None  # QID
    broader: list[str] = field(default_factory=list)  # slugs

    @property
    def iri(self) -> str:
        return ENTITY_BASE + self.slug

    @property
    def label(self) -> str:
        """Display label: Chinese first."""
        return self.pref_zh or self.pref_en

    def surfaces(self) -> list[str]:
        """Every written form of this entry (labels and aliases), context-only aliases excluded."""
        forms = [self.pref_zh, self.pref_en, *self.aliases]
        return [f for f in dict.fromkeys(forms) if f]


class Lexicon:
    def __init__(self, entries: list[LexiconEntry]) -> None:
        self.entries = {e.slug: e for e in entries}
        self._by_surface: dict[str, str] = {}
        for entry in entries:
            for surface in entry.surfaces():
                self._by_surface.setdefault(normalize_name(surface), entry.slug)
        self._context: dict[str, str] = {
            normalize_name(a): e.slug for e in entries for a in e.context_aliases
        }

    @classmethod
    def load(cls) -> Lexicon:
        return _load_shipped()

    @classmethod
    def from_graph(cls, graph: rdflib.Graph) -> Lexicon:
        entries = []
        for subject in set(graph.subjects(RDF.type, SKOS.Concept)):
            if not isinstance(subject, rdflib.URIRef) or not str(subject).startswith(ENTITY_BASE):
                continue
            types = [
                _TYPE_IRIS[t]
                for t in graph.objects(subject, RDF.type)
                if isinstance(t, rdflib.URIRef) and t in _TYPE_IRIS
            ]
            if not types:
                continue
            entries.append(_entry_from_graph(graph, subject, types[0]))
        return cls(sorted(entries, key=lambda e: e.slug))

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, slug: object) -> bool:
        return slug in self.entries

    def get(self, slug: str) -> LexiconEntry | None:
        return self.entries.get(slug)

    def resolve(self, name: str, *, cloud_context: bool = False) -> LexiconEntry | None:
        """The entry a name (label, alias, any width or case) stands for, if any."""
        key = normalize_name(name)
        slug = self._by_surface.get(key)
        if slug is None and cloud_context:
            slug = self._context.get(key)
        return self.entries.get(slug) if slug else None

    def surface_forms(self) -> dict[str, str]:
        """Normalised surface form → slug, for every label and alias."""
        return dict(self._by_surface)

    def context_forms(self) -> dict[str, str]:
        """Normalised context-only alias → slug (e.g. 阿里 → alibaba-cloud)."""
        return dict(self._context)


def _entry_from_graph(graph: rdflib.Graph, subject: rdflib.URIRef, type_name: str) -> LexiconEntry:
    def literals(predicate: rdflib.URIRef) -> list[rdflib.Literal]:
        return sorted(
            (o for o in graph.objects(subject, predicate) if isinstance(o, rdflib.Literal)), key=str
        )

    prefs = literals(SKOS.prefLabel)
    pref_zh = next((str(p) for p in prefs if p.language == "zh"), "")
    pref_en = next((str(p) for p in prefs if p.language == "en"), "")
    definition = next((str(d) for d in literals(SKOS.definition) if d.language == "zh"), "")
    qid = next(
        (
            str(o)[len(WIKIDATA) :]
            for o in graph.objects(subject, SKOS.exactMatch)
            if str(o).startswith(WIKIDATA)
        ),
        None,
    )
    return LexiconEntry(
        slug=str(subject)[len(ENTITY_BASE) :],
        type=type_name,
        pref_zh=pref_zh,
        pref_en=pref_en,
        aliases=[str(a) for a in literals(SKOS.altLabel)],
        context_aliases=[str(a) for a in literals(_CNKG.contextLabel)],
        definition=definition,
        wikidata=qid,
        broader=sorted(str(b)[len(ENTITY_BASE) :] for b in graph.objects(subject, SKOS.broader)),
    )


@lru_cache(maxsize=1)
def _load_shipped() -> Lexicon:
    graph = rdflib.Graph()
    path = ontology_path("lexicon.ttl")
    try:
        graph.parse(path, format="turtle")
    except (OSError, SyntaxError, ValueError) as exc:
        raise StoreError(f"cannot read the lexicon {path}: {exc}") from exc
    return Lexicon.from_graph(graph)
