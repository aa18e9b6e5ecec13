"""Entity mentions: lexicon names, aliases, context-only aliases and discovered names."""

from __future__ import annotations

import pytest
from support.spans import assert_exact_spans

from ingest.document import SourceDocument
from ingest.pipeline import Extraction, extract


def _slugs_with_surface(extraction, surface):
    return {m.slug for m in extraction.mentions if m.surface == surface}


def _extract(markdown: str) -> Extraction:
    """The extraction of a one-paragraph Markdown report under a plain title."""
    return extract(SourceDocument("# 标题\n\n" + markdown + "\n", "t.md", "text/markdown"))


def test_abbreviation_resolves_to_the_canonical_entity(corpus_extraction):
    assert _slugs_with_surface(corpus_extraction, "K8s") == {"kubernetes"}


def test_context_alias_means_the_cloud_in_a_cloud_sentence(corpus_extraction):
    assert _slugs_with_surface(corpus_extraction, "阿里") == {"alibaba-cloud"}


def test_context_alias_is_ignored_outside_a_cloud_sentence():
    assert "alibaba-cloud" not in _extract("阿里的员工在杭州过年，食堂准备了饺子。").entities


def test_mentions_carry_exact_offsets_and_do_not_overlap(corpus_extraction):
    assert_exact_spans(corpus_extraction.source.text, corpus_extraction.mentions, lambda m: m.surface)


def test_policy_titles_are_policies(corpus_extraction):
    policies = {e.label for e in corpus_extraction.entities.values() if e.type == "Policy"}
    assert any("推动企业上云实施指南" in p for p in policies)


def test_unknown_vendor_in_a_vendor_list_is_discovered():
    found = {e.label: e for e in _extract("我们拜访了阿里云、华为云、星桥智云等厂商。").entities.values()}
    assert found["星桥智云"].discovered
    assert found["星桥智云"].type == "Vendor"


def test_common_words_ending_like_an_organisation_are_not_discovered(corpus_extraction):
    labels = {e.label for e in corpus_extraction.entities.values() if e.discovered}
    assert "金融科技" not in labels
    assert not any(label.startswith("注重") for label in labels)


# -- the names of a sentence and their types (sentences quoted from dev documents of tests/data/realworld) --
def _entities_of(markdown: str) -> dict[str, str]:
    return {e.label: e.type for e in _extract(markdown).entities.values()}


_ORG, _VENDOR, _TECH, _INDUSTRY = "Organization", "Vendor", "Technology", "Industry"

# (markdown, {name: its type, or None for a name that must not be an entity})
NAMES_AND_TYPES: list[tuple[str, dict[str, str | None]]] = [
    # government bodies are organisations (named twice: discover.BODY_MIN_MENTIONS); a verb-noun phrase
    # before the suffix is not a name
    (
        "第二十七条 国家网信部门统筹协调国务院公安部门、保护工作部门对关键信息基础设施进行网络安全检查检测。"
        "国务院公安部门负责具体实施。",
        {"国务院公安部门": _ORG, "保护工作部门": None},
    ),
    (
        "国家网信部门依照本法和有关法律、行政法规的规定，负责统筹协调网络数据安全和相关监管工作。"
        "国家网信部门应当定期发布指引。",
        {"国家网信部门": _ORG},
    ),
    # a component named after a known project
    (
        "天然支持离线作业调度：Volcano Scheduler原生支持离线作业的调度与管理，无需额外适配。",
        {"Volcano Scheduler": _TECH},
    ),
    # hyphenated program names in prose, but not user names
    (
        "在成员集群中编辑由 karmadactl register 创建的 deploy/karmada-agent 以确保其可以访问该成员集群的"
        " kube-apiserver。由衷感谢社区开发者: @william-wang 对该特性的贡献！",
        {"kube-apiserver": _TECH, "william-wang": None},
    ),
    # a command-line client is a technology
    (
        "Volcano只清理worker pod，保留master pod，这样用户kubectl命令获取执行结果。"
        "使用 karmadactl token create 控制面生成 token。",
        {"kubectl": _TECH, "karmadactl": _TECH},
    ),
    # a project named by a common word needs its exact case
    ("团队用Backstage搭建开发者门户，并把它部署在Kubernetes上。", {"Backstage": _TECH}),
    ("我们在后台（backstage）准备了茶点。", {"Backstage": None}),
    # a landscape service provider is a vendor
    (
        "2017 年初，阿迪达斯选择 Giant Swarm 来咨询、安装、配置和运行其在 AWS 和本地的所有 Kubernetes 集群。",
        {"Giant Swarm": _VENDOR},
    ),
    # acronyms in technical prose are technologies, a letter with a model number a model of hardware (a
    # product); roles and short words are nothing
    (
        "Volcano作为CNCF首个面向批量计算的分布式调度系统，也支持MPI作业的调度，"
        "本文以传统的HPC应用WRF为例，探讨Volcano是如何支持HPC应用的。",
        {"MPI": _TECH, "HPC": _TECH},
    ),
    ("比如在AI大模型训练中分别为队列中不同的GPU型号如A100和V100，设置不同的资源容量。", {"A100": "Product"}),
    (
        "KubeEdge 的 CTO 表示，Kubernetes 集群的 IT 成本与 QPS 都有改善，手机APP 调用云原生服务也更快。",
        dict.fromkeys(("CTO", "IT", "QPS", "APP")),
    ),
    # a Latin name before an organisation suffix is an organisation (the Latin name alone is not one)
    (
        "贡献者来自中国联通、Inovex、ARM、浙江实验室、浙江大学 SEL 实验室、北京邮电大学和电子科技大学。",
        {"浙江大学 SEL 实验室": _ORG, "SEL": None},
    ),
    (
        "开源基金会包括 Eclipse 基金会、Mozilla 基金会和 Apache 软件基金会。",
        {"Eclipse 基金会": _ORG, "Mozilla 基金会": _ORG},
    ),
    # an organisation named in English is found by its last word
    (
        "根据 OSS Capital 的预测，商业开源公司的市值有望在未来达到惊人的 3 万亿美元。"
        "基金会名单还有 Internet Systems Consortium (ISC) 和 The Academy Software Foundation。",
        {"OSS Capital": _ORG, "Internet Systems Consortium": _ORG, "The Academy Software Foundation": _ORG},
    ),
    # camel-case states, events and service classes of code are not names
    (
        "需要精简NodeStatus和PodStatus上报的信息。DiskCleanService 则实现了定期数据清理功能；"
        "UploadService 则负责数据的上传。KubeEdge 的 EdgeMesh 组件提供服务发现。",
        {
            **dict.fromkeys(("NodeStatus", "PodStatus", "DiskCleanService", "UploadService")),
            "EdgeMesh": _TECH,
        },
    ),
    # an industry word that modifies another noun is not the sector (policy-npc-data-security-law-2021 and
    # volcano-ann-kthena: 政务数据 is data, 交通枢纽 a hub)
    ("国家大力推进电子政务建设，提高政务数据的科学性、准确性、时效性。", {"政务": None}),
    ("它作为 LLM 服务框架上层的智能“交通枢纽”，深度集成于 Kubernetes。", {"交通": None}),
    (
        "我们在通信、金融、交通、能源等领域均有边缘计算落地案例，运营商利用容器将核心网络云化。",
        dict.fromkeys(("金融", "交通", "能源", "运营商"), _INDUSTRY),
    ),
    # unknown members of a list of fields are industries (kubeedge-ann-cncf-graduation,
    # volcano-tech-hpc-weather and policy-hz-city-brain-2020); one ending in a verb is an activity
    (
        "我们在通信、金融、交通、能源、桥梁、物流等领域均有边缘计算落地案例。",
        {"桥梁": _INDUSTRY, "通信": _INDUSTRY},
    ),
    (
        "HPC高性能计算在CAE仿真、动漫渲染、石油勘探、生命科学、气象环境等领域有广泛的应用。",
        {"石油勘探": _INDUSTRY, "气象环境": _INDUSTRY, "动漫渲染": None},
    ),
    # a list of activities (预测、研判…) is not one of industries; nor is one without 等领域/等行业
    (
        "及时跟踪、预测、研判和反馈经济调节、市场监管、社会管理、公共服务、政府运行等领域的状态。",
        {"市场监管": None},
    ),
    ("随着互联网+概念不断向教育、服务、交通、零售拓展，容器云的优势更加明显。", {"服务": None}),
    # a list of kinds of object or of fields is not a list of names (volcano-case-pengcheng-lab and
    # volcano-ann-v1-11: Job、Task等资源 are kinds of object)
    ("这里的资源也指用户提交作业后，k8s服务中生成的Job、Task、Pod等资源。", dict.fromkeys(("Job", "Task"))),
    (
        "支持查看Job列表，支持按照Namespace、Queue、Status等条件过滤，支持Job排序展示。",
        dict.fromkeys(("Namespace", "Queue", "Status")),
    ),
    ("在淘宝开源的项目中，Speedy、Taro UI、Hydra、Nerv 都很活跃。", {"Hydra": _TECH}),
    # unknown names of a bulleted list take the kind of the known ones (kaiyuanshe-2018-oss-report-insight:
    # lists of foundations and of incubating projects)
    (
        "知名的有：\n\n* Apache 软件基金会\n* Linux 基金会\n* OpenStack 基金会\n* 自由软件基金会（FSF）\n"
        "* Creative Commons\n* Eclipse 基金会",
        {"Creative Commons": _ORG},
    ),
    (
        "孵化项目：\n\n- Doris（原 Palo）\n- Dubbo\n- ECharts\n- Griffin\n- Skywalking",
        {"ECharts": _TECH, "Griffin": _TECH},
    ),
    # labels of web addresses are not names; a list of people has no known member
    (
        "访问：\n- KubeEdge: https://kubeedge.io/\n- GitHub 仓库: https://github.com/kubeedge/kubeedge\n"
        "- Slack: https://kubeedge.io/docs/community/slack\n\n嘉宾：\n- 谢工：GitChat CEO\n- 阴明：掘金 CEO",
        {"Slack": None, "谢工": None},
    ),
    # lower-case members of a list the text calls tools are names (volcano-case-leinao:
    # 'jupyter lab、tensorboard、code-server、wetty等调试工具集'); of a list of types of code, not
    (
        "批量任务需要具备jupyter lab、tensorboard、code-server、wetty等调试工具集。",
        dict.fromkeys(("jupyter lab", "tensorboard", "code-server", "wetty"), _TECH),
    ),
    ("配置项的类型包括int、string、bool，按需选择。", dict.fromkeys(("int", "string", "bool"))),
    # an uncommon capitalised word in technical prose is a name (not an English word); a common English
    # word needs a cue (…项目, a list of known names); one written beside 公司 is a vendor
    (
        "为了保证高可用，我们用 Keepalived 管理 Kubernetes 集群的入口，Mirror 节点也是如此。",
        {"Keepalived": _TECH, "Mirror": None},
    ),
    ("Kubernetes 之外，法国 AI 平台公司 Poolside 也获得了融资。", {"Poolside": _VENDOR}),
    # people (everywhere in the report, once a verb of speech says so), API words, release names and a word
    # of a longer Latin name are not capitalised names
    (
        "“选择 Kubernetes 是显而易见的，”Eichten 说。Eichten 和团队在 Kubernetes 上运行 Prometheus。",
        {"Eichten": None},
    ),
    (
        "Kubernetes 集群可根据Pod、Batch、Interactive任务的优先级调整，EdgeX 于 Geneva版本发布。",
        dict.fromkeys(("Interactive", "Geneva")),
    ),
    ("Fernando Cornago 在 Kubernetes 上构建了平台。", {"Cornago": None}),
    # a Latin name heading an item line is a name; not a numbered one, a key of code or an English word
    (
        "Volcano 包含如下部分：\n\n- Maui：第三方任务调度器\n\n1）Enhanced OS：为了进一步强化资源隔离",
        {"Maui": _TECH, "Enhanced OS": _TECH},
    ),
    (
        "两个用户：\n\n- User1: CPU share值为 6/18\n\n1）KubeEdgeVersion:目前未使用\n\n- Spread：优先使用",
        dict.fromkeys(("User1", "KubeEdgeVersion", "Spread")),
    ),
    # a capitalised name beside a discovered technology (Python: a list of Latin names) is a name: a sentence
    # naming a discovered technology is technical too
    (
        "常用的编程语言有 Python、Ruby、PHP、Scala 等。不出意外的，Django 在 Python 框架中独领风骚。",
        {"Python": _TECH, "Django": _TECH},
    ),
    # a known vendor named only as an investor is an organization
    (
        "中国联通近年来接受了来自百度、阿里巴巴和京东的民营投资，现在专注于使用开源技术进行内部开发。",
        dict.fromkeys(("百度", "阿里巴巴", "京东"), _ORG),
    ),
    # a known vendor that open-sources or sells stays a vendor: one clause presenting it as a provider is
    # enough
    ("截至目前为止，阿里巴巴开源了 100 多个项目。中国联通接受了阿里巴巴的投资。", {"阿里巴巴": _VENDOR}),
    # a company owning a known technology is a vendor
    ("Rancher是SUSE的一部分。", {"SUSE": _VENDOR}),
    # a parent group is an organization
    ("作为跨国企业集团阿里巴巴的一家衍生公司，蚂蚁金服引入了 Kubernetes。", {"阿里巴巴": _ORG}),
    # a company adopting cloud technology is an organization: 容器 and Kubernetes stand in its clause, but as
    # what the company brings in
    ("BOE 集团率先在工厂引入 Kubernetes 容器平台。", {"京东方": _ORG}),
    # a known technology named as a company is a vendor
    ("公司可以使用像 Rancher 这样的公司提供的托管服务。", {"Rancher": _VENDOR}),
    ("K3s由Rancher开源，是一种轻量级Kubernetes发行版。", {"Rancher": _VENDOR}),
    ("Rancher 提供 Kubernetes 集群管理。", {"Rancher": _TECH}),
    # a field before 公司 stays a technology
    ("一家 AI 公司获得了融资，Kubernetes 也在其中。", {"人工智能": _TECH}),
    # a cloud business stays a vendor whatever its clause
    ("阿里云的员工在杭州过年。", {"阿里云": _VENDOR}),
    # a Latin name with a chair or a founder is an organization
    ("OEHI 主席表示，Kubernetes 的边缘计算正在成熟。蒋涛：CSDN 创始人。", {"OEHI": _ORG, "CSDN": _ORG}),
    # the publisher of a report and a competitor are organizations
    (
        "相对于 Zeroturnaround 的调研报告，Spring 在中国更常用。我们与 Nike 等竞争对手相比没有优势。",
        {"Zeroturnaround": _ORG, "Nike": _ORG},
    ),
    # names coordinated before a role, and a firm that wishes, are organizations
    (
        "在运维 Kubernetes 集群方面，我们与 Puma 或 Nike 等竞争对手相比没有竞争优势。",
        {"Puma": _ORG, "Nike": _ORG},
    ),
    ("Nordstrom 希望提高其 Kubernetes 平台的效率。", {"Nordstrom": _ORG}),
    # a company named after its cloud is a vendor in a list of organisations
    ("黄金会员：九州云、中国移动、中国电信、中国联通。", {"九州云": _VENDOR, "中国移动": _ORG}),
    # a discovered acronym before companies does not make them providers
    (
        "中国联通接受了来自 BAT（百度、阿里巴巴、腾讯）的投资，Kubernetes 随后上线。",
        {"百度": _ORG, "腾讯": _ORG},
    ),
    # the owners of code-hosting accounts listed in bullets are organizations
    (
        "国内也有许多企业开源了多个项目：\n\n- 360：https://github.com/qihoo360\n"
        "- 大众点评：https://github.com/dianping\n- 项目地址：https://github.com/kubeedge",
        {"360": _ORG, "大众点评": _ORG, "项目地址": None},
    ),
    # a list introduced as organisations names companies (ARM: the company named after its chips)
    (
        "参与的组织包括华为云、道客、谐云、中国联通、Inovex、ARM、博云、浙江实验室和北京邮电大学。",
        {"ARM架构": _VENDOR, "Inovex": _VENDOR, "浙江实验室": _ORG},
    ),
]


@pytest.mark.parametrize(("markdown", "expected"), NAMES_AND_TYPES)
def test_names_and_their_types(markdown: str, expected: dict[str, str | None]):
    found = _entities_of(markdown)
    assert {name: found.get(name) for name in expected} == expected


def test_regulation_without_title_marks_is_a_policy_but_a_self_reference_is_not():
    text = "# 深圳经济特区数据条例\n\n第一条 为了规范数据处理活动，根据有关法律、行政法规，制定本条例。\n"
    found = {
        e.label: e.type for e in extract(SourceDocument(text, "t.md", "text/markdown")).entities.values()
    }
    assert found["深圳经济特区数据条例"] == "Policy"
    assert not any("本条例" in label for label in found)


def test_a_government_body_is_discovered_without_the_verb_before_it():
    """'…，并通报国务院公安部门' (policy-gov-cii-protection-2021, dev): the body is 国务院公安部门, not the
    verb phrase; a body named after the field it governs is a body (not the field)."""
    text = (
        "保护工作部门自收到报告之日起3个月内完成重新认定，将认定结果通知运营者，并通报国务院公安部门。\n"
        "国务院公安部门应当予以指导。\n"  # a body named once is left out (discover.BODY_MIN_MENTIONS)
    )
    labels = {e.label for e in extract(SourceDocument(text, "t.txt", "text/plain")).entities.values()}
    assert "国务院公安部门" in labels
    assert not {label for label in labels if label.startswith(("通报", "并通报"))}


def test_a_rank_before_a_body_is_not_part_of_its_name():
    found = _entities_of("省级以上人民政府应当将数字经济发展纳入本级国民经济和社会发展规划。")
    assert not any(label.startswith("省级以上") for label in found)


def test_the_government_as_an_actor_is_not_the_government_sector():
    assert "government" not in _extract("在国内，政府于2015年发布了智能制造规划，推动云计算发展。").entities
    found = _extract("公共服务平台：面向政府和社会人员，提供云计算服务。").entities
    assert found["government"].type == "Industry"
    found = _extract("主要应用领域包含金融、制造业、政府和其他行业的云计算。").entities
    assert found["government"].type == "Industry"


def test_a_list_cut_with_dots_ends_its_last_member_before_them():
    labels = set(_entities_of("白银会员：博云、七牛、时速云、中标软件.."))
    assert "中标软件" in labels and "中标软件.." not in labels
