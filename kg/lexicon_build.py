"""Build the lexicon's generated part from the vendored snapshots, merged under the curated entries.

    python -m kg.lexicon_build                      # rebuild ontology/lexicon-sources.ttl from the snapshots
    python -m kg.lexicon_build snapshot --landscape-repo DIR --glossary-repo DIR   # refresh the snapshots

Inputs: the curated ``ontology/lexicon.ttl`` and the newest ``ontology/sources/cncf-glossary-*.json`` and
``cncf-landscape-*.json`` (kg.lexicon_snapshot). Output: ``ontology/lexicon-sources.ttl``, which
``kg.lexicon`` loads after the curated file. The merge, in this order (curated, glossary, landscape):

- a source entry that shares a normalised label or alias with an earlier entry is that entry: the
  earlier one keeps its IRI and type, and gets the new names as ``skos:altLabel`` when no other entry
  has them, its links, and a definition in a language it had none in;
- any other source entry becomes a new entry (IRI from its English name), typed by its landscape
  category or glossary category (``LANDSCAPE_TYPES``);
- a name that is also a common word (an English word with a frequency of at least
  ``kg.english_words.COMMON_WORD_ZIPF`` in pyspellchecker's English frequency list: Flux, Harbor, Spark,
  Envoy …) is a
  ``cnkg:exactLabel``: it names the entry only when written in exactly that case in a technical sentence
  (kg.surface_matcher, ingest.entities). Chinese names that are common jieba words
  (frequency ≥ ``COMMON_ZH_FREQ``: 服务, 节点, 调试 …) are not matched at all (``cnkg:exactLabel`` too,
  which needs a Latin-script capital to mean a name).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rdflib
from rdflib.namespace import RDF, SKOS

from kg.english_words import common_english_words
from kg.errors import StoreError
from kg.lexicon import Lexicon
from kg.lexicon_snapshot import glossary_snapshot, landscape_snapshot, split_abbreviation
from kg.namespaces import ENTITY_BASE, entity_slug, normalize_name
from kg.store import ontology_path

__all__ = ["BuildReport", "build", "main"]

SOURCES_DIR = "sources"
GENERATED_FILE = "lexicon-sources.ttl"
LANDSCAPE_URL = "https://github.com/cncf/landscape"
GLOSSARY_URL = "https://github.com/cncf/glossary"
GLOSSARY_PAGE = "https://glossary.cncf.io/{id}/"
# landscape (category, subcategory) → type; first match wins, "*" matches any subcategory
LANDSCAPE_TYPES: tuple[tuple[str, str, str], ...] = (
    ("CNCF Members", "End User Supporter and Contributor", "Organization"),
    ("CNCF Members", "Nonprofit", "Organization"),
    ("CNCF Members", "Academic", "Organization"),
    ("CNCF Members", "*", "Vendor"),
    ("Special", "Kubernetes Certified Service Provider", "Vendor"),
    ("Special", "Kubernetes and Cloud Native Training Partner", "Vendor"),
    ("Special", "*", "Product"),
)
# any other category: an open-source project (it has a repository) is a Technology; an item without one
# is a Product when its name starts with a vendor's name (AWS CloudFormation), a Vendor when it is its
# own Crunchbase organisation (Datadog), else a Technology (a technical category: PyTorch, Open MPI)
# glossary: the annotation guidelines' Concept is a paradigm, practice, architecture or property; the
# glossary tags those terms so (its own category field mixes both: edge computing is "technology")
GLOSSARY_CONCEPT_TAGS = frozenset({"methodology", "architecture", "property"})
# whether terms only the glossary knows are matched in report text. No: on the dev split they are mostly
# generic words the annotation leaves out (Pod, Service, 集群, 节点, API): matched, they added 4 right
# mentions and 37 wrong ones (precision 0.639 → 0.607). They stay in the lexicon, with their definitions,
# for questions and the graph.
GLOSSARY_TERMS_IN_TEXT = False
# jieba dictionary frequency from which a Chinese label is an everyday word (服务, 节点, 调试)
COMMON_ZH_FREQ = 100
# the landscape's own markers written in parentheses after a name (Spotify (member), X (KCSP)): not names
LANDSCAPE_QUALIFIERS = frozenset({"member", "supporter", "contributor", "kcsp", "kcntp", "wasm"})
# Apache projects are called by their short name too (Apache Hadoop → Hadoop)
FOUNDATION_PREFIX = "Apache "
# a Latin name this short (Go, R, k3s stays) is too easily part of something else
SHORT_NAME_CHARS = 2
_LEGAL_SUFFIX = re.compile(r",?\s+(?:Inc\.?|Ltd\.?|LLC|GmbH|Co\.,? Ltd\.?|Corp\.?|S\.A\.|AG|B\.V\.)$")


@dataclass
class _Entry:
    slug: str
    type: str
    source: str
    pref_en: str = ""
    pref_zh: str = ""
    names: list[str] = field(default_factory=list)  # alt labels proposed by the sources
    homepage: str = ""
    repository: str = ""
    see_also: str = ""
    definitions: dict[str, str] = field(default_factory=dict)  # lang → text
    curated: bool = False
    curated_langs: frozenset[str] = frozenset()  # definition languages the curated entry has
    curated_names: frozenset[str] = frozenset()  # normalised names the curated file already gives it

    def labels(self) -> list[str]:
        return [n for n in dict.fromkeys([self.pref_en, self.pref_zh, *self.names]) if n]


@dataclass
class BuildReport:
    new_entries: Counter[str] = field(default_factory=Counter)  # source → entries it added
    merged: Counter[str] = field(default_factory=Counter)  # source → items merged into earlier entries
    aliases_added: int = 0
    exact_labels: int = 0
    dropped_ambiguous: int = 0

    def lines(self) -> list[str]:
        out = [
            f"{src}: {self.new_entries[src]} new entries, {self.merged[src]} merged into earlier entries"
            for src in ("glossary", "landscape")
        ]
        out.append(f"aliases added to earlier entries: {self.aliases_added}")
        out.append(f"labels matched only in their exact case (common words): {self.exact_labels}")
        out.append(f"names dropped as ambiguous between entries: {self.dropped_ambiguous}")
        return out


class _CommonWords:
    """Word-frequency judgements from packaged lists: pyspellchecker (English), jieba (Chinese)."""

    def __init__(self) -> None:
        common = common_english_words()
        if common is None:
            raise StoreError("the lexicon build needs pyspellchecker (pip install pyspellchecker)")
        self._en = common
        import jieba

        jieba.initialize()
        self._zh: dict[str, int] = jieba.dt.FREQ

    def is_common(self, label: str) -> bool:
        if label.isascii():
            words = label.casefold().split()
            return len(words) == 1 and (len(label) <= SHORT_NAME_CHARS or words[0] in self._en)
        return self._zh.get(label, 0) >= COMMON_ZH_FREQ


def latest_snapshot(kind: str) -> Path:
    folder = ontology_path(SOURCES_DIR)
    found = sorted(folder.glob(f"cncf-{kind}-*.json"))
    if not found:
        raise StoreError(f"no {kind} snapshot in {folder}")
    return found[-1]


def build(
    curated: Lexicon,
    glossary: dict[str, Any],
    landscape: dict[str, Any],
    sources: frozenset[str] = frozenset({"glossary", "landscape"}),
) -> tuple[str, BuildReport]:
    """The Turtle text of the generated lexicon part, and what each source added."""
    report = BuildReport()
    entries: list[_Entry] = []
    by_name: dict[str, _Entry] = {}
    for e in curated.entries.values():
        entry = _Entry(
            e.slug,
            e.type,
            "curated",
            e.pref_en,
            e.pref_zh,
            curated=True,
            curated_langs=frozenset({"zh"} if e.definition else ()),
            curated_names=frozenset(
                normalize_name(n) for n in (*e.surfaces(), *e.context_aliases, *e.exact_labels)
            ),
        )
        entries.append(entry)
        for name in (*e.surfaces(), *e.context_aliases):
            by_name.setdefault(normalize_name(name), entry)
    taken_slugs = {e.slug for e in entries}
    if "glossary" in sources:
        for item in _glossary_items(glossary):
            _merge(item, "glossary", entries, by_name, taken_slugs, report)
    if "landscape" in sources:
        for item in _landscape_items(landscape, _vendor_names(curated, landscape)):
            _merge(item, "landscape", entries, by_name, taken_slugs, report)
    common = _CommonWords()
    return _turtle(entries, by_name, common, glossary, landscape, report), report


def _merge(
    item: _Entry,
    source: str,
    entries: list[_Entry],
    by_name: dict[str, _Entry],
    taken_slugs: set[str],
    report: BuildReport,
) -> None:
    keys = [normalize_name(n) for n in item.labels()]
    # one thing only through a shared label: abbreviations (CD, SAM) are too often shared by two
    prefs = [normalize_name(n) for n in (item.pref_en, item.pref_zh) if n]
    earlier = next((by_name[k] for k in prefs if k in by_name), None)
    if earlier is None and item.slug in taken_slugs:
        earlier = next(e for e in entries if e.slug == item.slug)
    if earlier is None:
        entries.append(item)
        taken_slugs.add(item.slug)
        for k in keys:
            by_name.setdefault(k, item)
        report.new_entries[source] += 1
        return
    report.merged[source] += 1
    for name in item.labels():
        by_name.setdefault(normalize_name(name), earlier)
        known = {normalize_name(n) for n in earlier.labels()} | earlier.curated_names
        if normalize_name(name) not in known:
            earlier.names.append(name)
    earlier.homepage = earlier.homepage or item.homepage
    earlier.repository = earlier.repository or item.repository
    earlier.see_also = earlier.see_also or item.see_also
    for lang, text in item.definitions.items():
        earlier.definitions.setdefault(lang, text)


def _glossary_items(snapshot: dict[str, Any]) -> Iterable[_Entry]:
    for term in snapshot["terms"]:
        en, zh = term.get("en") or {}, term.get("zh") or {}
        if not en:
            continue
        tags = set(en.get("tags") or ())
        concept = tags & GLOSSARY_CONCEPT_TAGS or str(en.get("category", "")).casefold() == "property"
        type_ = "Concept" if concept else "Technology"
        names = [n for n in (en.get("abbreviation"), zh.get("abbreviation")) if n]
        entry = _Entry(
            entity_slug(en["title"]),
            type_,
            "glossary",
            en["title"],
            zh.get("title", ""),
            names=names,
            see_also=GLOSSARY_PAGE.format(id=term["id"]),
        )
        for lang, part in (("en", en), ("zh", zh)):
            if part.get("definition"):
                entry.definitions[lang] = part["definition"]
        yield entry


def _landscape_items(snapshot: dict[str, Any], vendors: set[str]) -> Iterable[_Entry]:
    for item in snapshot["items"]:
        label, abbreviation = split_abbreviation(item["name"])
        if abbreviation.casefold() in LANDSCAPE_QUALIFIERS or " " in abbreviation:
            abbreviation = ""
        label = _LEGAL_SUFFIX.sub("", label).strip()
        if not label:
            continue
        short = label[len(FOUNDATION_PREFIX) :] if label.startswith(FOUNDATION_PREFIX) else ""
        entry = _Entry(
            entity_slug(label),
            _landscape_type(item, label, vendors),
            "landscape",
            label,
            names=[n for n in (abbreviation, short) if n and len(n) > SHORT_NAME_CHARS],
            homepage=item.get("homepage", ""),
            repository=item.get("repo_url", ""),
        )
        if item.get("description"):
            entry.definitions["en"] = item["description"]
        yield entry


def _landscape_type(item: dict[str, str], label: str, vendors: set[str]) -> str:
    if item.get("enduser"):  # a member that uses cloud-native software rather than selling it
        return "Organization"
    for category, sub, type_ in LANDSCAPE_TYPES:
        if item["category"] == category and sub in ("*", item["subcategory"]):
            return type_
    if item.get("repo_url") or item.get("project"):
        return "Technology"
    words = normalize_name(label).split()
    if any(" ".join(words[:n]) in vendors for n in range(1, len(words))):
        return "Product"
    if item.get("crunchbase_org") and item["crunchbase_org"] == entity_slug(label):
        return "Vendor"
    return "Technology"


def _vendor_names(curated: Lexicon, snapshot: dict[str, Any]) -> set[str]:
    """Normalised names of vendors: curated ones and the landscape's member companies."""
    names = {normalize_name(n) for e in curated.entries.values() if e.type == "Vendor" for n in e.surfaces()}
    for item in snapshot["items"]:
        if _landscape_type(item, item["name"], set()) == "Vendor" and item["category"] == "CNCF Members":
            label = _LEGAL_SUFFIX.sub("", split_abbreviation(item["name"])[0]).strip()
            names.add(normalize_name(label))
    return names


def _turtle(
    entries: list[_Entry],
    by_name: dict[str, _Entry],
    common: _CommonWords,
    glossary: dict[str, Any],
    landscape: dict[str, Any],
    report: BuildReport,
) -> str:
    owners: dict[str, set[str]] = {}
    for entry in entries:
        for name in entry.labels():
            owners.setdefault(normalize_name(name), set()).add(entry.slug)
    out = [
        "# GENERATED by `python -m kg.lexicon_build` from ontology/sources/ — do not edit by hand;",
        "# curate ontology/lexicon.ttl instead (curated entries win over these).",
        f"# CNCF glossary {GLOSSARY_URL} @ {glossary['commit']} ({glossary['licence']});",
        f"# CNCF landscape {LANDSCAPE_URL} @ {landscape['commit']} ({landscape['licence']}).",
        "@prefix cnkg: <https://w3id.org/cnkg/ontology#> .",
        "@prefix ent: <https://w3id.org/cnkg/id/entity/> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
        "@prefix doap: <http://usefulinc.com/ns/doap#> .",
        "",
    ]
    for entry in sorted(entries, key=lambda e: e.slug):
        triples = _entry_triples(entry, owners, common, report)
        if not triples:
            continue
        out.append(f"<{ENTITY_BASE}{entry.slug}>")
        out.append(" ;\n".join(f"    {p} {o}" for p, o in triples) + " .")
        out.append("")
    return "\n".join(out)


def _entry_triples(
    entry: _Entry, owners: dict[str, set[str]], common: _CommonWords, report: BuildReport
) -> list[tuple[str, str]]:
    triples: list[tuple[str, str]] = []
    if not entry.curated:
        triples.append(("a", f"cnkg:{entry.type}, skos:Concept"))
        triples.append(("skos:inScheme", "<https://w3id.org/cnkg/id/scheme/cloud-native>"))
        src = GLOSSARY_URL if entry.source == "glossary" else LANDSCAPE_URL
        triples.append(("dcterms:source", f"<{src}>"))
        if entry.source == "glossary" and not GLOSSARY_TERMS_IN_TEXT:
            triples.append(("cnkg:matchInText", "false"))
    labels: list[tuple[str, str]] = []
    if not entry.curated:
        for text, lang in ((entry.pref_en, "en"), (entry.pref_zh, "zh")):
            if text:
                labels.append(("pref", _lit(text, lang)))
    seen = {normalize_name(n) for n in (entry.pref_en, entry.pref_zh) if n}
    for name in entry.names:
        key = normalize_name(name)
        if key in seen:
            continue
        seen.add(key)
        if len(owners.get(key, ())) > 1:
            report.dropped_ambiguous += 1
            continue
        labels.append(("alt", _lit(name, "zh" if not name.isascii() else "en")))
        if entry.curated:
            report.aliases_added += 1
    for kind, lit in labels:
        if kind == "pref":
            triples.append(("skos:prefLabel", lit))
            triples.append(("rdfs:label", lit))
    for kind, lit in labels:
        text = json.loads(lit.rsplit("@", 1)[0])
        if kind == "alt" or (kind == "pref" and common.is_common(text)):
            if common.is_common(text):
                triples.append(("cnkg:exactLabel", lit))
                report.exact_labels += 1
            elif kind == "alt":
                triples.append(("skos:altLabel", lit))
    if entry.homepage:
        triples.append(("foaf:homepage", f"<{_iri(entry.homepage)}>"))
    if entry.repository:
        triples.append(("doap:repository", f"<{_iri(entry.repository)}>"))
    if entry.see_also:
        triples.append(("rdfs:seeAlso", f"<{_iri(entry.see_also)}>"))
    for lang in sorted(entry.definitions):
        if lang not in entry.curated_langs:
            triples.append(("skos:definition", _lit(entry.definitions[lang], lang)))
    return triples


def _lit(text: str, lang: str) -> str:
    return json.dumps(text, ensure_ascii=False) + "@" + lang


def _iri(url: str) -> str:
    return re.sub(r"[\s<>\"{}|\\^`]", lambda m: f"%{ord(m.group()):02X}", url.strip())


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _rebuild(sources: frozenset[str]) -> int:
    curated = Lexicon.from_graph(_parse(ontology_path("lexicon.ttl")))
    glossary = json.loads(latest_snapshot("glossary").read_text(encoding="utf-8"))
    landscape = json.loads(latest_snapshot("landscape").read_text(encoding="utf-8"))
    text, report = build(curated, glossary, landscape, sources)
    _parse_text(text)  # never write a file the loader cannot read
    _write_atomic(ontology_path(GENERATED_FILE), text)
    print(f"wrote {ontology_path(GENERATED_FILE)}")
    for line in report.lines():
        print(line)
    return 0


def _snapshot(landscape_repo: Path, glossary_repo: Path) -> int:
    folder = ontology_path(SOURCES_DIR)
    folder.mkdir(exist_ok=True)
    for kind, data in (
        ("landscape", landscape_snapshot(landscape_repo)),
        ("glossary", glossary_snapshot(glossary_repo)),
    ):
        path = folder / f"cncf-{kind}-{data['commit_date']}.json"
        _write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        count = len(data.get("items") or data.get("terms") or [])
        print(f"wrote {path} ({count} records, commit {data['commit']})")
    return 0


def _parse(path: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(path, format="turtle")
    return graph


def _parse_text(text: str) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=text, format="turtle")
    if not any(graph.subjects(RDF.type, SKOS.Concept)):
        raise StoreError("the generated lexicon has no entries")
    return graph


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kg.lexicon_build", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    rebuild = sub.add_parser("rebuild", help="rebuild ontology/lexicon-sources.ttl (the default command)")
    rebuild.add_argument(
        "--only",
        choices=("glossary", "landscape"),
        help="use one source only (to measure what each adds)",
    )
    snap = sub.add_parser("snapshot", help="refresh the snapshots from local clones of the sources")
    snap.add_argument("--landscape-repo", type=Path, required=True)
    snap.add_argument("--glossary-repo", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        if args.command == "snapshot":
            return _snapshot(args.landscape_repo, args.glossary_repo)
        only = getattr(args, "only", None)
        return _rebuild(frozenset({only}) if only else frozenset({"glossary", "landscape"}))
    except (StoreError, OSError, ValueError) as exc:
        print(f"lexicon build failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
