"""The reader on the context of a sentence, over real report text of the real-world corpus: a line read with
the sentence introducing it (…相较随机基线： then "- 吞吐可提升约 2.73 倍"), the sentence after a how/why
answer that refers back to it, the words around the asked slot, and the labelled lines
("Volcano Scheduler：负责…") a list sentence introduces."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from kg.qa.reading import read_answer
from kg.qa.selection import WEIGHTS, introducing
from kg.qa.sentences import split_sentences

_DOCS = Path(__file__).parent / "data" / "realworld" / "docs"


def _section(name: str, first: str, last: str) -> list[dict[str, object]]:
    """The text of a report from ``first`` up to ``last`` as the one passage the search returned, with its
    offsets into the report."""
    text = (_DOCS / name).read_text(encoding="utf-8")
    start = text.index(first)
    end = text.index(last, start)
    return [
        {"passage": "p1", "report": name, "text": text[start:end], "start": start, "end": end, "score": 1.0}
    ]


def _report(name: str) -> str:
    return (_DOCS / name).read_text(encoding="utf-8")


_KTHENA = ("volcano-ann-kthena.md", "## 极致的性能提升", "| Plugin Configuration")


def test_the_lines_a_sentence_introduces_are_found_up_to_a_heading():
    hits = _section(*_KTHENA)
    sentences = split_sentences(str(hits[0]["text"]), int(str(hits[0]["start"])))
    intros = introducing(sentences)
    lines = [sentences[n].text for n in sorted(intros)]
    assert lines == ["- 吞吐可提升约 2.73 倍", "- TTFT 降低约 73.5%", "- 端到端时延降低超过 60%"]
    assert all(s.text.endswith("相较随机基线：") for s in intros.values())


def test_a_line_is_read_with_the_sentence_introducing_it():
    hits = _section(*_KTHENA)
    report = _report(_KTHENA[0])
    for question, figure in (
        ("采用KV Cache感知加最少请求的策略后，TTFT降低了多少？", "73.5%"),
        ("Kthena的KV Cache感知策略让吞吐提升了多少？", "2.73 倍"),
    ):
        part = read_answer(question, hits, {"kthena": ["Kthena"]}, decline_score=0.0)
        assert part.answered and figure in part.answer
        first = part.evidence[0]
        assert figure in first.text and report[first.start : first.end] == first.text  # cited to its offsets
        # read alone, the line holds none of the question's words: the introducing sentence answered, with no
        # figure
        alone = read_answer(question, hits, {"kthena": ["Kthena"]}, weights=replace(WEIGHTS, introduced=0.0))
        assert figure not in alone.answer


def test_a_how_answer_brings_the_sentence_after_it_that_refers_back_to_it():
    hits = _section("kubeedge-case-chinahighways.md", "除了上面提到的挑战", "- 需要精简NodeStatus")
    question = "网络恢复后所有边缘节点同时连接中心侧K8s集群造成冲击，项目是如何缓解的？"
    part = read_answer(question, hits, {"kubernetes": ["K8s"]}, decline_score=0.0)
    assert part.answer_type == "method" and "动态退避算法" in part.answer
    texts = [e.text for e in part.evidence]
    assert texts.index(next(t for t in texts if t.startswith("为了应对这种情况"))) > 0  # after the problem
    without = read_answer(
        question,
        hits,
        {"kubernetes": ["K8s"]},
        weights=replace(WEIGHTS, consequents=False, slot=0.0),  # the slot (…如何缓解) alone also finds it
        decline_score=0.0,
    )
    assert "动态退避算法" not in without.answer


def test_the_words_around_the_asked_slot_find_the_sentence_stating_the_figure():
    # the question's entities and most of its words are in the section's first sentence; the figure is
    # in the sentence that says 团队由 … 组成 around it, 80 lines further down
    hits = _section("karmada-case-unionbigdata.md", "决这些问题，BOE", "团队从 2023 年 4 月开始工作")
    question = "BOE工业智能检测平台（I3Plat）项目的团队由多少名成员组成？"
    forms = {"i3plat": ["I3Plat"], "boe": ["BOE"]}
    part = read_answer(question, hits, forms, decline_score=0.0)
    assert part.answer_type == "quantity" and "14 名组成" in part.answer
    without = read_answer(question, hits, forms, weights=replace(WEIGHTS, slot=0.0), decline_score=0.0)
    assert "14 名" not in without.answer


def test_the_labelled_lines_a_list_sentence_introduces_are_its_members():
    hits = _section(
        "volcano-ann-v1-11.md", "Volcano的云原生混部解决方案从应用层", "![](/img/blog/architecture.png)"
    )
    part = read_answer(
        "Volcano云原生混部解决方案包括哪些核心组件？", hits, {"volcano": ["Volcano"]}, decline_score=0.0
    )
    assert part.answer_type == "list"
    assert part.items == ["Volcano Scheduler", "Volcano SLO Agent", "Enhanced OS"]
    assert [e.text.split("：")[0].strip("*") for e in part.evidence[1:]] == part.items  # each member's line


_KUIPER = ("kubeedge-tech-kuiper-edge-streaming.md", "产品设计目标：", "中间部分分成了这几层")


def test_a_comparison_rests_on_a_sentence_for_each_of_its_two_sides():
    hits = _section(*_KUIPER)
    question = "Kuiper架构中的sources和Sinks有什么区别？"
    part = read_answer(question, hits, {"kuiper": ["Kuiper"]}, decline_score=0.0)
    cited = [e.text for e in part.evidence]
    assert any("左侧为sources" in t for t in cited) and any("右侧为Sinks" in t for t in cited)
    assert "数据来源" in part.answer and "目标系统" in part.answer
    # without looking for the sides, one side's sentence is left out
    one = read_answer(
        question, hits, {"kuiper": ["Kuiper"]}, decline_score=0.0, weights=replace(WEIGHTS, sides=False)
    )
    assert not ("数据来源" in one.answer and "目标系统" in one.answer)


def test_a_run_of_labelled_lines_under_a_heading_is_a_list():
    hits = _section("volcano-case-leinao.md", "## 类脑AI云平台介绍", "<!-- truncate -->")
    part = read_answer("类脑AI云平台由哪些平台组成？", hits, {}, decline_score=0.0)
    assert part.items == ["AI开发平台", "公共服务平台", "AI可视化平台", "AI社区"]
    assert len(part.evidence) == 4 and part.evidence[3].text.startswith("AI社区：")


def test_numbered_members_each_followed_by_their_description_are_the_list():
    hits = _section(
        "kubeedge-case-zcitc-parking.md", "如上图所示，停车场边缘侧部署的应用主要包括：", "而通过编排部署"
    )
    part = read_answer("志诚停车场边缘侧部署的应用主要包括哪几组？", hits, {}, decline_score=0.0)
    assert part.items == [
        "基础服务组",
        "Gateway Broker 网关消息服务",
        "设备集成应用组",
        "存储与上传应用组",
        "业务应用组",
    ]
