"""Discover the members of an enumeration made of Latin-script names only: 'Speedy、Taro UI、Hydra、Nerv'.

Three or more Latin-script names joined by the enumeration comma 、 (the mark Chinese prose uses between
list items, never inside code or English text) name programs or projects; a list of companies is left to
the vendor-list rule (discover._list_members), which knows their type from its known members, and a
list of kinds of object or fields (Job、Task、Pod等资源) is made of words of an API, not of names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.lexicon import Lexicon
from kg.namespaces import ORG_TYPES

__all__ = ["latin_list_members"]

LIST_MIN_ITEMS = 3
_ITEM = r"[A-Za-z][A-Za-z0-9]*(?:[-_.+#][A-Za-z0-9+#]+)*(?: [A-Z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*){0,2}"
_RUN = re.compile(
    r"(?<![A-Za-z0-9./\-_])(" + _ITEM + r")(?:\s*、\s*(?:" + _ITEM + r")){" + str(LIST_MIN_ITEMS - 1) + r",}"
    r"(?![A-Za-z0-9_])"
)
_SPLIT = re.compile(r"\s*、\s*")
# a list the text calls tools, frameworks or projects (jupyter lab、tensorboard、code-server、wetty等
# 调试工具): its members are names even in lower case, and two of them make a list
_CUED_ITEM = r"[A-Za-z][A-Za-z0-9]*(?:[-_.+#][A-Za-z0-9+#]+)*(?: [A-Za-z][A-Za-z0-9]*){0,2}"
LIST_CUES = r"工具|框架|项目|组件|插件|引擎|库"
_CUED_RUN = re.compile(
    r"(?<![A-Za-z0-9./\-_])(" + _CUED_ITEM + r")(?:\s*、\s*(?:" + _CUED_ITEM + r"))+"
    r"(?=\s*等[\u4e00-\u9fff]{0,4}?(?:" + LIST_CUES + r"))"
)
# what a list of kinds of object or fields of code is followed by (Job、Task、Pod等资源; Namespace、
# Queue、Status等条件; Pod、Batch、Interactive任务): its members are words of an API, not names
KIND_HEADS = re.compile(
    r"\s*(?:等\s*)?(?:资源|条件|字段|参数|对象|状态|类型|指标|信息|任务|作业|事件|属性|标签|命令|文件|变量|数量)"
)
# version-like, single-letter and numbered items are not names (v1.9、v1.10; A、B、C; s0、s1)
_NOT_A_NAME = re.compile(r"v?\d[\d.]*|[A-Za-z]|[a-z]+\d+")


def latin_list_members(text: str, base: int, lexicon: Lexicon) -> Iterator[tuple[str, str, int, int]]:
    """(name, type, start, end) of each unknown member of a Latin-only enumeration in ``text``."""
    cued = [(m.start(), m.end()) for m in _CUED_RUN.finditer(text)]
    for start, end in cued:
        for name, at in _items(text, start, end):
            if lexicon.resolve(name) is None and not _NOT_A_NAME.fullmatch(name):
                yield name, "Technology", base + at, base + at + len(name)
    for run in _RUN.finditer(text):
        if any(s <= run.start() < e for s, e in cued):
            continue
        if KIND_HEADS.match(text, run.end()):
            continue
        items = _items(text, run.start(), run.end())
        known = [e.type for name, _at in items if (e := lexicon.resolve(name)) is not None]
        if known and sum(t in ORG_TYPES for t in known) * 2 >= len(known):
            continue  # a list of companies
        if any(_NOT_A_NAME.fullmatch(name) for name, _at in items):
            continue
        if all(name.islower() for name, _at in items):
            continue  # int、string、bool: words of code, not names
        for name, at in items:
            if lexicon.resolve(name) is None:
                yield name, "Technology", base + at, base + at + len(name)


def _items(text: str, start: int, end: int) -> list[tuple[str, int]]:
    """The members of the enumeration ``text[start:end]`` with their offsets."""
    items: list[tuple[str, int]] = []
    pos = start
    for piece in _SPLIT.split(text[start:end]):
        at = text.index(piece, pos)
        items.append((piece, at))
        pos = at + len(piece)
    return items
