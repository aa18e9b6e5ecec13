"""Relation shapes of the seventh issue 15 round (dev tuning): feature bullets under a system's
introduction, lists the report knows only in part, compatibility with an interface, and the guards that
keep an object of a verb from becoming the subject carried to the next clause."""

from __future__ import annotations

import pytest
from support.relations import extraction, relations_in

pytest_plugins = ["support.relations"]


def test_feature_bullets_take_the_introduced_system_as_subject(lexicon):
    """Bullets under 'X 是一个…系统': - 利用K… makes K an object, not the next bullet's subject; a list
    closed by 等 may hold items known only in part (华为升腾芯片), and 主流的 may open it."""
    found = relations_in(
        "KubeEdge 是一个边缘计算平台。\n\n"
        "- 利用Kubernetes部署、管理和调度\n\n"
        "- 支持在集群运行AI任务作业，支持GPU，NPU，FPGA，华为升腾芯片，寒武纪MLU等硬件\n\n"
        "- 支持主流的深度学习框架\n",
        lexicon,
    )
    assert {("kubeedge", "supports", o) for o in ("gpu", "npu", "mlu", "deep-learning")} <= found
    assert not {r for r in found if r[0] == "kubernetes" and r[1] == "supports"}


def test_a_loose_list_needs_its_closing_etc(lexicon):
    found = relations_in("KubeEdge 是一个边缘计算平台。\n\n- 支持GPU，华为升腾芯片，NPU的调度\n", lexicon)
    assert ("kubeedge", "supports", "npu") not in found


def test_compatible_with_an_interface_and_the_object_of_the_topic_sentence(lexicon):
    """兼容 X 的调度能力 names X; in 'volcano是专为kubernetes而生的…' kubernetes is an object, so the bullets
    after it belong to volcano."""
    found = relations_in(
        "volcano是专为kubernetes而生的批处理调度引擎，其提供了以下能力：\n\n"
        "- 加权优先级的作业队列\n- 兼容Mesos的调度能力\n",
        lexicon,
    )
    assert ("volcano", "supports", "apache-mesos") in found
    assert not {r for r in found if r[0] == "kubernetes"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # bullets under a system's introduction that open with the verb
        (
            "KubeEdge 是一个边缘计算平台。\n\n- 利用Kubernetes部署、管理和调度\n\n- 采用微服务架构\n",
            {("kubeedge", "basedOn", "kubernetes"), ("kubeedge", "basedOn", "microservices")},
        ),
        # a pronoun stands for the last named system before it
        (
            "团队启动了 KubeEdge 的建设，该平台利用人工智能技术，提高了效率。",
            {("kubeedge", "basedOn", "artificial-intelligence")},
        ),
        # the clause's own subject
        ("Karmada 采用 Kubernetes 原生架构。", {("karmada", "basedOn", "kubernetes")}),
    ],
)
def test_a_system_built_with_a_technology(text, expected, lexicon):
    assert expected <= relations_in(text, lexicon)


@pytest.mark.parametrize(
    "text",
    [
        "KubeEdge 是一个边缘计算平台。\n\n- 使用 Kubernetes 时需要注意版本\n",  # no kind, no verb of use
        "我们使用 Kubernetes 技术已经三年了。",  # an organisation's use, no named system
        "KubeEdge 是一个边缘计算平台。这个版本很好，用户可以利用 Kubernetes 技术。",  # not a bullet
    ],
)
def test_built_with_guards(text, lexicon):
    assert not {r for r in relations_in(text, lexicon) if r[1] == "basedOn"}


def test_what_is_built_on_a_list_of_bases_is_the_object_of_the_build_verb(lexicon):
    """X 基于 A 与 B 等…技术打造了…Y: Y rests on A and B, not X."""
    found = relations_in(
        "Rancher 基于 Kubernetes 与 Karmada 等云原生技术打造了管理平台 KubeSphere，很好用。", lexicon
    )
    assert {("kubesphere", "basedOn", "kubernetes"), ("kubesphere", "basedOn", "karmada")} <= found
    assert not {r for r in found if r[1] == "basedOn" and r[0] != "kubesphere"}
    # with nothing built after the verb, X itself is based on the name
    assert ("karmada", "basedOn", "kubernetes") in relations_in("Karmada 是基于 Kubernetes 开发的。", lexicon)


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        (
            "为此，Volcano v1.11 提出了网络拓扑感知调度（Network Topology Aware Scheduling）策略。",
            ("volcano", "supports", "网络拓扑感知调度"),
            None,
        ),
        # the kind noun must follow the name itself: 云原生 modifies a longer term here
        (
            "Volcano推出了云原生混部解决方案，最大化集群资源利用率。",
            None,
            ("volcano", "supports", "cloud-native"),
        ),
    ],
)
def test_a_feature_a_project_introduces(text, expected, absent, lexicon):
    found = relations_in(text, lexicon)
    assert expected is None or expected in found
    assert absent is None or absent not in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "近日，微软宣布加入 Open Invention Network (OIN)，这是一个行业联盟。",
            ("microsoft", "partOf", "open-invention-network"),
        ),
        ("2019 年，华为正式加入 CNCF，成为白金会员。", ("huawei", "partOf", "cncf")),
        ("Karmada Dashboard是Karmada官方提供的仪表盘。", ("karmada-dashboard", "partOf", "karmada")),
        ("kubectl是Kubernetes官方提供的命令行工具。", ("kubectl", "partOf", "kubernetes")),
    ],
)
def test_membership_and_parts_a_project_provides(text, expected, lexicon):
    assert expected in relations_in(text, lexicon)


@pytest.mark.parametrize(
    "text",
    [
        "该团队希望华为加入 CNCF 的认证 Kubernetes 合规性计划。",  # the organisation modifies a programme
        "阿里巴巴加入或赞助了多个基金会，如 CNCF。",  # 加入或赞助 a list, no named member
    ],
)
def test_membership_guards(text, lexicon):
    assert not {r for r in relations_in(text, lexicon) if r[1] == "partOf"}


@pytest.mark.parametrize(
    "text",
    [
        "本文以 WRF 为例，探讨 Kubernetes 是如何支持微服务应用的。",
        "所以 Kubernetes 对于支撑这种微服务化的应用部署的能力，同样适用于边缘。",
        "虽然 Kubernetes 通常被视为微服务的平台，但第一个应用程序是 Jira。",
    ],
)
def test_support_verbs_between_two_names(text, lexicon):
    assert ("kubernetes", "supports", "microservices") in relations_in(text, lexicon)


def test_a_platform_needs_its_head_noun(lexicon):
    assert ("kubernetes", "supports", "microservices") not in relations_in(
        "Kubernetes 是微服务的重要概念。", lexicon
    )


@pytest.mark.parametrize(
    "text",
    [
        "Python 语言的框架使用方面，Django 作为全面成熟的框架，有半数以上的参与者均使用过。",
        "不出意外的，Django 在 Python 框架中独领风骚。",
    ],
)
def test_the_frameworks_of_a_language(text, lexicon):
    found = relations_in(text, lexicon)
    assert {r for r in found if r[1] == "basedOn" and r[0] == "django" and r[2] == "python"}


def test_frameworks_named_side_by_side_are_not_based_on_each_other(lexicon):
    found = relations_in(
        "同时也会在Flink框架里也实现这样一个逻辑，又要在Spark里开发，又要在Flink里开发。", lexicon
    )
    assert not {r for r in found if r[1] == "basedOn"}


def test_fields_that_use_a_technology_named_after_them(lexicon):
    """在 A 和 B 领域…X 技术应用: X is the technology the fields use."""
    found = relations_in("我们积累了在金融和零售领域的容器技术应用实践。", lexicon)
    assert {("container", "usedByIndustry", "finance"), ("container", "usedByIndustry", "retail")} <= found
    # a name that is not right before the use word is not what the fields use
    assert not {
        r for r in relations_in("在金融领域中容器平台的大规模应用。", lexicon) if r[1] == "usedByIndustry"
    }


def test_an_organisation_acting_with_others_and_a_comma_list_closed_by_etc(lexicon):
    found = relations_in("华为云很荣幸能够与社区其他伙伴一起推出全新的 Karmada 项目。", lexicon)
    assert ("karmada", "developedBy", "huawei-cloud") in found
    lead = "Volcano 社区吸引了众多合作项目，"  # the organisation is not the sentence's topic
    found = relations_in(
        lead + "博云开源的 KubeEdge，Karmada 等边缘网络、存储组件得到了良好的兼容。", lexicon
    )
    assert {("kubeedge", "openSourcedBy", "bocloud"), ("karmada", "openSourcedBy", "bocloud")} <= found
    found = relations_in(lead + "博云开源的 KubeEdge，Karmada 也得到了良好的兼容。", lexicon)
    assert ("karmada", "openSourcedBy", "bocloud") not in found


def test_a_clause_without_subject_says_what_the_topic_is(lexicon):
    found = relations_in("Volcano是一个云原生项目的名字，是一种比较常见的HPC应用。", lexicon)
    assert ("volcano", "broader", "hpc") in found
    found = relations_in("Volcano 的社区很活跃，Karmada是一种常见的多云平台。", lexicon)
    assert not {r for r in found if r[0] == "volcano" and r[1] == "broader"}


def test_a_feature_a_release_introduces_is_a_name_and_a_feature_of_the_project(lexicon):
    text = (
        "为此，Volcano v1.11 引入了弹性层级队列功能，大幅增强了队列的资源管理能力。"
        "Volcano 还引入了细粒度的作业故障恢复策略。"
    )
    ex = extraction(text, lexicon)
    labels = {e.label: e.type for e in ex.entities.values()}
    assert labels.get("弹性层级队列") == "Technology"
    assert not [label for label in labels if "故障恢复" in label]  # a description with 的, not a name
    found = {(r.subject, r.predicate, ex.entities[r.object].label) for r in ex.relations}
    assert ("volcano", "supports", "弹性层级队列") in found


def test_a_feature_realised_through_a_sub_project_is_part_of_it(lexicon):
    found = relations_in(
        "Volcano v1.11 引入了负载感知重调度功能。负载感知重调度通过子项目 descheduler 孵化。", lexicon
    )
    assert {r for r in found if r[1] == "partOf" and r[2] == "descheduler"}
    assert not {r for r in found if r[0] == "descheduler" and r[1] == "partOf" and r[2] != "volcano"}


def test_what_runs_through_a_platform(lexicon):
    found = relations_in("TensorFlow和PyTorch的框架模型是通过Kubeflow运行在机器学习平台上。", lexicon)
    assert {("kubeflow", "supports", "tensorflow"), ("kubeflow", "supports", "pytorch")} <= found
    found = relations_in("我们有一个内部称为Volcano的调度平台，主要用来管理在线学习的Flink任务。", lexicon)
    assert ("volcano", "supports", "apache-flink") in found or ("volcano", "supports", "flink") in found
    # the names must open the clause and be all that stands before 通过
    found = relations_in("用户把 TensorFlow 模型交给运维，通过 Kubeflow 运行。", lexicon)
    assert not {r for r in found if r[0] == "kubeflow"}


def test_an_industry_made_into_a_technology_and_support_enabled_in_a_system(lexicon):
    found = relations_in("截至 2017 年 11 月，所有核心金融系统都已容器化。", lexicon)
    assert ("container", "usedByIndustry", "finance") in found
    assert not {r for r in relations_in("金融数据已容器化。", lexicon) if r[1] == "usedByIndustry"}
    found = relations_in("在 Karmada 调度器中启用 Kubernetes 支持需要一些步骤。", lexicon)
    assert ("karmada", "supports", "kubernetes") in found


def test_a_defined_term_after_the_article_number_and_the_technologies_it_uses(lexicon):
    text = (
        "第三条 本条例所称城市大脑，是指由中枢、系统与平台等要素组成，运用大数据、云计算、区块链等新技术，"
        "推动城市治理现代化的数字系统。"
    )
    ex = extraction(text, lexicon)
    brain = [slug for slug, e in ex.entities.items() if e.label == "城市大脑"]
    assert brain and ex.entities[brain[0]].type == "Concept"
    found = {(r.subject, r.predicate, r.object) for r in ex.relations}
    assert {("big-data", "supports", brain[0]), ("cloud-computing", "supports", brain[0])} <= found
