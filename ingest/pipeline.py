"""The ingest line: read → clean → segment → entities → relations → facts → graph → store + indexes.

``cnkg ingest report.pdf`` runs ``ingest_path()`` with a progress bar.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.clean import clean
from ingest.document import (
    CleanDocument,
    ExtractedEntity,
    Fact,
    Mention,
    Passage,
    Relation,
    SourceDocument,
)
from ingest.entities import extract_entities
from ingest.facts import find_figures
from ingest.graph import ReportMetadata, build_report_graph, serialize_nquads
from ingest.metadata import issued_date, publisher, title
from ingest.read import read_bytes, read_path
from ingest.relations import extract_relations
from ingest.segment import segment
from kg.catalog import Catalog, IndexUpdater, PassageRecord, ReportBundle
from kg.datadir import DataDir
from kg.lexicon import LEXICON_FILES, Lexicon
from kg.namespaces import passage_iri, report_id
from kg.store import ontology_path
from kg.tokenize import WordSegmenter

__all__ = [
    "PIPELINE_VERSION",
    "Extraction",
    "IngestSummary",
    "Progress",
    "extract",
    "ingest_bytes",
    "ingest_path",
    "prepare",
]

PIPELINE_VERSION = "1"

# progress(stage, done, total): called as the line moves on; stages are listed in STAGES
Progress = Callable[[str, int, int], None]
STAGES = ("read", "clean", "segment", "entities", "relations", "facts", "graph", "write")


@dataclass
class IngestSummary:
    rid: str
    source: str
    title: str
    status: str  # added, replaced, unchanged
    chars: int
    passages: int
    entities: dict[str, int]  # by type
    discovered: int
    relations: int
    facts: int
    seconds: float
    stage_seconds: dict[str, float] = field(default_factory=dict)


def _pipeline_version() -> str:
    digest = hashlib.sha256()
    for name in LEXICON_FILES:
        digest.update(ontology_path(name).read_bytes())
    lexicon_hash = digest.hexdigest()[:8]
    return f"{PIPELINE_VERSION}+lex.{lexicon_hash}"


class _Timer:
    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self._t = time.perf_counter()

    def done(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._t
        self._t = now
        if self.progress:
            self.progress(stage, STAGES.index(stage) + 1, len(STAGES))


def _facts(passages: tuple[Passage, ...], mentions: tuple[Mention, ...]) -> list[Fact]:
    facts: list[Fact] = []
    for passage in passages:
        for sentence in passage.sentences:
            line_end = passage.text.find("\n", sentence.end - passage.start)
            rest = passage.text[sentence.end - passage.start : line_end if line_end != -1 else None]
            for fig in find_figures(sentence.text, rest):
                start, end = sentence.start + fig.start, sentence.start + fig.end
                clause_start = (
                    sentence.start
                    + max((sentence.text.rfind(c, 0, fig.start) for c in "，,；;："), default=-1)
                    + 1
                )
                about = {m.slug for m in mentions if clause_start <= m.start and m.end <= start}
                facts.append(
                    Fact(
                        fig.metric,
                        fig.value,
                        fig.unit,
                        fig.qualifier,
                        passage.n,
                        start,
                        end,
                        fig.value_max,
                        fig.year,
                        next(iter(about)) if len(about) == 1 else None,
                    )
                )
    return facts


@dataclass(frozen=True)
class Extraction:
    """Everything extracted from one document, before it becomes a graph."""

    source: SourceDocument
    cleaned: CleanDocument
    passages: tuple[Passage, ...]
    entities: dict[str, ExtractedEntity]
    mentions: tuple[Mention, ...]
    relations: list[Relation]
    facts: list[Fact]


def extract(
    source: SourceDocument,
    *,
    lexicon: Lexicon | None = None,
    segmenter: WordSegmenter | None = None,
    timer: _Timer | None = None,
) -> Extraction:
    """clean → segment → entities → relations → facts, on a document already read; no I/O."""
    timer = timer or _Timer(None)
    lexicon = lexicon or Lexicon.load()
    segmenter = segmenter or WordSegmenter.shared()
    cleaned = clean(source)
    timer.done("clean")
    seg = segment(cleaned)
    timer.done("segment")
    found = extract_entities(seg.passages, lexicon, segmenter)
    timer.done("entities")
    relations = extract_relations(seg.passages, found.entities, found.mentions)
    timer.done("relations")
    facts = _facts(seg.passages, found.mentions)
    timer.done("facts")
    return Extraction(source, cleaned, seg.passages, found.entities, found.mentions, relations, facts)


def prepare(source: SourceDocument, *, timer: _Timer | None = None) -> tuple[ReportBundle, IngestSummary]:
    """Extract a document and build its report bundle (graph, text, passages); no I/O."""
    timer = timer or _Timer(None)
    lexicon = Lexicon.load()
    segmenter = WordSegmenter.shared()
    ex = extract(source, lexicon=lexicon, segmenter=segmenter, timer=timer)
    sha = hashlib.sha256(source.text.encode("utf-8")).hexdigest()
    rid = report_id(sha)
    meta = ReportMetadata(
        rid=rid,
        title=title(ex.cleaned),
        source=source.source,
        sha256=sha,
        chars=len(source.text),
        publisher=publisher(ex.cleaned, lexicon, segmenter.matcher),
        issued=issued_date(ex.cleaned),
    )
    quads = build_report_graph(meta, ex.passages, ex.entities, ex.mentions, ex.relations, ex.facts)
    by_type = dict(sorted(Counter(e.type for e in ex.entities.values()).items()))
    slugs_by_passage: dict[int, dict[str, None]] = {}
    for m in ex.mentions:
        slugs_by_passage.setdefault(m.passage, {})[m.slug] = None
    records = [
        PassageRecord(
            passage_iri(rid, p.n),
            rid,
            p.n,
            p.text,
            p.start,
            p.end,
            p.section,
            tuple(slugs_by_passage.get(p.n, {})),
        )
        for p in ex.passages
    ]
    discovered = sum(1 for e in ex.entities.values() if e.discovered)
    counts = {
        "passages": len(ex.passages),
        "entities": by_type,
        "discovered": discovered,
        "relations": len(ex.relations),
        "facts": len(ex.facts),
        "triples": len(quads),
    }
    bundle = ReportBundle(
        rid,
        source.source,
        sha,
        meta.title,
        source.text,
        serialize_nquads(quads),
        _pipeline_version(),
        records,
        counts,
    )
    timer.done("graph")
    summary = IngestSummary(
        rid,
        source.source,
        meta.title,
        "prepared",
        len(source.text),
        len(ex.passages),
        by_type,
        discovered,
        len(ex.relations),
        len(ex.facts),
        0.0,
    )
    return bundle, summary


def _ingest(
    read: Callable[[], SourceDocument],
    datadir: DataDir,
    progress: Progress | None,
    index_updater: IndexUpdater | None,
    force: bool,
) -> IngestSummary:
    started = time.perf_counter()
    timer = _Timer(progress)
    source = read()
    timer.done("read")
    catalog = Catalog(datadir, index_updater=index_updater)
    bundle, summary = prepare(source, timer=timer)
    if force:
        bundle.pipeline += "+forced." + hashlib.sha256(str(time.time_ns()).encode()).hexdigest()[:6]
    outcome = catalog.write(bundle)
    timer.done("write")
    summary.status = outcome.status
    summary.seconds = time.perf_counter() - started
    summary.stage_seconds = timer.seconds
    return summary


def ingest_path(
    path: Path,
    datadir: DataDir,
    *,
    progress: Progress | None = None,
    index_updater: IndexUpdater | None = None,
    force: bool = False,
    max_bytes: int = 50_000_000,
) -> IngestSummary:
    """Ingest one file into the data directory (atomic; idempotent for an unchanged file)."""
    return _ingest(lambda: read_path(path, max_bytes=max_bytes), datadir, progress, index_updater, force)


def ingest_bytes(
    data: bytes,
    filename: str,
    datadir: DataDir,
    *,
    progress: Progress | None = None,
    index_updater: IndexUpdater | None = None,
    max_bytes: int = 50_000_000,
) -> IngestSummary:
    """Ingest an uploaded file; ``filename`` only selects the format."""
    return _ingest(
        lambda: read_bytes(data, filename, max_bytes=max_bytes), datadir, progress, index_updater, False
    )
