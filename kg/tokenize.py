"""Word segmentation with jieba, protecting lexicon names and 《policy titles》 as whole words.

>>> seg = WordSegmenter.shared()
>>> [t.text for t in seg.words("工信部发布《推动企业上云实施指南（2018-2020年）》")]
['工信部', '发布', '《推动企业上云实施指南（2018-2020年）》']
>>> "@kubernetes" in seg.search_terms("K8s编排")
True
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import jieba
import jieba.posseg

from kg.lexicon import Lexicon
from kg.namespaces import normalize_name
from kg.surface_matcher import SurfaceMatcher

__all__ = ["STOPWORDS", "Token", "WordSegmenter", "has_chinese"]

jieba.setLogLevel(logging.WARNING)

TITLE_RE = re.compile(r"《[^《》\n]{2,60}》")
_CHINESE_CHAR = re.compile(r"[\u4e00-\u9fff]")  # the CJK Unified Ideographs block
_PUNCT_RE = re.compile(r"^[\W_]+$")
STOPWORDS = frozenset(
    [
        "的",
        "了",
        "和",
        "与",
        "及",
        "以及",
        "或",
        "等",
        "是",
        "在",
        "为",
        "对",
        "将",
        "也",
        "都",
        "而",
        "并",
        "其",
        "中",
        "上",
        "下",
        "这",
        "那",
        "之",
        "于",
        "被",
        "由",
        "从",
        "到",
        "把",
        "向",
        "让",
        "使",
        "能",
        "会",
        "可",
        "可以",
        "已",
        "已经",
        "有",
        "没有",
        "不",
        "很",
        "更",
        "最",
        "还",
        "又",
        "就",
        "但",
        "如",
        "如何",
        "什么",
        "哪些",
        "多少",
        "吗",
        "呢",
        "吧",
        "啊",
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "for",
        "is",
        "are",
        "be",
        "by",
        "with",
        "as",
        "at",
        "from",
        "that",
        "this",
        "which",
        "what",
        "how",
    ]
)


def has_chinese(text: str) -> bool:
    """Whether ``text`` holds a Chinese character: the one test of 'Chinese or not' for a question, a term,
    or the character beside a name.

    >>> has_chinese("K8s 集群"), has_chinese("K8s cluster"), has_chinese("")
    (True, False, False)
    """
    return _CHINESE_CHAR.search(text) is not None


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
    slug: str | None = None  # lexicon entry when the token is a lexicon name


class WordSegmenter:
    """jieba with a private dictionary: the lexicon's names are added as user words."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.matcher = SurfaceMatcher.from_lexicon(lexicon)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for entry in lexicon.entries.values():
            for form in entry.surfaces():
                if " " not in form:
                    self._jieba.add_word(form, freq=2000, tag="nz")
        self._pos = jieba.posseg.POSTokenizer(tokenizer=self._jieba)
        self._lock = threading.Lock()  # jieba's tokenizer is not safe for concurrent first use

    @classmethod
    def shared(cls) -> WordSegmenter:
        return _shared_segmenter()

    def protected_spans(self, text: str) -> list[Token]:
        """Lexicon names and 《…》 titles in ``text``: they are never split."""
        spans = [Token(m.group(), m.start(), m.end()) for m in TITLE_RE.finditer(text)]
        taken = [(t.start, t.end) for t in spans]
        for match in self.matcher.find(text):
            if match.contextual or any(s < match.end and match.start < e for s, e in taken):
                continue
            spans.append(Token(match.surface, match.start, match.end, match.slug))
        return sorted(spans, key=lambda t: t.start)

    def words(self, text: str) -> list[Token]:
        """Words of ``text`` with offsets; whitespace is dropped."""
        tokens: list[Token] = []
        pos = 0
        for span in self.protected_spans(text):
            tokens.extend(self._cut(text, pos, span.start))
            tokens.append(span)
            pos = span.end
        tokens.extend(self._cut(text, pos, len(text)))
        return tokens

    def _cut(self, text: str, start: int, end: int) -> list[Token]:
        if start >= end:
            return []
        out = []
        offset = start
        with self._lock:
            pieces = list(self._jieba.cut(text[start:end], HMM=True))
        for piece in pieces:
            if not piece.isspace():
                out.append(Token(piece, offset, offset + len(piece)))
            offset += len(piece)
        return out

    def pos_tags(self, text: str) -> list[tuple[str, str]]:
        """(word, jieba POS flag) pairs, e.g. ('星河科技', 'nt')."""
        with self._lock:
            return [(p.word, p.flag) for p in self._pos.cut(text)]

    def word_frequency(self, word: str) -> int:
        """How often jieba's general dictionary counts ``word`` (0 for words it lacks)."""
        return int(self._jieba.FREQ.get(word, 0))

    def is_common_word(self, word: str) -> bool:
        """True for words of jieba's general dictionary (金融科技, 高科技), not our user words."""
        return self._jieba.FREQ.get(word, 0) > 0 and self.lexicon.resolve(word) is None

    def search_terms(self, text: str) -> list[str]:
        """Terms for keyword search: folded words without stopwords and punctuation, plus
        ``@slug`` for every lexicon name so that aliases (K8s, Kubernetes) meet."""
        terms: list[str] = []
        for token in self.words(text):
            word = normalize_name(token.text)
            if word and word not in STOPWORDS and not _PUNCT_RE.match(word):
                terms.append(word)
            if token.slug:
                terms.append("@" + token.slug)
        return terms


@lru_cache(maxsize=1)
def _shared_segmenter() -> WordSegmenter:
    return WordSegmenter(Lexicon.load())
