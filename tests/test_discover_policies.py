"""Policies discovered from titles (ingest/discover.py), on made-up legal prose."""

from __future__ import annotations

from ingest.document import SourceDocument
from ingest.pipeline import extract


def _policies(markdown: str) -> dict[str, tuple[str, ...]]:
    extraction = extract(SourceDocument("# 标题\n\n" + markdown + "\n", "t.md", "text/markdown"))
    return {e.label: e.aliases for e in extraction.entities.values() if e.type == "Policy"}


def test_a_law_in_title_marks_is_a_policy() -> None:
    found = _policies("处理涉及商业秘密的数据，适用《中华人民共和国反不正当竞争法》等法律的规定。")
    assert "中华人民共和国反不正当竞争法" in found


def test_a_title_and_the_same_name_written_bare_are_one_policy() -> None:
    found = _policies(
        "依据《某省公共数据管理条例》制定本细则。\n\n某省公共数据管理条例对数据开放作出了规定。"
    )
    assert found == {"某省公共数据管理条例": ("《某省公共数据管理条例》",)}


def test_a_title_without_a_policy_word_is_not_a_policy() -> None:
    assert _policies("该团队在《云原生架构实践》一书中介绍了 Kubernetes 的调度方法。") == {}
