"""Numeric market facts: value, range, unit, qualifier and year."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ingest.document import SourceDocument
from ingest.facts import find_figures
from ingest.pipeline import extract
from ingest.tables import table_cells


def _one(text: str):
    figures = find_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


def test_plain_value_with_year():
    f = _one("预计2020年末基于容器的私有云系统平台市场规模将会达到15.2亿元")
    assert (f.value, f.unit, f.qualifier, f.year) == (Decimal("15.2"), "亿元", "=", 2020)
    assert "市场规模" in f.metric


def test_more_than_takes_the_nearest_year():
    figures = find_figures("2020年规模达15.2亿元，到2025年将会超过60亿元")
    assert (figures[1].value, figures[1].qualifier, figures[1].year) == (Decimal("60"), ">", 2025)


def test_range_sets_value_max():
    f = _one("容器已经广泛地覆盖了20%~35%的虚拟化应用")
    assert (f.value, f.value_max, f.unit, f.qualifier) == (Decimal("20"), Decimal("35"), "%", "range")


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [("约10%为商业服务类企业", "≈"), ("近40%容器云客户", "≈"), ("每周有20多亿的映像", ">"), ("不足5%", "<")],
)
def test_qualifier_words(text, qualifier):
    assert _one(text).qualifier == qualifier


def test_survey_sample_size():
    f = _one("样本：N=197；于2020年10月-2020年11月通过iUserSurvey调研获得。")
    assert (f.value, f.unit) == (Decimal("197"), "N")


def test_years_dates_and_names_are_not_figures():
    assert find_figures("2014-2016年的三年间，2018.6 工信部发布，5G商用，X-Kernel2") == []


def test_corpus_headline_figures_are_found(corpus_extraction):
    keys = {(f.value, f.value_max, f.unit, f.year) for f in corpus_extraction.facts}
    assert (Decimal("15.2"), None, "亿元", 2020) in keys
    assert (Decimal("60"), None, "亿元", 2025) in keys
    # 目前…已经广泛地覆盖了20%~35%: resolved against the report's date (© 2020.12), not written
    assert (Decimal("20"), Decimal("35"), "%", 2020) in keys
    implied = [f for f in corpus_extraction.facts if (f.value, f.value_max) == (Decimal("20"), Decimal("35"))]
    assert implied and all(f.year_stated is False for f in implied)
    assert (Decimal("197"), None, "N", 2020) in keys  # the survey's own year
    assert (Decimal("47.2"), None, "%", None) in keys


def test_fact_offsets_point_at_the_figure(corpus_extraction):
    text = corpus_extraction.source.text
    for f in corpus_extraction.facts:
        written = text[f.start : f.end]
        assert f.unit in written or (f.unit == "N" and written.upper().startswith("N"))


def test_chinese_numerals_in_tenths():
    f = _one("当前我国已有超六成的企业用户在生产环境中使用容器")
    assert (f.value, f.unit, f.qualifier) == (Decimal("6"), "成", ">")


def test_comparison_base_year_is_not_the_figure_year():
    figures = find_figures("截至2023年底节点已超过2000个，较2021年增长约3.5倍")
    assert (figures[1].value, figures[1].unit, figures[1].year) == (Decimal("3.5"), "倍", 2023)


def _keys(text: str) -> list[tuple[str, str | None, str, str]]:
    return [
        (str(f.value), str(f.value_max) if f.value_max is not None else None, f.unit, f.qualifier)
        for f in find_figures(text)
    ]


# Real sentences of dev documents of the real-world corpus (tests/data/realworld), with their gold facts.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a size per thing, a descending range with a unit on both ends, a share (kubeedge-tech-kuiper)
        (
            "Memory:89%~72%;0.4MB/rule GPU:25%",
            [("72", "89", "%", "range"), ("0.4", None, "MB/rule", "="), ("25", None, "%", "=")],
        ),
        ("AWS t2.micro 配置10k+/s消息吞吐", [("10", None, "k/s", ">")]),  # a rate written with k
        ("总GPU卡数为1.1K张", [("1.1", None, "K张", "=")]),  # volcano-case-pengcheng-lab
        ("60+SQL函数", [("60", None, "SQL函数", ">")]),  # a Latin noun after N+ is the unit (kuiper)
        # 多 between magnitude and measure word (kaiyuanshe-2018-oss-report-questionnaire)
        (
            "微软将把自己的 6 万多项专利组合免费提供给联盟的 2650 家左右的公司",
            [("6", None, "万项", ">"), ("2650", None, "家", "≈")],
        ),
        ("团队先后2人成为了Karmada 社区 member", [("2", None, "人", "=")]),  # 先后 is no rank
        # one figure given twice in a sentence is one fact (k8s-case-adidas)
        ("来自平台团队的五名工程师与来自电商团队的五名工程师合作", [("5", None, "名", "=")]),
        ("我们目前只有五个人维护这么多系统", [("5", None, "人", "=")]),  # k8s-case-chinaunicom
        ("吞吐可提升约 2.73 倍，TTFT 降低约 73.5%", [("2.73", None, "倍", "≈"), ("73.5", None, "%", "≈")]),
    ],
)
def test_technical_and_case_study_figures(text, expected):
    assert _keys(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "比如集群资源总量为CPU：18C，Memory：72GB，两个用户分别是User1和User2，每个User分配1个队列",  # a spec
        "配置 AWS:2core*4GB Ubuntu",  # hardware beside a core count (kubeedge-tech-kuiper)
        "在长系统提示词场景（如 4096 tokens）下",  # a setting (volcano-ann-kthena)
        "比如有10个资源，但是有两个任务",  # a made-up example (volcano-case-xiaohongshu)
        "假设你一个人可以运维 10 个节点",  # k8s-case-ant-financial
        "14.49%\t136.28\n4\t台湾\t15,894",  # a table row: 4 and 台湾 are two cells, not 4 台
        "小红书是一个UGC社区，每天有大概几十万篇的笔记投稿",  # 几十万: several (volcano-case-xiaohongshu)
        "这一成就是我们贡献者非凡创造力和奉献精神的体现",  # 成就, not 一成 (kubeedge-ann-cncf-graduation)
        "在 2015 年时，即使是 BAT 也排名 10 名以后",  # a rank (kaiyuanshe-2018-oss-report-questionnaire)
        "示例配置：若Pod失败后重启，10分钟内仍未恢复，则重启整个Job",  # a threshold (volcano-ann-v1-11)
    ],
)
def test_specifications_examples_and_cells_are_not_figures(text):
    assert [k for k in _keys(text) if k[2] != "%"] == []


def test_table_columns_with_latin_units_and_measured_scores():
    # volcano-ann-kthena (dev): units in brackets in the header; kaiyuanshe-2024-report-data-macro (dev): a
    # score column without a unit (开发者活跃度) counts, the rank column does not
    kthena = "Plugin Configuration\tThroughput (req/s)\tTTFT (s)\nRandom\t11.81\t25.23"
    assert [(c.raw, c.unit) for c in table_cells(kthena)] == [("11.81", "req/s"), ("25.23", "s")]
    macro = "排名\t国家\t总人数\t占比\t开发者活跃度\n10\t韩国\t44,006\t1.73%\t375,550.82"
    assert [(c.raw, c.unit) for c in table_cells(macro)] == [("44,006", "人"), ("375,550.82", "")]


def test_a_repeated_sentence_states_its_figures_once():
    # k8s-case-adidas (dev) repeats this sentence of its summary in its body
    sentence = (
        "阿迪达斯现在在其云原生平台上运行着 40% 最关键、最具影响力的系统，"
        "拥有 4,000 个 Pod、200 个节点和每月 80,000 次构建。"
    )
    source = SourceDocument(
        text=f"{sentence}\n\n正文。\n\n{sentence}\n", source="adidas.txt", media_type="text/plain"
    )
    keys = sorted((str(f.value), f.unit) for f in extract(source).facts)
    assert keys == [("200", "个"), ("40", "%"), ("4000", "个"), ("80000", "次")]


def test_a_decimal_figure_given_again_after_its_table_is_one_fact():
    # kaiyuanshe-2024-report-data-macro (dev): the prose under the table restates its 17.11%
    text = (
        "排名\t国家\t总人数\t占比\t开发者活跃度\n1\t美国\t435,202\t17.11%\t4,301,051.55\n\n"
        "美国以43.5万开发者（占比17.11%）遥遥领先，其活跃度（4,301,051.55）也居全球首位。\n"
    )
    facts = extract(SourceDocument(text=text, source="macro.txt", media_type="text/plain")).facts
    keys = [(str(f.value), f.unit) for f in facts]
    assert sorted(keys) == sorted([("17.11", "%"), ("4301051.55", ""), ("435202", "人"), ("43.5", "万")])
