"""Organisations in legal and business prose: government bodies named by their jurisdiction
(ingest/discover_bodies.py), short names a text defines, companies and their stems (ingest/discover.py)."""

from __future__ import annotations

import pytest

from ingest.discover_bodies import abbreviated_by, jurisdiction_bodies
from ingest.document import SourceDocument
from ingest.pipeline import extract
from kg.lexicon import Lexicon
from kg.tokenize import WordSegmenter


@pytest.fixture(scope="module")
def segmenter() -> WordSegmenter:
    return WordSegmenter(Lexicon.load())


def _bodies(text: str, segmenter: WordSegmenter) -> list[str]:
    return [name for name, _start, _end in jurisdiction_bodies(text, 0, segmenter)]


@pytest.mark.parametrize(
    ("sentence", "bodies"),
    [
        # a field that is a verb or a phrase, closed by a body word
        ("市统计部门应当每年发布一次评估报告。", ["市统计部门"]),
        ("由市市场监督管理部门会同区交通运输部门组织实施。", ["市市场监督管理部门", "区交通运输部门"]),
        # a jurisdiction alone before 人民政府 is the body
        ("省人民政府可以根据需要调整名录。", ["省人民政府"]),
        # 中央 opens the name; 国家 inside it starts no second one
        ("中央国家安全领导机构负责决策和议事协调。", ["中央国家安全领导机构"]),
        # a place named with its level is part of the name
        ("西湖区人民政府负责本辖区的具体实施。", ["西湖区人民政府"]),
    ],
)
def test_bodies_named_by_their_jurisdiction(
    sentence: str, bodies: list[str], segmenter: WordSegmenter
) -> None:
    assert _bodies(sentence, segmenter) == bodies


@pytest.mark.parametrize(
    "sentence",
    [
        "国务院有关部门按照职责分工负责监督。",  # a role: 有关
        "各区人民政府应当加强协调。",  # a set of bodies: 各区
        "国家鼓励科研机构开展基础研究。",  # a clause: 国家 acts
        "本市国家机关应当依法公开信息。",  # a kind of body, no field
        "城市交通部门的数据应当共享。",  # 市 inside 城市 is no jurisdiction
        "国家安全等部门应当予以配合。",  # a list closed by 等
    ],
)
def test_roles_sets_and_clauses_are_not_bodies(sentence: str, segmenter: WordSegmenter) -> None:
    assert _bodies(sentence, segmenter) == []


def test_offsets_are_offsets_into_the_report(segmenter: WordSegmenter) -> None:
    text = "第五条 市统计部门负责汇总。"
    [(name, start, end)] = list(jurisdiction_bodies(text, 100, segmenter))
    assert text[start - 100 : end - 100] == name == "市统计部门"


def test_a_short_form_is_the_body_of_the_place_named_before() -> None:
    assert abbreviated_by("区人民政府", "滨江区人民政府")
    assert not abbreviated_by("市人民政府", "市人民政府")
    assert not abbreviated_by("国家网信部门", "某省国家网信部门")  # only one-character levels


def _report(body: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    extraction = extract(SourceDocument("# 某市公共数据条例\n\n" + body + "\n", "t.md", "text/markdown"))
    return {e.label: (e.type, e.aliases) for e in extraction.entities.values()}


def test_a_body_named_twice_is_an_organisation_and_one_named_once_is_left_out() -> None:
    found = _report(
        "第三条 市统计部门负责公共数据的统计分析。\n\n第四条 市统计部门应当会同市档案部门建立目录。"
    )
    assert found["市统计部门"][0] == "Organization"
    assert "市档案部门" not in found


def test_the_short_form_of_a_body_is_an_alias_of_its_full_name() -> None:
    found = _report("第二条 滨江市人民政府负责本条例的组织实施。\n\n第三条 市人民政府应当建立协调机制。")
    assert found["滨江市人民政府"] == ("Organization", ("市人民政府",))
    assert "市人民政府" not in found


def test_the_short_name_a_text_defines_for_a_body_is_an_organisation() -> None:
    found = _report(
        "第五条 负责公共数据开放评估工作的部门（以下简称评估部门）应当建立台账。\n\n"
        "第六条 评估部门每年报送一次评估结果。"
    )
    assert found["评估部门"][0] == "Organization"


def test_a_short_name_that_is_not_a_body_is_left_alone() -> None:
    found = _report("第五条 关键数据的处理者（以下简称处理者）应当建立台账。")
    assert "处理者" not in found


def test_a_company_and_its_name_without_the_company_word_are_one_entity() -> None:
    found = _report(
        "第一条 BKX集团于2019年引入Kubernetes，BKX的数据平台随后迁移到容器上。\n\n"
        "第二条 BKX的运维团队使用Kubernetes管理集群。"
    )
    assert "BKX" not in found
    assert found["BKX集团"] == ("Organization", ("BKX",))


def test_a_foundation_and_the_project_it_is_named_after_stay_two_entities() -> None:
    found = _report("第一条 Zephyrix 基金会托管 Zephyrix 项目，Zephyrix 运行在 Kubernetes 上。")
    assert "Zephyrix" in found and "Zephyrix 基金会" in found
