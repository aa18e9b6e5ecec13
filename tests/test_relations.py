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
