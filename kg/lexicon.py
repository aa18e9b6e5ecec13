"""The lexicon: SKOS entries read from ``ontology/lexicon.ttl`` (curated) and
``ontology/lexicon-sources.ttl`` (generated from the CNCF landscape and glossary by kg.lexicon_build),
and alias resolution.

>>> lex = Lexicon.load()
>>> lex.resolve("K8s").slug
'kubernetes'
>>> lex.resolve("ｋ８ｓ").slug
'kubernetes'
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SKOS

from kg.errors import StoreError
from kg.namespaces import CNKG, ENTITY_BASE, ENTITY_TYPES, WIKIDATA, entity_iri, normalize_name, slug_of
from kg.store import ontology_path

__all__ = ["LEXICON_FILES", "Lexicon", "LexiconEntry", "exact_form"]

# the curated file first: the generated one only adds to it (kg.lexicon_build)
LEXICON_FILES = ("lexicon.ttl", "lexicon-sources.ttl")

_TYPE_NAMES = {CNKG + t: t for t in ENTITY_TYPES}
_RDF_TYPE = str(RDF.type)
_SKOS_CONCEPT = str(SKOS.Concept)
# subject IRI → (predicate IRI, value, language tag, is a literal)
_Statements = dict[str, list[tuple[str, str, str, bool]]]


@dataclass
class LexiconEntry:
    slug: str
    type: str
    pref_zh: str
    pref_en: str
    aliases: list[str] = field(default_factory=list)
    context_aliases: list[str] = field(default_factory=list)  # valid only in a cloud context
    # names that are also common words (Flux, Harbor, Spark): they name the entry only when written in
    # exactly this case in a technical sentence, never case-folded
    exact_labels: list[str] = field(default_factory=list)
    # False for a defined term that is looked up but not matched in report text (cnkg:matchInText false:
    # the CNCF glossary's generic terms such as Pod, 集群, API)
    match_in_text: bool = True
    definition: str = ""
    wikidata: str | None = None  # QID
    broader: list[str] = field(default_factory=list)  # slugs

    @property
    def iri(self) -> str:
        return entity_iri(self.slug)

    @property
    def label(self) -> str:
        """Display label: Chinese first."""
        return self.pref_zh or self.pref_en

    def surfaces(self) -> list[str]:
        """Every written form of this entry (labels and aliases), context-only aliases excluded."""
        exact = {normalize_name(f) for f in self.exact_labels}
        forms = [self.pref_zh, self.pref_en, *self.aliases]
        return [f for f in dict.fromkeys(forms) if f and normalize_name(f) not in exact]


class Lexicon:
    def __init__(self, entries: list[LexiconEntry]) -> None:
        self.entries = {e.slug: e for e in entries}
        self._by_surface: dict[str, str] = {}
        self._in_text: dict[str, str] = {}
        for entry in entries:
            for surface in entry.surfaces():
                self._by_surface.setdefault(normalize_name(surface), entry.slug)
                if entry.match_in_text:
                    self._in_text.setdefault(normalize_name(surface), entry.slug)
        self._context: dict[str, str] = {
            normalize_name(a): e.slug for e in entries for a in e.context_aliases
        }
        self._exact: dict[str, str] = {}
        for entry in entries:
            for label in entry.exact_labels if entry.match_in_text else ():
                self._exact.setdefault(exact_form(label), entry.slug)

    @classmethod
    def load(cls) -> Lexicon:
        return _load_shipped()

    @classmethod
    def from_graph(cls, graph: rdflib.Graph) -> Lexicon:
        statements: _Statements = defaultdict(list)
        for subject, predicate, obj in graph:
            if isinstance(obj, rdflib.Literal):
                statements[str(subject)].append((str(predicate), str(obj), obj.language or "", True))
            else:
                statements[str(subject)].append((str(predicate), str(obj), "", False))
        return cls.from_statements(statements)

    @classmethod
    def from_statements(cls, statements: _Statements) -> Lexicon:
        """Entries from subject IRI → (predicate IRI, value, language, is literal) statements."""
        entries = []
        for subject, props in statements.items():
            if not subject.startswith(ENTITY_BASE):
                continue
            classes = {v for p, v, _l, lit in props if p == _RDF_TYPE and not lit}
            types = [t for iri, t in _TYPE_NAMES.items() if iri in classes]
            if _SKOS_CONCEPT not in classes or not types:
                continue
            entries.append(_entry(subject, props, types[0]))
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
        slug = self._by_surface.get(key) or self._exact.get(exact_form(name))
        if slug is None and cloud_context:
            slug = self._context.get(key)
        return self.entries.get(slug) if slug else None

    def surface_forms(self) -> dict[str, str]:
        """Normalised surface form → slug, for every label and alias of an entry matched in text."""
        return dict(self._in_text)

    def query_forms(self) -> dict[str, str]:
        """Normalised surface form → slug for every entry, also those not matched in report text
        (a question may name a glossary term such as Pod)."""
        return dict(self._by_surface)

    def context_forms(self) -> dict[str, str]:
        """Normalised context-only alias → slug (e.g. 阿里 → alibaba-cloud)."""
        return dict(self._context)

    def exact_forms(self) -> dict[str, str]:
        """Common-word name as written (width folded, case kept) → slug (Flux → flux)."""
        return dict(self._exact)


def exact_form(name: str) -> str:
    """Width and spaces folded, case kept: the key of a name that must match in its exact case."""
    return unicodedata.normalize("NFKC", " ".join(name.split()))


def _entry(subject: str, props: list[tuple[str, str, str, bool]], type_name: str) -> LexiconEntry:
    def literals(predicate: str) -> list[tuple[str, str]]:
        return sorted({(v, lang) for p, v, lang, lit in props if p == predicate and lit})

    def iris(predicate: str) -> list[str]:
        return sorted({v for p, v, _l, lit in props if p == predicate and not lit})

    prefs = literals(str(SKOS.prefLabel))
    definitions: dict[str, str] = {}
    for text, lang in literals(str(SKOS.definition)):
        definitions.setdefault(lang, text)
    return LexiconEntry(
        slug=slug_of(subject),
        type=type_name,
        pref_zh=next((v for v, lang in prefs if lang == "zh"), ""),
        pref_en=next((v for v, lang in prefs if lang == "en"), ""),
        aliases=[v for v, _l in literals(str(SKOS.altLabel))],
        context_aliases=[v for v, _l in literals(CNKG + "contextLabel")],
        exact_labels=[v for v, _l in literals(CNKG + "exactLabel")],
        match_in_text=("false", "") not in literals(CNKG + "matchInText"),
        definition=definitions.get("zh") or definitions.get("en", ""),
        wikidata=next(
            (o[len(WIKIDATA) :] for o in iris(str(SKOS.exactMatch)) if o.startswith(WIKIDATA)), None
        ),
        broader=[slug_of(b) for b in iris(str(SKOS.broader))],
    )


@lru_cache(maxsize=1)
def _load_shipped() -> Lexicon:
    statements: _Statements = defaultdict(list)
    for name in LEXICON_FILES:
        path = ontology_path(name)
        try:
            for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                obj = quad.object
                if isinstance(obj, ox.Literal):
                    value = (str(quad.predicate.value), obj.value, obj.language or "", True)
                else:
                    value = (str(quad.predicate.value), str(getattr(obj, "value", obj)), "", False)
                statements[str(getattr(quad.subject, "value", quad.subject))].append(value)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"cannot read the lexicon {path}: {exc}") from exc
    return Lexicon.from_statements(statements)
