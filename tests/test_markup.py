"""Markdown and HTML residue is kept out of the stored text, passages and labels, and every offset still
points into the stored text (dev documents of the real-world corpus)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.markup import strip_markup_text
from ingest.pipeline import extract, prepare
from ingest.read import read_path

DOCS = Path(__file__).resolve().parent / "data" / "realworld" / "docs"
# Residue the stored text must not keep: emphasis, links, images, shortcodes, comments, tags, table rules.
RESIDUE = re.compile(r"\*\*|\]\(|!\[|\{\{[<%]|<!--|</?(?:div|center|br|p|img|span)\b|\|\s*-{3}|^\s*\|", re.M)
DEV_DOCUMENTS = (
    "kaiyuanshe-2024-report-data-macro.md",  # **bold**, tables, <center>, <br>, images
    "volcano-case-ing.md",  # > quote, [link](url), <!-- truncate -->
    "kaiyuanshe-2023-report-capital-market-global.md",  # <div style=…>, image tables
    "k8s-case-adidas.html",  # Hugo shortcodes in the page text
)


@pytest.mark.parametrize("document", DEV_DOCUMENTS)
def test_passages_keep_no_markup_and_offsets_point_into_the_stored_text(document):
    raw = read_path(DOCS / document)
    ex = extract(raw)
    text = ex.source.text
    assert RESIDUE.search(text) is None, RESIDUE.search(text)
    for p in ex.passages:
        assert text[p.start : p.end] == p.text
        assert not p.text.startswith("#")
        for s in p.sentences:
            assert text[s.start : s.end] == s.text
    for m in ex.mentions:
        assert text[m.start : m.end].casefold() == m.surface.casefold()
    for e in ex.entities.values():
        assert "**" not in e.label and "](" not in e.label
    for f in ex.facts:
        assert text[f.start] in "0123456789百一二两三四五六七八九十Nn样"  # the figure as written


def test_the_stored_text_is_the_clean_text_and_the_report_id_is_the_files():
    raw = read_path(DOCS / "volcano-case-ing.md")
    bundle, _ = prepare(raw)
    assert "ING集团在北美KubeCon发表了" in bundle.text and "<!-- truncate -->" not in bundle.text
    assert "详情参见：KubeCon + CloudNativeCon North America" in bundle.text  # the link's text stays
    again, _ = prepare(raw)
    assert again.rid == bundle.rid


def test_markdown_emphasis_in_a_figure_is_gone_but_the_figure_stays():
    ex = extract(read_path(DOCS / "kaiyuanshe-2024-report-data-macro.md"))
    text = ex.source.text
    assert "GitHub 全域事件日志总数达到 17.5 亿" in text
    assert any(text[f.start : f.end] == "17.5 亿" for f in ex.facts)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("**20%~35%**的应用", "20%~35%的应用"),
        ("![image038](/image/4-1.png)图 4.1", "图 4.1"),
        ('{{< case-studies/quote author="A" >}}\n引用\n{{< /case-studies/quote >}}', "\n引用\n"),
        ("```go\ncode\n```", "code"),
        ("> 2022年10月26日，ING", "2022年10月26日，ING"),
        ("__init__ 与 __强调__", "__init__ 与 强调"),
        ("2core*4GB", "2core*4GB"),
        ("<!-- never closed", "<!-- never closed"),
    ],
)
def test_strip_markup_text(raw, clean):
    assert strip_markup_text(raw) == clean


# A hard-wrapped Markdown paragraph (written for this test): the wrap splits 华为云 between two lines.
WRAPPED = (
    "# 边缘平台\n\n"
    "该平台的源代码托管在公开的代码仓库中，于 2018 年由华\n"
    "为云开源，离线时依靠边缘自治组件继续维持运行。\n\n"
    "- 基础服务组\n"
    "- 设备集成应用组\n"
)


def test_a_hard_wrapped_markdown_paragraph_is_read_whole_and_offsets_still_hold(tmp_path: Path):
    (tmp_path / "wrapped.md").write_text(WRAPPED, encoding="utf-8")
    ex = extract(read_path(tmp_path / "wrapped.md"))
    text = ex.source.text
    assert "由华为云开源" in text and "- 基础服务组\n- 设备集成应用组" in text  # the items stay apart
    assert "华为云" in {m.surface for m in ex.mentions}
    for p in ex.passages:
        for s in p.sentences:
            assert text[s.start : s.end] == s.text
    (tmp_path / "wrapped.txt").write_text(WRAPPED, encoding="utf-8")  # plain text: its lines as written
    assert "华为云" not in {m.surface for m in extract(read_path(tmp_path / "wrapped.txt")).mentions}


def test_a_plain_text_report_keeps_its_line_breaks():
    wrapped = "边缘节点上的应用由云端统一下发，离线时由边缘自治组件继续维\n持运行，网络恢复后再同步。"
    assert strip_markup_text(wrapped) == wrapped
    assert strip_markup_text(wrapped, markdown=True) == wrapped.replace("\n", "")


def test_front_matter_lines_are_never_joined_so_the_report_date_is_still_read(tmp_path: Path):
    title = "title: 基于边缘计算平台的高速公路门架系统云边协同实践"  # long, and ends with a Chinese character
    (tmp_path / "dated.md").write_text(f"---\n{title}\ndate: 2023-05-21\n---\n\n{WRAPPED}", encoding="utf-8")
    ex = extract(read_path(tmp_path / "dated.md"))
    assert f"{title}\ndate: 2023-05-21" in ex.source.text and "由华为云开源" in ex.source.text
    assert ex.reference is not None and ex.reference.year == 2023
