"""Questions that name their subject by what it did (two hops): "开源KubeEdge的那家云厂商，其CTO是谁？" asks
first which cloud vendor open-sourced KubeEdge, then that vendor's CTO. "……由哪家公司运营？这家公司的估值是
多少？" asks the same way across two parts.

``find_bridge`` cuts such a question into the clause that describes the unknown entity and the question
asked about it, with the entity types the describing noun wants; ``bridge_entity`` finds the entity in the
best sentences for the description (an entity of a wanted type that the description does not name itself);
``rewrite`` puts its name where the question referred to it.

>>> b = find_bridge("开源KubeEdge的那家云厂商，其CTO是谁？")
>>> b.first, b.then, b.types
('开源KubeEdge的云厂商', '其CTO是谁？', ('Vendor', 'Organization'))
>>> rewrite(b.then, "华为云")
'华为云的CTO是谁？'
>>> b = find_bridge("拥有3.5亿用户的蚂蚁森林由哪家公司运营？这家公司的估值是多少？")
>>> b.first, b.then
('拥有3.5亿用户的蚂蚁森林由哪家公司运营？', '这家公司的估值是多少？')
>>> rewrite(b.then, "蚂蚁金服")
'蚂蚁金服的估值是多少？'
>>> find_bridge("KubeEdge的贡献者来自多少个国家？") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kg.qa.parts import split_parts
from kg.qa.selection import Candidate
from kg.surface_matcher import SurfaceMatcher

__all__ = ["BRIDGE_SENTENCES", "Bridge", "bridge_entity", "find_bridge", "rewrite"]

# The best sentences for the description searched for the entity it describes. On the dev split over
# {1, 2, 3, 5}: 1 and 2 answer 3 of the 12 dev questions with a description, 3 and 5 a fourth only through
# a wrong entity (CNCF for the 生活分享社区公司 of a sentence about 小红书); 2 keeps a second chance.
BRIDGE_SENTENCES = 2

# Nouns that say what kind of entity a describing clause names, and the entity types they want.
_ORGANISATION_NOUNS = "公司|企业|厂商|运营商|供应商|服务商|机构|组织|基金会|银行|集团"
_TECHNOLOGY_NOUNS = "平台|项目|组件|工具|框架|语言|产品|系统|插件"
_KIND_NOUNS = f"{_ORGANISATION_NOUNS}|{_TECHNOLOGY_NOUNS}"
_ORGANISATION_TYPES = ("Vendor", "Organization")
_NOUN_TYPES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(f"(?:{_ORGANISATION_NOUNS})$"), _ORGANISATION_TYPES),
    (re.compile(f"(?:{_TECHNOLOGY_NOUNS})$"), ("Technology", "Product")),
)
# What a question asks with: a describing clause holds none of these.
_ASKING = re.compile(r"哪|什么|多少|几[个家名位年次种]|谁|如何|怎样|怎么|为什么|为何|是否|吗")
# "(description)的(那家)(noun)，(question about it)": the description is one clause that asks nothing.
_DESCRIBED = re.compile(
    r"^(?P<desc>[^，,。？?；;]{2,}?)的(?:那|这)?(?:家|个|位|款|部|项|种)?"
    rf"(?P<noun>[^，,。？?；;的]{{0,8}}?(?:{_KIND_NOUNS}))[，,]\s*(?P<then>\S.*)$"
)
# A part that refers back to the entity the part before it asked for: 这家公司…, 该平台…, 它…, 其…
_REFERS = re.compile(rf"^(?:(?:这|该|那)(?:家|个|款|位|项|种)?(?:{_KIND_NOUNS})|它们?|其)")
_ASKS_ENTITY = re.compile(r"哪(?:家|个|款|位|种)?|谁")
_ASKED_NOUN = re.compile(rf"[^，,。？?]*?(?:{_KIND_NOUNS})")  # after 哪家 …
_PERSON_TYPES = _ORGANISATION_TYPES  # 谁 asks for someone: the graph knows organisations, not people


@dataclass(frozen=True)
class Bridge:
    first: str  # the text that describes (or asks for) the entity
    then: str  # the question asked about it
    types: tuple[str, ...]  # entity types the description wants


def _types_of(noun: str) -> tuple[str, ...]:
    for pattern, types in _NOUN_TYPES:
        if pattern.search(noun):
            return types
    return ()


def find_bridge(text: str) -> Bridge | None:
    """The describing clause and the question about what it describes, or None for a question that names
    its subject itself."""
    described = _DESCRIBED.match(text.strip())
    if described and not _ASKING.search(described["desc"]) and _ASKING.search(described["then"]):
        noun = described["noun"]
        return Bridge(f"{described['desc']}的{noun}", described["then"], _types_of(noun))
    parts = split_parts(text)
    if len(parts) == 2 and _REFERS.match(parts[1]):
        asked = _ASKS_ENTITY.search(parts[0])
        if asked is None:
            return None
        noun = _ASKED_NOUN.match(parts[0][asked.end() :])
        types = _types_of(noun.group()) if noun else _PERSON_TYPES if asked.group() == "谁" else ()
        if types:
            return Bridge(parts[0], parts[1], types)
    return None


def rewrite(then: str, name: str) -> str:
    """The question about the entity with its name where the question referred to it ("其CTO" → "华为云的
    CTO"), or in front when it did not."""
    refers = _REFERS.match(then)
    if refers is None:
        return f"{name}{then}"
    joiner = "的" if refers.group() == "其" else ""
    return f"{name}{joiner}{then[refers.end() :]}"


def bridge_entity(
    ranked: Sequence[Candidate],
    types: tuple[str, ...],
    named: set[str],
    matcher: SurfaceMatcher,
    entity_type: Callable[[str], str | None],
) -> tuple[str, Candidate] | None:
    """The name (as the sentence writes it) and the sentence of the first entity of a wanted type in the
    BRIDGE_SENTENCES best sentences for the description, other than the entities it names (``named``)."""
    for candidate in ranked[:BRIDGE_SENTENCES]:
        for match in matcher.find(candidate.sentence.text):
            if match.contextual or match.slug in named:
                continue
            if entity_type(match.slug) in types:
                return match.surface, candidate
    return None
