"""A check shared by the extraction tests: spans (passages, mentions) are offsets into the stored text."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any


def assert_exact_spans(text: str, spans: Sequence[Any], surface: Callable[[Any], str]) -> None:
    """Each span's ``surface`` is the slice of ``text`` at its offsets, and the spans run in text order
    without overlapping."""
    for span in spans:
        assert text[span.start : span.end] == surface(span)
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))
