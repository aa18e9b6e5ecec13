"""What queries read of a run of reports, in one file opened as a memory map: the passage table, the
entities the passages mention, and the keyword postings (``kg.search.keyword.Postings``).

A table is written beside each dense index segment, over the same reports (``SegmentRecord.table``,
``index/tables/table.{hex}.pack``, a ``kg.search.packed`` file), whenever the segment is written, new
or merged, from the shards of its reports. So a server's start opens a few tables instead of reading a
shard per report and building the keyword index (docs/scaling.md), and the tables are rewritten as
rarely as the dense segments are (O(log n) times per row over n ingests).

>>> table = Table.from_shards([])
>>> len(table), table.rids
(0, [])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np

from kg.catalog import EntityInfo, PassageRecord
from kg.datadir import DataDir
from kg.errors import StoreError
from kg.namespaces import preferred_type
from kg.search.keyword import KeywordBuilder, Postings
from kg.search.packed import decode_strings, encode_strings, open_packed, pack
from kg.search.shards import Shard

__all__ = ["TABLE_DIR", "TABLE_FORMAT", "EntityRows", "PassageTable", "Table", "merged_entity"]

TABLE_FORMAT = 1
TABLE_DIR = "index/tables"
# the arrays of a table file: the Table's own, and its postings' (stored name → Postings field)
_TABLE_ARRAYS = (
    "report_indptr",
    "number",
    "start",
    "end",
    "section",
    "iri_offsets",
    "iri_blob",
    "text_offsets",
    "text_blob",
    "mention_indptr",
    "mention_ids",
    "entity_indptr",
    "entity_rows",
)
_POSTINGS_ARRAYS = {
    "term_indptr": "indptr",
    "term_rows": "rows",
    "term_counts": "counts",
    "lengths": "lengths",
}


@dataclass(frozen=True)
class Table:
    """The passages of a run of reports (rows 0, 1, … in report order) and what queries need of them."""

    rids: list[str]
    report_indptr: np.ndarray  # report i owns rows report_indptr[i]:report_indptr[i + 1]
    number: np.ndarray  # int32: the passage's n in its report
    start: np.ndarray  # int64 offsets into the report's text
    end: np.ndarray
    section: np.ndarray  # int32 into sections
    sections: list[str]
    iri_offsets: np.ndarray
    iri_blob: np.ndarray
    text_offsets: np.ndarray
    text_blob: np.ndarray
    mention_indptr: np.ndarray  # passage row r mentions slugs[mention_ids[mention_indptr[r]:…[r + 1]]]
    mention_ids: np.ndarray
    slugs: list[str]  # every slug a passage names
    entities: list[EntityInfo]  # the reports' entities (merged), in the order they first appear
    entity_indptr: np.ndarray  # slug i is mentioned by rows entity_rows[entity_indptr[i]:…[i + 1]]
    entity_rows: np.ndarray  # int32, ascending per slug
    postings: Postings

    def __len__(self) -> int:
        return len(self.number)

    def passage(self, row: int) -> PassageRecord:
        report = int(np.searchsorted(self.report_indptr, row, side="right")) - 1
        lo, hi = int(self.mention_indptr[row]), int(self.mention_indptr[row + 1])
        return PassageRecord(
            iri=decode_strings(self.iri_offsets, self.iri_blob, row),
            rid=self.rids[report],
            n=int(self.number[row]),
            text=decode_strings(self.text_offsets, self.text_blob, row),
            start=int(self.start[row]),
            end=int(self.end[row]),
            section=self.sections[int(self.section[row])],
            entities=tuple(self.slugs[int(i)] for i in self.mention_ids[lo:hi]),
        )

    def rows_of_entity(self, i: int) -> np.ndarray:
        return self.entity_rows[int(self.entity_indptr[i]) : int(self.entity_indptr[i + 1])]

    # -- building, writing, opening ------------------------------------------------------------
    @classmethod
    def from_shards(cls, shards: Iterable[Shard]) -> Table:
        """The table of ``shards`` (in order), built in memory."""
        build = _TableBuilder()
        for shard in shards:
            build.add(shard)
        return build.finish()

    def to_bytes(self) -> bytes:
        arrays = {name: getattr(self, name) for name in _TABLE_ARRAYS}
        arrays.update({stored: getattr(self.postings, field) for stored, field in _POSTINGS_ARRAYS.items()})
        meta = {
            "format": TABLE_FORMAT,
            "rids": self.rids,
            "sections": self.sections,
            "slugs": self.slugs,
            "entities": [[e.slug, e.label, e.type] for e in self.entities],
            "terms": list(self.postings.vocabulary),
        }
        return pack(arrays, meta)

    def write(self, datadir: DataDir) -> str:
        """Write the table under a fresh name (published when the caller commits the manifest)."""
        return datadir.new_artifact(TABLE_DIR, "table", ".pack", self.to_bytes())

    @classmethod
    def open(cls, path: Path) -> Table:
        """A table mapped from its file: its arrays are read as queries touch them."""
        packed = open_packed(path)
        meta, a = packed.meta, packed.arrays
        try:
            if meta.get("format") != TABLE_FORMAT:
                raise StoreError(f"search table {path} has format {meta.get('format')!r}; re-ingest")
            entities = [EntityInfo(slug, label, type_) for slug, label, type_ in meta["entities"]]
            terms = meta["terms"]
            postings = Postings(
                dict(zip(terms, range(len(terms)), strict=True)),
                **{field: a[stored] for stored, field in _POSTINGS_ARRAYS.items()},
            )
            return cls(
                rids=list(meta["rids"]),
                sections=list(meta["sections"]),
                slugs=list(meta["slugs"]),
                entities=entities,
                postings=postings,
                **{name: a[name] for name in _TABLE_ARRAYS},
            )
        except (KeyError, TypeError, IndexError, ValueError) as exc:
            raise StoreError(f"search table {path} is malformed: {exc}; re-ingest") from exc


class _TableBuilder:
    """A ``Table`` built from shards given one at a time."""

    def __init__(self) -> None:
        self.rids: list[str] = []
        self.sizes: list[int] = []
        self.keyword = KeywordBuilder()
        self.entities: dict[str, EntityInfo] = {}
        self.slug_ids: dict[str, int] = {}
        self.sections: dict[str, int] = {}
        self.iris: list[str] = []
        self.texts: list[str] = []
        self.columns: list[tuple[int, int, int, int]] = []  # n, start, end, section
        self.mentions: list[list[int]] = []

    def add(self, shard: Shard) -> None:
        self.rids.append(shard.rid)
        self.sizes.append(len(shard))
        self.keyword.add(shard.terms)
        for slug, info in shard.entities.items():
            self.entities[slug] = merged_entity(self.entities.get(slug), info)
        for p in shard.passages:
            if p.rid != shard.rid:
                raise StoreError(f"a passage of shard {shard.rid} names report {p.rid}")
            self.iris.append(p.iri)
            self.texts.append(p.text)
            self.columns.append(
                (p.n, p.start, p.end, self.sections.setdefault(p.section, len(self.sections)))
            )
            self.mentions.append([self.slug_ids.setdefault(s, len(self.slug_ids)) for s in p.entities])

    def finish(self) -> Table:
        rows = len(self.texts)
        columns = np.asarray(self.columns, dtype=np.int64).reshape(rows, 4)
        mention_counts = [len(m) for m in self.mentions]
        mention_indptr = np.zeros(rows + 1, dtype=np.int64)
        np.cumsum(mention_counts, out=mention_indptr[1:])
        mention_ids = np.fromiter(
            (i for m in self.mentions for i in m), dtype=np.int32, count=sum(mention_counts)
        )
        mention_rows = np.repeat(np.arange(rows, dtype=np.int32), mention_counts)
        # rows of each slug, ascending and distinct (a passage names an entity once)
        order = np.lexsort((mention_rows, mention_ids))
        pairs = np.stack((mention_ids[order].astype(np.int64), mention_rows[order].astype(np.int64)))
        distinct = np.ones(len(order), dtype=bool)
        distinct[1:] = np.any(pairs[:, 1:] != pairs[:, :-1], axis=0)
        by_slug, slug_rows = pairs[0][distinct], pairs[1][distinct].astype(np.int32)
        entity_indptr = np.zeros(len(self.slug_ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(by_slug, minlength=len(self.slug_ids)), out=entity_indptr[1:])
        report_indptr = np.zeros(len(self.sizes) + 1, dtype=np.int64)
        np.cumsum(self.sizes, out=report_indptr[1:])
        iri_offsets, iri_blob = encode_strings(self.iris)
        text_offsets, text_blob = encode_strings(self.texts)
        arrays = {
            "report_indptr": report_indptr,
            "number": columns[:, 0].astype(np.int32),
            "start": columns[:, 1].copy(),
            "end": columns[:, 2].copy(),
            "section": columns[:, 3].astype(np.int32),
            "iri_offsets": iri_offsets,
            "iri_blob": iri_blob,
            "text_offsets": text_offsets,
            "text_blob": text_blob,
            "mention_indptr": mention_indptr,
            "mention_ids": mention_ids,
            "entity_indptr": entity_indptr,
            "entity_rows": slug_rows,
        }
        return Table(
            rids=self.rids,
            sections=list(self.sections),
            slugs=list(self.slug_ids),
            entities=list(self.entities.values()),
            postings=self.keyword.finish(),
            **arrays,
        )


class PassageTable(Sequence[PassageRecord]):
    """The passages of consecutive tables as one sequence (row = its place across all of them)."""

    def __init__(self, tables: Sequence[Table]) -> None:
        self.tables = list(tables)
        self.bases = np.cumsum([0] + [len(t) for t in self.tables], dtype=np.int64)

    def __len__(self) -> int:
        return int(self.bases[-1])

    @overload
    def __getitem__(self, row: int) -> PassageRecord: ...
    @overload
    def __getitem__(self, row: slice) -> list[PassageRecord]: ...
    def __getitem__(self, row: int | slice) -> PassageRecord | list[PassageRecord]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        row = int(row)
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(f"passage row {row} out of range")
        at = int(np.searchsorted(self.bases, row, side="right")) - 1
        return self.tables[at].passage(row - int(self.bases[at]))

    def __iter__(self) -> Iterator[PassageRecord]:
        for table in self.tables:
            for row in range(len(table)):
                yield table.passage(row)


class EntityRows(Mapping[str, np.ndarray]):
    """Slug → the rows of the passages that mention it (ascending), across consecutive tables; a slug's
    rows are gathered from the tables when first asked for."""

    def __init__(self, tables: Sequence[Table]) -> None:
        self._tables = list(tables)
        self._bases = np.cumsum([0] + [len(t) for t in self._tables], dtype=np.int64)
        self._ids = [dict(zip(t.slugs, range(len(t.slugs)), strict=True)) for t in self._tables]
        self._slugs = dict.fromkeys(slug for t in self._tables for slug in t.slugs)
        self._cache: dict[str, np.ndarray] = {}

    def __getitem__(self, slug: str) -> np.ndarray:
        rows = self._cache.get(slug)
        if rows is None:
            if slug not in self._slugs:
                raise KeyError(slug)
            parts = [
                table.rows_of_entity(ids[slug]).astype(np.int64) + base
                for table, ids, base in zip(self._tables, self._ids, self._bases.tolist(), strict=False)
                if slug in ids
            ]
            rows = self._cache[slug] = np.concatenate(parts)
        return rows

    def __iter__(self) -> Iterator[str]:
        return iter(self._slugs)

    def __len__(self) -> int:
        return len(self._slugs)


def merged_entity(known: EntityInfo | None, seen: EntityInfo) -> EntityInfo:
    """One entity as two reports saw it: the type by TYPE_PRECEDENCE and the smaller label, so that the
    result does not depend on the order the reports were ingested in (docs/linking.md)."""
    if known is None or known == seen:
        return seen
    type_ = preferred_type((known.type, seen.type)) or known.type
    return EntityInfo(slug=seen.slug, label=min(known.label, seen.label), type=type_)
