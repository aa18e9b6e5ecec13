"""Discover entities that the lexicon does not know, with rules that favour precision.

- policy titles in 《》 that read like policies (规划, 指南, 意见 …);
- organisation names ending in an organisation suffix (…科技, …集团, …基金会, …联盟, …研究院 …) that
  stand alone between list separators or after a function word;
- names in a list (A、B、C等) whose other members are lexicon vendors or organisations;
- product names: a vendor brand followed by a capitalised name (Amazon X, AWS X, 华为云 X) and
  CamelCase names (BeyondContainer), typed Product after a vendor name, Technology otherwise.

Every discovered entity is marked ``discovered`` so that a curator can review it. Its IRI comes from its
canonical name alone (``entity_slug``: width, case and spaces folded; organisations without their legal
form), never from the report, so the same name found in two reports is one entity (docs/linking.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ingest.document import ExtractedEntity, Mention, Passage, Sentence
from kg.lexicon import Lexicon
from kg.namespaces import entity_slug, normalize_name, preferred_type
from kg.tokenize import TITLE_RE, WordSegmenter

__all__ = ["canonical_name", "discover_entities"]

POLICY_CUES = re.compile(
    r"规划|指南|意见|通知|办法|方案|计划|纲要|条例|规定|政策|行动|指导|标准|白皮书|要求|指引|措施|细则|决定|规范|模型|法$"
)
ORG_SUFFIX = re.compile(
    r"(?:科技股份有限公司|科技有限公司|股份有限公司|有限公司|有限责任公司|网络科技|信息技术|科技|集团|公司|"
    r"基金会|联盟|研究院|研究所|协会|委员会|实验室)$"
)
_BOUNDARY = (
    r"(?:^|[、，,；;：:（(“\"《》\s]|由|与|和|及|是|被|向|对|在|据|将|如|"
    r"包括|例如|其中|联合|携手|拜访了|以及)"
)
ORG_IN_TEXT = re.compile(
    _BOUNDARY + r"([A-Za-z0-9\u4e00-\u9fff]{2,12}?(?:科技股份有限公司|科技有限公司|股份有限公司|有限公司|"
    r"有限责任公司|网络科技|信息技术|科技|集团|基金会|联盟|研究院|研究所|协会))(?=[、，,。；;：:）)”\"等和与及的在推发提开是为将于]|$)"
)
_LIST_ITEM = re.compile(r"[A-Za-z0-9\u4e00-\u9fff][A-Za-z0-9\u4e00-\u9fff .\-]{0,14}")
_LIST_RUN = re.compile(r"(?:[^、，,。；;：:（()）“”\s]{1,15}、){1,}[^、，,。；;：:（()）“”\s]{1,15}")
_BRAND_PRODUCT = re.compile(
    r"(Amazon|AWS|Azure|Google|Microsoft|阿里云|华为云|腾讯云|百度智能云)\s?((?:[A-Z][A-Za-z0-9]*)(?:\s(?:[A-Z][A-Za-z0-9]*)){0,3})"
)
_CAMEL = re.compile(r"(?<![A-Za-z0-9])[A-Z][a-z]+(?:[A-Z][a-z0-9]*)+[A-Za-z0-9]*(?![A-Za-z0-9])")
_LEADING_NOISE = re.compile(
    r"^(?:.*?(?:厂商|服务商|提供商|供应商|企业|机构)(?=.{2,}))?(?:的|了|和|与|及|等|在|为|是|由|对|将|从|向|如|于)*"
)
_GENERIC = frozenset(
    {"科技", "集团", "公司", "联盟", "基金会", "研究院", "本土", "国内", "国外", "我国", "互联网"}
)
_FUNCTION_WORDS = re.compile(r"了|的|是|在|包括|我们|他们|以及|其中|例如|主要|通过|进行|等")
_VENDORISH = frozenset({"Vendor", "Organization"})
# legal forms dropped from a discovered organisation's name; the trade name that remains must still end
# like an organisation (科技, 集团 …) or be at least two characters
_LEGAL_FORM = re.compile(r"(?:股份有限公司|有限责任公司|有限公司)$")


def discover_entities(
    passages: tuple[Passage, ...],
    lexicon: Lexicon,
    segmenter: WordSegmenter,
    known: list[Mention],
) -> Iterator[tuple[ExtractedEntity, list[Mention]]]:
    """Yield each discovered entity once, with all its mentions in the report."""
    found: dict[str, _Found] = {}
    known_spans = [(m.start, m.end) for m in known]
    known_by_pos = {m.start: m for m in known}

    def add(name: str, type_: str, passage: Passage, start: int, end: int) -> None:
        name = name.strip()
        if len(name) < 2 or name in _GENERIC or lexicon.resolve(name) is not None:
            return
        if any(s <= start and end <= e for s, e in known_spans):
            return
        canonical = canonical_name(name, type_, lexicon)
        slug = entity_slug(canonical)
        if slug in lexicon:
            return
        entry = found.setdefault(slug, _Found(canonical))
        entry.types.add(type_)
        if name != canonical:
            entry.aliases.add(name)
        if all(m.start != start for m in entry.mentions):
            entry.mentions.append(Mention(slug, passage.n, start, end, name))

    for passage in passages:
        for sentence in passage.sentences:
            for name, type_, start, end in _candidates(sentence, lexicon, segmenter, known_by_pos):
                add(name, type_, passage, start, end)
    # second pass: every further occurrence of a discovered name (or of a longer form of it) is a mention
    names = {
        normalize_name(form): (slug, form)
        for slug, entry in found.items()
        for form in (entry.label, *sorted(entry.aliases))
    }
    for passage in passages:
        for sentence in passage.sentences:
            folded = normalize_name(sentence.text)
            if len(folded) != len(sentence.text):
                continue
            for name, (slug, form) in names.items():
                for m in re.finditer(re.escape(name), folded):
                    add(
                        form,
                        found[slug].type,
                        passage,
                        sentence.start + m.start(),
                        sentence.start + m.end(),
                    )
    for slug, entry in found.items():
        yield entry.entity(slug), entry.mentions


@dataclass
class _Found:
    """A discovered entity while its report is read: every type and longer form the rules gave it."""

    label: str
    types: set[str] = field(default_factory=set)
    aliases: set[str] = field(default_factory=set)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def type(self) -> str:
        # rules may type one name differently in two sentences; the same precedence as across reports
        return preferred_type(self.types) or "Concept"

    def entity(self, slug: str) -> ExtractedEntity:
        lang = "en" if self.label.isascii() else "zh"
        return ExtractedEntity(slug, self.label, self.type, True, lang, tuple(sorted(self.aliases)))


def canonical_name(name: str, type_: str, lexicon: Lexicon) -> str:
    """The name a discovered organisation is known by across reports: without its legal form
    (云霁科技有限公司 and 云霁科技 are one company). Other names are kept as written.

    >>> canonical_name("云霁科技有限公司", "Vendor", Lexicon.load())
    '云霁科技'
    >>> canonical_name("东岳算力研究院", "Organization", Lexicon.load())
    '东岳算力研究院'
    """
    if type_ not in _VENDORISH:
        return name
    short = _LEGAL_FORM.sub("", name)
    if len(short) < 2 or short in _GENERIC or lexicon.resolve(short) is not None:
        return name
    return short


def _candidates(
    sentence: Sentence, lexicon: Lexicon, segmenter: WordSegmenter, known_by_pos: dict[int, Mention]
) -> Iterator[tuple[str, str, int, int]]:
    text, base = sentence.text, sentence.start
    for m in TITLE_RE.finditer(text):
        if POLICY_CUES.search(m.group()):
            yield m.group(), "Policy", base + m.start(), base + m.end()
    for m in ORG_IN_TEXT.finditer(text):
        name = _LEADING_NOISE.sub("", m.group(1))
        if _plausible_org(name, lexicon, segmenter):
            start = base + m.end(1) - len(name)
            yield name, _org_type(name), start, base + m.end(1)
    yield from _list_members(text, base, lexicon, segmenter)
    for m in _BRAND_PRODUCT.finditer(text):
        yield m.group(0), "Product", base + m.start(), base + m.end()
    for m in _CAMEL.finditer(text):
        before = known_by_pos.get(_previous_mention_start(known_by_pos, base + m.start()))
        after_vendor = (
            before is not None
            and lexicon.entries.get(before.slug) is not None
            and (lexicon.entries[before.slug].type == "Vendor")
        )
        yield m.group(), "Product" if after_vendor else "Technology", base + m.start(), base + m.end()


def _plausible_org(name: str, lexicon: Lexicon, segmenter: WordSegmenter) -> bool:
    """Reject common words (金融科技, 高科技) and phrases (注重新兴科技) that end like an organisation."""
    suffix = ORG_SUFFIX.search(name)
    stem = name[: suffix.start()] if suffix else name
    if len(stem) < 2 or len(stem) > 8 or segmenter.is_common_word(name):
        return False
    stem_entry = lexicon.resolve(stem)
    if stem_entry is not None and stem_entry.type in {"Industry", "Concept", "Technology"}:
        return False
    tags = segmenter.pos_tags(stem)
    return not any(flag[:1] in {"v", "d", "a", "p", "c", "u", "r"} for _w, flag in tags)


def _previous_mention_start(known_by_pos: dict[int, Mention], pos: int) -> int:
    """Start of a known mention that ends exactly at ``pos`` (a vendor written right before a name)."""
    for start, mention in known_by_pos.items():
        if mention.end == pos:
            return start
    return -1


def _org_type(name: str) -> str:
    if ORG_SUFFIX.search(name) and re.search(r"科技|有限公司|集团|公司|网络|信息技术", name):
        return "Vendor"
    return "Organization"


def _list_members(
    text: str, base: int, lexicon: Lexicon, segmenter: WordSegmenter
) -> Iterator[tuple[str, str, int, int]]:
    """Unknown members of an A、B、C list whose known members are all vendors or organisations."""
    for run in _LIST_RUN.finditer(text):
        items: list[tuple[str, int]] = []
        pos = run.start()
        for raw in run.group().split("、"):
            items.append((raw, pos))
            pos += len(raw) + 1
        known_types = [t for raw, _ in items if (t := _known_type(raw, lexicon, segmenter))]
        if len(known_types) < 2 or not set(known_types) <= _VENDORISH:
            continue
        type_ = max(set(known_types), key=known_types.count)
        for raw, start in items:
            name = _LEADING_NOISE.sub("", raw.strip())
            name = re.sub(r"(?:等.*|（.*|\(.*)$", "", name)
            if _known_type(raw, lexicon, segmenter) or not _LIST_ITEM.fullmatch(name):
                continue
            if _FUNCTION_WORDS.search(name) or len(name) > 10:
                continue
            offset = raw.find(name)
            yield name, type_, base + start + offset, base + start + offset + len(name)


def _known_type(item: str, lexicon: Lexicon, segmenter: WordSegmenter) -> str | None:
    """Type of the lexicon name a list item is (or ends with: 我们拜访了阿里云 → Vendor)."""
    item = re.sub(r"(?:等.*|（.*|\(.*)$", "", item.strip())
    entry = lexicon.resolve(item, cloud_context=True)
    if entry is not None:
        return entry.type
    matches = segmenter.matcher.find(item)
    if matches and matches[-1].end == len(item):
        return lexicon.entries[matches[-1].slug].type
    return None
