"""Helpers of the benches: their argument parser and transcript, the resident memory of a process tree
(read from /proc), sizes and percentiles. The live ``cnkg serve`` subprocess comes from
:mod:`tests.support.processes`, shared with the tests."""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ``cnkg serve`` over a large synthetic data directory loads for minutes before it answers /health
SERVE_STARTUP_SECONDS = 1800.0


def bench_parser(doc: str | None) -> argparse.ArgumentParser:
    """The argument parser of a bench script, with its module docstring (line breaks kept) as the help."""
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


class Transcript:
    """The lines a bench prints as it goes, kept to be written to its results file at the end."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def say(self, line: str = "") -> None:
        print(line, flush=True)
        self.lines.append(line)


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def tree_rss_by_process(pid: int) -> list[int]:
    """Resident bytes of ``pid`` and of each of its descendants, ``pid`` first."""
    tree = _children()
    todo, sizes = [pid], []
    while todo:
        current = todo.pop(0)
        todo += tree.get(current, [])
        with contextlib.suppress(OSError, ValueError), open(f"/proc/{current}/statm") as fh:
            sizes.append(int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"))
    return sizes


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    return sum(tree_rss_by_process(pid))


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def distinct_size(path: Path) -> int:
    """Bytes of the distinct files under ``path`` (hard links counted once: a store and its snapshots)."""
    seen: set[int] = set()
    total = 0
    for file in path.rglob("*"):
        st = file.stat()
        if file.is_file() and st.st_ino not in seen:
            seen.add(st.st_ino)
            total += st.st_size
    return total


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
