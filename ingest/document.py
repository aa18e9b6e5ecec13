"""Plain data types passed along the ingest line (read → clean → segment → extract → graph).

Every offset is a character offset into ``SourceDocument.text``, the text cnkg stores for the
report, so ``text[start:end]`` always gives back the cited span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "CleanDocument",
    "ExtractedEntity",
    "Fact",
    "Mention",
    "Passage",
    "Relation",
    "Section",
    "Sentence",
    "SourceDocument",
    "Span",
]


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class SourceDocument:
    """A report as read from a file: decoded text with normalised newlines."""

    text: str
    source: str  # file name, as given by the user
    media_type: str  # text/plain, text/markdown, application/pdf, ...
    encoding: str | None = None  # detected text encoding, None for binary formats
    title: str | None = None  # from the file's own metadata where it has one
    issued: str | None = None  # 'YYYY[-MM[-DD]]' from the file's own metadata (PDF/DOCX properties)


@dataclass(frozen=True)
class CleanDocument:
    """The source text with the page furniture located (not removed: offsets stay valid)."""

    source: SourceDocument
    content: tuple[Span, ...]  # line-aligned spans of real content, in order
    furniture: tuple[tuple[Span, str], ...]  # (span, reason) left out of passages and extraction

    @property
    def text(self) -> str:
        return self.source.text


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Section:
    heading: str
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    n: int
    start: int
    end: int
    text: str
    section: str
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class ExtractedEntity:
    """An entity found in a report: a lexicon entry or a discovered name."""

    slug: str
    label: str
    type: str  # one of kg.namespaces.ENTITY_TYPES
    discovered: bool = False
    lang: str = "zh"
    aliases: tuple[str, ...] = ()  # longer forms seen in the report (云霁科技有限公司 for 云霁科技)


@dataclass(frozen=True)
class Mention:
    slug: str
    passage: int
    start: int
    end: int
    surface: str


@dataclass(frozen=True)
class Relation:
    subject: str  # entity slug
    predicate: str  # local name in the cnkg ontology, or "broader" for skos:broader
    object: str  # entity slug
    passage: int
    start: int  # span of the evidence (usually the sentence)
    end: int
    confidence: float
    pattern: str = ""  # which pattern produced it, for review


@dataclass(frozen=True)
class Fact:
    """A numeric market figure (an Observation)."""

    metric: str
    value: Decimal
    unit: str
    qualifier: str  # "=", ">", ">=", "<", "<=", "≈", "range"
    passage: int
    start: int  # span of the number as written
    end: int
    value_max: Decimal | None = None
    year: int | None = None
    about: str | None = None  # entity slug
    year_stated: bool | None = None  # the year is written (True) or resolved from 目前, 今年 … (False)
    extra: dict[str, str] = field(default_factory=dict)
