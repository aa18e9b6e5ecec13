"""Entity mentions: lexicon names, aliases, context-only aliases and discovered names."""

from __future__ import annotations

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


# -- names no lexicon knows (sentences quoted from dev documents of tests/data/realworld) ----------
def _entities_of(markdown: str) -> dict[str, str]:
    return {e.label: e.type for e in _extract(markdown).entities.values()}


def test_government_bodies_are_organisations():
    found = _entities_of(
        "第二十七条 国家网信部门统筹协调国务院公安部门、保护工作部门对关键信息基础设施进行网络安全检查检测。"
    )
    assert found["国务院公安部门"] == "Organization"
    assert "保护工作部门" not in found  # a verb-noun phrase before the suffix is not a name


def test_regulation_without_title_marks_is_a_policy_but_a_self_reference_is_not():
    text = "# 深圳经济特区数据条例\n\n第一条 为了规范数据处理活动，根据有关法律、行政法规，制定本条例。\n"
    found = {
        e.label: e.type for e in extract(SourceDocument(text, "t.md", "text/markdown")).entities.values()
    }
    assert found["深圳经济特区数据条例"] == "Policy"
    assert not any("本条例" in label for label in found)


def test_component_named_after_a_known_project():
    found = _entities_of(
        "天然支持离线作业调度：Volcano Scheduler原生支持离线作业的调度与管理，无需额外适配。"
    )
    assert found["Volcano Scheduler"] == "Technology"


def test_hyphenated_program_names_in_prose_but_not_user_names():
    found = _entities_of(
        "在成员集群中编辑由 karmadactl register 创建的 deploy/karmada-agent 以确保其可以访问该成员集群的"
        " kube-apiserver。由衷感谢社区开发者: @william-wang 对该特性的贡献！"
    )
    assert found["kube-apiserver"] == "Technology"
    assert "william-wang" not in found


def test_common_word_project_name_needs_its_exact_case():
    found = _entities_of("团队用Backstage搭建开发者门户，并把它部署在Kubernetes上。")
    assert found.get("Backstage") == "Technology"
    assert "Backstage" not in _entities_of("我们在后台（backstage）准备了茶点。")


def test_landscape_service_provider_is_a_vendor():
    found = _entities_of(
        "2017 年初，阿迪达斯选择 Giant Swarm 来咨询、安装、配置和运行其在 AWS 和本地的所有 Kubernetes 集群。"
    )
    assert found["Giant Swarm"] == "Vendor"


def test_a_government_body_is_discovered_without_the_verb_before_it():
    """'…，并通报国务院公安部门' (policy-gov-cii-protection-2021, dev): the body is 国务院公安部门, not the
    verb phrase; a body named after the field it governs is a body (not the field)."""
    text = "保护工作部门自收到报告之日起3个月内完成重新认定，将认定结果通知运营者，并通报国务院公安部门。\n"
    labels = {e.label for e in extract(SourceDocument(text, "t.txt", "text/plain")).entities.values()}
    assert "国务院公安部门" in labels
    assert not {label for label in labels if label.startswith(("通报", "并通报"))}


def test_acronyms_in_technical_prose_are_technologies_models_products_roles_and_short_words_nothing():
    found = _entities_of(
        "Volcano作为CNCF首个面向批量计算的分布式调度系统，也支持MPI作业的调度，"
        "本文以传统的HPC应用WRF为例，探讨Volcano是如何支持HPC应用的。"
    )
    assert found["MPI"] == "Technology"
    assert found["HPC"] == "Technology"
    found = _entities_of("比如在AI大模型训练中分别为队列中不同的GPU型号如A100和V100，设置不同的资源容量。")
    assert found["A100"] == "Product"  # a letter with a model number: a model of hardware
    found = _entities_of(
        "KubeEdge 的 CTO 表示，Kubernetes 集群的 IT 成本与 QPS 都有改善，手机APP 调用云原生服务也更快。"
    )
    assert not {"CTO", "IT", "QPS", "APP"} & set(found)


def test_a_latin_name_before_an_organisation_suffix_is_an_organisation():
    found = _entities_of(
        "贡献者来自中国联通、Inovex、ARM、浙江实验室、浙江大学 SEL 实验室、北京邮电大学和电子科技大学。"
    )
    assert found["浙江大学 SEL 实验室"] == "Organization"
    assert "SEL" not in found
    found = _entities_of("开源基金会包括 Eclipse 基金会、Mozilla 基金会和 Apache 软件基金会。")
    assert found["Eclipse 基金会"] == "Organization"
    assert found["Mozilla 基金会"] == "Organization"


def test_camel_case_states_events_and_service_classes_of_code_are_not_names():
    found = _entities_of(
        "需要精简NodeStatus和PodStatus上报的信息。DiskCleanService 则实现了定期数据清理功能；"
        "UploadService 则负责数据的上传。KubeEdge 的 EdgeMesh 组件提供服务发现。"
    )
    assert not {"NodeStatus", "PodStatus", "DiskCleanService", "UploadService"} & set(found)
    assert found["EdgeMesh"] == "Technology"


def test_a_body_named_before_a_verb_of_legal_prose_is_found():
    found = _entities_of(
        "国家网信部门依照本法和有关法律、行政法规的规定，负责统筹协调网络数据安全和相关监管工作。"
    )
    assert found["国家网信部门"] == "Organization"
    found = _entities_of("省级以上人民政府应当将数字经济发展纳入本级国民经济和社会发展规划。")
    assert not any(label.startswith("省级以上") for label in found)  # a rank, not a body's name


def test_an_organisation_named_in_english_is_found_by_its_last_word():
    found = _entities_of(
        "根据 OSS Capital 的预测，商业开源公司的市值有望在未来达到惊人的 3 万亿美元。"
        "基金会名单还有 Internet Systems Consortium (ISC) 和 The Academy Software Foundation。"
    )
    assert found["OSS Capital"] == "Organization"
    assert found["Internet Systems Consortium"] == "Organization"
    assert found["The Academy Software Foundation"] == "Organization"


def test_a_command_line_client_is_a_technology():
    found = _entities_of(
        "Volcano只清理worker pod，保留master pod，这样用户kubectl命令获取执行结果。"
        "使用 karmadactl token create 控制面生成 token。"
    )
    assert found["kubectl"] == "Technology"
    assert found["karmadactl"] == "Technology"


def test_an_industry_word_that_modifies_another_noun_is_not_the_sector():
    """policy-npc-data-security-law-2021 and volcano-ann-kthena (dev): 政务数据 is data, 交通枢纽 a hub."""
    found = _entities_of("国家大力推进电子政务建设，提高政务数据的科学性、准确性、时效性。")
    assert "政务" not in found
    found = _entities_of("它作为 LLM 服务框架上层的智能“交通枢纽”，深度集成于 Kubernetes。")
    assert "交通" not in found
    found = _entities_of(
        "我们在通信、金融、交通、能源等领域均有边缘计算落地案例，运营商利用容器将核心网络云化。"
    )
    assert {"金融", "交通", "能源", "运营商"} <= {k for k, v in found.items() if v == "Industry"}


def test_unknown_members_of_a_list_of_fields_are_industries():
    """kubeedge-ann-cncf-graduation, volcano-tech-hpc-weather and policy-hz-city-brain-2020 (dev)."""
    found = _entities_of("我们在通信、金融、交通、能源、桥梁、物流等领域均有边缘计算落地案例。")
    assert found["桥梁"] == "Industry"
    assert found["通信"] == "Industry"
    found = _entities_of("HPC高性能计算在CAE仿真、动漫渲染、石油勘探、生命科学、气象环境等领域有广泛的应用。")
    assert found["石油勘探"] == "Industry"
    assert found["气象环境"] == "Industry"
    assert "动漫渲染" not in found  # ends in a verb: an activity
    # a list of activities (预测、研判…) is not one of industries; nor is one without 等领域/等行业
    found = _entities_of(
        "及时跟踪、预测、研判和反馈经济调节、市场监管、社会管理、公共服务、政府运行等领域的状态。"
    )
    assert "市场监管" not in found
    found = _entities_of("随着互联网+概念不断向教育、服务、交通、零售拓展，容器云的优势更加明显。")
    assert "服务" not in found


def test_a_list_of_kinds_of_object_or_fields_is_not_a_list_of_names():
    """volcano-case-pengcheng-lab and volcano-ann-v1-11 (dev): Job、Task等资源 are kinds of object."""
    found = _entities_of("这里的资源也指用户提交作业后，k8s服务中生成的Job、Task、Pod等资源。")
    assert not {"Job", "Task"} & set(found)
    found = _entities_of("支持查看Job列表，支持按照Namespace、Queue、Status等条件过滤，支持Job排序展示。")
    assert not {"Namespace", "Queue", "Status"} & set(found)
    found = _entities_of("在淘宝开源的项目中，Speedy、Taro UI、Hydra、Nerv 都很活跃。")
    assert found["Hydra"] == "Technology"


def test_unknown_names_of_a_bulleted_list_take_the_kind_of_the_known_ones():
    """kaiyuanshe-2018-oss-report-insight (dev): lists of foundations and of incubating projects."""
    found = _entities_of(
        "知名的有：\n\n* Apache 软件基金会\n* Linux 基金会\n* OpenStack 基金会\n* 自由软件基金会（FSF）\n"
        "* Creative Commons\n* Eclipse 基金会"
    )
    assert found["Creative Commons"] == "Organization"
    found = _entities_of("孵化项目：\n\n- Doris（原 Palo）\n- Dubbo\n- ECharts\n- Griffin\n- Skywalking")
    assert found["ECharts"] == "Technology"
    assert found["Griffin"] == "Technology"
    # labels of web addresses are not names; a list of people has no known member
    found = _entities_of(
        "访问：\n- KubeEdge: https://kubeedge.io/\n- GitHub 仓库: https://github.com/kubeedge/kubeedge\n"
        "- Slack: https://kubeedge.io/docs/community/slack\n\n嘉宾：\n- 谢工：GitChat CEO\n- 阴明：掘金 CEO"
    )
    assert "Slack" not in found
    assert "谢工" not in found


def test_lower_case_members_of_a_list_the_text_calls_tools_are_names():
    """volcano-case-leinao (dev): 'jupyter lab、tensorboard、code-server、wetty等调试工具集'."""
    found = _entities_of("批量任务需要具备jupyter lab、tensorboard、code-server、wetty等调试工具集。")
    assert {"jupyter lab", "tensorboard", "code-server", "wetty"} <= {
        k for k, v in found.items() if v == "Technology"
    }
    found = _entities_of("配置项的类型包括int、string、bool，按需选择。")
    assert not {"int", "string", "bool"} & set(found)


def test_an_uncommon_capitalised_word_in_technical_prose_is_a_name_but_a_common_word_is_not():
    found = _entities_of(
        "为了保证高可用，我们用 Keepalived 管理 Kubernetes 集群的入口，Mirror 节点也是如此。"
    )
    assert found["Keepalived"] == "Technology"  # not an English word: a name
    assert "Mirror" not in found  # a common English word needs a cue (…项目, a list of known names)
    found = _entities_of("Kubernetes 之外，法国 AI 平台公司 Poolside 也获得了融资。")
    assert found["Poolside"] == "Vendor"  # written beside 公司


def test_people_api_words_and_release_names_are_not_capitalised_names():
    found = _entities_of(
        "“选择 Kubernetes 是显而易见的，”Eichten 说。Eichten 和团队在 Kubernetes 上运行 Prometheus。"
    )
    assert "Eichten" not in found  # a person everywhere in the report, once a verb of speech says so
    found = _entities_of(
        "Kubernetes 集群可根据Pod、Batch、Interactive任务的优先级调整，EdgeX 于 Geneva版本发布。"
    )
    assert not {"Interactive", "Geneva"} & set(found)
    found = _entities_of("Fernando Cornago 在 Kubernetes 上构建了平台。")
    assert "Cornago" not in found  # a word of a longer Latin name


def test_a_latin_name_heading_an_item_line_is_a_name():
    found = _entities_of(
        "Volcano 包含如下部分：\n\n- Maui：第三方任务调度器\n\n1）Enhanced OS：为了进一步强化资源隔离"
    )
    assert found["Maui"] == "Technology"
    assert found["Enhanced OS"] == "Technology"
    found = _entities_of(
        "两个用户：\n\n- User1: CPU share值为 6/18\n\n1）KubeEdgeVersion:目前未使用\n\n- Spread：优先使用"
    )
    assert not {"User1", "KubeEdgeVersion", "Spread"} & set(found)  # numbered, a key of code, an English word


def test_a_capitalised_name_beside_a_discovered_technology_is_a_name():
    found = _entities_of(
        "常用的编程语言有 Python、Ruby、PHP、Scala 等。不出意外的，Django 在 Python 框架中独领风骚。"
    )
    assert found["Python"] == "Technology"  # discovered: a list of Latin names
    assert found["Django"] == "Technology"  # a sentence naming a discovered technology is technical too


def _types(extraction: Extraction) -> dict[str, str]:
    return {e.label: e.type for e in extraction.entities.values()}


def test_a_known_vendor_named_only_as_an_investor_is_an_organization():
    types = _types(
        _extract(
            "中国联通近年来接受了来自百度、阿里巴巴和京东的民营投资，现在专注于使用开源技术进行内部开发。"
        )
    )
    assert types["百度"] == types["阿里巴巴"] == types["京东"] == "Organization"


def test_a_known_vendor_that_open_sources_or_sells_stays_a_vendor():
    types = _types(_extract("截至目前为止，阿里巴巴开源了 100 多个项目。中国联通接受了阿里巴巴的投资。"))
    assert types["阿里巴巴"] == "Vendor"  # one clause presenting it as a provider is enough


def test_a_company_owning_a_known_technology_is_a_vendor():
    assert _types(_extract("Rancher是SUSE的一部分。"))["SUSE"] == "Vendor"


def test_a_parent_group_is_an_organization():
    types = _types(_extract("作为跨国企业集团阿里巴巴的一家衍生公司，蚂蚁金服引入了 Kubernetes。"))
    assert types["阿里巴巴"] == "Organization"


def test_a_company_adopting_cloud_technology_is_an_organization():
    # 容器 and Kubernetes stand in its clause, but as what the company brings in
    assert _types(_extract("BOE 集团率先在工厂引入 Kubernetes 容器平台。"))["京东方"] == "Organization"


def test_a_known_technology_named_as_a_company_is_a_vendor():
    assert _types(_extract("公司可以使用像 Rancher 这样的公司提供的托管服务。"))["Rancher"] == "Vendor"
    assert _types(_extract("K3s由Rancher开源，是一种轻量级Kubernetes发行版。"))["Rancher"] == "Vendor"
    assert _types(_extract("Rancher 提供 Kubernetes 集群管理。"))["Rancher"] == "Technology"


def test_a_field_before_company_stays_a_technology():
    assert _types(_extract("一家 AI 公司获得了融资，Kubernetes 也在其中。"))["人工智能"] == "Technology"


def test_a_cloud_business_stays_a_vendor_whatever_its_clause():
    assert _types(_extract("阿里云的员工在杭州过年。"))["阿里云"] == "Vendor"


def test_a_latin_name_with_a_chair_or_a_founder_is_an_organization():
    types = _types(_extract("OEHI 主席表示，Kubernetes 的边缘计算正在成熟。蒋涛：CSDN 创始人。"))
    assert types["OEHI"] == types["CSDN"] == "Organization"


def test_the_publisher_of_a_report_and_a_competitor_are_organizations():
    types = _types(
        _extract(
            "相对于 Zeroturnaround 的调研报告，Spring 在中国更常用。我们与 Nike 等竞争对手相比没有优势。"
        )
    )
    assert types["Zeroturnaround"] == types["Nike"] == "Organization"


def test_names_coordinated_before_a_role_and_a_firm_that_wishes_are_organizations():
    types = _types(_extract("在运维 Kubernetes 集群方面，我们与 Puma 或 Nike 等竞争对手相比没有竞争优势。"))
    assert types["Puma"] == types["Nike"] == "Organization"
    assert _types(_extract("Nordstrom 希望提高其 Kubernetes 平台的效率。"))["Nordstrom"] == "Organization"


def test_the_government_as_an_actor_is_not_the_government_sector():
    assert "government" not in _extract("在国内，政府于2015年发布了智能制造规划，推动云计算发展。").entities
    found = _extract("公共服务平台：面向政府和社会人员，提供云计算服务。").entities
    assert found["government"].type == "Industry"
    found = _extract("主要应用领域包含金融、制造业、政府和其他行业的云计算。").entities
    assert found["government"].type == "Industry"


def test_a_company_named_after_its_cloud_is_a_vendor_in_a_list_of_organisations():
    types = _types(_extract("黄金会员：九州云、中国移动、中国电信、中国联通。"))
    assert types["九州云"] == "Vendor"
    assert types["中国移动"] == "Organization"


def test_a_list_cut_with_dots_ends_its_last_member_before_them():
    labels = set(_types(_extract("白银会员：博云、七牛、时速云、中标软件..")))
    assert "中标软件" in labels and "中标软件.." not in labels


def test_a_discovered_acronym_before_companies_does_not_make_them_providers():
    types = _types(_extract("中国联通接受了来自 BAT（百度、阿里巴巴、腾讯）的投资，Kubernetes 随后上线。"))
    assert types["百度"] == types["腾讯"] == "Organization"


def test_the_owners_of_code_hosting_accounts_listed_in_bullets_are_organizations():
    types = _types(
        _extract(
            "国内也有许多企业开源了多个项目：\n\n- 360：https://github.com/qihoo360\n"
            "- 大众点评：https://github.com/dianping\n- 项目地址：https://github.com/kubeedge"
        )
    )
    assert types["360"] == types["大众点评"] == "Organization"
    assert "项目地址" not in types


def test_a_list_introduced_as_organisations_names_companies():
    types = _types(
        _extract("参与的组织包括华为云、道客、谐云、中国联通、Inovex、ARM、博云、浙江实验室和北京邮电大学。")
    )
    assert types["ARM架构"] == types["Inovex"] == "Vendor"  # ARM: the company named after its chips
    assert types["浙江实验室"] == "Organization"
