"""No regular expression that runs on client text (uploaded reports, questions, search queries) can be
driven into catastrophic backtracking (issue 12, item 3: ``(?:将会|将|会|…)+$`` spent 5.4 s on 65
characters).

Every pattern of the packages below is found automatically (tests/support/regex_adversary.py) and run on
repetitions of its own alternatives and literal pieces with a non-matching tail, the repetition count
growing step by step, so an exponential pattern shows up as a step that blows the budget long before it
would hang the test.
"""

from __future__ import annotations

import re
import time

import pytest
from support.regex_adversary import Found, adversarial_inputs, find_patterns, modules_of, pieces_of

# The code that sees client text: ingest (uploads), Q&A (questions), search (queries), the word segmenter,
# the surface matcher, the API.
PACKAGES = ("ingest", "kg", "api")
REPEATS = (4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 60)
STRING_BUDGET = 0.25  # seconds one search may take on one adversarial string (linear ones take µs)
PATTERN_BUDGET = 10.0  # seconds all the strings of one pattern may take together

PATTERNS = find_patterns(list(modules_of(*PACKAGES)))


def test_the_collector_finds_the_patterns_it_should():
    wheres = {f.where for f in PATTERNS}
    assert len(PATTERNS) > 50
    assert "ingest.facts._METRIC_TAIL" in wheres or "ingest.facts._METRIC_TAIL_REVERSED" in wheres
    assert any(w.startswith("kg.qa.") for w in wheres)
    assert any(w.startswith("ingest.read") for w in wheres)
    assert "将会" in pieces_of(re.compile("(?:将会|将|会)+$"))


def test_the_check_catches_the_pattern_of_issue_12():
    """The check itself: the pattern the review found fails it (within seconds, without hanging)."""
    issue = re.compile("(?:将会|将|会|已经|已|预计)+$")
    assert _slowest(Found("issue 12", issue))[0] > STRING_BUDGET


def _slowest(found: Found) -> tuple[float, str]:
    """The slowest adversarial input of a pattern (stops at the first one over the budget)."""
    worst, worst_text, total = 0.0, "", 0.0
    for repeat in REPEATS:
        for text in adversarial_inputs(found.pattern, repeat):
            started = time.perf_counter()
            found.pattern.search(text)
            elapsed = time.perf_counter() - started
            total += elapsed
            if elapsed > worst:
                worst, worst_text = elapsed, text
            if worst > STRING_BUDGET or total > PATTERN_BUDGET:
                return max(worst, total if total > PATTERN_BUDGET else 0.0), worst_text
    return worst, worst_text


@pytest.mark.parametrize("found", PATTERNS, ids=[f"{f.where}:{f.pattern.pattern[:40]}" for f in PATTERNS])
def test_no_pattern_backtracks_catastrophically(found: Found):
    seconds, text = _slowest(found)
    assert seconds <= STRING_BUDGET, (
        f"{found.where} /{found.pattern.pattern}/ took {seconds:.2f} s on {text[:80]!r}… "
        f"({len(text)} characters)"
    )


def test_the_facts_stage_is_fast_on_the_upload_of_issue_12():
    """On the code before the fix this sentence took 1.9 s (each further 将会 doubles it)."""
    from ingest.facts import find_figures

    started = time.perf_counter()
    figures = find_figures("市场规模" + "将会" * 20 + "\x00" + "达到15亿元")
    assert time.perf_counter() - started < STRING_BUDGET
    assert [str(f.value) for f in figures] == ["15"]
