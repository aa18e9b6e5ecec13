"""A company's role in one report: the lexicon types 百度, 京东 and 阿里巴巴 as Vendors because they sell
cloud and IT services, but the annotation guidelines (docs/annotation.md) call a company a Vendor only
where it is presented as a provider; an investor, a parent group, an end user or a competitor is an
Organization. This module reads that role from the clauses that name the company.

A known vendor is an Organization in a report when no clause that names it (with the clause before)
says anything of IT provision (a cloud, containers, open source, a product, a chip, a contribution, a
membership …) or names a known technology or product before it (Rancher是SUSE的一部分: SUSE owns it),
or when the company adopts what the clause names (BOE 集团引入自动缺陷分类系统):

>>> end_user("近年来接受了来自 BAT（百度、阿里巴巴、腾讯）和京东的民营投资", ["百度"])
True
>>> end_user("截至目前为止，阿里巴巴开源了 100 多个项目", ["阿里巴巴"])
False
>>> end_user("Rancher是SUSE的一部分", ["SUSE"], names_a_technology=True)
False
>>> end_user("BOE 率先在一个工厂引入 ADC", ["BOE"], names_a_technology=True)
True

A name that holds 云 is a cloud business (阿里云, 联通云, 亚马逊云科技) and stays a Vendor whatever its
clauses say; so does a name discovered in the report (its own rules typed it, from its suffix or the
word 公司 beside it).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import replace

from ingest.document import ExtractedEntity, Mention, Passage, Sentence
from ingest.relation_cues import ADOPTION_VERBS
from kg.namespaces import NAMED_TECHNICAL_TYPES

__all__ = ["COMPANY_LIST_CUE", "PROVIDER_CUES", "end_user", "report_roles"]

# words of a clause that present a company as a provider of IT: what it sells or makes (云, 容器, 产品,
# 芯片, 软件, 数据库, 解决方案), how it gives it (推出, 发布, 提供, 开源, 贡献, 捐赠, 赞助), the trade
# (厂商, 服务商) and the membership of the bodies such firms join (会员). Chosen on the dev split: every
# dev vendor the gold keeps has one of these in a clause naming it (VMWare next to 容器化, 华为升腾芯片,
# AMD的GPU, Giant Swarm … Kubernetes 集群); generic nouns such as 系统, 平台, 技术 are left out, for end
# users build systems and platforms too (BOE 启动了工业智能检测平台的建设)
PROVIDER_CUES = re.compile(
    r"云|容器|厂商|服务商|供应商|提供商|开源|贡献|捐赠|赞助|会员|推出|发布|提供|产品|芯片|GPU|硬件|"
    r"软件|数据库|解决方案|咨询|Kubernetes|K8s|PaaS|IaaS|SaaS",
    re.IGNORECASE,
)
# a clause: the text between two clause or sentence marks (a colon does not end one: 白金：阿里云、京东)
_CLAUSE = re.compile(r"[^，,。；;！!？?\n]+")
# clauses before the one naming the company that are read with it (on dev: 0 loses Alibaba as the
# answer to a question about open source, 1 keeps it and every end user; the sentence as a whole, 开源技术
# and 商业产品 in a sentence about 中国联通's investors BAT, loses four end users)
CLAUSES_BEFORE = 1
# what may stand between a company and the verb that makes it an adopter (BOE 率先在一个工厂引入 ADC)
_ADOPTER_GAP = r"[^，,。；;、]{0,8}?"
# known names of these types written before a company in its clause make the clause one about IT, names
# of the lexicon only (an acronym discovered in the report may stand for companies: BAT（百度、阿里巴巴）) (on
# dev, anywhere in the clause loses BOE, whose own systems follow its name; before it, no dev change and
# the finops sample keeps SUSE, 'Rancher是SUSE的一部分')
_IT_NAME_TYPES = NAMED_TECHNICAL_TYPES
# a known technology's name used for the company behind it: the example of a kind of company (像 Rancher
# 这样的公司; a bare 公司 after it is a company of that field: AI 公司, on dev the only ones), or the
# agent of making or open-sourcing something (K3s由Rancher开源)
_COMPANY_AFTER = re.compile(r"\s*(?:这样的|这类|等)公司")
_AGENT_BEFORE = re.compile(r"由\s*$")
_MAKES_AFTER = re.compile(r"\s*(?:开源|开发|推出|发布)")
# a list the text introduces as one of organisations or companies (参与的组织包括华为云、道客、…、ARM、…):
# a known technology in it is the company named after what it makes
COMPANY_LIST_CUE = re.compile(r"(?:组织|企业|公司|厂商|成员|伙伴)(?:包括|有)[：:]?")
_IN_COMPANY_LIST = re.compile(COMPANY_LIST_CUE.pattern + r"[^，,。；;：:！!？?\n]*、\s*$")
# a name with 云 in it is a cloud business, a provider wherever it stands
_CLOUD_NAME = re.compile(r"云")


def end_user(clause: str, names: Iterable[str], names_a_technology: bool = False) -> bool:
    """Whether ``clause``, once the company's own ``names`` are taken out, presents it as anything but a
    provider: no provider cue and no known technology or product beside it (``names_a_technology``:
    Rancher是SUSE的一部分), or the company adopting what the clause names (BOE 集团引入自动缺陷分类系统)."""
    for name in names:
        if re.search(re.escape(name) + _ADOPTER_GAP + ADOPTION_VERBS.pattern, clause):
            return True
    for name in names:
        clause = clause.replace(name, " ")
    return not names_a_technology and PROVIDER_CUES.search(clause) is None


def report_roles(
    passages: tuple[Passage, ...], entities: dict[str, ExtractedEntity], mentions: tuple[Mention, ...]
) -> dict[str, ExtractedEntity]:
    """``entities`` with each known vendor that no clause of the report presents as a provider typed
    Organization."""
    sentences = [s for p in passages for s in p.sentences]
    starts = [s.start for s in sentences]
    technical = sorted(
        (m.start, m.slug)
        for m in mentions
        if m.slug in entities and entities[m.slug].type in _IT_NAME_TYPES and not entities[m.slug].discovered
    )
    surfaces: dict[str, set[str]] = {}
    for mention in mentions:
        entity = entities.get(mention.slug)
        if entity is not None and _role_depends_on_context(entity):
            surfaces.setdefault(mention.slug, set()).add(mention.surface)
    provider: set[str] = set()
    for mention in mentions:
        if mention.slug not in surfaces or mention.slug in provider:
            continue
        sentence = sentences[bisect.bisect_right(starts, mention.start) - 1]
        start, end = _clause_at(sentence, mention.start)
        beside = any(start <= at < mention.start for at, _slug in technical)
        clause = sentence.text[start - sentence.start : end - sentence.start]
        if not end_user(clause, surfaces[mention.slug], beside):
            provider.add(mention.slug)
    companies = _technologies_named_as_companies(sentences, starts, entities, mentions)
    return {
        slug: replace(e, type="Organization")
        if slug in surfaces and slug not in provider
        else replace(e, type="Vendor")
        if slug in companies
        else e
        for slug, e in entities.items()
    }


def _technologies_named_as_companies(
    sentences: list[Sentence],
    starts: list[int],
    entities: dict[str, ExtractedEntity],
    mentions: tuple[Mention, ...],
) -> set[str]:
    """Slugs of known technologies the report names as a company: 像 Rancher 这样的公司, K3s由Rancher开源,
    参与的组织包括华为云、…、ARM."""
    found: set[str] = set()
    for mention in mentions:
        entity = entities.get(mention.slug)
        if entity is None or entity.type != "Technology" or entity.discovered:
            continue
        sentence = sentences[bisect.bisect_right(starts, mention.start) - 1]
        before = sentence.text[: mention.start - sentence.start]
        after = sentence.text[mention.end - sentence.start :]
        if (
            _COMPANY_AFTER.match(after)
            or (_AGENT_BEFORE.search(before) and _MAKES_AFTER.match(after))
            or _IN_COMPANY_LIST.search(before)
        ):
            found.add(mention.slug)
    return found


def _role_depends_on_context(entity: ExtractedEntity) -> bool:
    return entity.type == "Vendor" and not entity.discovered and not _CLOUD_NAME.search(entity.label)


def _clause_at(sentence: Sentence, offset: int) -> tuple[int, int]:
    """Where the clause of ``sentence`` that holds the report offset ``offset`` starts and ends, with
    the clause before it (在“哪个公司对于开源软件的贡献最大”这一问题的调查中，…Alibaba 是前三甲: the
    question is the cue)."""
    clauses = list(_CLAUSE.finditer(sentence.text))
    for i, m in enumerate(clauses):
        if m.start() <= offset - sentence.start < m.end():
            first = clauses[max(0, i - CLAUSES_BEFORE)].start()
            return sentence.start + first, sentence.start + m.end()
    return offset, offset
