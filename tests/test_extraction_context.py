"""Names and relations found from their context (issue 15): a name with its Latin form in brackets,
enumerations of Latin names, names inside web addresses, clauses that leave their
subject out, and regulation ranges. Sentences quoted from dev documents of tests/data/realworld."""

from __future__ import annotations

import pytest

from ingest.document import SourceDocument
from ingest.pipeline import Extraction, extract


def _extract(body: str) -> Extraction:
    return extract(SourceDocument("# 标题\n\n" + body + "\n", "t.md", "text/markdown"))


def _found(ex: Extraction) -> dict[str, tuple[str, tuple[str, ...]]]:
    return {e.label: (e.type, e.aliases) for e in ex.entities.values()}


def test_a_term_and_its_bracketed_acronym_are_one_entity():
    found = _found(_extract("京东方在面板生产的各个阶段引入了自动光学检测（AOI），以检测产品缺陷。"))
    assert found["自动光学检测"] == ("Technology", ("AOI",))


def test_a_term_with_its_name_in_capitals_joined_by_a_hyphen_is_one_entity():
    found = _found(
        _extract("启智章鱼（OPENI-OCTOPUS）是一个集群管理和资源调度系统，由鹏城实验室进行开发和维护。")
    )
    assert found["启智章鱼"] == ("Technology", ("OPENI-OCTOPUS",))


def test_a_space_before_the_bracket_still_joins_a_chinese_term_and_its_latin_name():
    found = _found(_extract("调度器提供了作业优先级抢占 (JobPreemption) 能力，默认关闭。"))
    assert found["作业优先级抢占"] == ("Technology", ("JobPreemption",))


def test_a_space_between_english_words_and_a_bracket_does_not_make_the_words_a_term():
    found = _found(_extract("该项目由 Open Robotics Alliance (ORBA) 托管，部署在 Kubernetes 上。"))
    assert "Alliance" not in found


def test_the_verb_before_a_bracketed_term_is_not_part_of_it():
    found = _found(_extract("使用前需要在节点上开启内存带宽隔离（MBA）功能。"))
    assert found.get("内存带宽隔离") == ("Technology", ("MBA",))
    assert not any(label.startswith("开启") for label in found)


def test_a_bracketed_translation_of_a_common_word_is_no_name():
    found = _found(_extract("Apache 之道强调社区（Community）和共识（Consensus）。"))
    assert not {"社区", "Community", "共识", "Consensus"} & set(found)


def test_a_description_before_a_bracketed_acronym_is_not_the_name():
    found = _found(_extract("WRF 模式包括前处理系统（WPS）和核心模拟系统。"))
    assert "WPS" in found and "前处理系统" not in found and "系统" not in found


def test_members_of_an_enumeration_of_latin_names_are_technologies():
    found = _found(_extract("京东开源的项目包括 Speedy、Taro UI、Hydra、Nerv、Overwatch 等。"))
    assert {found[n][0] for n in ("Speedy", "Taro UI", "Hydra", "Nerv", "Overwatch")} == {"Technology"}


def test_an_enumeration_of_code_words_or_numbered_items_is_not_one_of_names():
    found = _found(_extract("字段类型支持 int、string、bool、float，节点依次为 s0、s1、s2。"))
    assert not {"int", "string", "s0", "s1"} & set(found)


def test_an_organisation_jieba_knows_and_a_school_named_after_its_field():
    found = _found(_extract("参与的组织包括浙江实验室、北京邮电大学和电子科技大学。"))
    assert found["北京邮电大学"][0] == "Organization" and found["电子科技大学"][0] == "Organization"


def test_a_name_inside_a_web_address_is_not_a_mention():
    ex = _extract("代码托管在 https://github.com/volcano-sh/volcano 上。")
    assert "github" not in ex.entities


def test_the_industry_word_in_a_government_body_is_not_the_sector():
    ex = _extract("市人民政府应当建立健全数据治理制度。")
    assert not [e for e in ex.entities.values() if e.type == "Industry"]


def test_telecom_carriers_are_organisations_and_their_clouds_vendors():
    found = _found(_extract("中国移动、中国电信都在建设云平台，天翼云和移动云是它们的云服务。"))
    assert found["中国移动"][0] == found["中国电信"][0] == "Organization"
    assert found["天翼云"][0] == found["移动云"][0] == "Vendor"


def _relations(ex: Extraction) -> set[tuple[str, str, str]]:
    return {(r.subject, r.predicate, r.object) for r in ex.relations}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "目前，Volcano在人工智能、大数据等场景已得到快速应用，"
            "已完成对 Spark、Flink、Ray 等众多主流计算框架的支持。",
            {
                ("volcano", "supports", "apache-spark"),
                ("volcano", "supports", "flink"),
                ("volcano", "supports", "ray"),
            },
        ),
        (
            "截至目前为止，阿里巴巴开源了 100 多个项目，2016 年及之后开源了 Sentinel、Dubbo 等。",
            {
                ("sentinel", "openSourcedBy", "alibaba-group"),
                ("apache-dubbo", "openSourcedBy", "alibaba-group"),
            },
        ),
        (
            "Karmada 是一个多云容器编排项目。\n\n- 兼容 Kubernetes 原生 API；\n- 支持独立 etcd 部署。",
            {("karmada", "supports", "kubernetes"), ("karmada", "supports", "etcd")},
        ),
    ],
)
def test_a_clause_without_a_subject_takes_the_carried_one(body, expected):
    assert expected <= _relations(_extract(body))


@pytest.mark.parametrize(
    "body",
    [
        "Volcano 是批处理调度器。\n\n- 对Tensorflow、Pytorch等框架的支持不足",  # support said to be lacking
        "Volcano 是批处理调度器。\n\n- 支持在集群运行AI任务作业",  # not a list of what is supported
        "Volcano 是批处理调度器。\n\n- 支持Kubernetes的跨集群调度",  # the name modifies what is supported
    ],
)
def test_a_clause_that_lists_nothing_supported_gives_no_relation(body):
    assert not {r for r in _relations(_extract(body)) if r[1] == "supports"}


def test_a_regulation_range_with_a_small_lower_bound_is_one_range():
    ex = _extract("没收违法所得，处违法所得一倍以上十倍以下罚款。")
    assert [(f.value, f.value_max, f.unit, f.qualifier) for f in ex.facts] == [(1, 10, "倍", "range")]
