"""Typed relations between the entities of one sentence, from sentence patterns.

Precision first: a rule fires only when the words between two mentions (and, for some rules, right
around them) match a tight pattern, and the entity types fit the predicate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ingest.document import ExtractedEntity, Mention, Passage, Relation, Sentence
from ingest.relation_carryover import carried_over_relations
from ingest.relation_components import component_relations
from ingest.relation_cues import cue_relations
from ingest.relation_lists import list_relations
from ingest.relation_rule import (
    NAMED_TECHNICAL_TYPES,
    ORG_TYPES,
    TECHNICAL_TYPES,
    RelationRule,
    between,
    sentences_with_mentions,
)
from ingest.relation_self import self_relations

__all__ = ["RULES", "extract_relations"]

# Short names for the rows of the rule table.
_ORG, _TECHNICAL, _NAMED_TECHNICAL = ORG_TYPES, TECHNICAL_TYPES, NAMED_TECHNICAL_TYPES

_DATE = r"(?:(?:于|在)?\d{4}年(?:\d{1,2}月)?)?"


@dataclass(frozen=True)
class _Pair:
    sentence: Sentence
    a: Mention
    b: Mention
    type_a: str
    type_b: str
    absorbed: tuple[Mention, ...] = ()

    @property
    def mid(self) -> str:
        """The words between the two names, without category nouns absorbed by a name."""
        base = self.sentence.start
        pieces, pos = [], self.a.end
        for m in self.absorbed:
            if self.a.end <= m.start and m.end <= self.b.start:
                pieces.append(self.sentence.text[pos - base : m.start - base])
                pos = m.end
        pieces.append(self.sentence.text[pos - base : self.b.start - base])
        return "".join(
            "".join(pieces).split()
        )  # 青云科技推出的 EdgeWize: blanks around Latin names do not count

    @property
    def before(self) -> str:
        return self.sentence.text[: self.a.start - self.sentence.start].rstrip()

    @property
    def after(self) -> str:
        return self.sentence.text[self.b.end - self.sentence.start :].lstrip()


def _anywhere(pair: _Pair) -> bool:
    return True


@dataclass(frozen=True)
class _PairRule:
    """A rule on two mentions of one sentence: the words ``between`` them and their types decide."""

    states: RelationRule
    between: re.Pattern[str]
    types_a: frozenset[str]
    types_b: frozenset[str]
    reverse: bool  # the relation goes b → a
    context: Callable[[_Pair], bool] = _anywhere  # a further test on the words around the pair


_OFFER_VERB = r"(?:正式|先后|相继|率先|已|还)?(?:推出|发布|上线|提供|打造|开发|研发)(?:了)?"
_OFFER_NOUN = (
    r"(?:新一代|全新的?|自研的?|自有的?|旗下的?|的)?(?:[\u4e00-\u9fffA-Za-z]{0,8}(?:产品|服务|平台|方案))?"
)

_WORD_END = re.compile(
    r"^(?:$|[\s，,。；;：:、）)”\"]|是|在|等|和|与|及|为|将|已|也|都|正|可|能|得|被|通过|作为|的)"
)


def _rule(
    name: str,
    predicate: str,
    confidence: float,
    between: str,
    types_a: frozenset[str],
    types_b: frozenset[str],
    *,
    reverse: bool = False,
    context: Callable[[_Pair], bool] = _anywhere,
) -> _PairRule:
    """One row of ``RULES``: the ``RelationRule`` it states (name, predicate, confidence), then the pattern
    the words between the two names must match, the types of the two names, and the further tests."""
    return _PairRule(
        states=RelationRule(name=name, predicate=predicate, confidence=confidence),
        between=re.compile(between),
        types_a=types_a,
        types_b=types_b,
        reverse=reverse,
        context=context,
    )


def _followed_by(pattern: str) -> Callable[[_Pair], bool]:
    """A context test: the words right after the second name start with ``pattern``."""
    after = re.compile(pattern)
    return lambda pair: after.match(pair.after) is not None


# X基于A与B等技术打造了Y: what is built on A is Y, the object of the verb (relation_lists reads it)
_BUILDS_ANOTHER = re.compile(
    r"^(?:(?:与|和|、|及)[^，。；]{1,20}?)?(?:等)?[^，。；]{0,8}?(?:打造|构建|研发|开发|推出|研究|设计)(?:了|出)"
    r"[^，。；的]"
)


def _not_building_another(pair: _Pair) -> bool:
    return _BUILDS_ANOTHER.match(pair.after) is None


def _based_on_before(pair: _Pair) -> bool:
    """基于X的Y: the pair stands right after 基于 and the second name ends a word."""
    return pair.before.endswith("基于") and _WORD_END.match(pair.after) is not None


_VENDOR = frozenset({"Vendor"})
_PRODUCT = frozenset({"Product"})
_POLICY = frozenset({"Policy"})
_TECH = frozenset({"Technology"})
_INDUSTRY = frozenset({"Industry"})
_TECH_ORG = _TECHNICAL | _ORG
_ISSUES = rf"^{_DATE}(?:正式|联合|先后)?(?:发布|印发|出台|颁布|制定)(?:了)?$"
_DEVELOPS = rf"^{_DATE}(?:率先|最早|最初|自主)?(?:开发|研发|设计|创建|发明)(?:出|了)+$"
# Yarn调度器是基于Hadoop的: a category noun may follow the first name
_BASED_ON = (
    r"^(?:调度器|平台|框架|系统|引擎|项目|工具|组件)?(?:是|均|都|也|同样)?(?:一个|一款|一种)?"
    r"(?:基于|构建于|构建在|建立在|运行在|运行于)$"
)
_ADOPTS = (
    r"^(?:行业|业|领域|机构|企业)?(?:已|已经|正在|也|均)?(?:广泛|大量|率先|普遍|积极|逐步)?"
    r"(?:采用|应用|部署|引入|使用)(?:了)?$"
)
_ORG_PRODUCT = _ORG | _PRODUCT
_OPENS_NEXT = _followed_by(r"^(?:正式)?开源")
_PREDECESSOR_NEXT = _followed_by(r"^的前身")
_USE_NEXT = _followed_by(
    r"^(?:行业|业|领域)?(?:中|内|里)?(?:得到|获得|有着|有)?(?:了)?(?:广泛|大量|深入)?(?:的)?(?:应用|落地|使用|采用)"
)
_PART_NEXT = _followed_by(r"^(?:的|中的)?(?:重要|核心|关键)?(?:一部分|组成部分|要素|组成|一环)")
_SUPPORT_NEXT = _followed_by(r"^(?:[/、和与及][^，。；]{0,8}|[\u4e00-\u9fff]{0,4})?的?支持")
# Kubernetes对于支撑这种微服务化的…: what a named technology underpins
_UNDERPINS = r"^(?:对于|可以|能够|有效|很好地|也|还)?支撑(?:了|着)?(?:这种|这类|各类|各种)?$"
# Kubernetes 通常被视为微服务的平台: a named technology is the platform of a practice
_SEEN_AS = r"^(?:通常|一般|往往|也|常|已)?(?:被视为|被看作|被认为是|被称为|是|成为)(?:了)?$"
_PLATFORM_NEXT = _followed_by(r"^的(?:理想|首选|主流|标准|事实标准|核心)?(?:平台|基础设施|底座|运行平台)")
_COMPETES_NEXT = _followed_by(r"^(?:展开|形成|存在)?(?:直接)?竞争")
_WORD_ENDS = _followed_by(_WORD_END.pattern)

# name, predicate, confidence | words between the names | type of the first | of the second | further tests
RULES: tuple[_PairRule, ...] = (
    _rule("vendor-product", "offers", 0.85, r"^(?:的)?$", _VENDOR, _PRODUCT),
    _rule("vendor-launches", "offers", 0.9, rf"^{_DATE}{_OFFER_VERB}{_OFFER_NOUN}$", _VENDOR, _PRODUCT),
    _rule("issues-policy", "issuedBy", 0.9, _ISSUES, _ORG, _POLICY, reverse=True),
    _rule("develops", "developedBy", 0.8, _DEVELOPS, _ORG, _NAMED_TECHNICAL, reverse=True),
    _rule(
        "open-sources",
        "openSourcedBy",
        0.9,
        rf"^{_DATE}(?:正式|率先)?开源(?:了)?$",
        _ORG,
        _TECH,
        reverse=True,
    ),
    _rule(
        "open-sources-object",
        "openSourcedBy",
        0.85,
        rf"^{_DATE}将$",
        _ORG,
        _TECH,
        reverse=True,
        context=_OPENS_NEXT,
    ),
    _rule(
        "based-on-prefix",
        "basedOn",
        0.8,
        r"^的?$",
        _TECHNICAL,
        _TECHNICAL,
        reverse=True,
        context=_based_on_before,
    ),
    _rule("based-on", "basedOn", 0.85, _BASED_ON, _TECHNICAL, _TECHNICAL, context=_not_building_another),
    _rule("predecessor", "predecessorOf", 0.95, r"^的前身(?:是|为)$", _TECH_ORG, _TECH_ORG, reverse=True),
    _rule(
        "predecessor-is",
        "predecessorOf",
        0.9,
        r"^(?:是|为|就是)$",
        _TECH_ORG,
        _TECH_ORG,
        context=_PREDECESSOR_NEXT,
    ),
    _rule("industry-adopts", "usedByIndustry", 0.85, _ADOPTS, _INDUSTRY, _TECHNICAL, reverse=True),
    _rule("used-in-industry", "usedByIndustry", 0.8, r"^在$", _TECHNICAL, _INDUSTRY, context=_USE_NEXT),
    _rule("part-of", "partOf", 0.85, r"^(?:是|为|构成了?|成为)$", _TECHNICAL, _TECHNICAL, context=_PART_NEXT),
    _rule(
        "supports",
        "supports",
        0.75,
        r"^(?:是)?(?:如何|怎样|怎么)?(?:可以|能够|全面|还|已|均|都)?支持(?:了)?$",
        _TECHNICAL | _VENDOR,
        _TECHNICAL,
    ),
    _rule("underpins", "supports", 0.75, _UNDERPINS, _NAMED_TECHNICAL, _TECHNICAL),
    _rule("platform-for", "supports", 0.75, _SEEN_AS, _NAMED_TECHNICAL, _TECHNICAL, context=_PLATFORM_NEXT),
    _rule(
        "in-essence",
        "broader",
        0.75,
        r"^(?:本质上|实质上|其实)(?:也)?是$",
        _TECHNICAL,
        _TECHNICAL,
        context=_WORD_ENDS,
    ),
    _rule("support-of", "supports", 0.75, r"^对$", _TECHNICAL, _TECHNICAL, context=_SUPPORT_NEXT),
    _rule("kind-of", "broader", 0.8, r"^(?:是|为)?一种(?:[^，。；]{0,20}的)?$", _TECHNICAL, _TECHNICAL),
    _rule(
        "competes",
        "competesWith",
        0.75,
        r"^(?:与|和|同)$",
        _ORG_PRODUCT,
        _ORG_PRODUCT,
        context=_COMPETES_NEXT,
    ),
)

_LIST_JOIN = re.compile(r"^(?:及|和|与|、|以及|，|,)$")
# A Latin name followed by a lower-case word is part of a longer name the lexicon lacks (Kubernetes batch):
# its mention is left out of relations.
_PARTIAL_NAME = re.compile(r" [a-z]{3,}\b")
_CATEGORY = frozenset({"Technology", "Concept"})
PAIR_REACH = 3  # a mention is paired with the next this many mentions of its sentence
_INDUSTRY_LIST = RelationRule(name="industry-list", predicate="usedByIndustry", confidence=0.75)
_INDUSTRY_LIST_CUE = re.compile(
    r"(?:下游|用户|客户|应用领域|应用行业)(?:行业)?[^，。；]{0,8}(?:主要)?(?:集中在|集中于|包含|包括|涵盖|主要是|分布在)"
)


def extract_relations(
    passages: tuple[Passage, ...], entities: dict[str, ExtractedEntity], mentions: tuple[Mention, ...]
) -> list[Relation]:
    relations: dict[tuple[str, str, str], Relation] = {}
    for passage, sentence, found in sentences_with_mentions(passages, mentions):
        for relation in _sentence_relations(passage.n, sentence, found, entities):
            key = (relation.subject, relation.predicate, relation.object)
            if relation.subject != relation.object and key not in relations:
                relations[key] = relation
    for relation in [
        *carried_over_relations(passages, entities, mentions),
        *component_relations(passages, entities, mentions),
        *self_relations(passages, entities, mentions),
    ]:
        relations.setdefault((relation.subject, relation.predicate, relation.object), relation)
    return list(relations.values())


def _sentence_relations(
    n: int, sentence: Sentence, found: list[Mention], entities: dict[str, ExtractedEntity]
) -> Iterator[Relation]:
    def type_of(m: Mention) -> str:
        return entities[m.slug].type

    found = [m for m in found if not _PARTIAL_NAME.match(sentence.text, m.end - sentence.start)]
    absorbed = _absorbed_categories(found, type_of)
    named = [m for m in found if m not in absorbed]
    for i, a in enumerate(named):
        for j in range(i + 1, min(i + 1 + PAIR_REACH, len(named))):
            b = named[j]
            pair = _Pair(sentence, a, b, type_of(a), type_of(b), absorbed)
            for rule in RULES:
                if (
                    pair.type_a in rule.types_a
                    and pair.type_b in rule.types_b
                    and rule.between.match(pair.mid)
                    and rule.context(pair)
                ):
                    subject, obj = (b, a) if rule.reverse else (a, b)
                    yield rule.states.relate(subject, obj, n, sentence)
                    yield from _list_continuation(n, sentence, named, j, a, rule, type_of)
    yield from _industry_list(n, sentence, named, type_of)
    yield from cue_relations(n, sentence, found, named, type_of)
    yield from list_relations(n, sentence, named, type_of)


def _absorbed_categories(found: list[Mention], type_of: Callable[[Mention], str]) -> tuple[Mention, ...]:
    """Chinese category nouns written against a Latin name (容器引擎Docker, BeyondContainer容器云):
    for relations the name stands for the phrase."""
    absorbed = []
    for prev, cur, nxt in zip([None, *found[:-1]], found, [*found[1:], None], strict=False):
        if type_of(cur) not in _CATEGORY or cur.surface[:1].isascii():
            continue
        for name in (prev, nxt):
            if (
                name is None
                or not name.surface[:1].isascii()
                or type_of(name) not in {"Technology", "Product"}
            ):
                continue
            if name.end == cur.start or cur.end == name.start:
                absorbed.append(cur)
                break
    return tuple(absorbed)


def _list_continuation(
    n: int,
    sentence: Sentence,
    found: list[Mention],
    j: int,
    head: Mention,
    rule: _PairRule,
    type_of: Callable[[Mention], str],
) -> Iterator[Relation]:
    """A、B及C after a matched pair: the same relation holds for B and C."""
    previous = found[j]
    for nxt in found[j + 1 :]:
        mid = between(sentence, previous.end, nxt.start)
        if not _LIST_JOIN.match(mid) or type_of(nxt) != type_of(previous):
            return
        subject, obj = (nxt, head) if rule.reverse else (head, nxt)
        yield rule.states.continued().relate(subject, obj, n, sentence)
        previous = nxt


def _industry_list(
    n: int, sentence: Sentence, found: list[Mention], type_of: Callable[[Mention], str]
) -> Iterator[Relation]:
    """'容器云的下游用户主要集中在金融、互联网、运营商…' → usedByIndustry for each industry."""
    cue = _INDUSTRY_LIST_CUE.search(sentence.text)
    if cue is None:
        return
    cue_start = sentence.start + cue.start()
    cue_end = sentence.start + cue.end()
    subjects = [m for m in found if m.end <= cue_start and type_of(m) in _TECHNICAL]
    if not subjects:
        return
    subject = subjects[-1]
    for m in found:
        if m.start >= cue_end and type_of(m) == "Industry":
            yield _INDUSTRY_LIST.relate(subject, m, n, sentence)
