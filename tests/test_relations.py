"""Typed relations from sentence patterns, on the corpus report and on small texts."""

from __future__ import annotations

from ingest.document import SourceDocument
from ingest.pipeline import extract


def _triples(extraction):
    return {(r.subject, r.predicate, r.object) for r in extraction.relations}


def _extract(text: str):
    return extract(SourceDocument(f"# 测试\n\n{text}\n", "t.md", "text/markdown"))


def test_vendor_launches_products_in_a_list(corpus_extraction):
    triples = _triples(corpus_extraction)
    offered = {o for s, p, o in triples if s == "aws" and p == "offers"}
    assert {"aws-proton", "ecs-anywhere"} <= offered


def test_vendor_name_written_before_its_product(corpus_extraction):
    assert ("bocloud", "offers", "beyondcontainer") in _triples(corpus_extraction)


def test_policy_issued_by_a_regulator(corpus_extraction):
    from kg.lexicon import Lexicon

    policy = Lexicon.load().resolve("《推动企业上云实施指南（2018-2020年）》")
    assert policy is not None
    assert (policy.slug, "issuedBy", "miit") in _triples(corpus_extraction)


def test_discovered_policy_issued_by_its_author():
    ex = _extract("中国信通院发布《服务网格技术能力分级要求》，对产品进行评估。")
    issued = {(s, o) for s, p, o in _triples(ex) if p == "issuedBy"}
    assert any(o == "caict" and "服务网格技术能力分级要求" in s for s, o in issued)


def test_verb_chain_keeps_its_subject():
    ex = _extract("AWS陆续在2014年发布容器服务Amazon ECS、在2017年发布无服务器容器服务AWS Fargate。")
    assert {("aws", "offers", "amazon-ecs"), ("aws", "offers", "aws-fargate")} <= _triples(ex)


def test_made_by_a_list_of_organisations():
    ex = _extract("Istio最初由Google、IBM和Lyft于2017年联合发布。")
    assert {("istio", "developedBy", "google"), ("istio", "developedBy", "ibm")} <= _triples(ex)


def test_predecessor_pattern():
    ex = _extract("Kubernetes的前身是Borg，Borg由Google开发。")
    assert ("borg", "predecessorOf", "kubernetes") in _triples(ex)


def test_based_on_pattern():
    ex = _extract("Knative基于Kubernetes构建，为开发者提供Serverless能力。")
    assert ("knative", "basedOn", "kubernetes") in _triples(ex)


def test_no_relation_without_a_pattern():
    ex = _extract("阿里云和Kubernetes都出现在这句话里，但两者之间没有被陈述任何关系。")
    assert _triples(ex) == set()


def test_relation_evidence_is_the_sentence(corpus_extraction):
    text = corpus_extraction.source.text
    for r in corpus_extraction.relations:
        assert 0 < r.end - r.start <= 450
        assert "\n" not in text[r.start : r.end]


def _plain(text: str):
    return extract(SourceDocument(text, "law.txt", "text/plain"))


def test_a_law_is_issued_by_the_session_that_adopted_it():
    """The header of a law (policy-npc-data-security-law-2021, dev): the body that adopted it, named with
    its term, is discovered and issued the law the title names; a body that only approved did not."""
    ex = _plain(
        "中华人民共和国数据安全法\n\n2021年6月10日 第十三届全国人民代表大会常务委员会第二十九次会议通过\n\n"
        "2021年7月1日 某省第十三届人民代表大会常务委员会第二十五次会议批准\n\n第一章 总则\n"
    )
    labels = {slug: e.label for slug, e in ex.entities.items()}
    issued = {(labels[s], labels[o]) for s, p, o in _triples(ex) if p == "issuedBy"}
    assert issued == {("《中华人民共和国数据安全法》", "第十三届全国人民代表大会常务委员会")}


def test_a_regulation_rests_on_the_laws_its_first_article_names():
    """'根据《…法》，制定本条例' (policy-gov-cii-protection-2021, dev): the regulation the title names is
    based on that law; a report whose title is not a policy gets no such relation."""
    article = (
        "第一条 为了保障关键信息基础设施安全，维护网络安全，根据《中华人民共和国网络安全法》，制定本条例。\n"
    )
    ex = _plain("关键信息基础设施安全保护条例\n\n" + article)
    labels = {slug: e.label for slug, e in ex.entities.items()}
    based = {(labels[s], labels[o]) for s, p, o in _triples(ex) if p == "basedOn"}
    assert based == {("关键信息基础设施安全保护条例", "《中华人民共和国网络安全法》")}
    assert not {p for _, p, _ in _triples(_plain("云原生发展报告\n\n" + article))}


def test_terms_a_regulation_defines_are_concepts_of_their_kind():
    """'（三）敏感个人数据，是指……的个人数据' (policy-sz-data-regulation-2021, dev): the defined terms are
    discovered as concepts, and a term is a kind of the noun its definition ends on; a phrase with 的 or
    a two-character word (数据) is not taken as a term."""
    ex = _plain(
        "深圳经济特区数据条例\n\n第二条 本条例中下列用语的含义：\n"
        "（一）数据，是指任何以电子或者其他方式对信息的记录。\n"
        "（二）个人数据，是指载有可识别特定自然人信息的数据，不包括匿名化处理后的信息。\n"
        "（三）敏感个人数据，是指一旦泄露、非法提供或者滥用，可能导致自然人受到歧视的个人数据，具体范围依照法律确定。\n"
        "（四）无条件开放的公共数据，是指可以提供给所有自然人使用的公共数据。\n"
    )
    labels = {slug: (e.label, e.type) for slug, e in ex.entities.items()}
    assert {("个人数据", "Concept"), ("敏感个人数据", "Concept")} <= set(labels.values())
    assert not {label for label, _ in labels.values() if label in {"数据", "无条件开放的公共数据"}}
    broader = {(labels[s][0], labels[o][0]) for s, p, o in _triples(ex) if p == "broader"}
    assert ("敏感个人数据", "个人数据") in broader
