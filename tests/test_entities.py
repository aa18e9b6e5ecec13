"""Entity mentions: lexicon names, aliases, context-only aliases and discovered names."""

from __future__ import annotations

import itertools


def _slugs_with_surface(extraction, surface):
    return {m.slug for m in extraction.mentions if m.surface == surface}


def test_abbreviation_resolves_to_the_canonical_entity(corpus_extraction):
    assert _slugs_with_surface(corpus_extraction, "K8s") == {"kubernetes"}


def test_context_alias_means_the_cloud_in_a_cloud_sentence(corpus_extraction):
    assert _slugs_with_surface(corpus_extraction, "阿里") == {"alibaba-cloud"}


def test_context_alias_is_ignored_outside_a_cloud_sentence():
    from ingest.document import SourceDocument
    from ingest.pipeline import extract

    doc = SourceDocument("# 标题\n\n阿里的员工在杭州过年，食堂准备了饺子。\n", "t.md", "text/markdown")
    assert "alibaba-cloud" not in extract(doc).entities


def test_mentions_carry_exact_offsets(corpus_extraction):
    text = corpus_extraction.source.text
    for m in corpus_extraction.mentions:
        assert text[m.start : m.end] == m.surface


def test_mentions_do_not_overlap(corpus_extraction):
    mentions = corpus_extraction.mentions
    assert all(a.end <= b.start for a, b in itertools.pairwise(mentions))


def test_policy_titles_are_policies(corpus_extraction):
    policies = {e.label for e in corpus_extraction.entities.values() if e.type == "Policy"}
    assert any("推动企业上云实施指南" in p for p in policies)


def test_unknown_vendor_in_a_vendor_list_is_discovered():
    from ingest.document import SourceDocument
    from ingest.pipeline import extract

    doc = SourceDocument("# 标题\n\n我们拜访了阿里云、华为云、星桥智云等厂商。\n", "t.md", "text/markdown")
    found = {e.label: e for e in extract(doc).entities.values()}
    assert found["星桥智云"].discovered
    assert found["星桥智云"].type == "Vendor"


def test_common_words_ending_like_an_organisation_are_not_discovered(corpus_extraction):
    labels = {e.label for e in corpus_extraction.entities.values() if e.discovered}
    assert "金融科技" not in labels
    assert not any(label.startswith("注重") for label in labels)
