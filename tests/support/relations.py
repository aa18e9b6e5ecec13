"""The relation-rule tests' view of the extraction line: the relations read from a text, as
(subject, predicate, object) slugs. A pytest plugin (``pytest_plugins = ["support.relations"]``) for the
``lexicon`` fixture."""

from __future__ import annotations

import pytest

from ingest.document import SourceDocument
from ingest.pipeline import Extraction, extract
from kg.lexicon import Lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def extraction(text: str, lexicon: Lexicon) -> Extraction:
    """What the whole extraction line reads from ``text`` (a plain-text report)."""
    return extract(SourceDocument(text, "s.txt", "text/plain"), lexicon=lexicon)


def relations_in(text: str, lexicon: Lexicon) -> set[tuple[str, str, str]]:
    return {(r.subject, r.predicate, r.object) for r in extraction(text, lexicon).relations}
