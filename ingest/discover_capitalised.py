"""Discover single capitalised Latin words written in Chinese prose that are not common English words:
'使用较多的 Beego', 'Django 在 Python 框架中独领风骚', '通过Firefly运行'.

In Chinese text a capitalised English word does not start a sentence: it is written so because it is a
name. What keeps ordinary words out is an English word list: a common word of
:func:`kg.english_words.common_english_words` (Job, Queue, Master, Spring, Express) is left to the cued
rules of ``ingest.discover`` (…框架, …项目, a list of known technologies), which read common words only
where the text calls them names. Kept out as well:

- words of fewer than ``MIN_LETTERS`` letters (Go, Qt, Io: too short to judge by frequency);
- a word beside another Latin word (Linus Torvalds, Kubernetes batch: part of a longer name or of an
  English phrase);
- words the lexicon knows in any form (the caller drops those).

The type is the caller's (Technology, or Product after a vendor). Measured on the dev split of the
real-world corpus (docs/ingest.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.discover_acronyms import in_chinese_prose
from ingest.discover_latin_lists import KIND_HEADS
from ingest.markup import ITEM_MARKER
from kg.english_words import common_english_words

__all__ = [
    "MIN_LETTERS",
    "capitalised_names",
    "item_heads",
    "people",
]

MIN_LETTERS = 4
_CAPITALISED = re.compile(r"(?<![A-Za-z0-9./\-_#@=?&:'’])[A-Z][a-z]{2,}(?![A-Za-z0-9_\-+#]|\.[A-Za-z0-9])")
_LATIN_WORD_END = re.compile(r"[A-Za-z0-9]\.?$")  # Eric S. Raymond: after an initial too
_LATIN_WORD_START = re.compile(r"^[A-Za-z0-9]")
# a person: the name before a verb of speech (…，”Eichten 说, Cornago 补充道：); the whole report then
# keeps the word out (Cornago 和 Eichten 找到了…)
_SPEECH = re.compile(
    r"\s*(?:举例|补充|接着|笑着|总结|解释|强调|回忆|坦言)?(?:说|道|表示|指出|认为|介绍|提到|谈到|称|坦言)"
)
# what a word of an API or a release name is followed by (Pod、Batch、Interactive任务; Geneva版本)
_NOT_A_NAME_AFTER = re.compile(
    r"(?:\s*[、和与]\s*[A-Za-z][A-Za-z0-9]*)*(?:" + KIND_HEADS.pattern + r"|\s*(?:版本|版))"
)
# a bullet that is the name alone (- Autodesk): a list the bullet rules of ingest.discover_bullets read
_BULLET_LEAD = re.compile(r"(?:^|\n)\s*[-*•]\s*$")
_BULLET_TAIL = re.compile(r"\s*(?:$|\n|[：:])")


def people(text: str) -> frozenset[str]:
    """Capitalised words of ``text`` that name a person somewhere in it (the word before a verb of speech).

    >>> sorted(people("“选择 Kubernetes 是显而易见的，”Eichten 说。Cornago 补充道：“…”"))
    ['Cornago', 'Eichten']
    """
    return frozenset(m.group() for m in _CAPITALISED.finditer(text) if _SPEECH.match(text, m.end()))


def capitalised_names(
    text: str, base: int, persons: frozenset[str] = frozenset()
) -> Iterator[tuple[str, int, int]]:
    """(name, start, end) of each uncommon capitalised word next to a Chinese character in ``text``
    (not one of ``persons``, the people of the report: ``people``).

    >>> [name for name, _, _ in capitalised_names("使用较多的 Beego 有超过四成的用户，Job 不是", 0)]
    ['Beego']
    >>> list(capitalised_names("Linus Torvalds 说", 0))
    []
    """
    for m in _CAPITALISED.finditer(text):
        word = m.group()
        if len(word) < MIN_LETTERS or word in persons:
            continue
        if _BULLET_LEAD.search(text, 0, m.start()) and _BULLET_TAIL.match(text, m.end()):
            continue  # - Autodesk: a bullet list, read by ingest.discover_bullets
        before = text[: m.start()].rstrip()
        after = text[m.end() :].lstrip()
        if _LATIN_WORD_END.search(before) or _LATIN_WORD_START.match(after):
            continue  # Linus Torvalds: a word of a longer name or an English phrase
        if not in_chinese_prose(text, m.start(), m.end()):
            continue
        if _NOT_A_NAME_AFTER.match(text, m.end()):
            continue
        common = common_english_words()
        if common is None:
            return
        if word.casefold() in common:
            continue
        yield word, base + m.start(), base + m.end()


# the Latin name that heads an item line and its colon, a Chinese gloss after (1）Kthena Router：一个独立的
# router…; - Maui：第三方任务调度器; **Enhanced OS：**为了…): the name of what the item describes
_ITEM_HEAD = re.compile(
    r"\s*" + ITEM_MARKER + r"?"
    r"(?P<name>[A-Z][A-Za-z0-9.+#]*(?:[ \-_][A-Za-z][A-Za-z0-9.+#]*){0,3})\s*[：:]\s*(?=[\u4e00-\u9fff\d])"
)


def item_heads(text: str, base: int) -> Iterator[tuple[str, int, int]]:
    """(name, start, end) of the Latin name heading the item line ``text`` (a sentence that opens a line).

    >>> list(item_heads("1）Kthena Router：一个独立、高性能面向多模型的router", 0))
    [('Kthena Router', 2, 15)]
    >>> list(item_heads("- User1: CPU share值为 6/18", 0))
    []
    """
    m = _ITEM_HEAD.match(text)
    if (
        m is None
        or m.group("name")[-1:].isdigit()
        or m.group("name").casefold() in (common_english_words() or ())
    ):
        return
    yield m.group("name"), base + m.start("name"), base + m.end("name")
