from __future__ import annotations

import doctest
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ingest.clean
from ingest.clean import REASONS, clean
from ingest.document import CleanDocument, SourceDocument, Span
from ingest.read import read_path

CONTENT = "content"


def _doc(text: str) -> SourceDocument:
    return SourceDocument(text, "synthetic.txt", "text/plain")


def _body(n: int) -> list[str]:
    return [f"第{i}段：容器云帮助企业提升资源利用效率，降低运维成本。" for i in range(n)]


def _labels(cleaned: CleanDocument) -> dict[Span, str]:
    labels = {span: CONTENT for span in cleaned.content}
    labels.update(dict(cleaned.furniture))
    return labels


def _label_of_lines(cleaned: CleanDocument, wanted: Callable[[str], bool]) -> list[str]:
    """The label of every stripped line of the text that ``wanted`` accepts, in text order."""
    labels = _labels(cleaned)
    found, start = [], 0
    for raw in cleaned.text.split("\n"):
        line = raw.strip()
        if line and wanted(line):
            first = start + raw.index(line)
            found.append(labels[Span(first, first + len(line))])
        start += len(raw) + 1
    return found


def _label(text: str, line: str) -> str:
    labels = _label_of_lines(clean(_doc(text)), lambda candidate: candidate == line)
    assert labels, f"{line!r} not in the text"
    return labels[-1]


# --- the real report ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def cleaned_report(corpus_path: Path) -> CleanDocument:
    return clean(read_path(corpus_path))


def test_report_source_lines_are_furniture(cleaned_report: CleanDocument) -> None:
    labels = _label_of_lines(cleaned_report, lambda line: line.startswith("来源"))
    assert labels
    assert set(labels) == {"source-line"}


def test_report_ad_banner_is_not_content(cleaned_report: CleanDocument) -> None:
    text = cleaned_report.text
    assert "海量行研报告免费读" in text
    assert not any("海量行研报告免费读" in text[span.start : span.end] for span in cleaned_report.content)


@pytest.mark.parametrize(
    "entry", ["容器云技术与应用场景铺陈", "中国容器云市场发展洞察", "典型容器云企业案例"]
)
def test_report_repeated_table_of_contents_is_furniture(cleaned_report: CleanDocument, entry: str) -> None:
    assert _label_of_lines(cleaned_report, lambda line: line == entry) == ["toc"] * 4


def test_report_chapter_numbers_are_page_numbers(cleaned_report: CleanDocument) -> None:
    assert set(_label_of_lines(cleaned_report, str.isdigit)) == {"page-number"}


@pytest.mark.parametrize("line", ["版权声明", "免责条款", "关于艾瑞", "400-026-2099"])
def test_report_end_boilerplate_is_furniture(cleaned_report: CleanDocument, line: str) -> None:
    labels = _label_of_lines(cleaned_report, lambda candidate: candidate == line)
    assert labels
    assert CONTENT not in labels


def test_report_acknowledgements_and_their_paragraph_are_content(cleaned_report: CleanDocument) -> None:
    lines = [cleaned_report.text[span.start : span.end] for span in cleaned_report.content]
    at = lines.index("鸣谢")
    assert lines[at + 1].startswith("在本报告撰写过程中")


def test_report_sample_size_lines_are_content(cleaned_report: CleanDocument) -> None:
    labels = _label_of_lines(cleaned_report, lambda line: line.startswith("样本：N=197"))
    assert labels == [CONTENT, CONTENT]


def test_report_body_paragraph_is_content(cleaned_report: CleanDocument) -> None:
    assert set(_label_of_lines(cleaned_report, lambda line: "15.2亿元" in line)) == {CONTENT}


def test_report_spans_are_ordered_disjoint_single_lines(cleaned_report: CleanDocument) -> None:
    spans = sorted(
        [*cleaned_report.content, *(span for span, _ in cleaned_report.furniture)], key=lambda s: s.start
    )
    for before, after in pairwise(spans):
        assert before.end < after.start
    assert all("\n" not in cleaned_report.text[span.start : span.end] for span in spans)
    assert list(cleaned_report.content) == sorted(cleaned_report.content, key=lambda s: s.start)


def test_report_keeps_most_of_the_text(cleaned_report: CleanDocument) -> None:
    kept = sum(span.end - span.start for span in cleaned_report.content)
    assert 0.8 * len(cleaned_report.text) < kept < 0.9 * len(cleaned_report.text)


# --- one rule at a time -------------------------------------------------------------------


# Lines of furniture by the label their rule gives them, each standing alone after body text.
_FURNITURE_LINES = {
    "source-line": ("来源：某研究院。", "来源:公开资料", "资料来源：国家统计局", "数据来源：企业访谈"),
    "ad": (
        *("海量行研报告免费读", "扫描二维码", "读懂全行业", "海量的数据 专业的报告"),
        # phone numbers and email addresses are ads too
        *("400-026-2099", "电话：010-12345678", "ask@example.com.cn", "邮箱：a.b@c.org"),
    ),
    "watermark": ("iResearch", "艾瑞咨询", "艾 瑞 咨 询", "©2020.12 iResearch Inc.", "Copyright 2021 X"),
    "page-number": ("7", "- 12 -", "第 3 页", "4 / 20"),
}


@pytest.mark.parametrize(
    ("line", "label"), [(line, label) for label, lines in _FURNITURE_LINES.items() for line in lines]
)
def test_a_furniture_line_gets_its_rules_label(line: str, label: str) -> None:
    assert _label(f"正文。\n{line}\n", line) == label


@pytest.mark.parametrize(
    "line",
    [
        "本段数据来源于公开资料。",  # mentions a source midway
        # a long sentence with an ad phrase
        "移动支付时代，用户扫描二维码即可完成付款，这一习惯推动了容器云在支付业务中的落地。",
        "艾瑞咨询认为容器云将持续增长。",  # names the publisher
    ],
)
def test_a_sentence_only_mentioning_furniture_is_content(line: str) -> None:
    assert _label(f"{line}\n", line) == CONTENT


def test_short_line_seen_three_times_is_toc() -> None:
    text = "\n".join(["市场洞察", *_body(2), "市场洞察", *_body(2), "市场洞察"])
    assert _label(text, "市场洞察") == "toc"


def test_short_line_seen_twice_is_content() -> None:
    text = "\n".join(["容器是更轻量的虚拟机", *_body(2), "容器是更轻量的虚拟机"])
    assert _label(text, "容器是更轻量的虚拟机") == CONTENT


def test_repeated_sentence_is_content() -> None:
    text = "\n".join(["增长迅速。"] * 3)
    assert _label(text, "增长迅速。") == CONTENT


@pytest.mark.parametrize("line", ["样本：N=197", "注释：单位为亿元", "■ 公有云 ■ 私有云"])
def test_repeated_samples_notes_and_legends_are_content(line: str) -> None:
    assert _label("\n".join([line] * 3), line) == CONTENT


def _with_tail(*tail: str) -> str:
    return "\n\n".join([*_body(12), *tail])


@pytest.mark.parametrize(
    "heading",
    ["版权声明", "免责声明", "免责条款", "法律声明", "关于艾瑞", "关于我们", "联系我们", "# 免责声明"],
)
def test_boilerplate_heading_in_the_tail_starts_boilerplate(heading: str) -> None:
    text = _with_tail(heading, "本报告仅供参考。")
    assert _label(text, heading) == "boilerplate"
    assert _label(text, "本报告仅供参考。") == "boilerplate"


def test_ad_heading_in_the_tail_starts_boilerplate() -> None:
    text = _with_tail("某某新经济产业研究解决方案", "行业咨询")
    assert _label(text, "行业咨询") == "boilerplate"


def test_about_an_analyst_firm_starts_boilerplate() -> None:
    assert _label(_with_tail("关于某某咨询", "我们是一家研究机构。"), "我们是一家研究机构。") == "boilerplate"


def test_text_before_the_boilerplate_heading_is_content() -> None:
    assert _label(_with_tail("结语。", "版权声明"), "结语。") == CONTENT


def test_boilerplate_heading_early_in_the_document_is_content() -> None:
    text = "\n\n".join(["免责声明", "本节说明研究边界。", *_body(12)])
    assert _label(text, "本节说明研究边界。") == CONTENT


def test_about_a_topic_in_the_tail_is_content() -> None:
    text = _with_tail("关于容器安全的思考", "安全是第二大挑战。")
    assert _label(text, "安全是第二大挑战。") == CONTENT


def test_acknowledgements_inside_boilerplate_are_content() -> None:
    text = _with_tail("关于我们", "我们是研究机构。", "致谢", "感谢受访企业。", "免责声明", "仅供参考。")
    assert [_label(text, line) for line in ("我们是研究机构。", "感谢受访企业。", "仅供参考。")] == [
        "boilerplate",
        CONTENT,
        "boilerplate",
    ]


# --- the shape of the result --------------------------------------------------------------


def test_spans_leave_out_surrounding_whitespace() -> None:
    doc = _doc("  \u3000容器云市场。 \n")
    assert clean(doc).content == (Span(3, 9),)


def test_blank_lines_are_neither_content_nor_furniture() -> None:
    cleaned = clean(_doc("\n \n\u3000\n\t\n"))
    assert (cleaned.content, cleaned.furniture) == ((), ())


def test_text_is_left_unchanged() -> None:
    doc = _doc("正文。\n来源：X\n")
    assert clean(doc).source is doc


@given(st.text(alphabet=st.sampled_from("容器云来源：12 。\n\u3000©"), max_size=80))
def test_every_non_blank_line_is_classified_once(text: str) -> None:
    cleaned = clean(_doc(text))
    spans = sorted([*cleaned.content, *(span for span, _ in cleaned.furniture)], key=lambda s: s.start)
    assert [text[s.start : s.end] for s in spans] == [
        line.strip() for line in text.split("\n") if line.strip()
    ]
    assert {reason for _, reason in cleaned.furniture} <= set(REASONS)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(ingest.clean).failed == 0
