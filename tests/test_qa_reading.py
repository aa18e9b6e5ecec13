"""The pieces of the sentence reader on real report text: question parts, answer shapes, sentence
selection and the short answer cut from a sentence."""

from __future__ import annotations

from kg.qa.answer_type import expected_type, has_span
from kg.qa.parts import split_parts
from kg.qa.reading import DECLINE_SCORE, read_answer
from kg.qa.shaping import enumeration

# Real text (the samples' and the real-world corpus's sentences), as passages the search would return.
_PASSAGE = (
    "阿迪达斯的云原生平台现在拥有 4,000 个 Pod、200 个节点和每月 80,000 次构建。"
    "项目启动仅六个月后，阿迪达斯的电商网站就全部运行在了 Kubernetes 上。"
    "发布频率从每 4 到 6 周发布一次变为每天发布 3 到 4 次。"
)
_OTHER = (
    "KubeEdge 是一个基于 Kubernetes 的开源边缘计算项目。"
    "当前已广泛应用于CDN、智能交通、智慧能源、金融等各领域。"
)


def _hits() -> list[dict[str, object]]:
    return [
        {
            "passage": "p1",
            "report": "r1",
            "text": _PASSAGE,
            "start": 100,
            "end": 100 + len(_PASSAGE),
            "score": 1.0,
        },
        {"passage": "p2", "report": "r2", "text": _OTHER, "start": 0, "end": len(_OTHER), "score": 0.5},
    ]


def test_multi_part_questions_are_cut_into_their_questions():
    assert split_parts("Nordstrom正在运行多少个客户Pod？这些Pod现在运行在多少台VM上？") == [
        "Nordstrom正在运行多少个客户Pod？",
        "这些Pod现在运行在多少台VM上？",
    ]
    assert len(split_parts("When did the team start working, and when did it complete deployment?")) == 2
    assert split_parts("哪些厂商提供Serverless产品？") == ["哪些厂商提供Serverless产品？"]
    assert split_parts("什么是零壤？呢？") == ["什么是零壤？呢？"]  # a stub is no question of its own


def test_the_answer_shape_follows_the_question_not_its_topic():
    assert expected_type("KubeEdge哪一年被接受为CNCF Sandbox项目？") == "time"
    assert expected_type("How many builds per month does adidas run?") == "quantity"
    assert expected_type("服务网格的主要开源项目有哪些？") == "list"
    assert expected_type("蚂蚁金服为什么选择了Kubernetes？") == "reason"
    assert expected_type("什么是KubeEdge？") == "definition"
    assert expected_type("采用Kubernetes前后，部署时间有何不同？") == "comparison"
    assert has_span("quantity", "每月 80,000 次构建") and not has_span("quantity", "没有数字的句子")


def test_a_list_sentence_gives_its_enumerated_members():
    assert enumeration("当前已广泛应用于CDN、智能交通、智慧能源、金融等各领域。") == [
        "CDN",
        "智能交通",
        "智慧能源",
        "金融",
    ]
    assert enumeration("KubeEdge 是一个开源项目。") == []


def test_reading_picks_the_sentence_with_the_asked_figure_and_cites_its_offsets():
    found = read_answer("阿迪达斯的云原生平台有多少个节点？", _hits(), {"adidas": ["阿迪达斯"]})
    assert found.answered and "200 个节点" in found.answer
    cited = found.evidence[0]
    assert (cited.passage, cited.report) == ("p1", "r1")
    assert _PASSAGE[cited.start - 100 : cited.end - 100] == cited.text
    assert len(found.answer) < len(_PASSAGE)  # the sentence, not the passage
    assert found.confidence > 0.5


def test_a_list_answer_names_the_members_with_their_sentence():
    found = read_answer("KubeEdge目前已广泛应用于哪些领域？", _hits(), {"kubeedge": ["KubeEdge"]})
    assert found.items == ["CDN", "智能交通", "智慧能源", "金融"]
    assert found.answer == "CDN、智能交通、智慧能源、金融"
    assert "智能交通" in found.evidence[0].text


def test_a_question_the_passages_do_not_touch_is_declined_with_a_low_confidence():
    found = read_answer("Kyligence公司成立后获得了多少融资？", _hits(), {})
    assert not found.answered and found.answer == ""
    assert found.focus < DECLINE_SCORE and found.confidence < 0.5
