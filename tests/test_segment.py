"""Segmentation of the corpus report into sections and passages."""

from __future__ import annotations

from support.spans import assert_exact_spans

from ingest.segment import MAX_PASSAGE


def test_passages_are_exact_slices_of_the_stored_text_in_text_order(corpus_extraction):
    assert_exact_spans(corpus_extraction.source.text, corpus_extraction.passages, lambda p: p.text)


def test_passages_are_numbered_in_text_order(corpus_extraction):
    passages = corpus_extraction.passages
    assert [p.n for p in passages] == list(range(len(passages)))


def test_passage_lengths_stay_near_the_target(corpus_extraction):
    lengths = [p.end - p.start for p in corpus_extraction.passages]
    assert max(lengths) <= MAX_PASSAGE + 100
    in_range = [n for n in lengths if 100 <= n <= MAX_PASSAGE + 50]
    assert len(in_range) / len(lengths) >= 0.75


def test_no_passage_carries_page_furniture(corpus_extraction):
    for p in corpus_extraction.passages:
        assert "来源：" not in p.text
        assert "海量行研报告免费读" not in p.text
        assert "版权声明" not in p.text


def test_sentences_lie_inside_their_passage(corpus_extraction):
    text = corpus_extraction.source.text
    for p in corpus_extraction.passages:
        for s in p.sentences:
            assert p.start <= s.start < s.end <= p.end
            assert text[s.start : s.end] == s.text


def test_page_titles_become_sections(corpus_extraction):
    sections = {p.section for p in corpus_extraction.passages}
    assert "市场环境：政策驱动加速上云" in sections
    assert "私有云容器云平台市场高速增长" in sections


def test_markdown_headings_become_sections(sample_paths):
    from ingest.pipeline import extract
    from ingest.read import read_path

    ex = extract(read_path(sample_paths[0]))
    sections = {p.section for p in ex.passages}
    headings = {line.lstrip("#").strip() for line in ex.source.text.splitlines() if line.startswith("## ")}
    assert headings <= sections | {ex.passages[0].section}
