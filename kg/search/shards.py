"""One report's share of the search indexes: its passages, their keyword term counts, the hashes of
their embedded texts and the labels and types of the entities they mention.

A shard is written once per report (``index/shards/{rid}.{hex}.npz``) and never changed; the global
indexes are assembled from the shards of the reports the manifest names.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kg.catalog import EntityInfo, PassageRecord, ReportBundle
from kg.datadir import DataDir
from kg.errors import StoreError
from kg.lexicon import Lexicon
from kg.namespaces import ENTITY_TYPES
from kg.search.keyword import TermCounts
from kg.tokenize import WordSegmenter

__all__ = [
    "SHARD_FORMAT",
    "EntityInfo",
    "Shard",
    "embedding_input",
    "passage_sentences",
    "read_shard",
    "shard_from_bundle",
    "text_hash",
]

SHARD_FORMAT = 1
_SENTENCE = re.compile(r"[^。！？!?；;\n]+(?:[。！？!?；;]+[”’」』）)]*)?")
_MIN_SENTENCE = 6


@dataclass
class Shard:
    rid: str
    passages: list[PassageRecord]
    hashes: list[str]  # sha256 of each passage's embedding input
    sentence_hashes: list[list[str]]  # sha256 of each of its sentences (see passage_sentences)
    terms: TermCounts
    entities: dict[str, EntityInfo]

    def __len__(self) -> int:
        return len(self.passages)

    def embedding_items(self) -> tuple[list[str], list[str]]:
        """(hashes, texts) of everything the dense leg embeds: passages, then their sentences."""
        hashes = list(self.hashes)
        texts = [embedding_input(p) for p in self.passages]
        for passage, sentence_hashes in zip(self.passages, self.sentence_hashes, strict=True):
            hashes += sentence_hashes
            texts += passage_sentences(passage.text)
        return hashes, texts

    def to_bytes(self) -> bytes:
        meta = {
            "format": SHARD_FORMAT,
            "rid": self.rid,
            "passages": [
                [p.iri, p.n, p.text, p.start, p.end, p.section, list(p.entities)] for p in self.passages
            ],
            "hashes": self.hashes,
            "sentences": self.sentence_hashes,
            "entities": {s: [e.label, e.type] for s, e in sorted(self.entities.items())},
            "terms": self.terms.vocabulary,
        }
        buffer = io.BytesIO()
        np.savez(
            buffer,
            meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
            indptr=self.terms.indptr,
            indices=self.terms.indices,
            counts=self.terms.counts,
        )
        return buffer.getvalue()

    def write(self, datadir: DataDir) -> str:
        return datadir.new_artifact("index/shards", self.rid, ".npz", self.to_bytes())


def read_shard(path: Path, hashes: bool = True) -> Shard:
    """One shard file. With ``hashes=False`` its embedding hashes are left out (empty lists): a reader
    of the search index needs none, and at 1,000 reports they are a million strings."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(data["meta"].tobytes().decode("utf-8"))
            terms = TermCounts(meta["terms"], data["indptr"], data["indices"], data["counts"])
    except (OSError, ValueError, KeyError) as exc:
        raise StoreError(f"cannot read search shard {path}: {exc}") from exc
    if meta.get("format") != SHARD_FORMAT:
        raise StoreError(f"search shard {path} has format {meta.get('format')!r}; re-ingest the report")
    rid = meta["rid"]
    passages = [
        PassageRecord(
            iri=iri, rid=rid, n=n, text=text, start=start, end=end, section=section, entities=tuple(ents)
        )
        for iri, n, text, start, end, section, ents in meta["passages"]
    ]
    entities = {
        slug: EntityInfo(slug=slug, label=label, type=type_)
        for slug, (label, type_) in meta["entities"].items()
    }
    return Shard(
        rid=rid,
        passages=passages,
        hashes=meta["hashes"] if hashes else [],
        sentence_hashes=meta["sentences"] if hashes else [],
        terms=terms,
        entities=entities,
    )


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def embedding_input(passage: PassageRecord) -> str:
    """What the dense leg embeds for a passage: its text as written."""
    return passage.text


def passage_sentences(text: str) -> list[str]:
    """The sentences of a passage the dense leg also embeds one by one (a question usually targets
    one sentence, and a sentence encoder blurs a 300-character passage); fragments are dropped."""
    found = [m.group().strip() for m in _SENTENCE.finditer(text)]
    return [s for s in found if len(s) >= _MIN_SENTENCE] or [text]


def shard_from_bundle(bundle: ReportBundle, segmenter: WordSegmenter, lexicon: Lexicon) -> Shard:
    """The shard of one report: tokenise its passages and collect what hits need to show."""
    passages = list(bundle.passages)
    terms = TermCounts.from_token_lists([segmenter.search_terms(p.text) for p in passages])
    mentioned = {slug for p in passages for slug in p.entities}
    entities = _entity_info(bundle.entities, mentioned, lexicon)
    hashes = [text_hash(embedding_input(p)) for p in passages]
    sentences = [[text_hash(s) for s in passage_sentences(p.text)] for p in passages]
    return Shard(
        rid=bundle.rid,
        passages=passages,
        hashes=hashes,
        sentence_hashes=sentences,
        terms=terms,
        entities=entities,
    )


def _entity_info(stated: dict[str, EntityInfo], slugs: set[str], lexicon: Lexicon) -> dict[str, EntityInfo]:
    """Label and type of each mentioned entity: the lexicon's first, then those the bundle states."""
    info: dict[str, EntityInfo] = {}
    for slug in sorted(slugs):
        entry = lexicon.get(slug)
        seen = stated.get(slug)
        label = (entry.label if entry else "") or (seen.label if seen else "") or slug
        stated_type = seen.type if seen is not None and seen.type in ENTITY_TYPES else ""
        type_ = (entry.type if entry else "") or stated_type or "Entity"
        info[slug] = EntityInfo(slug=slug, label=label, type=type_)
    return info
