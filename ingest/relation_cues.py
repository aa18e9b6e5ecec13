"""Clause-level relation rules: a cue word anchors the relation, the entity mentions around it fill
the roles. They complement the pairwise rules of ``ingest.relations``.

- verb phrases: ORG (推出|发布|开发出|开源了) [一个 基于Y的 category] NAME → offers / developedBy /
  openSourcedBy / issuedBy, plus NAME basedOn Y;
- apposition: a category written right before a name (容器编排工具Kubernetes) → NAME broader category;
- 前身是 / 发展成为 → predecessorOf; 的一部分 / 的一环 → partOf; 兼容 / 为Y提供…支持 → supports;
- 'X的产品和服务包括A、B、C' → offers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.document import Mention, Relation, Sentence
from ingest.relation_rule import (
    NAMED_TECHNICAL_TYPES,
    ORG_TYPES,
    TECHNICAL_TYPES,
    WRITTEN_YEAR_MONTH,
    RelationRule,
    TypeOf,
    between,
    cued_mentions,
    neighbours,
    rule_row,
)

__all__ = ["ADOPTION_VERBS", "RULES", "CueRules", "cue_relations"]


_CLAUSE = re.compile(r"[，,。；;！？：:]")
_LIST_JOIN = re.compile(r"^(?:及|和|与|、|以及|或)$")
_LOOSE_JOIN = re.compile(r"^[\u4e00-\u9fff]{0,4}(?:及|和|与|、|以及|或)$")


@dataclass(frozen=True)
class CueRules:
    """The clause-level rules, by the cue they read (confidences chosen on the dev split of the real-world
    corpus), one a line: rule_row(name, predicate, confidence)."""

    verb_object_based_on: RelationRule = rule_row("verb-object-based-on", "basedOn", 0.8)
    verb_object_issued: RelationRule = rule_row("verb-object-issued", "issuedBy", 0.9)
    verb_object_open_sourced: RelationRule = rule_row("verb-object-open-sourced", "openSourcedBy", 0.85)
    verb_object_offers: RelationRule = rule_row("verb-object-offers", "offers", 0.85)
    verb_object_developed: RelationRule = rule_row("verb-object-developed", "developedBy", 0.8)
    apposition: RelationRule = rule_row("apposition", "broader", 0.8)
    predecessor_cue: RelationRule = rule_row("predecessor-cue", "predecessorOf", 0.9)
    evolved_cue: RelationRule = rule_row("evolved-cue", "predecessorOf", 0.85)
    part_of_cue: RelationRule = rule_row("part-of-cue", "partOf", 0.85)
    compatible_with: RelationRule = rule_row("compatible-with", "supports", 0.8)
    provides_support_for: RelationRule = rule_row("provides-support-for", "supports", 0.8)
    offer_list: RelationRule = rule_row("offer-list", "offers", 0.8)
    foundation_of: RelationRule = rule_row("foundation-of", "basedOn", 0.8)
    foundation: RelationRule = rule_row("foundation", "basedOn", 0.75)
    industry_adoption: RelationRule = rule_row("industry-adoption", "usedByIndustry", 0.75)
    made_by_list: RelationRule = rule_row("made-by-list", "developedBy", 0.8)
    provides_support: RelationRule = rule_row("provides-support", "supports", 0.75)
    empowers: RelationRule = rule_row("empowers", "supports", 0.75)
    based_on_list: RelationRule = rule_row("based-on-list", "basedOn", 0.75)
    base_of: RelationRule = rule_row("base-of", "basedOn", 0.75)
    such_as: RelationRule = rule_row("such-as", "broader", 0.7)
    industries_of: RelationRule = rule_row("industries-of", "usedByIndustry", 0.7)


RULES = CueRules()


def _clause_end(sentence: Sentence, pos: int) -> int:
    m = _CLAUSE.search(sentence.text, pos - sentence.start)
    return sentence.start + m.start() if m else sentence.end


def _clause_start(sentence: Sentence, before: int) -> int:
    """Where the clause that runs up to ``before`` (an index into the sentence's text) starts."""
    marks = _CLAUSE.finditer(sentence.text, 0, before)
    return max((sentence.start + m.end() for m in marks), default=sentence.start)


_OBJECT_END = re.compile(r"[，,。；;！？：:]|并|从而|进而|同时|以来|、(?=(?:在|于)?\d{4}年|发布|推出|上线)")


def _object_end(sentence: Sentence, pos: int) -> int:
    m = _OBJECT_END.search(sentence.text, pos - sentence.start)
    return sentence.start + m.start() if m else sentence.end


def _object_names(
    sentence: Sentence, found: list[Mention], start: int, end: int, type_of: TypeOf
) -> list[Mention]:
    inside = [m for m in found if start <= m.start and m.end <= end]
    return _listed_before(sentence, inside, type_of) if inside else []


_VERB = re.compile(
    r"(?:陆续|相继|先后|率先|正式|就|又|还|也|已|已经)?(?:在|于)?"
    rf"(?:{WRITTEN_YEAR_MONTH})?(?:就|又|还|也)?"
    r"(?P<anaphor>将(?:之|其|它))?"
    r"(?P<verb>开发出|开发了|开发|研发出|研发了|研发|设计出|推出了|推出|发布了|发布|上线了|上线|开源了|开源|印发|出台|颁布)"
)
# 华为云很荣幸能够与社区其他伙伴一起推出…: the organisation acts with others (no name may stand in between)
_CO_AGENT = re.compile(
    r"\s*(?:很荣幸|荣幸地)?(?:能够|将|也|还)?(?:与|和|携手|联合)[^，。；A-Za-z]{0,12}?(?:一起|共同|一道)"
)
_ADVERBS = re.compile(rf"^(?:陆续|相继|先后|率先|正式|就|又|还|也|已|已经|在|于|{WRITTEN_YEAR_MONTH}|\s)*$")
_CHAIN_GAP = re.compile(rf"^[、，,]?(?:并|又|还|也|陆续|相继|先后|在|于|{WRITTEN_YEAR_MONTH}|\s)*$")
_ANAPHOR_GAP = re.compile(rf"^[、，,]?(?:并|又|还|也|随后|在|于|{WRITTEN_YEAR_MONTH}|\s)*$")


def _verb_phrases(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """ORG + verb + object phrase, and the verbs chained after it (AWS在2014年发布X、在2017年发布Y)."""
    for subject in found:
        if type_of(subject) not in ORG_TYPES:
            continue
        co_agent = _CO_AGENT.match(sentence.text, subject.end - sentence.start)
        agent_end = sentence.start + co_agent.end() if co_agent else subject.end
        verb = _VERB.match(sentence.text, agent_end - sentence.start)
        if verb is None or not _ADVERBS.match(
            between(sentence, agent_end, sentence.start + verb.start("verb"))
        ):
            continue
        previous: list[Mention] = []
        while verb is not None:
            verb_end = sentence.start + verb.end()
            end = _object_end(sentence, verb_end)
            word = verb.group("verb")
            if verb.group("anaphor") and previous:
                for obj in previous:  # 并将之开源: the object is the one just named
                    yield from _verb_relation(n, sentence, subject, word, obj, type_of)
            else:
                previous = _object_names(sentence, found, verb_end, end, type_of)
                yield from _verb_object(n, sentence, found, subject, word, verb_end, end, type_of)
            verb = _VERB.search(sentence.text, end - sentence.start)
            if verb is None:
                break
            gap = between(sentence, end, sentence.start + verb.start("verb"))
            gap = gap[: len(gap) - len(verb.group("anaphor") or "")] if verb.group("anaphor") else gap
            if not (_ANAPHOR_GAP if verb.group("anaphor") else _CHAIN_GAP).match(gap):
                break


_BASED_ON = re.compile(r"基于$")


def _verb_object(
    n: int,
    sentence: Sentence,
    found: list[Mention],
    subject: Mention,
    word: str,
    verb_end: int,
    end: int,
    type_of: TypeOf,
) -> Iterator[Relation]:
    objects = _object_names(sentence, found, verb_end, end, type_of)
    if not objects:
        return
    objects += _comma_listed(sentence, found, objects[-1], type_of)
    for obj in objects:
        yield from _verb_relation(n, sentence, subject, word, obj, type_of)
    head = objects[0]
    for base in found:
        if verb_end <= base.start and base.end <= head.start and base not in objects:
            before = between(sentence, verb_end, base.start)
            gap = between(sentence, base.end, head.start)
            if (
                _BASED_ON.search(before)
                and re.match(r"^[\u4e00-\u9fff]{0,6}的", gap)
                and (type_of(base) in TECHNICAL_TYPES)
            ):
                yield from (RULES.verb_object_based_on.relate(o, base, n, sentence) for o in objects)


_COMMA_ITEM = re.compile(r"^\s*[，,]\s*$")
_ETC = re.compile(r"\s*等")


def _comma_listed(sentence: Sentence, found: list[Mention], last: Mention, type_of: TypeOf) -> list[Mention]:
    """博云开源的 FabEdge，Carina 等…组件: names of the object's type listed after it with commas, when 等
    closes the list (a comma alone ends the object phrase)."""
    listed: list[Mention] = []
    previous = last
    for m in found:
        if m.start < previous.end:
            continue
        if not _COMMA_ITEM.match(between(sentence, previous.end, m.start)) or type_of(m) != type_of(last):
            break
        listed.append(m)
        previous = m
    return listed if listed and _ETC.match(sentence.text, listed[-1].end - sentence.start) else []


def _verb_relation(
    n: int, sentence: Sentence, subject: Mention, word: str, obj: Mention, type_of: TypeOf
) -> Iterator[Relation]:
    s_type, o_type = type_of(subject), type_of(obj)
    if o_type == "Policy" and word in {"发布", "发布了", "印发", "出台", "颁布"}:
        yield RULES.verb_object_issued.relate(obj, subject, n, sentence)
    elif word.startswith("开源") and o_type in NAMED_TECHNICAL_TYPES:
        yield RULES.verb_object_open_sourced.relate(obj, subject, n, sentence)
    elif s_type == "Vendor" and o_type == "Product":
        yield RULES.verb_object_offers.relate(subject, obj, n, sentence)
    elif o_type in NAMED_TECHNICAL_TYPES and word[:2] in {"开发", "研发", "设计", "推出"}:
        yield RULES.verb_object_developed.relate(obj, subject, n, sentence)


_CATEGORY_LINK = re.compile(r"^(?:工具|服务|系统|平台|技术|架构|引擎|模块|框架|内核)?$")
ACRONYM_MAX = 4  # an all-capital Latin word this short after a category noun is a compound (云原生AI)


def _appositions(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """容器编排工具Kubernetes, 安全容器X-Container: a category noun right before a Latin name."""
    for _, a, b, link in neighbours(sentence, found):
        if (
            type_of(a) in {"Technology", "Concept"}
            and type_of(b) in NAMED_TECHNICAL_TYPES
            and _CATEGORY_LINK.match(link)
            and b.surface[:1].isascii()
            and not a.surface[:1].isascii()
            and not (b.surface.isupper() and len(b.surface) <= ACRONYM_MAX)  # 云原生AI: a compound
        ):
            yield RULES.apposition.relate(b, a, n, sentence)


_PREDECESSOR = re.compile(r"前身(?:是|为)")
_EVOLVED = re.compile(r"(?:进一步)?(?:发展成为|演变为|演进为|更名为|发展为)")
_PART_CUE = re.compile(
    r"(?:的|中的|中)(?:[^，。；]{0,10}的)?(?:重要|核心|关键|最基础的|基础)?(?:一部分|组成部分|一环|要素之一)"
)
_PART_VERB = re.compile(r"是|成为|被视为|视为|作为|属于")


def _cue_pairs(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    text = sentence.text
    for cue in _PREDECESSOR.finditer(text):
        at = sentence.start + cue.start()
        before = [m for m in found if m.end <= at and _clause_end(sentence, m.end) >= at]
        after = _object_names(
            sentence, found, sentence.start + cue.end(), _clause_end(sentence, at + 1), type_of
        )
        if before and after:
            yield RULES.predecessor_cue.relate(after[-1], before[-1], n, sentence)
    for cue in _EVOLVED.finditer(text):
        at = sentence.start + cue.start()
        before = [m for m in found if m.end <= at and _clause_end(sentence, m.end) >= at]
        after = [m for m in found if m.start >= sentence.start + cue.end()][:1]
        if (
            before
            and after
            and type_of(before[-1]) in TECHNICAL_TYPES
            and type_of(after[0]) in TECHNICAL_TYPES
        ):
            yield RULES.evolved_cue.relate(before[-1], after[0], n, sentence)
    for cue in _PART_CUE.finditer(text):
        at = sentence.start + cue.start()
        clause_start = _clause_start(sentence, cue.start())
        verb = None
        for v in _PART_VERB.finditer(text, clause_start - sentence.start, cue.start()):
            verb = v
        if verb is None:
            continue
        v_at = sentence.start + verb.start()
        subjects = [m for m in found if clause_start <= m.start and m.end <= v_at]
        wholes = [m for m in found if sentence.start + verb.end() <= m.start and m.end <= at]
        if (
            subjects
            and wholes
            and type_of(subjects[-1]) in TECHNICAL_TYPES
            and type_of(wholes[0]) in TECHNICAL_TYPES
        ):
            for part in _listed_before(sentence, subjects, type_of):
                yield RULES.part_of_cue.relate(part, wholes[0], n, sentence)


_SUPPORT_VERB = re.compile(r"^(?:同时|还|也|能够|可以|均|都|全面)?(?:兼容|适配|支持)(?:了)?$")
_SUPPORT_FOR = re.compile(r"^(?:能够|可以|可|将)?(?:为|对)$")
_SUPPORT_AFTER = re.compile(
    r"^(?:的[^，。；]{0,12})?(?:提供(?:了)?[^，。；]{0,12}(?:支持|支撑|运行环境|环境支持|基础环境|生态环境))"
)
_OFFER_LIST = re.compile(r"^的(?:产品和服务|产品与服务|产品|服务|产品线)(?:主要)?(?:包括|包含|涵盖|有)$")


def _supports_and_lists(
    n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf
) -> Iterator[Relation]:
    for i, a in enumerate(found):
        rest = found[i + 1 :]
        if not rest:
            continue
        b = rest[0]
        mid = between(sentence, a.end, b.start)
        if type_of(a) in TECHNICAL_TYPES and _SUPPORT_VERB.match(mid):
            for obj in [b, *_listed_after(sentence, rest, type_of, same_type=False)]:
                yield RULES.compatible_with.relate(a, obj, n, sentence)
        if (
            type_of(a) in TECHNICAL_TYPES | {"Vendor"}
            and _SUPPORT_FOR.match(mid)
            and type_of(b) in TECHNICAL_TYPES
        ):
            after = between(sentence, b.end, _clause_end(sentence, b.end))
            if _SUPPORT_AFTER.match(after):
                yield RULES.provides_support_for.relate(a, b, n, sentence)
        if type_of(a) == "Vendor" and _OFFER_LIST.match(mid):
            for obj in [b, *_listed_after(sentence, rest, type_of, same_type=False)]:
                if type_of(obj) not in ORG_TYPES:
                    yield RULES.offer_list.relate(a, obj, n, sentence)


def _listed_before(sentence: Sentence, before: list[Mention], type_of: TypeOf) -> list[Mention]:
    """The last mention of ``before`` and the ones listed with it (A、B以及C → [A, B, C])."""
    listed = [before[-1]]
    for m in reversed(before[:-1]):
        if _LIST_JOIN.match(between(sentence, m.end, listed[0].start)) and type_of(m) == type_of(listed[0]):
            listed.insert(0, m)
        else:
            break
    return listed


def _listed_after(
    sentence: Sentence, rest: list[Mention], type_of: TypeOf, *, same_type: bool = True
) -> list[Mention]:
    listed: list[Mention] = []
    previous = rest[0]
    for m in rest[1:]:
        gap = between(sentence, previous.end, m.start)
        if not (_LOOSE_JOIN.match(gap) or re.fullmatch(r"、?[\u4e00-\u9fffA-Za-z]{0,6}、", gap)):
            break
        if same_type and type_of(m) != type_of(rest[0]):
            break
        listed.append(m)
        previous = m
    return listed


_FOUNDATION = re.compile(r"以$")
FOUNDATION_REACH = 4  # 以X为基础的Y: at most this many characters between 的 and Y
_FOUNDATION_AFTER = re.compile(r"(?:架构|技术)?为(?:基础|底座|核心|基础架构|底层)(?P<of>的)?")


def _foundations(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """以X为基础的Y → Y basedOn X;  A、B以及C…都是以X为基础 → A, B, C basedOn X."""
    for i, base in cued_mentions(sentence, found, _FOUNDATION, TECHNICAL_TYPES, type_of):
        after = _FOUNDATION_AFTER.match(sentence.text, base.end - sentence.start)
        if after is None:
            continue
        if after.group("of"):
            following = [m for m in found[i + 1 :] if type_of(m) in TECHNICAL_TYPES][:1]
            if following and following[0].start - (sentence.start + after.end()) <= FOUNDATION_REACH:
                yield RULES.foundation_of.relate(following[0], base, n, sentence)
            continue
        before = [m for m in found[:i] if type_of(m) in TECHNICAL_TYPES]
        if before:
            for subject in _listed_before(sentence, before, type_of):
                yield RULES.foundation.relate(subject, base, n, sentence)


ADOPTION_VERBS = re.compile(r"(?:采用|使用|部署|引入|试水|应用|利用|运行在|运行于|迁移到|迁移至)(?:了)?")
# Words allowed between an industry and its adoption verb (金融行业已经广泛采用, 电商网站就全部运行在了,
# 电信运营商系统中使用了): the industry's firms or systems and adverbs; anything else makes the industry a
# modifier of another noun.
_ADOPTER_GAP = re.compile(
    r"^(?:等[^，。；]{0,14}的)?(?:行业|业|领域|机构|企业|用户|客户|公司|网站|系统|业务|平台)?(?:中|内)?"
    r"(?:已|已经|正在|也|均|都|就|全部|开始|纷纷|逐步|广泛|大量|率先|普遍|积极|地)*$"
)


def _industry_adoption(
    n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf
) -> Iterator[Relation]:
    """金融、能源等…行业开始试水容器云产品 → 容器云 usedByIndustry 金融, 能源."""
    for i, industry in enumerate(found):
        if type_of(industry) != "Industry" or (i + 1 < len(found) and type_of(found[i + 1]) == "Industry"):
            continue
        clause_end = _clause_end(sentence, industry.end)
        start, stop = industry.end - sentence.start, clause_end - sentence.start
        verb = ADOPTION_VERBS.search(sentence.text, start, stop)
        if verb is None or not _ADOPTER_GAP.match("".join(sentence.text[start : verb.start()].split())):
            continue
        verb_at = sentence.start + verb.start()
        if any(industry.end <= m.start and m.end <= verb_at for m in found):
            continue  # another name stands between the industry and its verb
        objects = [m for m in found if sentence.start + verb.end() <= m.start and m.end <= clause_end]
        if not objects or type_of(objects[0]) not in TECHNICAL_TYPES:
            continue
        users = _listed_before(sentence, found[: i + 1], type_of)
        for obj in [objects[0], *_listed_after(sentence, objects, type_of)]:
            for user in users:
                yield RULES.industry_adoption.relate(obj, user, n, sentence)


_BY = re.compile(r"^(?:最初|最早|最先)?由$")
_MADE = re.compile(r"(?:于\d{4}年)?(?:联合|共同)?(?:开发|研发|发布|推出|创建|发起|设计)")


def _made_by_list(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """X最初由A、B和C于2017年联合发布 → X developedBy A, B, C."""
    for i, thing in enumerate(found[:-1]):
        makers = found[i + 1 :]
        if type_of(thing) not in NAMED_TECHNICAL_TYPES or type_of(makers[0]) not in ORG_TYPES:
            continue
        if not _BY.match(between(sentence, thing.end, makers[0].start)):
            continue
        listed = [makers[0]]
        for m in _listed_after(sentence, makers, type_of, same_type=False):
            if type_of(m) not in ORG_TYPES:
                break
            listed.append(m)
        if _MADE.match(sentence.text, listed[-1].end - sentence.start):
            for maker in listed:
                yield RULES.made_by_list.relate(thing, maker, n, sentence)


_PROVIDE = re.compile(
    r"为(?P<objs>[^，。；]{1,40}?)提供(?:了)?[^，。；]{0,8}?(?:运行环境|环境支持|基础环境|生态环境|支持|支撑|保障)"
)
_BECOME_SUPPORT = re.compile(
    r"(?:成为了?|是)(?P<objs>[^，。；]{1,30}?)的(?:基础|重要)?(?:支持|支撑|基础环境|运行环境)"
)
_EMPOWER = re.compile(r"赋能")
_RUNS_ON = re.compile(
    r"(?:能够|可以|可)?在(?P<objs>[^，。；]{1,30}?)(?:等[^，。；]{0,10})?(?:上|中)(?:跨平台)?运行"
)
_MEANS = re.compile(
    r"是(?:管理|实现|构建|支撑|推动)(?P<objs>[^，。；]{1,30}?)的(?:有效|重要|关键)?(?:手段|工具|途径|方式)"
)


def _support_cues(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """X为A和B提供…支持 / X成为A、B的基础支持 / 以X赋能Y → X supports A, B."""
    text = sentence.text
    for cue in [
        *_PROVIDE.finditer(text),
        *_BECOME_SUPPORT.finditer(text),
        *_RUNS_ON.finditer(text),
        *_MEANS.finditer(text),
    ]:
        at = sentence.start + cue.start()
        clause_start = _clause_start(sentence, cue.start())
        if cue.re is not _PROVIDE and cue.re is not _BECOME_SUPPORT:
            # 'X兼容…，并能够在A上运行', 'X不仅…，也是管理A的手段': X leads the clause before
            clause_start = _clause_start(sentence, clause_start - sentence.start - 1)
        subjects = [
            m for m in found if clause_start <= m.start and m.end <= at and type_of(m) in TECHNICAL_TYPES
        ]
        lo, hi = sentence.start + cue.start("objs"), sentence.start + cue.end("objs")
        stop = text.find("等", cue.start("objs"), cue.end("objs"))
        hi = sentence.start + stop if stop != -1 else hi
        object_types = TECHNICAL_TYPES | ORG_TYPES if cue.re is _RUNS_ON else TECHNICAL_TYPES
        objects = [m for m in found if lo <= m.start and m.end <= hi and type_of(m) in object_types]
        if subjects and objects:
            for obj in objects:
                yield RULES.provides_support.relate(subjects[0], obj, n, sentence)
    for cue in _EMPOWER.finditer(text):
        at = sentence.start + cue.start()
        before = [m for m in found if m.end <= at and type_of(m) in TECHNICAL_TYPES]
        after = [m for m in found if m.start >= sentence.start + cue.end() and type_of(m) in TECHNICAL_TYPES][
            :1
        ]
        if before and after and text[: before[-1].start - sentence.start].endswith("以"):
            yield RULES.empowers.relate(before[-1], after[0], n, sentence)


_BASED_LIST = re.compile(r"基于$")
_BASE_OF = re.compile(r"(?:成为了?|是)(?P<whole>[^，。；]{1,12}?)的(?:技术)?基础(?=[，。；、]|$)")
_SUCH_AS = re.compile(r"^等$")
_KIND_NOUN = re.compile(r"\s*(?:工具|平台|框架|项目|产品|软件|数据库|语言)")


def _based_on_lists(n: int, sentence: Sentence, found: list[Mention], type_of: TypeOf) -> Iterator[Relation]:
    """基于A理念和B架构的C → C basedOn A, B;  X成为Y的基础 → Y basedOn X;  A等B → A broader B."""
    for i, first in cued_mentions(sentence, found, _BASED_LIST, TECHNICAL_TYPES, type_of):
        bases = [first, *_listed_after(sentence, found[i:], type_of, same_type=False)]
        rest = found[i + len(bases) :]
        if len(bases) < 2 or not rest:
            continue
        gap = between(sentence, bases[-1].end, rest[0].start)
        if re.fullmatch(r"[\u4e00-\u9fff]{0,4}的", gap) and type_of(rest[0]) in TECHNICAL_TYPES:
            for base in bases:
                yield RULES.based_on_list.relate(rest[0], base, n, sentence)
    for cue in _BASE_OF.finditer(sentence.text):
        at = sentence.start + cue.start()
        before = [m for m in found if m.end <= at and type_of(m) in TECHNICAL_TYPES]
        wholes = [
            m
            for m in found
            if sentence.start + cue.start("whole") <= m.start
            and m.end <= sentence.start + cue.end("whole")
            and type_of(m) in TECHNICAL_TYPES
        ]
        if before and wholes:
            yield RULES.base_of.relate(wholes[-1], before[-1], n, sentence)
    for i, a, b, gap in neighbours(sentence, found):
        if not _SUCH_AS.match(gap.strip()):
            continue
        if type_of(a) == "Industry" and type_of(b) in TECHNICAL_TYPES:
            # 能源、电信等关键信息基础设施: the infrastructure of those industries
            for user in _listed_before(sentence, found[: i + 1], type_of):
                yield RULES.industries_of.relate(b, user, n, sentence)
        elif type_of(a) == type_of(b) and _WORD_BOUNDARY.match(sentence.text, b.end - sentence.start):
            yield RULES.such_as.relate(a, b, n, sentence)
        elif (
            type_of(a) in NAMED_TECHNICAL_TYPES
            and type_of(b) in {"Technology", "Concept"}
            and _KIND_NOUN.match(sentence.text, b.end - sentence.start)
        ):  # GitHub Copilot 等 AI 工具: the category before a kind noun
            yield RULES.such_as.relate(a, b, n, sentence)


_WORD_BOUNDARY = re.compile(r"$|[，,。；;：:、）)”\s]|是|在|和|与|及|为|的")


def cue_relations(
    n: int, sentence: Sentence, found: list[Mention], named: list[Mention], type_of: TypeOf
) -> Iterator[Relation]:
    """All clause-level rules; ``named`` is ``found`` without category nouns absorbed by a name."""
    yield from _appositions(n, sentence, found, type_of)
    yield from _verb_phrases(n, sentence, found, type_of)
    yield from _cue_pairs(n, sentence, named, type_of)
    yield from _supports_and_lists(n, sentence, named, type_of)
    yield from _foundations(n, sentence, named, type_of)
    yield from _industry_adoption(n, sentence, named, type_of)
    yield from _made_by_list(n, sentence, named, type_of)
    yield from _support_cues(n, sentence, named, type_of)
    yield from _based_on_lists(n, sentence, named, type_of)
