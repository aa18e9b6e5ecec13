"""Relations over enumerations and the sentence's topic, on sentences of the real-world dev documents
(kubeedge-*, volcano-*, k8s-case-*): each pattern family fires on the wording real reports use, and the
guards keep compounds and modifiers out."""

from __future__ import annotations

import pytest

from ingest.document import SourceDocument
from ingest.pipeline import extract
from kg.lexicon import Lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def _relations(text: str, lexicon: Lexicon) -> set[tuple[str, str, str]]:
    ex = extract(SourceDocument(text, "s.txt", "text/plain"), lexicon=lexicon)
    return {(r.subject, r.predicate, r.object) for r in ex.relations}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "KubeEdge 集成了一个名为 EdgeMesh 的模块，负责边缘侧流量的转发。",
            {("edgemesh", "partOf", "kubeedge")},
        ),
        ("KubeEdge 于 2018 年 11 月由华为云开源。", {("kubeedge", "openSourcedBy", "huawei-cloud")}),
        ("KubeEdge 是一个开源的边缘计算平台。", {("kubeedge", "broader", "edge-computing")}),
        ("KubeEdge 是一个基于 Kubernetes 的开源边缘计算项目。", {("kubeedge", "basedOn", "kubernetes")}),
        (
            "蚂蚁的平台还使用了许多其他 CNCF 项目，包括 Prometheus、 OpenTracing、etcd 和 CoreDNS。",
            {(p, "partOf", "cncf") for p in ("prometheus", "opentracing", "etcd", "coredns")},
        ),
        (
            "目前，Volcano在人工智能、大数据、基因测序等海量数据计算和分析场景已得到快速应用。",
            {("volcano", "supports", "artificial-intelligence"), ("volcano", "supports", "big-data")},
        ),
        (
            "KubeEdge将云原生生态扩展到了数据中心之外的更多场景和行业，当前已广泛应用于CDN、智能交通、智慧能源、金融等各领域。",
            {("kubeedge", "usedByIndustry", i) for i in ("transportation", "energy", "finance")},
        ),
        (
            "Volcano 通过实现 predicates 和 nodeorder 这两个核心调度插件，完全兼容了 Kubernetes 的调度机制。",
            {("volcano", "supports", "kubernetes")},
        ),
        (
            "作为Volcano项目的发起单位，华为云很荣幸能够与社区伙伴一起推出新项目。",
            {("volcano", "developedBy", "huawei-cloud")},
        ),
        ("其次，Volcano对深度学习框架的支持比较友好；", {("volcano", "supports", "deep-learning")}),
        ("小红书也基于TensorFlow研究了自己的训练框架LarC。", {("larc", "basedOn", "tensorflow")}),
        (
            "Volcano作为CNCF首个面向批量计算的分布式调度系统，也支持MPI作业的调度。",
            {("volcano", "partOf", "cncf")},
        ),
        ("Volcano在2020年4月成为 CNCF 官方项目。", {("volcano", "partOf", "cncf")}),
    ],
)
def test_pattern_families(text, expected, lexicon):
    assert expected <= _relations(text, lexicon)


@pytest.mark.parametrize(
    "text",
    [
        # an industry word modifying a noun that is not its firms or systems is not an adopting industry
        "尽管电信运营商的专家已经使用了 Mesos，但团队认为 Kubernetes 是新一代云平台。",
        # 云原生AI is a compound, not an apposition
        "这不仅是Volcano社区技术演进的重要里程碑，更是华为云在云原生AI领域长期投入的有力见证。",
        # the cue before the first name: no topic to carry over
        "- 支持在集群运行AI任务作业，支持GPU，NPU，FPGA等硬件",
        # a Latin name followed by a lower-case word is a longer name the lexicon lacks
        "发现Volcano的前身是Kubernetes batch，可以完全解决我们的痛点。",
    ],
)
def test_guards(text, lexicon):
    found = _relations(text, lexicon)
    assert not {r for r in found if r[1] in {"usedByIndustry", "broader", "predecessorOf"}}
    assert not {r for r in found if r[0] in {"artificial-intelligence"}}
