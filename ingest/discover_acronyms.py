"""Discover acronyms written in Chinese prose: 'Volcano 支持 MPI 作业', '基于 MQTT 协议', 'HPC 场景'.

An all-capital Latin word (letters, then optional digits: MPI, HPC, OLAP, A100) that the lexicon does not
know and that stands next to a Chinese character names a technology in these reports (protocols, job
types, licences, hardware). Kept out, because they name no technology:

- words of at most two letters (IT, IP, PR, OS, DB: too often generic or ambiguous), unless a model
  number follows (A100): such a word names a model of hardware, a Product (GPU型号如A100和V100);
- job titles, HTTP methods, rates and growth measures, and app in capitals (CEO, GET, QPS, CAGR, APP);
- anything the lexicon knows in any form, also glossary terms that are not matched in text (API, Pod):
  the caller drops those.

Measured on the dev split of the real-world corpus (docs/ingest.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.tokenize import has_chinese

__all__ = ["ACRONYM_MIN_LETTERS", "MODEL_MIN_DIGITS", "acronyms_in_prose", "in_chinese_prose"]

ACRONYM_MIN_LETTERS = 3
ACRONYM_MAX_CHARS = 6
MODEL_MIN_DIGITS = 2  # fewer capitals than ACRONYM_MIN_LETTERS with a model number: A100, V100
_ACRONYM = re.compile(
    r"(?<![A-Za-z0-9./\-_#@=?&:])[A-Z]{1,"
    + str(ACRONYM_MAX_CHARS)
    + r"}[0-9]{0,3}(?![A-Za-z0-9_\-+#]|\.[A-Za-z0-9])"
)
# words in capitals that are not names of a technology: roles, request methods, rates and growth
# measures, and the common word app written in capitals (手机APP)
NOT_A_TECHNOLOGY = frozenset(
    {"CEO", "CTO", "CIO", "CFO", "COO", "CMO", "GET", "PUT", "POST", "PATCH", "DELETE", "HEAD"}
    | {"QPS", "TPS", "RPS", "IOPS", "CAGR", "APP"}
)


def acronyms_in_prose(text: str, base: int) -> Iterator[tuple[str, str, int, int]]:
    """(name, type, start, end) of each capitalised acronym next to a Chinese character in ``text``:
    a model number is a Product, any other acronym a Technology.

    >>> [(n, t) for n, t, _, _ in acronyms_in_prose("GPU型号如A100和V100，支持MPI作业", 0)]
    [('GPU', 'Technology'), ('A100', 'Product'), ('V100', 'Product'), ('MPI', 'Technology')]
    """
    for m in _ACRONYM.finditer(text):
        word = m.group()
        digits = len(word) - len(word.rstrip("0123456789"))
        if len(word) - digits < ACRONYM_MIN_LETTERS and digits < MODEL_MIN_DIGITS:
            continue  # IT, PR, Q3; a letter with a model number (A100, V100) is a name
        if word in NOT_A_TECHNOLOGY:
            continue
        if in_chinese_prose(text, m.start(), m.end()):
            model = len(word) - digits < ACRONYM_MIN_LETTERS
            yield word, "Product" if model else "Technology", base + m.start(), base + m.end()


def in_chinese_prose(text: str, start: int, end: int) -> bool:
    """The nearest non-space character on one side of ``text[start:end]`` is a Chinese character (the
    test every discoverer of Latin names in Chinese prose applies).

    >>> in_chinese_prose("基于 MQTT 协议", 3, 7), in_chinese_prose("use MQTT here", 4, 8)
    (True, False)
    """
    before = text[:start].rstrip()[-1:]
    after = text[end:].lstrip()[:1]
    return has_chinese(before) or has_chinese(after)
