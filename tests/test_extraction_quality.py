"""Extraction quality against the annotated development set of the corpus report (issue targets)."""

from __future__ import annotations

import pytest
from support.devset import document_path, evaluate, load_devsets

from kg.lexicon import Lexicon


@pytest.fixture(scope="module")
def corpus_scores(corpus_path):
    devset = next(d for d in load_devsets() if d["document"].startswith("corpus/"))
    assert document_path(devset["document"]).resolve() == corpus_path
    return evaluate(devset, Lexicon.load())


def test_entities_meet_the_targets(corpus_scores):
    score = corpus_scores["entities"]["all"]
    assert score.precision >= 0.90 and score.recall >= 0.90


def test_relations_meet_the_targets(corpus_scores):
    score = corpus_scores["relations"]["all"]
    assert score.precision >= 0.85 and score.recall >= 0.60


def test_facts_meet_the_targets(corpus_scores):
    assert corpus_scores["facts"]["all"].recall >= 0.90


@pytest.mark.parametrize(
    "document", [d["document"] for d in load_devsets() if d["document"].startswith("samples/")]
)
def test_sample_extraction_stays_useful(document):
    """Samples the rules were not written for: a floor that catches regressions, not the target."""
    devset = next(d for d in load_devsets() if d["document"] == document)
    scores = evaluate(devset, Lexicon.load())
    assert scores["entities"]["all"].precision >= 0.8
    assert scores["facts"]["all"].recall >= 0.85
    assert scores["relations"]["all"].precision >= 0.75
