"""Discover the unknown names of a bulleted list whose known names share a kind:

    * Linux 基金会            - Doris（原 Palo）
    * OpenStack 基金会        - Dubbo
    * Creative Commons        - ECharts：2018 年 03 月加入 ASF 孵化器

Each bullet names one thing first (the words before a colon, a bracket or the first space after a
Latin-script name); when at least ``BULLET_MIN_KNOWN`` of those names are known and all are
organisations, the unknown ones are organisations; when all are technologies or products, the unknown
Latin-script ones are technologies (a Chinese phrase in a list of projects may be anything). A list of
companies is left alone: whether a company sells IT or uses it is not in the list (滴滴, 小米 beside
阿里巴巴), and a list of people (蒋涛：CSDN 创始人) has no known member.

Measured on the dev split of the real-world corpus (docs/ingest.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from kg.namespaces import NAMED_TECHNICAL_TYPES

__all__ = ["BULLET_MIN_KNOWN", "BULLET_NAME_MAX_CHARS", "account_owners", "bullet_list_members"]

BULLET_MIN_KNOWN = 2  # known names a bulleted list needs before its other names take their kind
BULLET_NAME_MAX_CHARS = 30  # a longer first phrase is a sentence, not a name
_BULLET = re.compile(r"^[ \t]*[-*+•][ \t]+", re.MULTILINE)
_LATIN_HEAD = re.compile(
    r"[A-Za-z][A-Za-z0-9]*(?:[-_.+#][A-Za-z0-9+#]+)*(?: [A-Z][A-Za-z0-9]*(?:[-_.+#][A-Za-z0-9+#]+)*){0,3}"
    r"(?=[ \t]*(?:\n|$|[（(：:，,]|[\u4e00-\u9fff]))"
)
# the words before a colon or a bracket (自由软件基金会（FSF）, Eclipse 基金会, 360：https://…)
_PHRASE_HEAD = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9][\u4e00-\u9fffA-Za-z0-9 .\-]*?(?=[ \t]*(?:\n|$|[（(：:]))"
)
# a bullet that labels a web address (Slack: https://…, 文档: https://…) names where to go, not a thing
_LINK_LABEL = re.compile(r"[ \t]*[:：][ \t]*(?:https?://|www\.)")
_ORGANISATION = "Organization"
# a bullet that labels the account page of a code host (- 360：https://github.com/qihoo360): the label
# names the account's owner; an address with a repository after the account (项目地址：github.com/a/b)
# names a project, not an owner
ACCOUNT_OWNER_MAX_CHARS = 12  # a longer label is a phrase, not a company's name
_ACCOUNT_LINK = re.compile(
    r"^[ \t]*[-*+•][ \t]+(?P<label>[\u4e00-\u9fffA-Za-z0-9][\u4e00-\u9fffA-Za-z0-9 .&\-]{0,"
    + str(ACCOUNT_OWNER_MAX_CHARS - 1)
    + r"}?)[ \t]*[:：][ \t]*https?://(?:www\.)?(?:github\.com|gitee\.com|gitlab\.com)/[A-Za-z0-9_.\-]+/?(?=[\s)\]]|$)",
    re.MULTILINE,
)
# labels that name a page rather than its owner (社区, 官网, 项目地址, 代码仓库)
_PAGE_LABEL = re.compile(r"(?:地址|仓库|社区|官网|主页|项目|文档|代码|链接|组织)$")


def bullet_list_members(
    text: str, base: int, kind_of: Callable[[str], str | None]
) -> Iterator[tuple[str, str, int, int]]:
    """(name, type, start, end) of each unknown name that opens a bullet of a list in ``text``;
    ``kind_of`` gives the type of a known name (None when unknown)."""
    for group in _bullet_groups(text, kind_of):
        kinds = [kind_of(name) if name else None for name, _at in group]
        known = [kind for kind in kinds if kind is not None]
        if len(known) < BULLET_MIN_KNOWN:
            continue
        if all(kind == _ORGANISATION for kind in known):
            type_, latin_only = _ORGANISATION, False
        elif all(kind in NAMED_TECHNICAL_TYPES for kind in known):
            type_, latin_only = "Technology", True
        else:
            continue
        for (name, at), kind in zip(group, kinds, strict=True):
            if kind is not None or len(name) < 2 or (latin_only and not name.isascii()):
                continue
            if not _LINK_LABEL.match(text, at + len(name)):
                yield name, type_, base + at, base + at + len(name)


def account_owners(text: str, base: int) -> Iterator[tuple[str, int, int]]:
    r"""(name, start, end) of each owner of a code-hosting account a bullet labels: a company or a
    community, typed Organization by the caller (whether it sells IT is not in the list).

    >>> text = "- 360：https://github.com/qihoo360\n- 小米：https://github.com/xiaomi"
    >>> [n for n, _, _ in account_owners(text, 0)]
    ['360', '小米']
    >>> list(account_owners("- 项目地址：https://github.com/kubeedge\n- Kthena：https://github.com/a/b", 0))
    []
    """
    for m in _ACCOUNT_LINK.finditer(text):
        label = m.group("label").strip()
        if not _PAGE_LABEL.search(label):
            yield label, base + m.start("label"), base + m.start("label") + len(label)


def _bullet_groups(text: str, kind_of: Callable[[str], str | None]) -> list[list[tuple[str, int]]]:
    """The first names of consecutive bullets, with their offsets in ``text``."""
    groups: list[list[tuple[str, int]]] = []
    current: list[tuple[str, int]] = []
    previous_end = -1  # where the line of the previous bullet ends
    for m in _BULLET.finditer(text):
        if current and text.find("\n", previous_end + 1, m.start() + 1) != -1:
            groups.append(current)  # a line that is not a bullet (or a blank one) ends the list
            current = []
        end_of_line = text.find("\n", m.end())
        previous_end = end_of_line if end_of_line >= 0 else len(text)
        current.append((_first_name(text, m.end(), previous_end, kind_of), m.end()))
    if current:
        groups.append(current)
    return groups


def _first_name(text: str, start: int, end: int, kind_of: Callable[[str], str | None]) -> str:
    """The name a bullet opens with: its words before a colon or bracket when they are a known name,
    else its first Latin-script name (Dropbox 的开源进化史); "" for a bullet that opens with a sentence."""
    phrase = _PHRASE_HEAD.match(text, start, end)
    if phrase and len(phrase.group()) <= BULLET_NAME_MAX_CHARS and kind_of(phrase.group().strip()):
        return phrase.group().strip()
    latin = _LATIN_HEAD.match(text, start, end)
    if latin and len(latin.group()) <= BULLET_NAME_MAX_CHARS:
        return latin.group().strip()
    if phrase and len(phrase.group()) <= BULLET_NAME_MAX_CHARS:
        return phrase.group().strip()
    return ""
