"""Static checks of the shipped Turtle files: ontology/cnkg.ttl (the ontology) and ontology/lexicon.ttl
(the curated SKOS lexicon of the cloud-native domain)."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.namespaces import CNKG, ENTITY_BASE, ENTITY_TYPES, WIKIDATA, entity_slug, normalize_name, slug_of

ONTOLOGY_DIR = Path(__file__).resolve().parents[1] / "ontology"
NS = rdflib.Namespace(CNKG)
SCHEME = rdflib.URIRef("https://w3id.org/cnkg/id/scheme/cloud-native")
TYPE_IRIS = {NS[t]: t for t in ENTITY_TYPES}
ENTITY_RELATIONS = (
    "offers",
    "basedOn",
    "developedBy",
    "openSourcedBy",
    "usedByIndustry",
    "issuedBy",
    "predecessorOf",
    "competesWith",
    "supports",
    "partOf",
)
CJK_CHAR = re.compile(r"^[\u2e80-\u2fdf\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$")


@cache
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_DIR / "cnkg.ttl", format="turtle")


@cache
def lexicon() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_DIR / "lexicon.ttl", format="turtle")


@cache
def entries() -> tuple[rdflib.URIRef, ...]:
    g = lexicon()
    found = {s for s in g.subjects(RDF.type, SKOS.Concept) if isinstance(s, rdflib.URIRef)}
    return tuple(sorted(found))


def langs(
    subject: rdflib.URIRef, predicate: rdflib.URIRef, graph: rdflib.Graph | None = None
) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for o in (graph or lexicon()).objects(subject, predicate):
        assert isinstance(o, rdflib.Literal), f"{subject} {predicate} {o!r} is not a literal"
        out[o.language or ""].append(str(o))
    return out


def pref(subject: rdflib.URIRef, lang: str) -> str:
    return langs(subject, SKOS.prefLabel)[lang][0]


@cache
def surface_index() -> dict[str, set[rdflib.URIRef]]:
    """Normalised label / alias / context label -> the entries that carry it."""
    index: dict[str, set[rdflib.URIRef]] = defaultdict(set)
    g = lexicon()
    for e in entries():
        for p in (SKOS.prefLabel, SKOS.altLabel, NS.contextLabel):
            for o in g.objects(e, p):
                index[normalize_name(str(o))].add(e)
    return index


def resolve(name: str) -> rdflib.URIRef:
    hits = surface_index().get(normalize_name(name), set())
    assert len(hits) == 1, f"{name!r} resolves to {sorted(hits)}"
    return next(iter(hits))


def slug(iri: rdflib.URIRef) -> str:
    return slug_of(str(iri))


# ---------------------------------------------------------------- both files


def test_both_files_parse_and_are_not_empty():
    assert len(ontology()) > 100
    assert len(lexicon()) > 3000


def test_ontology_header():
    g = ontology()
    (onto,) = list(g.subjects(RDF.type, OWL.Ontology))
    dct = rdflib.Namespace("http://purl.org/dc/terms/")
    assert {lit.language for lit in g.objects(onto, dct.title)} >= {"en"}
    assert any(g.objects(onto, dct.description))
    assert "apache" in str(g.value(onto, dct.license)).casefold()


@pytest.mark.parametrize("name", [*ENTITY_TYPES, "Entity", "Report", "Passage", "Observation"])
def test_ontology_classes(name):
    g = ontology()
    cls = NS[name]
    assert (cls, RDF.type, OWL.Class) in g
    assert set(langs(cls, RDFS.label, g)) >= {"en", "zh"}
    assert langs(cls, RDFS.comment, g)["en"]
    if name in ENTITY_TYPES:
        expected = NS.Organization if name == "Vendor" else NS.Entity
        assert (cls, RDFS.subClassOf, expected) in g


OBJECT_PROPERTIES = (*ENTITY_RELATIONS, "mentions", "about")
DATATYPE_PROPERTIES = (
    "text",
    "start",
    "end",
    "section",
    "sha256",
    "charCount",
    "confidence",
    "metric",
    "value",
    "valueMax",
    "unit",
    "qualifier",
    "year",
    "discovered",
    "contextLabel",
)


@pytest.mark.parametrize("name", OBJECT_PROPERTIES + DATATYPE_PROPERTIES)
def test_ontology_properties(name):
    g = ontology()
    prop = NS[name]
    kind = OWL.ObjectProperty if name in OBJECT_PROPERTIES else OWL.DatatypeProperty
    assert (prop, RDF.type, kind) in g, f"cnkg:{name} is not an {kind}"
    assert set(langs(prop, RDFS.label, g)) >= {"en", "zh"}
    assert langs(prop, RDFS.comment, g)["en"]
    assert g.value(prop, RDFS.range) is not None


def test_ontology_specific_domains_and_ranges():
    g = ontology()
    xsd = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")
    assert g.value(NS.offers, RDFS.domain) == NS.Vendor
    assert g.value(NS.issuedBy, RDFS.domain) == NS.Policy
    assert g.value(NS.issuedBy, RDFS.range) == NS.Organization
    assert g.value(NS.usedByIndustry, RDFS.range) == NS.Industry
    assert g.value(NS.mentions, RDFS.domain) == NS.Passage
    assert g.value(NS.about, RDFS.domain) == NS.Observation
    assert g.value(NS.discovered, RDFS.range) == xsd.boolean
    assert g.value(NS.value, RDFS.range) == xsd.decimal
    assert g.value(NS.year, RDFS.range) == xsd.gYear


def test_ontology_does_not_redefine_reused_vocabularies():
    reused = (
        "http://www.w3.org/2004/02/skos/core#",
        "http://www.w3.org/ns/prov#",
        "http://purl.org/dc/terms/",
    )
    for s in ontology().subjects(RDF.type, None):
        assert not str(s).startswith(reused), f"{s} is redefined in cnkg.ttl"


def test_every_cnkg_term_used_in_the_lexicon_is_declared():
    declared = {s for s in ontology().subjects() if str(s).startswith(CNKG)}
    used = {
        t for triple in lexicon() for t in triple if isinstance(t, rdflib.URIRef) and str(t).startswith(CNKG)
    }
    assert used <= declared, sorted(used - declared)


# ---------------------------------------------------------------- lexicon entries


def test_concept_scheme():
    g = lexicon()
    assert (SCHEME, RDF.type, SKOS.ConceptScheme) in g
    assert set(langs(SCHEME, SKOS.prefLabel)) == {"en", "zh"}
    for e in entries():
        assert (e, SKOS.inScheme, SCHEME) in g, e


def test_at_least_330_entries():
    assert len(entries()) >= 330


def test_entries_live_under_the_entity_namespace():
    for e in entries():
        assert str(e).startswith(ENTITY_BASE), e


def test_every_entry_has_exactly_one_type():
    g = lexicon()
    for e in entries():
        types = [t for t in g.objects(e, RDF.type) if t in TYPE_IRIS]
        assert len(types) == 1, f"{e} has types {types}"


def test_every_type_is_represented():
    g = lexicon()
    counts = {t: sum(1 for _ in g.subjects(RDF.type, iri)) for iri, t in TYPE_IRIS.items()}
    assert all(n > 0 for n in counts.values()), counts


def test_labels_and_definitions():
    g = lexicon()
    for e in entries():
        prefs = langs(e, SKOS.prefLabel)
        assert len(prefs["zh"]) == 1 and len(prefs["en"]) == 1, f"{e} prefLabels {dict(prefs)}"
        assert set(prefs) == {"zh", "en"}, f"{e} prefLabels {dict(prefs)}"
        labels = langs(e, RDFS.label)
        assert labels["zh"] == prefs["zh"] and labels["en"] == prefs["en"], f"{e} rdfs:label {dict(labels)}"
        (definition,) = langs(e, SKOS.definition)["zh"]
        assert definition.strip() and "\n" not in definition, e
        for p in (SKOS.prefLabel, SKOS.altLabel, NS.contextLabel, RDFS.label):
            for o in g.objects(e, p):
                text = str(o)
                assert text == text.strip() and text, f"{e} has a blank or padded label {text!r}"
                assert unicodedata.is_normalized("NFC", text), f"{e} label {text!r} is not NFC"


def test_local_name_is_the_slug_of_the_english_preflabel():
    for e in entries():
        assert slug(e) == entity_slug(pref(e, "en")), f"{e} vs {pref(e, 'en')!r}"


def test_no_single_character_chinese_alias():
    g = lexicon()
    for e in entries():
        for p in (SKOS.prefLabel, SKOS.altLabel, NS.contextLabel):
            for o in g.objects(e, p):
                assert not CJK_CHAR.match(str(o).strip()), f"{e} has the single-character label {o!r}"


def test_no_alias_is_shared_by_two_entries():
    shared = {form: sorted(slug(e) for e in es) for form, es in surface_index().items() if len(es) > 1}
    assert not shared, shared


def test_context_labels_are_not_ordinary_aliases():
    g = lexicon()
    for e in entries():
        alts = {normalize_name(str(o)) for o in g.objects(e, SKOS.altLabel)}
        for c in g.objects(e, NS.contextLabel):
            assert normalize_name(str(c)) not in alts, f"{e}: {c} is both altLabel and contextLabel"


def test_relation_objects_are_entries():
    g = lexicon()
    known = set(entries())
    predicates = [SKOS.broader, *(NS[p] for p in ENTITY_RELATIONS)]
    for p in predicates:
        for s, o in g.subject_objects(p):
            assert s in known, f"{s} {p} ... is not an entry"
            assert o in known, f"{s} {p} {o}: the object is not an entry"
            assert s != o, f"{s} {p} itself"
    for s, p, o in g:
        if str(p).startswith(CNKG) and isinstance(o, rdflib.URIRef):
            assert o in known, f"{s} {p} {o}: the object is not an entry"


def test_relations_respect_the_ontology():
    g = lexicon()
    for s, o in g.subject_objects(NS.offers):
        assert (s, RDF.type, NS.Vendor) in g, f"{s} offers {o} but is not a Vendor"
        assert (o, RDF.type, NS.Product) in g, f"{s} offers {o}, which is not a Product"
    for s, o in g.subject_objects(NS.issuedBy):
        assert (s, RDF.type, NS.Policy) in g, s
        assert any((o, RDF.type, NS[t]) in g for t in ("Organization", "Vendor")), o
    for p in (NS.developedBy, NS.openSourcedBy):
        for s, o in g.subject_objects(p):
            assert any((o, RDF.type, NS[t]) in g for t in ("Organization", "Vendor")), f"{s} {p} {o}"


def test_broader_hierarchy_is_acyclic():
    g = lexicon()
    parents: dict[rdflib.URIRef, list[rdflib.URIRef]] = defaultdict(list)
    for s, o in g.subject_objects(SKOS.broader):
        parents[s].append(o)

    def ancestors(node: rdflib.URIRef, path: tuple[rdflib.URIRef, ...]) -> None:
        for parent in parents.get(node, []):
            assert parent not in path, f"skos:broader cycle through {parent}"
            ancestors(parent, (*path, parent))

    for e in entries():
        ancestors(e, (e,))


def test_wikidata_links():
    g = lexicon()
    qids = []
    for e, o in g.subject_objects(SKOS.exactMatch):
        assert str(o).startswith(WIKIDATA), f"{e} exactMatch {o} is not a Wikidata entity IRI"
        qid = str(o)[len(WIKIDATA) :]
        assert re.fullmatch(r"Q[0-9]+", qid), f"{e} has malformed QID {qid}"
        qids.append(qid)
    assert len(qids) == len(set(qids)), "one QID is linked from two entries"
    expected = {
        "kubernetes": "Q22661306",
        "google": "Q95",
        "microsoft": "Q2283",
        "amazon": "Q3884",
        "linux": "Q388",
    }
    for s, q in expected.items():
        assert (rdflib.URIRef(ENTITY_BASE + s), SKOS.exactMatch, rdflib.URIRef(WIKIDATA + q)) in g


# ---------------------------------------------------------------- coverage and alias resolution

REQUIRED = [
    "阿里云",
    "华为云",
    "腾讯云",
    "百度智能云",
    "博云",
    "灵雀云",
    "DaoCloud",
    "青云",
    "Rancher",
    "Red Hat",
    "VMware",
    "AWS",
    "Google",
    "Microsoft",
    "Amazon EKS",
    "Amazon ECS",
    "AWS Fargate",
    "AWS Lambda",
    "OpenShift",
    "BeyondContainer",
    "金融",
    "银行",
    "证券",
    "电商",
    "运营商",
    "政务",
    "制造业",
    "能源",
    "医疗",
    "教育",
    "工信部",
    "发改委",
    "央行",
    "中国信通院",
    "CNCF",
    "Linux 基金会",
    "Linux基金会",
    "云原生",
    "DevOps",
    "微服务",
    "Serverless",
    "无服务器",
    "服务网格",
    "边缘计算",
    "混合云",
    "多云",
]


@pytest.mark.parametrize("name", REQUIRED)
def test_required_entries_resolve(name):
    resolve(name)


@pytest.mark.parametrize(
    ("alias", "expected"),
    [
        ("K8s", "kubernetes"),
        ("ｋ８ｓ", "kubernetes"),
        ("谷歌", "google"),
        ("央行", "pboc"),
        ("中国人民银行", "pboc"),
        ("信通院", "caict"),
        ("中国信通院", "caict"),
        ("工业和信息化部", "miit"),
        ("国务院发改委", "ndrc"),
        ("国家发展改革委", "ndrc"),
        ("亚马逊云科技", "aws"),
        ("Amazon Web Services", "aws"),
        ("微软", "microsoft"),
        ("红帽", "red-hat"),
        ("Alibaba Cloud", "alibaba-cloud"),
        ("Amazon Elastic Kubernetes Service", "amazon-eks"),
        ("AWS EC2", "amazon-ec2"),
        ("Linux Container", "lxc"),
        ("无服务器", "serverless"),
        ("Serverless", "serverless"),
        ("微服务架构", "microservices"),
        ("《金融科技发展规划（2019—2021年）》", "fintech-development-plan-2019-2021"),
        ("“十四五”规划", "14th-five-year-plan"),
    ],
)
def test_aliases_resolve_to_the_right_entry(alias, expected):
    assert slug(resolve(alias)) == expected


def test_ali_is_only_a_context_label_of_alibaba_cloud():
    g = lexicon()
    ali = rdflib.Literal("阿里", lang="zh")
    assert (rdflib.URIRef(ENTITY_BASE + "alibaba-cloud"), NS.contextLabel, ali) in g
    assert not any(normalize_name(str(o)) == "阿里" for o in g.objects(None, SKOS.altLabel))
    assert slug(resolve("阿里巴巴")) != "alibaba-cloud"


def test_expected_hierarchy_and_curated_relations():
    g = lexicon()

    def has(s: str, p: rdflib.URIRef, o: str) -> bool:
        return (rdflib.URIRef(ENTITY_BASE + s), p, rdflib.URIRef(ENTITY_BASE + o)) in g

    assert has("container-cloud", SKOS.broader, "cloud-native")
    assert has("bare-metal-container", SKOS.broader, "container")
    assert has("secure-container", SKOS.broader, "container")
    for industry in ("banking", "securities", "insurance"):
        assert has(industry, SKOS.broader, "finance")
    assert has("e-commerce", SKOS.broader, "internet-industry")
    assert has("amazon-eks", SKOS.broader, "container-service")
    assert has("huawei-cloud", NS.partOf, "huawei")
    assert has("aws", NS.offers, "amazon-eks")
    assert has("kubernetes", NS.developedBy, "google")


def test_types_follow_the_annotation_guidelines():
    expected = {
        "阿里云": "Vendor",
        "AWS": "Vendor",
        "博云": "Vendor",
        "CNCF": "Organization",
        "工信部": "Organization",
        "艾瑞咨询": "Organization",
        "Sysdig": "Organization",
        "Docker": "Technology",
        "容器": "Technology",
        "5G": "Technology",
        "Amazon EKS": "Product",
        "OpenShift": "Product",
        "BeyondContainer": "Product",
        "云原生": "Concept",
        "新基建": "Concept",
        "混合云": "Concept",
        "金融": "Industry",
        "政务": "Industry",
        "十四五规划": "Policy",
        "《推动企业上云实施指南（2018-2020年）》": "Policy",
    }
    g = lexicon()
    for name, type_name in expected.items():
        assert (resolve(name), RDF.type, NS[type_name]) in g, f"{name} is not a {type_name}"


def test_the_loader_reads_every_entry():
    from kg.lexicon import Lexicon

    lex = Lexicon.from_graph(lexicon())
    assert len(lex) == len(entries())
    assert lex.resolve("K8s").slug == "kubernetes"
    assert lex.resolve("阿里") is None
    assert lex.resolve("阿里", cloud_context=True).slug == "alibaba-cloud"
