"""Common English words, from the word-frequency list inside the pyspellchecker wheel (offline).

One bound serves both of its users: the lexicon build (an ASCII label that is a common word is matched only
in its exact case: Flux, Harbor, Spark) and the discovery of unknown names in reports (a capitalised word
that is not common is a name: Keepalived, Kuiper).

>>> words = common_english_words()
>>> words is None or ("harbor" in words and "keepalived" not in words)
True
"""

from __future__ import annotations

import functools
import gzip
import json
from importlib import resources

__all__ = ["COMMON_WORD_ZIPF", "common_english_words"]

# English words at least this frequent (Zipf scale: log10 of the frequency per billion words; 3 = once per
# million words) are common words
COMMON_WORD_ZIPF = 3.0


@functools.cache
def common_english_words() -> frozenset[str] | None:
    """The lower-case words of pyspellchecker's English list with a Zipf frequency of at least
    ``COMMON_WORD_ZIPF``; None without the package. Kept as a set of the common words only (a few MB,
    shared by forked workers once loaded)."""
    try:
        data = resources.files("spellchecker").joinpath("resources/en.json.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError):
        return None
    counts: dict[str, int] = json.loads(gzip.decompress(data))
    floor = sum(counts.values()) * 10**COMMON_WORD_ZIPF / 1e9  # Zipf >= COMMON_WORD_ZIPF
    return frozenset(w for w, c in counts.items() if c >= floor)
