"""Find lexicon names in running text: leftmost-longest, case-, width- and space-insensitive.

Used by ingest (entity mentions) and by the query side (entities named in a question).

>>> from kg.lexicon import Lexicon, exact_form
>>> m = SurfaceMatcher.from_lexicon(Lexicon.load())
>>> [(x.surface, x.slug) for x in m.find("企业采用ｋ８ｓ和Docker")]
[('ｋ８ｓ', 'kubernetes'), ('Docker', 'docker')]
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kg.lexicon import Lexicon, exact_form

__all__ = ["SurfaceMatch", "SurfaceMatcher"]

_END = "\0"


@dataclass(frozen=True)
class SurfaceMatch:
    start: int
    end: int
    slug: str
    surface: str
    contextual: bool  # matched through a context-only alias (e.g. 阿里)
    exact: bool = False  # matched through a common-word name in its exact case (Flux, Harbor)


@functools.cache  # a text has few distinct characters; a server's names and queries fold millions
def _fold_char(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch).casefold()
    return "".join(c for c in folded if not c.isspace())


def _is_latin_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


# what a trie node holds: the slug, whether the form is context-only, and the exact text a common-word
# name must be written as (None: any case and width)
_Value = tuple[str, bool, str | None]


class SurfaceMatcher:
    def __init__(
        self,
        forms: dict[str, str],
        context_forms: dict[str, str],
        exact_forms: dict[str, str] | None = None,
    ) -> None:
        self._trie: dict[str, dict] = {}
        for form, slug in (exact_forms or {}).items():
            if any(c.isupper() for c in form):  # an all-lower-case common word never means the name
                self._add(form, (slug, False, form))
        for form, slug in context_forms.items():
            self._add(form, (slug, True, None))
        for form, slug in forms.items():  # real aliases win over context-only and exact-case ones
            self._add(form, (slug, False, None))

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> SurfaceMatcher:
        return cls(lexicon.surface_forms(), lexicon.context_forms(), lexicon.exact_forms())

    def _add(self, form: str, value: _Value) -> None:
        key = "".join(map(_fold_char, form))
        if not key:
            return
        node = self._trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[_END] = value  # type: ignore[assignment]

    def composed(self, pieces: Sequence[Iterable[str]]) -> str | None:
        """The slug of a whole name spelled by one choice from each of ``pieces`` in order (数据 + 安全 + 法
        → 数据安全法), None when no choice does. Choices are followed along the names only, so a piece
        with many choices costs little. Context-only and exact-case forms are not names here.

        >>> from kg.lexicon import Lexicon
        >>> m = SurfaceMatcher.from_lexicon(Lexicon.load())
        >>> m.composed([["容器", "集装箱"], ["编排"]])
        'container-orchestration'
        >>> m.composed([["集装箱"], ["编排"]]) is None
        True
        """
        nodes: list[dict] = [self._trie]
        for choices in pieces:
            reached: dict[int, dict] = {}
            for node in nodes:
                for choice in choices:
                    nxt: dict | None = node
                    for ch in "".join(map(_fold_char, choice)):
                        nxt = nxt.get(ch) if nxt is not None else None
                    if nxt is not None:
                        reached[id(nxt)] = nxt
            nodes = list(reached.values())
            if not nodes:
                return None
        for node in nodes:
            value = node.get(_END)
            if value is not None and not value[1] and value[2] is None:  # type: ignore[index]
                return str(value[0])  # type: ignore[index]
        return None

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[SurfaceMatch]:
        """All non-overlapping matches in ``text[start:end]``, offsets into ``text``."""
        end = len(text) if end is None else end
        folded: list[str] = []
        origin: list[int] = []
        for i in range(start, end):
            for c in _fold_char(text[i]):
                folded.append(c)
                origin.append(i)
        matches: list[SurfaceMatch] = []
        i, n = 0, len(folded)
        while i < n:
            hit = self._longest_bounded(text, folded, origin, i, start, end)
            if hit is None:
                i += 1
                continue
            last, (slug, contextual, exact) = hit
            s, e = origin[i], origin[last] + 1
            matches.append(SurfaceMatch(s, e, slug, text[s:e], contextual, exact is not None))
            i = last + 1
        return matches

    def _longest_bounded(
        self, text: str, folded: list[str], origin: list[int], i: int, lo: int, hi: int
    ) -> tuple[int, _Value] | None:
        candidates: list[tuple[int, _Value]] = []
        node = self._trie.get(folded[i])
        j = i
        while node is not None:
            if _END in node:
                candidates.append((j, node[_END]))  # type: ignore[arg-type]
            j += 1
            node = node.get(folded[j]) if j < len(folded) else None
        for last, value in reversed(candidates):
            s, e = origin[i], origin[last] + 1
            if value[2] is not None and exact_form(text[s:e]) != value[2]:
                continue  # a common word (flux, harbor) is a name only in its exact case
            if self._bounded(text, s, e, lo, hi):
                return last, value
        return None

    @staticmethod
    def _bounded(text: str, s: int, e: int, lo: int, hi: int) -> bool:
        """A Latin name must not start or end inside a Latin word (ECS in ECSX, AI in AIOps)."""
        if _is_latin_alnum(text[s]) and s > lo and _is_latin_alnum(text[s - 1]):
            return False
        return not (_is_latin_alnum(text[e - 1]) and e < hi and _is_latin_alnum(text[e]))
