"""Shared setup for the search tests: real report texts cut into sentence-aligned passages, and a data
directory indexed once per test session (module-level caches, so every test module shares them).

The passage cutter here stands in for ``ingest.segment`` so that the search tests exercise kg.search on
its own; it follows the same contract (150–400 characters, sentence-aligned, ``text[start:end]``).
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import tempfile
from pathlib import Path

import pytest

from kg.catalog import Catalog, PassageRecord, ReportBundle
from kg.datadir import DataDir
from kg.namespaces import passage_iri, report_id
from kg.qa.sentences import trimmed_span
from kg.tokenize import WordSegmenter

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "000_70a1e0d4758384e6.txt"
SAMPLES = sorted((ROOT / "samples").glob("*.md"))

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_file(), reason=f"corpus report not found at {CORPUS} (copyrighted, kept outside the repo)"
)

_SENTENCE = re.compile(r"[^。！？!?；;\n]*(?:[。！？!?；;]+[”’）)]*|\n|$)")


def cut_passages(text: str, low: int = 150, high: int = 400) -> list[tuple[int, int]]:
    """Sentence-aligned (start, end) spans of ``low``–``high`` characters (longer sentences alone)."""
    spans: list[tuple[int, int]] = []
    start = end = None
    for match in _SENTENCE.finditer(text):
        s, e = trimmed_span(text, match.start(), match.end())
        if s >= e:
            continue
        if start is None:
            start, end = s, e
        elif e - start > high and end - start >= low:
            spans.append((start, end))
            start, end = s, e
        else:
            end = e
    if start is not None and end is not None:
        if spans and end - start < low // 2:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def bundle_from_text(text: str, source: str) -> ReportBundle:
    """A report bundle as ingest would make it, minus the graph: passages with their lexicon mentions."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    rid = report_id(sha)
    matcher = WordSegmenter.shared().matcher
    passages = []
    for n, (start, end) in enumerate(cut_passages(text)):
        slugs = tuple(dict.fromkeys(m.slug for m in matcher.find(text, start, end) if not m.contextual))
        passages.append(
            PassageRecord(
                iri=passage_iri(rid, n),
                rid=rid,
                n=n,
                text=text[start:end],
                start=start,
                end=end,
                section="",
                entities=slugs,
            )
        )
    return ReportBundle(
        rid=rid,
        source=source,
        sha256=sha,
        title=source,
        text=text,
        nquads=b"",
        pipeline="search-test",
        passages=tuple(passages),
    )


def report_texts() -> dict[str, str]:
    """Document key (as in retrieval_eval.json) → text, for the documents present."""
    texts = {f"samples/{p.name}": p.read_text(encoding="utf-8") for p in SAMPLES}
    if CORPUS.is_file():
        texts["corpus/" + CORPUS.name] = CORPUS.read_text(encoding="utf-8")
    return texts


@functools.cache
def indexed_datadir() -> DataDir:
    """A data directory with the corpus report and the samples indexed (built once per session)."""
    from kg.search import make_index_updater

    root = Path(tempfile.mkdtemp(prefix="cnkg-search-"))
    datadir = DataDir(root)
    catalog = Catalog(datadir, index_updater=make_index_updater("use3"))
    for key, text in sorted(report_texts().items()):
        catalog.write(bundle_from_text(text, Path(key).name))
    return datadir


def copy_datadir(datadir: DataDir) -> DataDir:
    """A private copy of a data directory, for tests that change it."""
    target = Path(tempfile.mkdtemp(prefix="cnkg-search-copy-")) / "data"
    shutil.copytree(datadir.root, target)
    return DataDir(target)
