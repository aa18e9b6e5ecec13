"""Find every regular expression cnkg runs on client text, and build the inputs that make a backtracking
regex engine blow up: repetitions of the pattern's own alternatives and literal pieces, followed by a tail
that does not match. Used by tests/test_regex_backtracking.py.

Patterns are found two ways, so a new one is covered without anyone listing it:

* compiled ``re.Pattern`` objects reachable from a module's globals (also inside tuples, lists, dicts,
  sets and class attributes);
* literal pattern strings passed to ``re.compile``/``re.sub``/``re.search``… in a module's source (those
  compiled on the fly inside functions).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from types import ModuleType
from typing import Any

__all__ = ["Found", "adversarial_inputs", "find_patterns", "modules_of"]

_RE_FUNCTIONS = {"compile", "sub", "subn", "match", "search", "fullmatch", "findall", "finditer", "split"}
MAX_PIECES = 40  # most pieces kept per pattern (the longest alternatives first)
PAIRED = 8  # pieces whose pairs are tried as units too
TAILS = ("", "\x00", "!", "。", "a1 ")  # endings that make the pattern's continuation fail
_SAMPLE_CATEGORY = {
    sre_c.CATEGORY_DIGIT: "1",
    sre_c.CATEGORY_NOT_DIGIT: "x",
    sre_c.CATEGORY_SPACE: " ",
    sre_c.CATEGORY_NOT_SPACE: "x",
    sre_c.CATEGORY_WORD: "a",
    sre_c.CATEGORY_NOT_WORD: "!",
}


@dataclass(frozen=True)
class Found:
    where: str  # module (and name) the pattern was found in
    pattern: re.Pattern[str]


def modules_of(*packages: str) -> Iterator[ModuleType]:
    """Every module of these packages (or the modules themselves), imported."""
    for name in packages:
        module = importlib.import_module(name)
        yield module
        if hasattr(module, "__path__"):
            for info in pkgutil.walk_packages(module.__path__, prefix=name + "."):
                yield importlib.import_module(info.name)


def _patterns_in(value: Any, depth: int = 0) -> Iterator[re.Pattern[str]]:
    if isinstance(value, re.Pattern):
        if isinstance(value.pattern, str):
            yield value
    elif depth < 3 and isinstance(value, (tuple, list, set, frozenset)):
        for item in value:
            yield from _patterns_in(item, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in itertools.chain(value.keys(), value.values()):
            yield from _patterns_in(item, depth + 1)


def _literal_patterns(module: ModuleType) -> Iterator[re.Pattern[str]]:
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "re"
            and node.func.attr in _RE_FUNCTIONS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield re.compile(node.args[0].value)


def find_patterns(modules: list[ModuleType]) -> list[Found]:
    """The distinct patterns defined in ``modules`` (by pattern text and flags)."""
    found: dict[tuple[str, int], Found] = {}
    for module in modules:
        candidates: list[tuple[str, re.Pattern[str]]] = []
        for name, value in vars(module).items():
            candidates += [(f"{module.__name__}.{name}", p) for p in _patterns_in(value)]
            if inspect.isclass(value) and value.__module__ == module.__name__:
                for attr, member in vars(value).items():
                    candidates += [(f"{module.__name__}.{name}.{attr}", p) for p in _patterns_in(member)]
        candidates += [(f"{module.__name__} (literal)", p) for p in _literal_patterns(module)]
        for where, pattern in candidates:
            found.setdefault((pattern.pattern, pattern.flags), Found(where, pattern))
    return list(found.values())


# --- inputs ---------------------------------------------------------------------------------------


def _sample_set(items: list[tuple[Any, Any]]) -> str:
    """One character a character class ``[...]`` accepts."""
    negate = False
    for op, av in items:
        if op is sre_c.NEGATE:
            negate = True
        elif negate:
            continue
        elif op is sre_c.LITERAL:
            return chr(av)
        elif op is sre_c.RANGE:
            return chr(av[0])
        elif op is sre_c.CATEGORY:
            return _SAMPLE_CATEGORY.get(av, "a")
    return "x" if negate else "a"


def _walk(sub: Any, pieces: set[str]) -> str:
    """A string the parsed (sub)pattern matches; every alternative and repeated item it meets is added
    to ``pieces``."""
    out: list[str] = []
    for op, av in sub:
        if op is sre_c.LITERAL:
            out.append(chr(av))
        elif op is sre_c.NOT_LITERAL:
            out.append("x" if chr(av) != "x" else "y")
        elif op is sre_c.ANY:
            out.append("x")
        elif op is sre_c.IN:
            out.append(_sample_set(av))
        elif op is sre_c.BRANCH:
            branches = [_walk(alternative, pieces) for alternative in av[1]]
            pieces.update(b for b in branches if b)
            out.append(branches[0])
        elif op is sre_c.SUBPATTERN:
            out.append(_walk(av[3], pieces))
        elif op is sre_c.ATOMIC_GROUP:
            out.append(_walk(av, pieces))
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            low, _high, item = av
            text = _walk(item, pieces)
            if text:
                pieces.add(text)
            out.append(text * max(low, 1))
        elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            _walk(av[1], pieces)
        elif op is sre_c.GROUPREF_EXISTS:
            out.append(_walk(av[1], pieces))
        # AT (anchors), GROUPREF, CATEGORY outside a set: contribute nothing
    return "".join(out)


def pieces_of(pattern: re.Pattern[str]) -> list[str]:
    """The literal pieces of ``pattern``: its alternatives, repeated items and one whole match."""
    pieces: set[str] = set()
    whole = _walk(sre_parse.parse(pattern.pattern, pattern.flags), pieces)
    if whole:
        pieces.add(whole)
    return sorted(pieces, key=lambda p: (-len(p), p))[:MAX_PIECES]


def adversarial_inputs(pattern: re.Pattern[str], repeat: int) -> Iterator[str]:
    """Repetitions (``repeat`` times) of each piece and of each pair of pieces, with every tail."""
    pieces = pieces_of(pattern)
    units = pieces + [a + b for a, b in itertools.permutations(pieces[:PAIRED], 2)]
    for unit in units:
        for tail in TAILS:
            yield unit * repeat + tail
