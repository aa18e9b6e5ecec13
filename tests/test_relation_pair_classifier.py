"""The relation-pair classifier experiment (bench/relation_pairs.py, bench/relation_model.py): its
candidates, features, labels and training behave as documented. (Measured on dev and dropped: ingestion
does not use it; these tests keep the experiment reproducible.)"""

from __future__ import annotations

from bench.relation_model import DevDocument, label, train
from bench.relation_pairs import RelationModel, candidates, pair_relations, signatures
from ingest.document import SourceDocument
from ingest.pipeline import Extraction, extract

OPENS = ["腾讯开源了TARS。", "百度开源了PaddlePaddle。", "华为开源了KubeEdge。"]
LISTED = [
    "华为与Kubernetes出现在同一份名单上。",
    "百度和Istio出现在名单上。",
    "阿里巴巴和Kubernetes一起出现。",
]


def _extract(text: str) -> Extraction:
    return extract(SourceDocument(text=text, source="t.txt", media_type="text/plain"))


def _document(n: int, texts: list[str]) -> DevDocument:
    """A training document: the openSourcedBy readings of 开源 sentences are positive, all else negative."""
    ex = _extract("\n\n".join(texts))
    examples = [
        (c, int(c.predicate == "openSourcedBy" and "开源" in c.sentence.text))
        for c in candidates(ex.passages, ex.entities, ex.mentions)
    ]
    return DevDocument(f"doc{n}", ex, [], examples)


def _toy_documents() -> list[DevDocument]:
    pairs = zip(OPENS, LISTED, strict=True)
    return [_document(n, [opens, listed]) for n, (opens, listed) in enumerate(pairs)]


def test_candidates_fit_the_rules_types_and_carry_no_names():
    ex = _extract("华为开源了KubeEdge。金融行业广泛采用容器技术。")
    found = list(candidates(ex.passages, ex.entities, ex.mentions))
    assert found
    for c in found:
        types = (ex.entities[c.subject.slug].type, ex.entities[c.object.slug].type)
        assert types in signatures()[c.predicate]
        text = " ".join(c.features).lower()
        for m in (c.subject, c.object):
            assert m.surface.lower() not in text and m.slug not in text
    industry = [c.key for c in found if c.predicate == "usedByIndustry"]
    assert industry == [("container", "usedByIndustry", "finance")]  # never the other way round


def test_a_gold_pair_is_positive_only_in_the_sentence_its_quote_is_from():
    ex = _extract("华为开源了KubeEdge。华为与KubeEdge出现在名单上。")
    gold = [("openSourcedBy", {"kubeedge"}, {"huawei"}, "华为开源了KubeEdge")]
    found = candidates(ex.passages, ex.entities, ex.mentions)
    labels = {(c.sentence.text, c.predicate): label(c, gold) for c in found}
    assert labels[("华为开源了KubeEdge。", "openSourcedBy")] == 1
    assert labels[("华为与KubeEdge出现在名单上。", "openSourcedBy")] is None  # left out of training
    assert labels[("华为开源了KubeEdge。", "developedBy")] == 0


def test_training_is_deterministic_and_learns_the_cue():
    docs = _toy_documents()
    weights = train(docs)
    assert weights == train(_toy_documents())
    assert weights["openSourcedBy|w:开源"] > 0
    model = RelationModel(weights=weights, threshold=0.5)

    cued = _extract("字节跳动开源了CloudWeGo。")
    stated = pair_relations(cued.passages, cued.entities, cued.mentions, [], model)
    triples = [(r.subject, r.predicate, r.object) for r in stated]
    assert triples == [("cloudwego", "openSourcedBy", "bytedance")]
    assert 0.5 <= stated[0].confidence <= 1 and stated[0].pattern == "pair-model"
    # the rules state it already: the classifier defers to them
    assert cued.relations and not pair_relations(
        cued.passages, cued.entities, cued.mentions, cued.relations, model
    )

    uncued = _extract("腾讯与Docker出现在同一份名单上。")
    assert pair_relations(uncued.passages, uncued.entities, uncued.mentions, [], model) == []
