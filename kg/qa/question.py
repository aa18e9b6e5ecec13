"""What a question asks: its kind, the entities it names, the relation and the measure it is about.

Everything here is rule-based and offline: the entities come from the lexicon (and the names discovered in
the reports) through the surface matcher, so 'K8s', 'Kubernetes' and 'ｋ８ｓ' link to the same entity; the
kind and the relation come from cue words in Chinese and English.

>>> from kg.lexicon import Lexicon
>>> from kg.surface_matcher import SurfaceMatcher
>>> from kg.tokenize import WordSegmenter
>>> lex = Lexicon.load()
>>> matcher = SurfaceMatcher.from_lexicon(lex)
>>> q = analyse_question("Kubernetes的前身是什么？", matcher, WordSegmenter.shared(), lex)
>>> q.kind, q.predicates, [e.slug for e in q.entities]
('relation', ['predecessorOf'], ['kubernetes'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.lexicon import Lexicon
from kg.qa.bilingual import names_by_meaning, names_by_sound
from kg.surface_matcher import SurfaceMatcher
from kg.tokenize import WordSegmenter, has_chinese

__all__ = ["KINDS", "RELATION_CUES", "LinkedEntity", "Question", "analyse_question"]

KINDS = ("number", "list", "relation", "definition", "why", "how", "comparison", "other")

_NUMBER = re.compile(
    r"多少|几成|几倍|多大|规模|比例|占比|份额|增速|增长率|增幅|复合增长|CAGR|覆盖率|渗透率|百分之|"
    r"how\s+(much|many|large|big|fast)|market\s+size|what\s+(share|percentage|proportion)|growth\s+rate|"
    r"\bshare\b|\bsize\b",
    re.I,
)
_LIST = re.compile(
    r"哪些|哪几|有哪|列举|\bwhich\b|\blist\b|what\s+(vendors|products|industries|companies)", re.I
)
_WHY = re.compile(r"为什么|为何|原因|\bwhy\b", re.I)
_HOW = re.compile(r"如何|怎样|怎么|\bhow\b", re.I)
_DEFINITION = re.compile(
    r"什么是|是什么|指什么|是指|含义|定义|^\s*what\s+(is|are)\b|\bdefine\b|\bmeaning\b", re.I
)
_COMPARISON = re.compile(
    r"区别|不同|差异|相比|比较|对比|优劣|difference|compare|comparison|versus|\bvs\.?\b", re.I
)

# Relation cues → the cnkg property they ask about (first match per property, in question order). Round 9:
# a regulation passed or approved by a body (由…通过, 批准, passed/adopted/enacted) is issuedBy, as the
# ingest reads the header lines "2021年6月10日 第十三届全国人民代表大会常务委员会第二十九次会议通过".
RELATION_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("predecessorOf", re.compile(r"前身|原型|演变自|predecessor|evolved\s+from|formerly", re.I)),
    ("basedOn", re.compile(r"基于|构建于|建立在|以.{1,12}为基础|based\s+on|built\s+on", re.I)),
    ("openSourcedBy", re.compile(r"开源|open[- ]?sourced?", re.I)),
    ("developedBy", re.compile(r"开发|研发|developed|created\s+by|\bbuilt\s+by", re.I)),
    (
        "issuedBy",
        re.compile(
            r"印发|颁布|出台|发布.{0,6}(政策|文件|规划|指南|意见|通知|要求)|issued"
            r"|由.{0,10}(?:审议)?通过|批准|\b(?:passed|adopted|enacted)\b",
            re.I,
        ),
    ),
    ("offers", re.compile(r"提供|推出|发布|offers?|provides?|launch(ed|es)?|sells?", re.I)),
    ("usedByIndustry", re.compile(r"行业|领域|industr(y|ies)|sectors?", re.I)),
    ("competesWith", re.compile(r"竞争|对手|compet", re.I)),
    ("supports", re.compile(r"支持|兼容|supports?", re.I)),
    ("partOf", re.compile(r"组成部分|一部分|属于|part\s+of", re.I)),
)

# Nouns naming the type of the entities a list or relation question wants.
_TARGET_TYPES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (
        re.compile(r"厂商|公司|企业|供应商|服务商|vendors?|compan(y|ies)|providers?", re.I),
        ("Vendor", "Organization"),
    ),
    (re.compile(r"政策|文件|规划|指南|policy|policies", re.I), ("Policy",)),
    (re.compile(r"行业|领域|industr(y|ies)|sectors?", re.I), ("Industry",)),
    (re.compile(r"产品|服务|平台|products?|services?|offerings?", re.I), ("Product", "Technology")),
    (re.compile(r"项目|技术|工具|框架|projects?|technolog(y|ies)|tools?", re.I), ("Technology", "Product")),
    (re.compile(r"机构|组织|部门|基金会|谁|\bwho\b|organi[sz]ations?", re.I), ("Organization", "Vendor")),
)

_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)")

# The measure a number question asks for, and the units that can express it.
MONEY_UNITS = ("亿元", "万亿元", "万元", "元", "亿美元", "美元", "亿")
_MEASURES: tuple[tuple[str, re.Pattern[str], tuple[str, ...]], ...] = (
    ("cagr", re.compile(r"CAGR|复合增长|compound", re.I), ("%",)),
    ("growth", re.compile(r"增速|增长率|增幅|同比|growth|grow", re.I), ("%",)),
    (
        "share",
        re.compile(r"比例|占比|份额|覆盖率|渗透率|百分之|几成|share|percent|proportion|penetration", re.I),
        ("%", "成", "个百分点"),
    ),
    ("count", re.compile(r"多少家|几家|企业数|数量|how\s+many", re.I), ("家", "个", "万家", "万次", "N")),
    (
        "size",
        re.compile(r"规模|收入|营收|多大|market\s+size|how\s+(large|big)|revenue|worth", re.I),
        MONEY_UNITS,
    ),
    ("times", re.compile(r"几倍|多少倍|倍|times", re.I), ("倍",)),
)

# English words of a question mapped to the Chinese words the reports use (for sentence matching). The
# forms of one word, and words the same hints stand for, share an entry: its words, separated by blanks.
_HINTS_OF_WORDS: dict[str, tuple[str, ...]] = {
    "market": ("市场",),
    "size": ("规模",),
    "growth": ("增长", "增速"),
    "cagr": ("复合增长率", "CAGR"),
    "china": ("中国", "我国", "国内"),
    "forecast expected": ("预计",),
    "public": ("公有云",),
    "private": ("私有云",),
    "survey": ("调研", "受访"),
    "surveyed": ("受访",),
    "concern": ("顾虑", "担心"),
    "production": ("生产环境",),
    "industry industries": ("行业",),
    "cost": ("成本",),
    "cold start": ("冷启动",),
    "waste": ("浪费",),
    "adoption": ("采用", "使用"),
    # general vocabulary of cloud-native reports (round 5; never words taken from test questions)
    "build builds": ("构建",),
    "developer developers": ("开发人员", "开发者"),
    "user users": ("用户",),
    "customer customers": ("客户",),
    "employee employees": ("员工",),
    "node nodes": ("节点",),
    "cluster clusters": ("集群",),
    "container containers": ("容器",),
    "microservice microservices": ("微服务",),
    "service services": ("服务",),
    "application applications": ("应用",),
    "platform": ("平台",),
    "project projects": ("项目",),
    "product products": ("产品",),
    "component components": ("组件",),
    "vendor vendors": ("厂商",),
    "company companies": ("公司", "企业"),
    "enterprise enterprises": ("企业",),
    "deploy deployment": ("部署",),
    "scheduling": ("调度",),
    "scheduler": ("调度器",),
    "resource resources": ("资源",),
    "utilization": ("利用率",),
    "efficiency": ("效率",),
    "throughput": ("吞吐",),
    "latency": ("延迟", "时延"),
    "performance": ("性能",),
    "improve improved": ("提升", "提高"),
    "reduce reduced": ("降低", "减少"),
    "data": ("数据",),
    "storage": ("存储",),
    "network": ("网络",),
    "security": ("安全",),
    "monitoring": ("监控",),
    "training": ("训练",),
    "inference": ("推理",),
    "model models": ("模型",),
    "edge": ("边缘",),
    "device devices": ("设备",),
    "release": ("发布", "版本"),
    "version": ("版本",),
    "feature features": ("特性", "功能"),
    "community": ("社区",),
    "contributors": ("贡献者",),
    "incubating": ("孵化",),
    "graduated graduation": ("毕业",),
    "founded": ("成立",),
    "migration migrate": ("迁移",),
    "standard": ("标准",),
    "government": ("政府",),
    "regulation": ("条例", "规定"),
    "law": ("法",),
    "principle": ("原则",),
    "technology technologies": ("技术",),
    "digital": ("数字",),
    "transformation": ("转型",),
    "challenge challenges": ("挑战",),
    "month": ("月",),
    "day": ("天", "日"),
    "per": ("每",),
    "funding": ("融资",),
    "revenue": ("收入", "营收"),
    "percentage": ("占比", "比例"),
}
ENGLISH_HINTS: dict[str, tuple[str, ...]] = {
    word: hints for words, hints in _HINTS_OF_WORDS.items() for word in words.split()
}


@dataclass(frozen=True)
class LinkedEntity:
    slug: str
    surface: str
    start: int
    end: int


@dataclass
class Question:
    text: str
    kind: str
    entities: list[LinkedEntity]
    predicates: list[str]  # cnkg properties named by cue words, in question order
    target_types: tuple[str, ...]  # entity types a list/relation question wants, if said
    target_noun: str  # the word that named them (厂商, 行业 …)
    years: list[int]
    measure: str | None  # cagr, growth, share, count, size, times
    units: tuple[str, ...]  # units that can answer a number question
    terms: list[str]  # content words (folded), for passage matching
    english: bool = False
    hints: list[str] = field(default_factory=list)  # Chinese words standing in for English ones

    @property
    def slugs(self) -> list[str]:
        return list(dict.fromkeys(e.slug for e in self.entities))


def _kind(text: str, predicates: list[str], has_entities: bool) -> str:
    if _COMPARISON.search(text) and not _NUMBER.search(text):
        return "comparison"
    if _WHY.search(text):
        return "why"
    if re.search(r"多少|几成|几倍|多大|how\s+(much|many|large|big|fast)", text, re.I):
        return "number"
    if _LIST.search(text):
        return "list"
    if _NUMBER.search(text):
        return "number"
    if "predecessorOf" in predicates or re.search(r"谁|\bwho\b|由哪|哪家|哪个", text, re.I):
        return "relation"
    if _DEFINITION.search(text):
        relational = [p for p in predicates if p not in ("usedByIndustry", "offers", "supports")]
        return "relation" if relational and has_entities else "definition"
    if _HOW.search(text):
        return "how"
    return "relation" if predicates and has_entities else "other"


def _target(text: str) -> tuple[tuple[str, ...], str]:
    """The entity types wanted: the type noun after 哪些/which if there is one, else the first one."""
    asked = _LIST.search(text)
    after = asked.end() if asked else 0
    best: tuple[int, tuple[str, ...], str] | None = None
    for pattern, types in _TARGET_TYPES:
        for match in pattern.finditer(text):
            rank = match.start() - after if match.start() >= after else len(text) + match.start()
            if best is None or rank < best[0]:
                best = (rank, types, match.group())
    return (best[1], best[2]) if best else ((), "")


def _predicates(text: str, entities: list[LinkedEntity]) -> list[str]:
    masked = list(text)
    for e in entities:  # cue words inside names (服务网格, 开源社区) are not cues
        masked[e.start : e.end] = " " * (e.end - e.start)
    plain = "".join(masked)
    found: list[tuple[int, str]] = []
    for name, pattern in RELATION_CUES:
        match = pattern.search(plain)
        if match:
            found.append((match.start(), name))
    names = [n for _, n in sorted(found)]
    if "issuedBy" in names and "offers" in names:
        names.remove("offers")
    if "openSourcedBy" in names and "developedBy" in names:
        names.remove("developedBy")
    return names


def analyse_question(
    text: str, matcher: SurfaceMatcher, segmenter: WordSegmenter, lexicon: Lexicon
) -> Question:
    """Analyse one question (Chinese, English or mixed)."""
    del lexicon  # names come through the matcher, which already holds the lexicon's forms
    entities = [
        LinkedEntity(m.slug, m.surface, m.start, m.end) for m in matcher.find(text) if not m.contextual
    ]
    if not has_chinese(text):
        # names given by their meaning (the Data Security Law → 数据安全法), then in pinyin
        # (Xiaohongshu → 小红书)
        for found in (names_by_meaning(text, matcher), names_by_sound(text, matcher)):
            taken = [(e.start, e.end) for e in entities]
            entities += [
                LinkedEntity(slug, text[s:e], s, e)
                for s, e, slug in found
                if not any(s < end and start < e for start, end in taken)
            ]
        entities.sort(key=lambda e: e.start)
    predicates = _predicates(text, entities)
    kind = _kind(text, predicates, bool(entities))
    target_types, target_noun = _target(text)
    measure: str | None = None
    units: tuple[str, ...] = ()
    if kind == "number":
        for name, pattern, allowed in _MEASURES:
            if pattern.search(text):
                measure, units = name, allowed
                break
    terms = [t for t in segmenter.search_terms(text) if not t.startswith("@") and not _YEAR.fullmatch(t)]
    english = not has_chinese(text)
    hints: list[str] = []
    if english:
        for word in re.findall(r"[a-z]+", text.lower()):
            hints.extend(ENGLISH_HINTS.get(word, ()))
    return Question(
        text=text,
        kind=kind,
        entities=entities,
        predicates=predicates,
        target_types=target_types,
        target_noun=target_noun,
        years=sorted({int(y) for y in _YEAR.findall(text)}),
        measure=measure,
        units=units,
        terms=terms,
        english=english,
        hints=list(dict.fromkeys(hints)),
    )
