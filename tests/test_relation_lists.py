"""Relations over enumerations and the sentence's topic, on sentences of the real-world dev documents
(kubeedge-*, volcano-*, k8s-case-*): each pattern family fires on the wording real reports use, and the
guards keep compounds and modifiers out."""

from __future__ import annotations

import pytest
from support.relations import relations_in

pytest_plugins = ["support.relations"]


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
        # the topic joins the organisation clauses later
        (
            "Volcano是业界首个云原生批量计算项目，于2019年6月在上海 KubeCon 正式开源，"
            "并在2020年4月成为 CNCF 官方项目。",
            {("volcano", "partOf", "cncf")},
        ),
        # examples in brackets after their category
        (
            "对开源的贡献例如在大数据（Hadoop、HDFS等）、深度学习（如TensorFlow）都是有目共睹。",
            {("apache-hadoop", "broader", "big-data"), ("hdfs", "broader", "big-data")},
        ),
        # 是一个基于 K 的…Y项目: the category after the 基于 phrase
        ("KubeEdge 是一个基于 Kubernetes 的开源边缘计算项目。", {("kubeedge", "broader", "edge-computing")}),
        # what a system is made for
        (
            "Volcano 社区迎来了一个新的子项目 Kthena。"
            "Kthena 是一个专为 Kubernetes 设计的、云原生、高性能的 LLM 推理路由和编排、调度系统。",
            {("kthena", "supports", "kubernetes")},
        ),
        (
            "volcano是专为kubernetes而生的批处理调度引擎，其提供了以下能力：",
            {("volcano", "supports", "kubernetes")},
        ),
        # 它在 B 之上 (the topic is built on B), and the capabilities it adds, unknown names among them
        (
            "KubeEdge 是一个开源的边缘计算平台，它在Kubernetes原生的容器编排和调度能力之上，"
            "扩展实现了云边协同、计算下沉、海量边缘设备管理、边缘自治等能力。",
            {("kubeedge", "basedOn", "kubernetes"), ("kubeedge", "supports", "cloud-edge-collaboration")},
        ),
        # a sub-project of the project whose community is named
        (
            "今天，我们激动地向全球开发者和 MLOps 工程师宣布，Volcano 社区迎来了一个新的子项目 Kthena！",
            {("kthena", "partOf", "volcano")},
        ),
        (
            "为了更好地支持多集群环境中的 AI 任务，Volcano 社区孵化了 Volcano Global子项目。",
            {("volcano-global", "partOf", "volcano")},
        ),
        # X 将 Y 作为核心
        (
            "BOE 引入自动缺陷分类系统（ADC），启动了工业智能检测平台（I3Plat）的建设。"
            "I3Plat 将 ADC 作为核心，扩展至模型训练和检测复判。",
            {("adc", "partOf", "i3plat")},
        ),
        # an industry whose sites run on X
        (
            "项目启动仅六个月后，阿迪达斯的电商网站就全部运行在了 Kubernetes 上。",
            {("kubernetes", "usedByIndustry", "e-commerce")},
        ),
        (
            "尽管中国联通已经在核心电信运营商系统中使用了 Mesos。",
            {("apache-mesos", "usedByIndustry", "telecommunications")},
        ),
        # a category noun after the first name;  其在 Y 基础上;  A 等 Y 工具
        (
            "Yarn调度器是基于Hadoop的，而我们现在的架构已经转型为基于k8s。",
            {("yarn", "basedOn", "apache-hadoop")},
        ),
        (
            "TypeScript 的成功得益于其在 JavaScript 基础上引入的静态类型检查。",
            {("typescript", "basedOn", "javascript")},
        ),
        (
            "GitHub Copilot 等 AI 工具的普及吸引了更多开发者。",
            {("github-copilot", "broader", "artificial-intelligence")},
        ),
        # X 在 A、B 等领域有广泛的应用: the list may hold unknown names; X's gloss may stand before 在
        (
            "Spark大数据引擎在CAE仿真、动漫渲染、能源、医疗等领域有广泛的应用。",
            {("apache-spark", "usedByIndustry", "energy"), ("apache-spark", "usedByIndustry", "healthcare")},
        ),
        # …，其在 A、B 等行业的…中得到了广泛的采用: 其 is the subject of an earlier clause
        (
            "“KubeEdge 是最活跃的边缘计算项目，在行业中的影响极为深刻，"
            "其在工业、交通、装备制造等行业的智能化改造中得到了广泛的采用。",
            {("kubeedge", "usedByIndustry", "transportation")},
        ),
        # A、B 等 X: the industries' X
        (
            "国家采取措施，优先保障金融、电信等云计算平台安全运行。",
            {
                ("cloud-computing", "usedByIndustry", "finance"),
                ("cloud-computing", "usedByIndustry", "telecommunications"),
            },
        ),
        # a defined term and the industries its definition names
        (
            "本条例所称云计算，是指公共通信和信息服务、能源、交通、金融等重要行业和领域的计算资源。",
            {(s, "usedByIndustry", o) for s in ("cloud-computing",) for o in ("energy", "finance")},
        ),
        # X 可以调度 A、B 等作业
        (
            "Volcano 可以调度 Spark、Flink 等作业。",
            {("volcano", "supports", "apache-spark"), ("volcano", "supports", "flink")},
        ),
        # X 是一个…系统，由 A、B 和 C 进行开发和维护: 由 opens a clause after the topic
        (
            "KubeEdge（Kube Edge）是一个边缘计算平台，由华为、浙江大学进行开发和维护。",
            {("kubeedge", "developedBy", "huawei"), ("kubeedge", "developedBy", "浙江大学")},
        ),
        # X 的核心组件包括 A、B 和 C
        (
            "KubeEdge 的核心组件包括 EdgeMesh、EdgeCore 和 CloudCore。",
            {(p, "partOf", "kubeedge") for p in ("edgemesh", "edgecore", "cloudcore")},
        ),
        # a category that includes named examples: kinds of it
        (
            "容器运行时包括 Docker、containerd 等。",
            {("docker", "broader", "container-runtime"), ("containerd", "broader", "container-runtime")},
        ),
        # X 是 ORG 的…项目
        ("Prometheus 是 CNCF 的毕业项目。", {("prometheus", "partOf", "cncf")}),
        # a concept that includes or is made of others (no head noun: parts)
        (
            "云原生由容器、微服务和服务网格等要素组成。",
            {(p, "partOf", "cloud-native") for p in ("container", "microservices", "service-mesh")},
        ),
        # 作为 Y 代表的 X / Y 中领先者 X: a category's representative is a kind of it
        (
            "MySQL 以近八成的占比遥遥领先，作为 NoSQL 代表的 MongoDB 跟随其后。",
            {("mongodb", "broader", "nosql")},
        ),
        ("NoSQL 中领先者 MongoDB 有超过 30% 的使用率。", {("mongodb", "broader", "nosql")}),
        # 运行 X 作为 Y: X is a Y
        (
            "对于运行 containerd 作为容器运行时的节点，必须启用 CDI 功能。",
            {("containerd", "broader", "container-runtime")},
        ),
        # a pronoun names the subject carried from the sentence before: ，它还支持 A、B 等
        (
            "Karmada 是一个多集群编排项目，功能很多。它还支持 Kubernetes、Volcano 等框架。",
            {("karmada", "supports", "kubernetes"), ("karmada", "supports", "volcano")},
        ),
        # 2021 年，它作为…项目被接受为 ORG 的沙箱项目
        (
            "Karmada 是一个多集群编排项目，功能很多。2021 年，它作为多集群项目被接受为 CNCF 的沙箱项目。",
            {("karmada", "partOf", "cncf")},
        ),
    ],
)
def test_pattern_families(text, expected, lexicon):
    assert expected <= relations_in(text, lexicon)


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
        # a Latin name before 包括 is a thing, not a category of what follows
        "后面的Redis包括MySql就可以通过Statefulset的方式来进行部署。",
        # one name alone in brackets is the category's English name, not an example of it
        "Volcano在高性能计算（HPC）场景中被广泛使用。",
    ],
)
def test_guards(text, lexicon):
    found = relations_in(text, lexicon)
    assert not {r for r in found if r[1] in {"usedByIndustry", "broader", "predecessorOf"}}
    assert not {r for r in found if r[0] in {"artificial-intelligence"}}


@pytest.mark.parametrize(
    "text",
    [
        # 按照 after 支持: conditions to filter by, not what is supported
        "Volcano 新增了作业视图。- 支持按照Namespace、Queue、Status等条件过滤，支持Job排序展示。",
        # 的 before the capability noun: the name modifies another noun
        "裸金属服务器既拥有物理服务器的高性能、又在一定程度上拥有虚拟化架构下的资源调度能力",
    ],
)
def test_no_support_guards(text, lexicon):
    assert not {r for r in relations_in(text, lexicon) if r[1] == "supports"}


def test_names_written_together_are_one_list_item(lexicon):
    """5G MEC: the list item is the thing the last name names, not the modifier before it."""
    found = relations_in(
        "KubeEdge还将通过插件的形式支持5G MEC、AI云边协同等场景，目前在很多领域都已落地应用。", lexicon
    )
    assert ("kubeedge", "supports", "multi-access-edge-computing") in found
    assert ("kubeedge", "supports", "5g") not in found


def test_a_clause_without_subject_that_runs_a_list_of_workloads_takes_the_carried_subject(lexicon):
    """- …：直接调度 A、B 等原生工作负载 under a report about Volcano: the name inside the bullet's label
    (Kubernetes 工作负载支持：) is not the subject; the report's topic is."""
    found = relations_in(
        "Volcano 是批量计算调度系统，Volcano 支持多种作业，Volcano 很流行。Volcano 调度很快。\n\n"
        "- 完整的 Kubernetes 工作负载支持：直接调度 Deployment、StatefulSet、DaemonSet 等原生工作负载",
        lexicon,
    )
    assert {("volcano", "supports", o) for o in ("deployment", "statefulset", "daemonset")} <= found
    assert not {r for r in found if r[0] == "kubernetes"}


def test_components_listed_after_the_sentence_that_announces_them(lexicon):
    """'X 包含如下部分：' then lines '- NAME：…': each known name opening an item is partOf X; a further
    sentence of an item's line does not end the list, a line that is not an item does."""
    found = relations_in(
        "一般来说，Kubernetes 包含如下部分：\n\n"
        "- etcd：集群状态的存储。除了etcd以外，还有别的存储。\n\n"
        "- 控制平面：负责调度\n\n"
        "- kube-scheduler：负责调度 Pod\n\n"
        "Karmada 很流行。\n\n"
        "- Prometheus：监控\n",
        lexicon,
    )
    assert {("etcd", "partOf", "kubernetes"), ("kube-scheduler", "partOf", "kubernetes")} <= found
    assert ("prometheus", "partOf", "kubernetes") not in found
    found = relations_in("Kubernetes 的核心由两大组件构成：\n\n1）etcd：存储\n", lexicon)
    assert ("etcd", "partOf", "kubernetes") in found
