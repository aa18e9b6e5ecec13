"""Relations in clauses that leave their subject out: '- 支持多种主流推理引擎vLLM、SGLang、Triton 等',
'…已得到快速应用，已完成对 Spark、Flink、Ray 等众多主流计算框架的支持',
'2016 年及之后开源了 Ant Design、Hilo 等'.

A clause opens with a cue (支持 / 兼容 / 对 … 的支持 / 开源了) and names no one before it; what it lists
belongs to the subject carried over from before: the topic of its own sentence (the first mention, at the
head of the sentence), else the last topic of an earlier sentence in the same passage, else the topic of
the report (of the technologies and products its title and lead name, the one it names most often).
The same carried subject is built on what a clause opening with 在 B …之上 / 在 B 的基础上 names, and what
a clause is about is built on B when it is made 以 B 为核心/基础/底座; a system 利用/采用/使用 B 技术/架构
is built on B (the clause's own system, the one 该平台/其 stands for, or, on a bullet that opens with the
verb, the carried subject).
A list is read only when it opens right after the cue and ends there (等, a clause break, 的支持, or the
kind of thing supported: 调度, 部署, 框架 …); support said to be lacking (…的支持不足) is no relation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.document import ExtractedEntity, Mention, Passage, Relation, Sentence
from ingest.relation_rule import (
    LABEL_WORD,
    NAMED_TECHNICAL_TYPES,
    ORG_TYPES,
    RUN_VERB,
    TECHNICAL_TYPES,
    WORKLOAD_LIST_END,
    YEAR_MONTH,
    RelationRule,
    TypeOf,
    between,
    clause_subjects,
    mentions_in,
)

__all__ = ["CarryOverConfidence", "carried_over_relations"]


@dataclass(frozen=True)
class CarryOverConfidence:
    """Confidence of a relation whose subject was carried over, by where the subject came from;
    chosen on the dev split of the real-world corpus."""

    same_sentence: float = 0.75
    same_passage: float = 0.7
    report_topic: float = 0.65
    built_on_top: float = 0.7


CONFIDENCE = CarryOverConfidence()
ON_TOP_OF = RelationRule(name="on-top-of", predicate="basedOn", confidence=CONFIDENCE.built_on_top)
WITH_CORE = RelationRule(name="with-core", predicate="basedOn", confidence=CONFIDENCE.built_on_top)
# the report's topic is named at least this often, and this many times as often as the runner-up
REPORT_TOPIC_MIN_MENTIONS = 5
REPORT_TOPIC_LEAD_RATIO = 2.0
# a list may open this many characters after its cue (多种主流推理引擎vLLM)
LIST_OPENING = 12
_CLAUSE_START = r"(?:^|(?<=[，,：:；;]))\s*(?:[-*•]\s*)?"
_ADVERBS = r"(?:目前|现已|已经|已|还|也|同时|均|都|可以|能够|完美|全面|原生|直接|并)*"
# a pronoun may name the carried subject (，它还支持 A、B; 该项目已完成对 A 的支持)
_PRONOUN = r"(?:它|其|该项目|该平台|该系统|该框架|该工具)?"
_DATED = rf"(?:{YEAR_MONTH}\s*(?:及之后|以来|起|后)?\s*)?"
_SUPPORT = re.compile(_CLAUSE_START + _PRONOUN + _DATED + _ADVERBS + r"(?:支持|兼容|适配)(?:了)?")
_SUPPORT_OF = re.compile(_CLAUSE_START + _PRONOUN + _DATED + _ADVERBS + r"(?:完成|实现)?(?:了)?对")
_SUPPORT_OF_END = re.compile(r"[^，。；]{0,16}?的(?:支持|适配|兼容)")
_OPEN_SOURCED = re.compile(_CLAUSE_START + _DATED + _ADVERBS + r"(?:陆续|相继|先后)?开源了")
# - 直接调度 Deployment、StatefulSet 等原生工作负载: what a scheduler or runtime runs, closed by the kind of
# workload (a bare name after 调度/运行 may be what schedules, 调度 Volcano 的组件)
_RUNS = re.compile(_CLAUSE_START + _PRONOUN + _DATED + _ADVERBS + RUN_VERB)


@dataclass(frozen=True)
class _Cue:
    predicate: str
    pattern: re.Pattern[str]
    subject_types: frozenset[str]
    object_types: frozenset[str]
    reverse: bool  # the relation goes object → subject (项目 openSourcedBy 公司)
    needs_end: re.Pattern[str] | None = None  # what must follow the list (对 … 的支持)


_CUES = (
    _Cue("supports", _SUPPORT, NAMED_TECHNICAL_TYPES, TECHNICAL_TYPES, False),
    _Cue("supports", _SUPPORT_OF, NAMED_TECHNICAL_TYPES, TECHNICAL_TYPES, False, _SUPPORT_OF_END),
    _Cue("openSourcedBy", _OPEN_SOURCED, ORG_TYPES, NAMED_TECHNICAL_TYPES, True),
    _Cue("supports", _RUNS, NAMED_TECHNICAL_TYPES, TECHNICAL_TYPES, False, WORKLOAD_LIST_END),
)


def carried_over_relations(
    passages: tuple[Passage, ...], entities: dict[str, ExtractedEntity], mentions: tuple[Mention, ...]
) -> Iterator[Relation]:
    def type_of(m: Mention) -> str:
        return entities[m.slug].type

    report_topic = _report_topic(passages, mentions, type_of)
    for passage in passages:
        in_passage = [m for m in mentions if m.passage == passage.n]
        carried: dict[bool, Mention] = {}  # is an organisation → the last topic of that kind
        for sentence in passage.sentences:
            found = mentions_in(sentence, in_passage)
            subjects = clause_subjects(sentence, found)
            topic = subjects[-1] if subjects else None
            for cue in _CUES:
                for match in cue.pattern.finditer(sentence.text):
                    at = sentence.start + match.start()
                    end = sentence.start + match.end()
                    listed = _list_after(sentence, found, end, cue, type_of)
                    if not listed or any(_clause_of(sentence, m, at) for m in found if m.end <= at):
                        continue
                    before = [m for m in subjects if m.end <= at]
                    own = before[-1] if before else None
                    if own is not None and LABEL_WORD.match(between(sentence, own.end, at)):
                        own = None  # 完整的 Kubernetes 工作负载支持：直接调度…: a name inside a label
                    subject, confidence = _subject(own, at, carried, report_topic, cue, type_of)
                    if subject is None:
                        continue
                    for obj in listed:
                        first, second = (obj, subject) if cue.reverse else (subject, obj)
                        if first.slug != second.slug:
                            rule = RelationRule(
                                name="carried-over", predicate=cue.predicate, confidence=confidence
                            )
                            yield rule.relate(first, second, passage.n, sentence)
            here = _Reading(passage.n, sentence, found, subjects, carried, report_topic, type_of)
            yield from _foundations(here)
            yield from _built_with(here)
            yield from _joins(here)
            if topic is not None:
                carried[type_of(topic) in ORG_TYPES] = topic


@dataclass(frozen=True)
class _Reading:
    """A sentence as the rules on what a clause is built on or joins read it: its passage's number, its
    mentions, the names that open its clauses, and the subjects carried over to it (the last topic of an
    earlier sentence of the passage, by whether it is an organisation; the report's topic)."""

    n: int
    sentence: Sentence
    found: list[Mention]
    subjects: list[Mention]
    carried: dict[bool, Mention]
    report_topic: Mention | None
    type_of: TypeOf

    def technical(self) -> Iterator[tuple[int, Mention]]:
        """The mentions of technologies, products and concepts, with their places in ``found``."""
        return ((i, m) for i, m in enumerate(self.found) if self.type_of(m) in TECHNICAL_TYPES)

    def built_on(self, rule: RelationRule, system: Mention | None, base: Mention) -> Iterator[Relation]:
        """``system`` basedOn ``base``, when the system is a named technical thing other than the base."""
        if system is not None and self.type_of(system) in NAMED_TECHNICAL_TYPES and system.slug != base.slug:
            yield rule.relate(system, base, self.n, self.sentence)


def _subject(
    topic: Mention | None,
    at: int,
    carried: dict[bool, Mention],
    report_topic: Mention | None,
    cue: _Cue,
    type_of: TypeOf,
) -> tuple[Mention | None, float]:
    if topic is not None and topic.end <= at and type_of(topic) in cue.subject_types:
        return topic, CONFIDENCE.same_sentence
    wants_org = cue.subject_types <= ORG_TYPES
    earlier = carried.get(wants_org)
    if earlier is not None and type_of(earlier) in cue.subject_types:
        return earlier, CONFIDENCE.same_passage
    if report_topic is not None and type_of(report_topic) in cue.subject_types:
        return report_topic, CONFIDENCE.report_topic
    return None, 0.0


def _clause_of(sentence: Sentence, m: Mention, at: int) -> bool:
    """Whether ``m`` stands in the clause that opens at ``at`` (then the clause has a subject)."""
    return not re.search(r"[，,：:；;]", between(sentence, m.end, at))


_ITEM_GAP = re.compile(
    r"^\s*(?:、|，|,|/|和|与|及|以及|或)\s*"
    r"(?:[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9\u4e00-\u9fff .\-]{0,19}?\s*(?:、|，|,|/|和|与|及|以及|或)\s*)?$"
)  # one name the report does not know may stand between two known ones (… MindSpore、Paddlepaddle 、MPI)
# words between a cue and its list that make what follows something else than a list of names
# (支持在集群运行AI任务, 支持跨集群的AI任务部署, 支持从节点标签…转换, 支持按照Namespace等条件过滤)
_NOT_A_LIST_OPENING = re.compile(r"[在从的把将对于向为由按]|根据|通过")
# …but a word of quantity or currency may open the list (支持主流的深度学习框架, 支持多种…引擎)
_LIST_OPENING_WORDS = re.compile(r"^\s*(?:主流|常见|常用|多种|各种|各类|多款|众多|丰富)的?\s*$")
# A、B，寒武纪MLU等: an item the report does not know in full (a known name and more words, 华为升腾芯片)
# may stand in a list that 等 closes; the gap runs from the item's end through a separator to the next
# known name
_LOOSE_ITEM_GAP = re.compile(r"^[A-Za-z0-9\u4e00-\u9fff]{1,8}\s*[、，,]\s*[A-Za-z0-9\u4e00-\u9fff]{0,6}$")
_CLOSED_BY_ETC = re.compile(r"\s*等")
# 兼容 YARN 的调度能力 / 兼容 Kubernetes 原生 API: what a thing is compatible with, then its kind of
# interface (支持 X 的 Y stays out: 支持Volcano Job的跨集群调度 names what is supported by X's name)
_COMPATIBLE = re.compile(r"(?:兼容|适配)(?:了)?$")
_INTERFACE_END = re.compile(r"\s*(?:的)?[^，。；]{0,8}?(?:能力|机制|接口|API|标准|规范|协议|生态)")
# what may follow the last name of a list: 等, a clause break, or the kind of thing supported
_LIST_END = re.compile(
    r"\s*(?:等|[、，,。；;：:（()）]|$|(?:的)?(?:支持|适配|兼容)|部署|调度|作业|任务|框架|引擎|工作负载|原生|API|硬件|设备)"
)
_LACKING = re.compile(r"\s*(?:不足|不够|不好|欠缺|较差|有限|缺失)")


def _list_after(
    sentence: Sentence, found: list[Mention], end: int, cue: _Cue, type_of: TypeOf
) -> list[Mention]:
    after = [m for m in found if m.start >= end]
    if not after or after[0].start - end > LIST_OPENING:
        return []
    opening = between(sentence, end, after[0].start)
    if re.search(r"[，,。；;：:]", opening) or (
        _NOT_A_LIST_OPENING.search(opening) and not _LIST_OPENING_WORDS.match(opening)
    ):
        return []
    listed = _listed(sentence, after)
    closing = listed[-1].end - sentence.start
    if (
        cue.needs_end is None
        and _COMPATIBLE.search(sentence.text, 0, end - sentence.start)
        and _INTERFACE_END.match(sentence.text, closing)
    ):
        return [m for m in listed if type_of(m) in cue.object_types]
    if cue.needs_end is not None:
        end_match = cue.needs_end.match(sentence.text, closing)
        if end_match is None or _LACKING.match(sentence.text, end_match.end()):
            return []  # 对Tensorflow、Pytorch等框架的支持不足: support lacking, not given
    if cue.needs_end is None and not _LIST_END.match(sentence.text, closing):
        return []  # 支持Volcano Job的跨集群调度: the name modifies what is supported
    return [m for m in listed if type_of(m) in cue.object_types]


def _listed(sentence: Sentence, after: list[Mention]) -> list[Mention]:
    """The first of ``after`` and the names listed with it; items the report knows only in part
    (华为升腾芯片) may stand between them when 等 closes the list."""
    listed = [after[0]]
    loose = [after[0]]  # the same list, read with the looser gap
    for m in after[1:]:
        gap = between(sentence, loose[-1].end, m.start)
        if _ITEM_GAP.match(gap):
            loose.append(m)
            if len(listed) == len(loose) - 1:
                listed.append(m)
        elif _LOOSE_ITEM_GAP.match(gap):
            loose.append(m)
        else:
            break
    if len(loose) > len(listed) and _CLOSED_BY_ETC.match(sentence.text, loose[-1].end - sentence.start):
        return loose
    return listed


def _report_topic(
    passages: tuple[Passage, ...], mentions: tuple[Mention, ...], type_of: TypeOf
) -> Mention | None:
    """The technology or product the report is about: of those its first passage (title and lead) names,
    the one named most often in the report; else the one the report names most, when it stands well
    clear of the others."""
    counts = Counter(m.slug for m in mentions if type_of(m) in NAMED_TECHNICAL_TYPES)
    if passages:
        lead = [m for m in mentions if m.passage == passages[0].n and m.slug in counts]
        if lead:
            best = max(lead, key=lambda m: (counts[m.slug], -m.start))
            if counts[best.slug] >= REPORT_TOPIC_MIN_MENTIONS:
                return best
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < REPORT_TOPIC_MIN_MENTIONS:
        return None
    if len(ranked) > 1 and ranked[0][1] < REPORT_TOPIC_LEAD_RATIO * ranked[1][1]:
        return None
    return next(m for m in mentions if m.slug == ranked[0][0])


# (它)在 B（原生的…能力）之上 / 在 B 的基础上 opening a clause: the clause's subject is built on B
_ON_TOP_OPENING = re.compile(
    _CLAUSE_START + r"(?:它|其)?(?:并|也|还|则)?在\s*"
)  # 它在 B 之上: B under the topic
_ON_TOP_CLOSING = re.compile(r"[^，,。；;]{0,20}?(?:之上|基础上|基础之上)")
# 以 B 为核心/基础/底座: what the clause is about is built on B
_CORE_OPENING = re.compile(r"以\s*$")
_CORE_CLOSING = re.compile(r"\s*(?:为|作为)(?:核心|基础|底座|内核)")


def _foundations(here: _Reading) -> Iterator[Relation]:
    """…，在 Kubernetes 原生的容器编排和调度能力之上 → the clause's subject basedOn Kubernetes;
    EdgeWize 就是以 KubeEdge 为核心构建的 → EdgeWize basedOn KubeEdge."""
    text, base, type_of = here.sentence.text, here.sentence.start, here.type_of
    for i, m in here.technical():
        opening = _ON_TOP_OPENING.search(text, 0, m.start - base)
        if (
            opening is not None
            and opening.end() == m.start - base
            and _ON_TOP_CLOSING.match(text, m.end - base)
        ):
            before = [s for s in here.subjects if s.end <= base + opening.start()]
            yield from here.built_on(ON_TOP_OF, before[-1] if before else here.carried.get(False), m)
        if _CORE_OPENING.search(text[: m.start - base]) and _CORE_CLOSING.match(text, m.end - base):
            clause_start = max(text.rfind(c, 0, m.start - base) for c in "，,；;：:")
            earlier = [
                e
                for e in here.found[:i]
                if e.start - base > clause_start and type_of(e) in NAMED_TECHNICAL_TYPES and e.slug != m.slug
            ]
            if earlier:
                yield WITH_CORE.relate(earlier[-1], m, here.n, here.sentence)


# - 利用Kubernetes部署、管理和调度 / 该平台利用人工智能技术 / X 采用微服务架构: what a system is built with
_BUILT_WITH = re.compile(
    r"(?P<opening>"
    + _CLAUSE_START
    + r"(?P<pronoun>该平台|该系统|该框架|该项目|该工具|该方案|其|它)?)?\s*"
    + _ADVERBS
    + r"(?:主要|通常|全面)?(?:利用|采用|使用|运用)(?:了)?\s*$"
)
# what the name must be followed by: the kind of thing built with (技术, 架构 …), or, on a bullet that
# opens with the verb, the verbs of what is done with it (部署、管理和调度)
_BUILT_WITH_KINDS = ("技术", "架构", "结构", "框架", "体系")
BUILT_WITH_MODIFIER = 3  # characters of a modifier before the kind (Kubernetes 原生架构, 分布式架构)
_BUILT_WITH_KIND = re.compile(
    rf"\s*(?:的)?[\u4e00-\u9fff]{{0,{BUILT_WITH_MODIFIER}}}(?:" + "|".join(_BUILT_WITH_KINDS) + ")"
)
_BULLET_VERB = re.compile(r"\s*(?:部署|管理|调度|编排|构建|开发|实现|运行)")
BUILT_WITH = RelationRule(name="built-with", predicate="basedOn", confidence=CONFIDENCE.built_on_top)


def _built_with(here: _Reading) -> Iterator[Relation]:
    """A system 利用/采用/使用 B 技术/架构 → the system basedOn B; the system is the clause's own subject,
    the name a pronoun (该平台) stands for (the last named system before it), or, on a bullet that
    opens with the verb, the subject carried from the passage."""
    sentence, found, type_of = here.sentence, here.found, here.type_of
    text, base = sentence.text, sentence.start
    for i, m in here.technical():
        cue = _BUILT_WITH.search(text, 0, m.start - base)
        if cue is None:
            continue
        bullet = cue.start() == 0 and text.lstrip().startswith(("-", "*", "•"))
        kind = _BUILT_WITH_KIND.match(text, m.end - base) or m.surface.endswith(_BUILT_WITH_KINDS)
        if not (kind or (bullet and _BULLET_VERB.match(text, m.end - base))):
            continue
        at = base + cue.start()
        own = [s for s in here.subjects if s.end == at and _clause_of(sentence, s, base + cue.end())]
        if not own and cue.group("opening") is None:
            continue  # the verb follows words that are not its subject's name
        named_before = [e for e in found[:i] if e.end <= at and type_of(e) in NAMED_TECHNICAL_TYPES]
        if own:
            subject: Mention | None = own[-1]
        elif cue.group("pronoun") and named_before:
            subject = named_before[-1]
        elif bullet and not found[:i]:
            subject = here.carried.get(False)
        else:
            subject = None
        yield from here.built_on(BUILT_WITH, subject, m)


# 2019 年，它作为第一个云原生边缘项目被接受为 CNCF Sandbox 项目: the pronoun's project joins the organisation
_JOINS = re.compile(
    _CLAUSE_START
    + _DATED
    + r"(?:它|其|该项目)[^，,。；;：:]{0,24}?(?:作为|成为|加入|进入|被接受为|晋升为|捐赠给)(?:了)?\s*$"
)
_ORG_PROJECT = re.compile(r"\s*(?:的)?[^，,。；;]{0,16}?项目")
JOINS = RelationRule(name="pronoun-joins", predicate="partOf", confidence=CONFIDENCE.same_passage)


def _joins(here: _Reading) -> Iterator[Relation]:
    """…，它…被接受为 ORG …项目 → the carried subject (or the report's topic) partOf ORG."""
    sentence, type_of = here.sentence, here.type_of
    text, base = sentence.text, sentence.start
    for org in here.found:
        if type_of(org) != "Organization" or not _ORG_PROJECT.match(text, org.end - base):
            continue
        if not _JOINS.search(text, 0, org.start - base):
            continue
        project = here.carried.get(False) or here.report_topic
        if project is not None and type_of(project) in NAMED_TECHNICAL_TYPES:
            yield JOINS.relate(project, org, here.n, sentence)
