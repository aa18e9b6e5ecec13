"""Relations stated over enumerations, with the sentence's topic as subject where that is safe.

Real reports name one subject at the head of a sentence and then list what it supports, contains,
open-sources or is used in, often clauses later: 'Volcano …，通过 VcJob 完美支持 Ray、TensorFlow、PyTorch 等'.
The rules here find a cue, read the list after it (A、B、C等 / A、B和C / A，B 等), and take as subject the
sentence's topic: its first mention, standing before any clause break, when no other mention of a subject
type stands between it and the cue (no new subject). Each pattern family is a named rule (``ListRules``)
with its own confidence.

- supports: TOPIC … (完美|全面)?支持|兼容|适配 LIST, TOPIC … 对 LIST (等)?…的支持;
- partOf: X的 LIST 等(插件|组件|模块|子项目), X 通过实现 LIST 这两个…插件, X … 子项目 Y,
  X 集成了…名为 Y 的(模块|组件), ORG … 项目，包括 LIST;
- openSourcedBy / developedBy: ORG … 开源了 LIST (topic carried over), X 于…由 ORG 开源|开发;
- usedByIndustry: TOPIC … 应用于|用于 LIST (of industries);
- broader: X 是一个|一款|一种 [modifiers] Y (平台|项目|框架|系统|…), Y（如|例如|比如 LIST）, and a clause with
  no subject of its own (X 是…的简称，是一种…Y 应用);
- supports, further: X (v1.11) 引入了 Y 功能/策略, A 和 B 的…是通过 X 运行, X…，主要用来管理…Y任务,
  在 X 中启用 Y 支持, and the technologies a defined term's definition uses (X，是指…运用 A、B 等新技术);
- partOf, further: X 加入 ORG, X 是 Y 官方提供的…, X 通过子项目 Y 孵化; basedOn: X 在 L 框架中 / L 语言的框架
  使用方面，…X; usedByIndustry: 在 A 和 B 领域…X 技术应用, INDUSTRY 系统都已 X化.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.document import Mention, Relation, Sentence
from ingest.relation_rule import (
    LABEL_WORD,
    NAMED_TECHNICAL_TYPES,
    ORG_TYPES,
    RUN_VERB,
    SUBJECT_LEAD,
    TECHNICAL_TYPES,
    TOPIC_LEAD,
    WORKLOAD_LIST_END,
    YEAR_MONTH,
    RelationRule,
    TypeOf,
    between,
    clause_subjects,
    cued_mentions,
    neighbours,
    rule_row,
)

__all__ = ["RULES", "ListRules", "list_relations"]


@dataclass(frozen=True)
class ListRules:
    """The enumeration rules, by pattern family (confidences chosen on the dev split of the real-world
    corpus), one a line: rule_row(name, predicate, confidence)."""

    supports_list: RelationRule = rule_row("supports-list", "supports", 0.75)
    support_of_list: RelationRule = rule_row("support-of-list", "supports", 0.75)
    runs_list: RelationRule = rule_row("runs-list", "supports", 0.7)
    members_of: RelationRule = rule_row("members-of", "partOf", 0.8)
    projects_include: RelationRule = rule_row("projects-include", "partOf", 0.75)
    implements_members: RelationRule = rule_row("implements-members", "partOf", 0.75)
    sub_project: RelationRule = rule_row("sub-project", "partOf", 0.8)
    includes_parts: RelationRule = rule_row("includes-parts", "partOf", 0.7)
    composed_of: RelationRule = rule_row("composed-of", "partOf", 0.75)
    includes_features: RelationRule = rule_row("includes-features", "supports", 0.7)
    includes_kinds: RelationRule = rule_row("includes-kinds", "broader", 0.7)
    named_module: RelationRule = rule_row("named-module", "partOf", 0.8)
    open_sourced_list: RelationRule = rule_row("open-sourced-list", "openSourcedBy", 0.8)
    initiator: RelationRule = rule_row("initiator", "developedBy", 0.8)
    by_maker_open_sourced: RelationRule = rule_row("by-maker", "openSourcedBy", 0.8)
    by_maker_developed: RelationRule = rule_row("by-maker", "developedBy", 0.8)
    open_sourced_at: RelationRule = rule_row("open-sourced-at", "openSourcedBy", 0.8)
    scenario_industries: RelationRule = rule_row("scenarios", "usedByIndustry", 0.7)
    scenario_supports: RelationRule = rule_row("scenarios", "supports", 0.7)
    used_in_list: RelationRule = rule_row("used-in-list", "usedByIndustry", 0.75)
    on_the_base_of: RelationRule = rule_row("on-the-base-of", "basedOn", 0.8)
    project_of_org: RelationRule = rule_row("project-of-org", "partOf", 0.75)
    built_on: RelationRule = rule_row("built-on", "basedOn", 0.75)
    as_core: RelationRule = rule_row("as-core", "partOf", 0.75)
    is_a_category: RelationRule = rule_row("is-a-category", "broader", 0.75)
    such_as: RelationRule = rule_row("such-as", "broader", 0.7)
    bracketed_examples: RelationRule = rule_row("bracketed-examples", "broader", 0.7)
    designed_for: RelationRule = rule_row("designed-for", "supports", 0.75)
    capabilities: RelationRule = rule_row("capabilities", "supports", 0.7)
    defined_as: RelationRule = rule_row("defined-as", "broader", 0.75)
    used_as: RelationRule = rule_row("used-as", "broader", 0.7)
    representative: RelationRule = rule_row("representative", "broader", 0.7)
    used_as_framework: RelationRule = rule_row("used-as-framework", "supports", 0.7)
    defined_for_industries: RelationRule = rule_row("defined-for-industries", "usedByIndustry", 0.7)
    introduces_feature: RelationRule = rule_row("introduces-feature", "supports", 0.7)
    joins_org: RelationRule = rule_row("joins-org", "partOf", 0.75)
    framework_of: RelationRule = rule_row("framework-of", "basedOn", 0.7)
    through_sub_project: RelationRule = rule_row("through-sub-project", "partOf", 0.75)
    runs_through: RelationRule = rule_row("runs-through", "supports", 0.7)
    industry_made_into: RelationRule = rule_row("industry-made-into", "usedByIndustry", 0.7)
    enabled_in: RelationRule = rule_row("enabled-in", "supports", 0.7)
    defined_with: RelationRule = rule_row("defined-with", "supports", 0.7)
    provided_by_whole: RelationRule = rule_row("provided-by-whole", "partOf", 0.75)


RULES = ListRules()
# How far (characters) the topic may stand before the cue, and how long a list item gap may be.
TOPIC_REACH = 80
LIST_START_GAP = 2  # a list starts at most this many characters after its cue (支持了 Ray、…)
_NOT_A_SUBJECT = re.compile(r"支持|兼容|对|在|通过|使用|基于|将")
_BREAK = re.compile(r"[。；;！？!?]")
_CLAUSE = re.compile(r"[，,：:]")
_ITEM_GAP = re.compile(r"^\s*(?:、|，|,|/|和|与|及|以及|或)\s*$")
# Patterns applied with .match(text, pos) are compiled without '^' (.match anchors at pos); each rule's
# patterns stand right before the rule that reads them.


def _list_from(sentence: Sentence, found: list[Mention], first: int, type_of: TypeOf) -> list[Mention]:
    """The mention at index ``first`` and those listed after it (A、B、C / A、B和C / A，B 等)."""
    listed = [found[first]]
    for m in found[first + 1 :]:
        gap = between(sentence, listed[-1].end, m.start)
        if not gap.strip() and ORG_TYPES.isdisjoint({type_of(m), type_of(listed[-1])}):
            listed[-1] = m  # 5G MEC, AI云边协同: names written together are one thing, named by the last
            continue
        if not _ITEM_GAP.match(gap) or (type_of(m) in ORG_TYPES) != (type_of(listed[0]) in ORG_TYPES):
            break
        listed.append(m)
    return listed


def _topic(
    sentence: Sentence, found: list[Mention], before: int, types: frozenset[str], type_of: TypeOf
) -> Mention | None:
    """The sentence's topic for a cue at ``before``: its first mention, of ``types``, before the first
    clause break, within TOPIC_REACH of the cue, with no other mention of ``types`` between it and the cue."""
    if not found or type_of(found[0]) not in types or found[0].end > before:
        return None
    topic = found[0]
    lead = between(sentence, sentence.start, topic.start)
    if len(lead) > TOPIC_LEAD or _CLAUSE.search(lead) or _NOT_A_SUBJECT.search(lead):
        return None
    if before - topic.end > TOPIC_REACH or _BREAK.search(between(sentence, topic.end, before)):
        return None
    if LABEL_WORD.match(between(sentence, topic.end, before)):
        return (
            None  # - 完整的 Kubernetes 工作负载支持：直接调度…: a word of a bullet's label, not its subject
        )
    for m in found[1:]:
        if (
            topic.end <= m.start
            and m.end <= before
            and type_of(m) in types
            and _leads_clause(sentence, topic, m)
        ):
            return None  # a new subject
    return topic


def _leads_clause(sentence: Sentence, topic: Mention, m: Mention) -> bool:
    """Whether ``m`` opens a clause after the topic's (，ACK 则… — a new subject, not an object;
    ，它在 Kubernetes …之上 — an object of 在, not a subject)."""
    gap = between(sentence, topic.end, m.start)
    cut = max(gap.rfind(c) for c in "，,；;：:")
    lead = gap[cut + 1 :].strip()
    return cut != -1 and len(lead) <= SUBJECT_LEAD and not _NOT_A_SUBJECT.search(lead)


def _first_after(found: list[Mention], at: int, limit: int) -> int | None:
    for i, m in enumerate(found):
        if at <= m.start and m.start - at <= limit:
            return i
    return None


def _cued_lists(
    sentence: Sentence, found: list[Mention], cue: re.Pattern[str], subjects: frozenset[str], type_of: TypeOf
) -> Iterator[tuple[re.Match[str], Mention, list[Mention]]]:
    """(cue match, topic, list) for each match of ``cue`` that a list follows right after (within
    LIST_START_GAP characters) and that the sentence's topic, of ``subjects`` types, governs."""
    for match in cue.finditer(sentence.text):
        at, end = sentence.start + match.start(), sentence.start + match.end()
        first = _first_after(found, end, LIST_START_GAP)
        topic = _topic(sentence, found, at, subjects, type_of)
        if first is not None and topic is not None:
            yield match, topic, _list_from(sentence, found, first, type_of)


def _of_types(listed: list[Mention], types: frozenset[str], type_of: TypeOf) -> list[Mention]:
    """The items of ``listed`` of ``types``."""
    return [m for m in listed if type_of(m) in types]


@dataclass(frozen=True)
class _EndedList:
    """A list rule read the same way for each of its cues: the sentence's topic (of ``subjects`` types), a
    ``cue`` after it, a list right after the cue, and ``end`` right after the list's last item
    (对 A、B 的支持, 实现了 A、B 等插件, 专为 A 设计, 实现了 A、B 等能力); each item of ``items`` types is
    related to the topic (the item is the subject when ``item_first``)."""

    rule: RelationRule
    cue: re.Pattern[str]
    end: re.Pattern[str]
    subjects: frozenset[str]
    items: frozenset[str]
    item_first: bool = False

    def relations(
        self, n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf
    ) -> Iterator[Relation]:
        for _, topic, listed in _cued_lists(sentence, found, self.cue, self.subjects, type_of):
            if self.end.match(sentence.text, listed[-1].end - sentence.start):
                for item in _of_types(listed, self.items, type_of):
                    subject, obj = (item, topic) if self.item_first else (topic, item)
                    yield self.rule.relate(subject, obj, n, sentence)


# The end-marked list rules: rule, cue, end, topic types, item types (, item_first).
_SUPPORT_OF = re.compile(r"(?:已)?(?:完成|实现)?(?:了)?对")
_SUPPORT_OF_END = re.compile(r"[^，。；]{0,16}的(?:支持|适配|兼容)")
_SUPPORT_OF_LIST = _EndedList(
    RULES.support_of_list, _SUPPORT_OF, _SUPPORT_OF_END, TECHNICAL_TYPES, TECHNICAL_TYPES
)
_IMPLEMENTS = re.compile(r"(?:实现|提供|包含|包括|内置|集成)(?:了)?")
_MEMBER_KIND = re.compile(r"\s*(?:等)?(?:这\S{0,3}|多个|多种)?(?:核心)?(?:调度)?(?:插件|组件|模块|子项目)")
_IMPLEMENTED = _EndedList(
    RULES.implements_members,
    _IMPLEMENTS,
    _MEMBER_KIND,
    NAMED_TECHNICAL_TYPES,
    TECHNICAL_TYPES,
    item_first=True,
)
# X 是专为 Y 设计的…: what X is made for
_DESIGNED_FOR = re.compile(r"专为|专门为|专门针对")
_DESIGNED_END = re.compile(r"\s*(?:等)?[^，。；]{0,8}?(?:设计|打造|而生|构建|优化|定制)")
_DESIGNED_FOR_LIST = _EndedList(
    RULES.designed_for, _DESIGNED_FOR, _DESIGNED_END, NAMED_TECHNICAL_TYPES, TECHNICAL_TYPES
)
# X …实现了 A、B 等能力: what X can do
_CAPABILITY_CUE = re.compile(r"(?:扩展)?(?:实现|提供|具备|拥有)(?:了)?")
# the list may go on with names the report does not know (云边协同、计算下沉、边缘自治等能力);
# 的 before the noun makes the name a modifier (虚拟化架构下的调度能力)
# an item starts and ends on a non-blank, so the blanks between items belong to the next item's \s* alone
# (an item that could end in blanks made the split ambiguous: exponential backtracking on 、x  、x  、x …)
_CAPABILITY_END = re.compile(
    r"(?:\s*、\s*[^，。；、\s](?:[^，。；、]{0,8}?[^，。；、\s])??)*\s*(?:等)?[^，。；、的]{0,4}?(?:能力|功能|特性)"
)
# X 可以调度 A、B 等作业: what a scheduler or runtime runs (the list closed by the kind of workload)
_RUNS_CUE = re.compile(r"(?:可以|能够|直接|统一)?" + RUN_VERB)
_RUNS_LIST = _EndedList(RULES.runs_list, _RUNS_CUE, WORKLOAD_LIST_END, NAMED_TECHNICAL_TYPES, TECHNICAL_TYPES)
_CAPABILITY_LIST = _EndedList(
    RULES.capabilities, _CAPABILITY_CUE, _CAPABILITY_END, NAMED_TECHNICAL_TYPES, TECHNICAL_TYPES
)


@dataclass(frozen=True)
class _NeighbourCue:
    """Two neighbouring mentions that a rule relates: the first of ``first`` types, the next of ``second``
    types, ``gap`` matching the text between them and ``after`` the text right after the second
    (X 在 Y 的基础上, X 加入 ORG 的项目, X 将 Y 作为核心, X 是一个 Y 平台)."""

    first: frozenset[str]
    second: frozenset[str]
    gap: re.Pattern[str]
    after: re.Pattern[str]

    def fits(self, sentence: Sentence, a: Mention, b: Mention, gap: str, type_of: TypeOf) -> bool:
        return (
            type_of(a) in self.first
            and type_of(b) in self.second
            and self.gap.match(gap) is not None
            and self.after.match(sentence.text, b.end - sentence.start) is not None
        )


_CATEGORY_TYPES = frozenset({"Concept", "Technology"})  # what a named thing is a kind of
# X 在 Y 的基础上 / X 的成功得益于其在 Y 基础上
_ON_BASE = re.compile(r"^\s*(?:[^，。；]{0,10}?其)?在\s*$")
_BASE_AFTER = re.compile(r"\s*的?\s*(?:基础上|基础之上|之上)")
_ON_BASE_OF = _NeighbourCue(NAMED_TECHNICAL_TYPES, TECHNICAL_TYPES, _ON_BASE, _BASE_AFTER)
# X 作为/成为/加入 ORG …项目
_JOINS_ORG = re.compile(
    rf"^\s*(?:已经|已|正式)?\s*(?:(?:在|于)\s*{YEAR_MONTH})?\s*(?:正式)?"
    r"(?:作为|成为|加入|进入|捐赠给|捐献给|是|为)(?:了)?\s*$"
)
_ORG_PROJECT = re.compile(r"\s*(?:的)?[^，。；]{0,16}?(?:项目|系统)")
_JOINS_ORG_PROJECT = _NeighbourCue(
    NAMED_TECHNICAL_TYPES, frozenset({"Organization"}), _JOINS_ORG, _ORG_PROJECT
)
# X 将 Y 作为核心: Y is a part of X
_AS_CORE_GAP = re.compile(r"^\s*将\s*$")
_AS_CORE = re.compile(r"\s*作为(?:其)?(?:核心|核心组件|重要组成部分|组成部分|一部分)")
_AS_CORE_OF = _NeighbourCue(NAMED_TECHNICAL_TYPES, TECHNICAL_TYPES, _AS_CORE_GAP, _AS_CORE)
# X 是一个 Y 平台
_IS_A = re.compile(r"^\s*(?:是|为)(?:一个|一款|一种|一套)[^，。；]{0,12}?$")
_WORD_END = re.compile(r"\s*(?:$|[，,。；;：:、）)”])|\s*(?:的|和|与|及|来|以|进行|并)")
_CATEGORY_AFTER = re.compile(r"\s*(?:平台|项目|框架|系统|引擎|工具|技术|方案|软件|数据库|服务)")
_IS_A_KIND = _NeighbourCue(NAMED_TECHNICAL_TYPES, _CATEGORY_TYPES, _IS_A, _CATEGORY_AFTER)


_SUPPORT_CUE = re.compile(r"(?:完美|全面|原生|同时|还|也|已|均|都|可以|能够)?(?:支持|兼容|适配)(?:了)?")


def _supports(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    text = sentence.text
    for cue, topic, listed in _cued_lists(sentence, found, _SUPPORT_CUE, TECHNICAL_TYPES, type_of):
        if text.startswith("的", cue.end()):
            continue  # 提供多线程支持的Linux内核: a modifier, not a list of what is supported
        for obj in _of_types(listed, TECHNICAL_TYPES, type_of):
            yield RULES.supports_list.relate(topic, obj, n, sentence)
    yield from _SUPPORT_OF_LIST.relations(n, sentence, found, type_of)
    yield from _RUNS_LIST.relations(n, sentence, found, type_of)


_PROJECTS_INCLUDE = re.compile(r"^\s*(?:的)?(?:子)?项目\s*[，,]?\s*(?:包括|如|例如|比如)\s*$")


def _members(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """X的A、B等插件, X 实现了 A、B 等插件 → A, B partOf X;  ORG 的项目，包括 A、B → A, B partOf ORG."""
    text = sentence.text
    for i, whole, _, gap in neighbours(sentence, found):
        # X的A、B等插件
        if type_of(whole) in NAMED_TECHNICAL_TYPES and re.fullmatch(r"\s*的\s*", gap):
            listed = _list_from(sentence, found, i + 1, type_of)
            if _MEMBER_KIND.match(text, listed[-1].end - sentence.start):
                for part in _of_types(listed, TECHNICAL_TYPES, type_of):
                    yield RULES.members_of.relate(part, whole, n, sentence)
        # ORG 的项目，包括 A、B
        if type_of(whole) in ORG_TYPES and _PROJECTS_INCLUDE.match(gap):
            projects = _list_from(sentence, found, i + 1, type_of)
            for part in _of_types(projects, NAMED_TECHNICAL_TYPES, type_of):
                yield RULES.projects_include.relate(part, whole, n, sentence)
    yield from _IMPLEMENTED.relations(n, sentence, found, type_of)
    yield from _includes(n, sentence, found, type_of)


# X 的核心组件包括 A、B / X 主要包括 A、B: parts (of a named thing, or of a concept with no head noun);
# X 的功能包括 A、B: what X supports
_INCLUDES = re.compile(
    r"^\s*(?:的)?\s*(?:核心|主要|关键)?(?P<head>组件|模块|子项目|插件|组成部分|部分|要素|功能|特性|能力)?"
    r"\s*(?:主要|则)?(?:包括|包含|涵盖|由)(?:了)?\s*$"
)
_SUPPORT_HEADS = frozenset({"功能", "特性", "能力"})
# X 由 A、B 等(要素)组成: what closes a list read after 由
_COMPOSED_END = re.compile(r"\s*(?:等)?[^，。；]{0,8}?(?:组成|构成)")


def _includes(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """X 的组件包括 A、B → A, B partOf X;  X 由 A、B 等组成 → A, B partOf X;  X 的功能包括 A、B → X supports
    A, B;  with no head noun, a category X 包括 A、B → named (Latin) A, B broader X, and a concept's other
    items partOf X."""
    text = sentence.text
    for i, whole, _, gap in neighbours(sentence, found):
        cue = _INCLUDES.match(gap)
        if cue is None or type_of(whole) not in TECHNICAL_TYPES:
            continue
        whole_list = _list_from(sentence, found, i + 1, type_of)
        listed = _of_types(whole_list, TECHNICAL_TYPES, type_of)
        head = cue.group("head")
        if gap.rstrip().endswith("由"):
            if _COMPOSED_END.match(text, whole_list[-1].end - sentence.start):
                yield from (RULES.composed_of.relate(part, whole, n, sentence) for part in listed)
        elif head in _SUPPORT_HEADS:
            yield from (RULES.includes_features.relate(whole, item, n, sentence) for item in listed)
        elif head is not None:
            yield from (RULES.includes_parts.relate(part, whole, n, sentence) for part in listed)
        elif type_of(whole) in _CATEGORY_TYPES and not whole.surface[:1].isascii():
            # 容器运行时包括 Docker、containerd: named examples are kinds of it (a Latin name before 包括
            # is a thing, not a category: Redis包括MySql)
            for item in listed:
                if type_of(item) in NAMED_TECHNICAL_TYPES and item.surface[:1].isascii():
                    yield RULES.includes_kinds.relate(item, whole, n, sentence)
                elif type_of(whole) == "Concept":  # 云原生包括容器、微服务: its parts
                    yield RULES.includes_parts.relate(item, whole, n, sentence)


_COMMUNITY = re.compile(r"\s*社区")
_SUB_PROJECT = re.compile(r"子项目\s*$")
_SUB_PROJECT_AFTER = re.compile(r"\s*子项目")
_NAMED = re.compile(r"名为\s*$")
_THROUGH_SUB_PROJECT = re.compile(r"^\s*通过\s*(?:其)?(?:子项目|组件|插件|模块)\s*$")
_MODULE_AFTER = re.compile(r"\s*的(?:模块|组件|插件|子系统)")


def _sub_projects(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """X 社区孵化了…子项目 Y / Y 子项目 → Y partOf X;  X 集成了一个名为 Y 的模块 → Y partOf X."""
    text = sentence.text
    for i, part in enumerate(found):
        before = between(sentence, sentence.start, part.start)
        wholes = [m for m in found[:i] if type_of(m) in NAMED_TECHNICAL_TYPES]
        if not wholes or type_of(part) not in TECHNICAL_TYPES:
            continue
        # the project whose community is named (Volcano 社区…), else the sentence's first project
        communities = [m for m in wholes if _COMMUNITY.match(text, m.end - sentence.start)]
        whole = communities[-1] if communities else wholes[0]
        if _BREAK.search(between(sentence, whole.end, part.start)):
            continue
        # X 社区孵化了…子项目 Y / Y 子项目;  X 集成了一个名为 Y 的模块
        sub_project = _SUB_PROJECT.search(before) or _SUB_PROJECT_AFTER.match(text, part.end - sentence.start)
        feature = found[i - 1]
        if _THROUGH_SUB_PROJECT.match(between(sentence, feature.end, part.start)):
            # 负载感知重调度通过子项目 descheduler 孵化: the feature is part of the sub-project
            if type_of(feature) in TECHNICAL_TYPES:
                yield RULES.through_sub_project.relate(feature, part, n, sentence)
        elif sub_project and (
            communities or _topic(sentence, found, part.start, NAMED_TECHNICAL_TYPES, type_of)
        ):
            yield RULES.sub_project.relate(part, whole, n, sentence)
        elif _NAMED.search(before) and _MODULE_AFTER.match(text, part.end - sentence.start):
            yield RULES.named_module.relate(part, whole, n, sentence)


# ORG … 开源了 LIST;  X 的发起单位，ORG;  X 于…由 ORG 开源|开发;  X 于 ORG 开源
_OPEN_SOURCED = re.compile(r"(?:正式)?开源(?:了|的)")
_INITIATOR = re.compile(
    r"^\s*(?:项目)?\s*的\s*(?:发起单位|发起者|发起方|创建者|创始者|核心维护者|维护者|主要贡献者)\s*[，,]\s*$"
)
_ON_DATE = rf"(?:于\s*{YEAR_MONTH}\s*)?"  # 于 2017 年
_BY_MAKER = re.compile(rf"^\s*{_ON_DATE}(?:最初|最早)?(?:正式)?由\s*$")
_MADE = re.compile(r"\s*(?:正式|联合|共同)?(?P<verb>开源|开发|研发|发起|创建)")
_IN_ORG = re.compile(r"^\s*(?:正式)?于\s*$")


# X（…）是一个…系统，由 A、B 和 C 进行开发和维护: 由 opens a clause after the topic
_BY_CLAUSE = re.compile(r"[，,]\s*(?:最初|最早|主要)?由\s*$")
_MADE_CLAUSE = re.compile(rf"\s*{_ON_DATE}(?:正式|联合|共同)?(?:进行)?(?P<verb>开源|开发|研发|发起|创建)")


def _makers_of_topic(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """X 是一个…系统，由 A、B、C 进行开发和维护 → X developedBy A, B, C (X: the sentence's topic)."""
    text = sentence.text
    for i, maker in enumerate(found):
        if type_of(maker) not in ORG_TYPES or not _BY_CLAUSE.search(text, 0, maker.start - sentence.start):
            continue
        makers = _list_from(sentence, found, i, type_of)
        made = _MADE_CLAUSE.match(text, makers[-1].end - sentence.start)
        thing = _topic(sentence, found, maker.start, NAMED_TECHNICAL_TYPES, type_of)
        if made is None or thing is None:
            continue
        rule = RULES.by_maker_open_sourced if made.group("verb") == "开源" else RULES.by_maker_developed
        for org in _of_types(makers, ORG_TYPES, type_of):
            yield rule.relate(thing, org, n, sentence)


def _makers(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    text = sentence.text
    yield from _makers_of_topic(n, sentence, found, type_of)
    for _, maker, listed in _cued_lists(sentence, found, _OPEN_SOURCED, ORG_TYPES, type_of):
        for obj in _of_types(listed, NAMED_TECHNICAL_TYPES, type_of):
            yield RULES.open_sourced_list.relate(obj, maker, n, sentence)
    for _, thing, maker, gap in neighbours(sentence, found):
        if type_of(thing) not in NAMED_TECHNICAL_TYPES or type_of(maker) not in ORG_TYPES:
            continue
        if _INITIATOR.match(gap) and between(sentence, sentence.start, thing.start).strip().endswith("作为"):
            yield RULES.initiator.relate(thing, maker, n, sentence)
            continue
        made = _MADE.match(text, maker.end - sentence.start)
        if _BY_MAKER.match(gap) and made:
            rule = RULES.by_maker_open_sourced if made.group("verb") == "开源" else RULES.by_maker_developed
            yield rule.relate(thing, maker, n, sentence)
        elif _IN_ORG.match(gap) and made and made.group("verb") == "开源":
            yield RULES.open_sourced_at.relate(thing, maker, n, sentence)


_IN_SCENARIOS = re.compile(r"^\s*(?:已经|已|也|均|都)?\s*在\s*$")
_SCENARIO_USE = re.compile(r"[^，。；]{0,24}?(?:场景|领域|行业)[^，。；]{0,16}?(?:应用|落地|使用)")


def _scenarios(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """X在A、B等…场景中获得广泛应用 → X supports A, B (usedByIndustry for an industry)."""
    for i, topic, _, gap in neighbours(sentence, found):
        if type_of(topic) not in NAMED_TECHNICAL_TYPES or not _IN_SCENARIOS.match(gap):
            continue
        listed = _list_from(sentence, found, i + 1, type_of)
        if not _SCENARIO_USE.match(sentence.text, listed[-1].end - sentence.start):
            continue
        for area in listed:
            if type_of(area) == "Industry":
                yield RULES.scenario_industries.relate(topic, area, n, sentence)
            elif type_of(area) in TECHNICAL_TYPES:
                yield RULES.scenario_supports.relate(topic, area, n, sentence)


# X 在 A、B 等领域有广泛的应用 / 其在 A、B 等行业的智能化改造中得到了广泛的采用: what the list names is where
# X is used; the list may hold names the report does not know (CAE仿真、动漫渲染), so it is read as text
_FIELDS_OF_USE = re.compile(
    r"(?P<anaphor>其|它)?(?:已经|已|也|均|都|还)?\s*在\s*(?P<list>[^，。；在]{1,60}?)\s*等?\s*"
    r"(?:重要|主要|众多|多个|诸多|各个)?(?:行业|领域|场景|产业)(?P<tail>[^，。；]{0,20}?)(?:应用|采用|落地)"
)
# 在物流和供应链领域…物联网技术应用实践: with no subject before 在, a technology named right before the use
# word (技术 and 的 may stand between) is what the fields use
_USED_TECHNOLOGY_END = re.compile(r"\s*(?:技术)?\s*(?:的)?\s*$")
FIELDS_SUBJECT_GAP = 6  # characters between the subject and 在 (HPC高性能计算在: the name's own gloss)


def _fields_of_use(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """X 在 A、B 等领域有广泛的应用 → X usedByIndustry A, B (supports a technical item);  …，其在 A、B 等行业
    …得到了广泛的采用 → the same with the clause subject before 其 as X."""
    openers = [m for m in clause_subjects(sentence, found) if type_of(m) in TECHNICAL_TYPES]
    for cue in _FIELDS_OF_USE.finditer(sentence.text):
        at = sentence.start + cue.start()
        before = [m for m in openers if m.end <= at]
        if not before:
            yield from _fields_of_a_named_use(n, sentence, found, cue, type_of)
            continue
        subject, gap = before[-1], between(sentence, before[-1].end, at)
        if _BREAK.search(gap):
            continue
        if cue.group("anaphor") is None and (
            _CLAUSE.search(gap)
            or len(gap.strip()) > FIELDS_SUBJECT_GAP
            or any(subject.end <= m.start and m.end <= at for m in found)  # a name between: not the subject
        ):
            continue
        lo, hi = sentence.start + cue.start("list"), sentence.start + cue.end("list")
        for area in (m for m in found if lo <= m.start and m.end <= hi):
            if type_of(area) == "Industry":
                yield RULES.scenario_industries.relate(subject, area, n, sentence)
            elif type_of(area) in TECHNICAL_TYPES:
                yield RULES.scenario_supports.relate(subject, area, n, sentence)


def _fields_of_a_named_use(
    n: int, sentence: Sentence, found: list[Mention], cue: re.Match[str], type_of: TypeOf
) -> Iterator[Relation]:
    """在 A 和 B 领域…X 技术应用 → X usedByIndustry A, B (X: the last technical name of the cue's tail)."""
    lo, hi = sentence.start + cue.start("tail"), sentence.start + cue.end("tail")
    used = [m for m in found if lo <= m.start and m.end <= hi and type_of(m) in TECHNICAL_TYPES]
    if not used or not _USED_TECHNOLOGY_END.match(between(sentence, used[-1].end, hi)):
        return
    list_lo, list_hi = sentence.start + cue.start("list"), sentence.start + cue.end("list")
    for area in (m for m in found if list_lo <= m.start and m.end <= list_hi):
        if type_of(area) == "Industry":
            yield RULES.scenario_industries.relate(used[-1], area, n, sentence)


_USED_IN = re.compile(r"(?:广泛|大量|已|已经|成功)*(?:应用于|应用在|用于)")


def _industries(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    for cue in _USED_IN.finditer(sentence.text):
        at, end = sentence.start + cue.start(), sentence.start + cue.end()
        topic = _topic(sentence, found, at, TECHNICAL_TYPES, type_of)
        if topic is None:
            continue
        after = [m for m in found if m.start >= end and not _BREAK.search(between(sentence, end, m.start))]
        for user in after:
            if type_of(user) == "Industry":
                yield RULES.used_in_list.relate(topic, user, n, sentence)


# 基于 Y 研究了自己的训练框架 X;  基于 A 与 B 等云原生技术打造了…平台——X
_BUILT_ON = re.compile(r"基于\s*$")
_BUILD_VERB = re.compile(r"\s*(?:等\s*[^，。；]{0,8}?)?(?:研究|开发|研发|构建|打造|实现|推出|设计)(?:了|出)")


def _foundations(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """X 在 Y 的基础上… → X basedOn Y;  基于 Y 研究了自己的训练框架 X → X basedOn Y;
    X 作为/成为/加入 ORG …项目 → X partOf ORG (a foundation's project)."""
    text = sentence.text
    for _, thing, base, gap in neighbours(sentence, found):
        if _ON_BASE_OF.fits(sentence, thing, base, gap, type_of):
            yield RULES.on_the_base_of.relate(thing, base, n, sentence)
        if _JOINS_ORG_PROJECT.fits(sentence, thing, base, gap, type_of):
            yield RULES.project_of_org.relate(thing, base, n, sentence)
    for i, _ in cued_mentions(sentence, found[:-1], _BUILT_ON, TECHNICAL_TYPES, type_of):
        bases = _list_from(sentence, found, i, type_of)
        verb = _BUILD_VERB.match(text, bases[-1].end - sentence.start)
        if verb is None:
            continue
        verb_end = sentence.start + verb.end()
        clause_end = (
            sentence.start
            + next(
                (m.start() for m in re.finditer(r"[，,。；;]", text[verb.end() :])), len(text) - verb.end()
            )
            + verb.end()
        )
        built = [
            m
            for m in found
            if verb_end <= m.start and m.end <= clause_end and type_of(m) in NAMED_TECHNICAL_TYPES
        ]
        if built:
            for base in _of_types(bases, TECHNICAL_TYPES, type_of):
                yield RULES.built_on.relate(built[-1], base, n, sentence)


# …，并在 2020 年 4 月成为 ORG 官方项目: the sentence's topic joins the organisation, clauses later
_JOIN_CUE_BEFORE = re.compile(
    rf"(?:并|也|已|已经|正式)?\s*(?:(?:在|于)\s*{YEAR_MONTH}\s*)?(?:正式)?"
    r"(?:成为|加入|进入|被接受为|晋升为)(?:了)?\s*$"
)


# 微软宣布加入 Open Invention Network: a member joins an organisation (the organisation ends the phrase,
# so that 加入 CNCF 的认证…计划 is not a membership)
_JOINS_AS_MEMBER = re.compile(
    r"^\s*(?:已经|已|也|还|正式|宣布|决定|于|在|\d{4}\s*年|\d{1,2}\s*月|\s)*(?:正式)?加入(?:了)?\s*$"
)
_MEMBERSHIP_END = re.compile(r"\s*(?:$|[，,。；;、（(]|并|成为|作为)")
_JOINS_AS_MEMBER_OF = _NeighbourCue(
    ORG_TYPES | NAMED_TECHNICAL_TYPES, frozenset({"Organization"}), _JOINS_AS_MEMBER, _MEMBERSHIP_END
)
# Volcano dashboard是Volcano官方提供的…仪表盘: a part that the whole's own project provides
_PROVIDED_BY_WHOLE = re.compile(r"^\s*(?:是|为)\s*$")
_PROVIDED_AFTER = re.compile(r"\s*(?:官方|社区|项目)(?:提供|推出|开发|维护)的")
_PROVIDED_BY = _NeighbourCue(
    NAMED_TECHNICAL_TYPES, NAMED_TECHNICAL_TYPES, _PROVIDED_BY_WHOLE, _PROVIDED_AFTER
)


def _compositions(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """X 将 Y 作为核心 → Y partOf X;  X …，并成为 ORG 官方项目 → X partOf ORG;  X 加入 ORG → X partOf ORG;
    X 是 Y 官方提供的… → X partOf Y."""
    text = sentence.text
    openers = clause_subjects(sentence, found) if "加入" in text else []
    for _, whole, part, gap in neighbours(sentence, found):
        if _AS_CORE_OF.fits(sentence, whole, part, gap, type_of):
            yield RULES.as_core.relate(part, whole, n, sentence)
        if whole in openers and _JOINS_AS_MEMBER_OF.fits(sentence, whole, part, gap, type_of):
            yield RULES.joins_org.relate(whole, part, n, sentence)
        if _PROVIDED_BY.fits(sentence, whole, part, gap, type_of):
            yield RULES.provided_by_whole.relate(whole, part, n, sentence)
    for org in found:
        if type_of(org) != "Organization" or not _ORG_PROJECT.match(text, org.end - sentence.start):
            continue
        joins = _JOIN_CUE_BEFORE.search(text, 0, org.start - sentence.start)
        if joins is None:
            continue
        project = _topic(sentence, found, sentence.start + joins.start(), NAMED_TECHNICAL_TYPES, type_of)
        if project is not None and not org.surface.startswith(project.surface):  # Apache 软件基金会
            yield RULES.project_of_org.relate(project, org, n, sentence)


# Y 的代表 X / 作为 Y 代表的 X / Y 中领先者 X
_REPRESENTATIVE = re.compile(
    r"^\s*(?:中|里|领域)?的?\s*(?:典型)?(?:代表|领先者|佼佼者|领头羊)(?:之一)?(?:的|是|为|有)?\s*$"
)
# Y（如 A）/ Y，例如 A
_SUCH_AS = re.compile(r"^\s*[（(，,]?\s*(?:如|例如|比如|诸如)\s*$")
# Y（A、B等）: examples in brackets right after a category
_BRACKET_OPEN = re.compile(r"^\s*[（(]\s*$")
_BRACKET_CLOSE = re.compile(r"\s*(?:等)?\s*[）)]")
# X 是一个基于 K 的开源 Y 项目: the 基于…的 phrase may name another thing between X and its category
_IS_A_BASED = re.compile(
    r"^\s*(?:是|为)(?:一个|一款|一种|一套)\s*基于\s*\x00\s*(?:架构|技术)?\s*的[^，。；\x00]{0,12}?$"
)


# X 是…的简称，是一种比较常见的 Y 应用: a clause with no subject of its own says what the sentence's topic is
_SUBJECTLESS_KIND = re.compile(
    r"(?:^|[，,])\s*(?:也|还|则|同时)?(?:是|为)(?:一个|一种|一款|一类|一套)[^，。；]{0,12}?\s*$"
)
_KIND_AFTER = re.compile(r"\s*(?:应用|平台|项目|框架|系统|引擎|工具|技术|软件|数据库|服务)")


def _subjectless_kinds(
    n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf
) -> Iterator[Relation]:
    """WRF是…的简称，是一种比较常见的HPC应用 → WRF broader HPC (the topic opens the sentence)."""
    text = sentence.text
    for i, kind in enumerate(found):
        if i == 0 or type_of(kind) not in _CATEGORY_TYPES:
            continue
        cue = _SUBJECTLESS_KIND.search(text, 0, kind.start - sentence.start)
        if cue is None or cue.group().lstrip()[:1] not in "，,":
            continue  # the clause must follow another one of the same sentence
        if any(sentence.start + cue.start() < m.start for m in found[:i]):
            continue  # the clause names something before the kind: not subjectless
        if not _KIND_AFTER.match(text, kind.end - sentence.start):
            continue
        topic = _topic(sentence, found, sentence.start + cue.start(), NAMED_TECHNICAL_TYPES, type_of)
        if topic is not None and topic.slug != kind.slug:
            yield RULES.is_a_category.relate(topic, kind, n, sentence)


def _categories(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    text = sentence.text
    yield from _subjectless_kinds(n, sentence, found, type_of)
    for _, kind, thing, gap in neighbours(sentence, found):
        # 作为 NoSQL 代表的 MongoDB, NoSQL 中领先者 MongoDB: a category's representative
        if (
            type_of(kind) in _CATEGORY_TYPES
            and type_of(thing) in NAMED_TECHNICAL_TYPES
            and _REPRESENTATIVE.match(gap)
        ):
            yield RULES.representative.relate(thing, kind, n, sentence)
    for i, thing, kind, gap in neighbours(sentence, found):
        if _IS_A_KIND.fits(sentence, thing, kind, gap, type_of) and not any(
            type_of(m) in TECHNICAL_TYPES for m in found if thing.end <= m.start < kind.start
        ):
            yield RULES.is_a_category.relate(thing, kind, n, sentence)
        if type_of(thing) in _CATEGORY_TYPES and _SUCH_AS.match(gap):
            for member in _list_from(sentence, found, i + 1, type_of):
                if type_of(member) in NAMED_TECHNICAL_TYPES and member.surface[:1].isascii():
                    yield RULES.such_as.relate(member, thing, n, sentence)
        if type_of(thing) in _CATEGORY_TYPES and _BRACKET_OPEN.match(gap):
            listed = _list_from(sentence, found, i + 1, type_of)
            close = _BRACKET_CLOSE.match(text, listed[-1].end - sentence.start)
            # one name alone in brackets is the category's own name in English (高性能计算（HPC））
            if close and (len(listed) > 1 or "等" in close.group()):
                for member in listed:
                    if type_of(member) in NAMED_TECHNICAL_TYPES and member.surface[:1].isascii():
                        yield RULES.bracketed_examples.relate(member, thing, n, sentence)
        if type_of(thing) in NAMED_TECHNICAL_TYPES and i + 2 < len(found):
            beyond = found[i + 2]  # X 是一个基于 K(the neighbour, masked) 的…Y: Y is the category
            masked = gap + "\x00" + between(sentence, kind.end, beyond.start)
            if (
                type_of(beyond) in _CATEGORY_TYPES
                and _IS_A_BASED.match(masked)
                and _CATEGORY_AFTER.match(text, beyond.end - sentence.start)
            ):
                yield RULES.is_a_category.relate(thing, beyond, n, sentence)


# 使用/采用/运行 X 作为(其) Y: X is a Y (broader), or serves Y when Y names what a framework or platform
# is for (使用 Istio 作为其微服务框架 → supports)
_USE_VERB = re.compile(r"(?:使用|采用|运行|选用|选择|引入|部署)(?:了)?\s*$")
_AS_ROLE = re.compile(r"^\s*作为\s*(?:其|我们的|他们的|一个|一种|新的)?\s*$")
_ROLE_KIND = re.compile(r"\s*(?:框架|平台|工具|方案|引擎|系统)")


def _used_as(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """运行 containerd 作为容器运行时 → containerd broader 容器运行时;  使用 Istio 作为其微服务框架 →
    Istio supports 微服务."""
    text = sentence.text
    for _, thing, role, gap in neighbours(sentence, found):
        if (
            type_of(thing) not in NAMED_TECHNICAL_TYPES
            or type_of(role) not in _CATEGORY_TYPES
            or not _AS_ROLE.match(gap)
            or not _USE_VERB.search(text, 0, thing.start - sentence.start)
        ):
            continue
        if _ROLE_KIND.match(text, role.end - sentence.start):
            yield RULES.used_as_framework.relate(thing, role, n, sentence)
        elif _WORD_END.match(text, role.end - sentence.start):
            yield RULES.used_as.relate(thing, role, n, sentence)


# 敏感个人数据，是指…的个人数据，…: a defined term is a kind of the noun its definition ends on
_DEFINES = re.compile(r"\s*”?[，,]\s*是指")
_DEFINED_FIELDS = re.compile(r"(?P<list>[^，。；]{1,80}?)等(?:重要|主要|关键)?(?:行业|领域)")
_DEFINITION_HEAD = re.compile(r"[，,。；;]|$")


# X，是指…，运用大数据、云计算、区块链等新技术，…: the technologies a defined thing rests on support it
_DEFINED_WITH = re.compile(
    r"(?:运用|利用|采用|依托|应用)(?P<list>[^，。；]{1,40}?)等?(?:新一代|新兴|新|先进|现代)?(?:信息|数字)?技术"
)


def _definitions(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """X，是指……的Y，… → X broader Y (Y: the first name after 的 that ends the definition's clause);
    X，是指A、B等重要行业和领域的… → X usedByIndustry A, B."""
    text = sentence.text
    for i, term in enumerate(found[:-1]):
        cue = _DEFINES.match(text, term.end - sentence.start)
        if cue is None or type_of(term) not in TECHNICAL_TYPES:
            continue
        for means in _DEFINED_WITH.finditer(text, cue.end()):
            lo, hi = sentence.start + means.start("list"), sentence.start + means.end("list")
            for tech in found[i + 1 :]:
                if lo <= tech.start and tech.end <= hi and type_of(tech) in TECHNICAL_TYPES:
                    yield RULES.defined_with.relate(tech, term, n, sentence)
        fields = _DEFINED_FIELDS.match(text, cue.end())
        if fields is not None:  # 是指 A、B 等重要行业和领域的…: the industries it serves
            lo, hi = sentence.start + fields.start("list"), sentence.start + fields.end("list")
            for user in found[i + 1 :]:
                if lo <= user.start and user.end <= hi and type_of(user) == "Industry":
                    yield RULES.defined_for_industries.relate(term, user, n, sentence)
        for head in found[i + 1 :]:
            before = between(sentence, sentence.start, head.start)
            if _BREAK.search(before[cue.end() :]):
                break
            if (
                before.endswith("的")
                and type_of(head) in TECHNICAL_TYPES
                and _DEFINITION_HEAD.match(text, head.end - sentence.start)
            ):
                yield RULES.defined_as.relate(term, head, n, sentence)
                break


# X（v1.11）引入了/提出了/推出了 Y 功能/策略: a feature of X; the kind noun must follow Y itself (a bracketed
# gloss between is allowed), so that a name modifying a longer term (推出了云原生混部解决方案) stays out
_INTRODUCES = re.compile(
    r"^\s*(?:v?\d+(?:\.\d+)*\s*(?:版本)?)?\s*(?:也|还|正式|首次|率先|已|已经|新)?\s*"
    r"(?:引入|提出|推出|新增|增加|带来)(?:了)?\s*(?:全新的?|新的?)?\s*$"
)
_INTRODUCING_VERB = re.compile(r"引入|提出|推出|新增|增加|带来")
_FEATURE_KIND = re.compile(
    r"\s*(?:[（(][^）)]{0,60}[）)])?\s*(?:功能|特性|策略|机制|能力|方案|解决方案|算法)"
)


def _introduced_features(
    n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf
) -> Iterator[Relation]:
    """Volcano v1.11 引入了弹性层级队列功能 / Volcano提出了网络拓扑感知调度（…）策略 → X supports Y."""
    if not _INTRODUCING_VERB.search(sentence.text):
        return
    openers = clause_subjects(sentence, found)
    for i, feature in enumerate(found):
        if i == 0 or type_of(feature) not in TECHNICAL_TYPES:
            continue
        owner = found[i - 1]
        if (
            owner not in openers
            or type_of(owner) not in NAMED_TECHNICAL_TYPES
            or not _INTRODUCES.match(between(sentence, owner.end, feature.start))
        ):
            continue
        listed = _list_from(sentence, found, i, type_of)
        if _FEATURE_KIND.match(sentence.text, listed[-1].end - sentence.start):
            for item in _of_types(listed, TECHNICAL_TYPES, type_of):
                yield RULES.introduces_feature.relate(owner, item, n, sentence)


# PHP 语言的框架使用方面，ThinkPHP…;  Django 在 Python 框架中…: the frameworks of a language (a sentence
# about them: 框架 then 使用方面, 方面, 则 or ，其中; or 中/里 after 在; not a list, TensorFlow 框架，PyTorch)
_FRAMEWORKS_OF = re.compile(
    r"\s*(?:语言)?\s*(?:的)?\s*框架\s*(?:(?P<topic>使用方面|方面|则|[，,]\s*其中)|中|里)"
)
_IN_FRAMEWORKS = re.compile(r"^\s*在\s*$")


def _frameworks_of_language(
    n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf
) -> Iterator[Relation]:
    """X 在 L 框架中… / L 语言的框架使用方面，…X → X basedOn L (X: the next name, or the name right before
    在)."""
    text = sentence.text
    for i, language in enumerate(found):
        cue = _FRAMEWORKS_OF.match(text, language.end - sentence.start)
        if cue is None or type_of(language) != "Technology":
            continue
        before = found[i - 1] if i > 0 else None
        if before is not None and _IN_FRAMEWORKS.match(between(sentence, before.end, language.start)):
            framework: Mention | None = before
        elif cue.group("topic"):  # the sentence is about L's frameworks: the next name is one
            framework = found[i + 1] if i + 1 < len(found) else None
            if framework is not None and _BREAK.search(between(sentence, language.end, framework.start)):
                framework = None
        else:
            framework = None  # 在 Flink 框架里也实现…: no framework named before 在
        if (
            framework is not None
            and type_of(framework) in NAMED_TECHNICAL_TYPES
            and framework.slug != language.slug
        ):
            yield RULES.framework_of.relate(framework, language, n, sentence)


# TensorFlow和LarC的框架模型是通过Firefly运行在…上: what runs through X (the names that open the clause)
_THROUGH = re.compile(r"通过\s*$")
_RUN_VERB = re.compile(r"\s*(?:来|进行)?(?:运行|调度|部署|编排|提交)")
_THROUGH_GAP = re.compile(r"^[^，,。；;]{0,10}?(?:是|都|均|可以|可|会)?\s*$")
# …平台，主要用来管理…Flink任务: what a platform named in the clause before runs
_USED_TO_RUN = re.compile(r"[，,]\s*(?:主要|专门)?(?:用来|用于)(?:管理|调度|运行|编排)")
_JOB_NOUN = re.compile(r"\s*(?:任务|作业|工作负载)")
_RUNNERS = NAMED_TECHNICAL_TYPES | frozenset({"Vendor"})


def _run_through(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """A 和 B 的…是通过 X 运行 → X supports A, B;  X…，主要用来管理…Y任务 → X supports Y."""
    text = sentence.text
    for i, runner in enumerate(found):
        if i == 0 or type_of(runner) not in _RUNNERS:
            continue
        through = _THROUGH.search(text, 0, runner.start - sentence.start)
        if through is None or not _RUN_VERB.match(text, runner.end - sentence.start):
            continue
        clause_start = max(text.rfind(c, 0, runner.start - sentence.start) for c in "，,；;：:。") + 1
        in_clause = [m for m in found[:i] if m.start - sentence.start >= clause_start]
        if not in_clause:
            continue
        listed = _list_from(sentence, found, found.index(in_clause[0]), type_of)
        gap = between(sentence, listed[-1].end, sentence.start + through.start())
        if listed[-1] != in_clause[-1] or not _THROUGH_GAP.match(gap):
            continue
        for item in _of_types(listed, TECHNICAL_TYPES, type_of):
            yield RULES.runs_through.relate(runner, item, n, sentence)
    for cue in _USED_TO_RUN.finditer(text):
        at = sentence.start + cue.start()
        before = [m for m in found if m.end <= at and type_of(m) in _RUNNERS]
        clause_end = _CLAUSE.search(text, cue.end())
        stop = sentence.start + (clause_end.start() if clause_end else len(text))
        jobs = [
            m
            for m in found
            if sentence.start + cue.end() <= m.start
            and m.end <= stop
            and type_of(m) in TECHNICAL_TYPES
            and _JOB_NOUN.match(text, m.end - sentence.start)
        ]
        if before and jobs and not _CLAUSE.search(between(sentence, before[-1].end, at)):
            for job in jobs:
                yield RULES.runs_through.relate(before[-1], job, n, sentence)


# 所有核心金融系统都已容器化: an industry's systems made into X (X化) use X
_INDUSTRY_SYSTEMS = re.compile(
    r"\s*(?:行业|业)?(?:的)?(?:核心)?(?:系统|业务|应用|网站|平台)\s*(?:都|均|也)?(?:已经|已|全部|全面|逐步|正在)?\s*$"
)
_MADE_INTO = re.compile(r"化")
_INDUSTRY_MADE_INTO = _NeighbourCue(frozenset({"Industry"}), TECHNICAL_TYPES, _INDUSTRY_SYSTEMS, _MADE_INTO)
# 在 Volcano 调度器中启用动态资源分配 (DRA) 支持: X supports what is enabled in it
_ENABLED_IN = re.compile(r"^\s*(?:调度器|平台|集群|系统)?\s*中\s*(?:启用|开启|打开)\s*[^，。；]{0,12}?$")
_ENABLED_END = re.compile(r"\s*(?:[（(][^）)]{0,20}[）)]|[）)])?\s*(?:的)?支持")  # …分配 (DRA) 支持
_ENABLED_IN_SYSTEM = _NeighbourCue(NAMED_TECHNICAL_TYPES, TECHNICAL_TYPES, _ENABLED_IN, _ENABLED_END)


def _made_into(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """所有核心金融系统都已容器化 → 容器 usedByIndustry 金融;  在 X 中启用 Y 支持 → X supports Y."""
    for _, a, b, gap in neighbours(sentence, found):
        if _INDUSTRY_MADE_INTO.fits(sentence, a, b, gap, type_of):
            yield RULES.industry_made_into.relate(b, a, n, sentence)
        if _ENABLED_IN_SYSTEM.fits(sentence, a, b, gap, type_of) and between(
            sentence, sentence.start, a.start
        ).rstrip().endswith("在"):
            yield RULES.enabled_in.relate(a, b, n, sentence)


def _purposes(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """X 是专为 A 设计的… → X supports A;  X …实现了 A、B 等能力 → X supports A, B."""
    yield from _DESIGNED_FOR_LIST.relations(n, sentence, found, type_of)
    yield from _CAPABILITY_LIST.relations(n, sentence, found, type_of)


def list_relations(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """Every enumeration and topic-carry-over rule on one sentence (``found``: its mentions, in order)."""
    yield from _supports(n, sentence, found, type_of)
    yield from _members(n, sentence, found, type_of)
    yield from _sub_projects(n, sentence, found, type_of)
    yield from _makers(n, sentence, found, type_of)
    yield from _industries(n, sentence, found, type_of)
    yield from _scenarios(n, sentence, found, type_of)
    yield from _fields_of_use(n, sentence, found, type_of)
    yield from _foundations(n, sentence, found, type_of)
    yield from _compositions(n, sentence, found, type_of)
    yield from _categories(n, sentence, found, type_of)
    yield from _purposes(n, sentence, found, type_of)
    yield from _definitions(n, sentence, found, type_of)
    yield from _used_as(n, sentence, found, type_of)
    yield from _introduced_features(n, sentence, found, type_of)
    yield from _frameworks_of_language(n, sentence, found, type_of)
    yield from _run_through(n, sentence, found, type_of)
    yield from _made_into(n, sentence, found, type_of)
