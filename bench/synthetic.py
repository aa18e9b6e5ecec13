"""Synthetic reports for the scale run: the sample reports' sentences, recombined, with other entities
of the same type and other numbers, so every report is new text that the pipeline must really extract.

    >>> a, b = synthetic_report(0, 3000), synthetic_report(1, 3000)
    >>> len(a.text) >= 3000 and a.text != b.text and a.text == synthetic_report(0, 3000).text
    True
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.lexicon import Lexicon

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
_SENTENCE = re.compile(r"[^。！？\n]+[。！？]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_TOPICS = ("云原生", "容器云", "边缘计算", "服务网格", "Serverless", "FinOps", "分布式云", "可观测性")
_SYLLABLES = "星河磐石云帆数智天枢易联北辰凌云海纳启明锐捷融创华策衡泰"
_SWAPPED_TYPES = ("Vendor", "Product", "OpenSourceProject", "Technology", "Industry")


@dataclass(frozen=True)
class SyntheticReport:
    name: str
    text: str


@lru_cache(maxsize=1)
def _material() -> tuple[list[str], list[str], dict[str, list[str]], re.Pattern[str]]:
    """(section headings, sentences, labels by entity type, pattern of every label) of the samples."""
    headings: list[str] = []
    sentences: list[str] = []
    for path in sorted(SAMPLES.glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("## "):
                headings.append(line[3:].strip())
            elif line and not line.startswith("#"):
                sentences += [s.strip() for s in _SENTENCE.findall(line) if len(s.strip()) >= 12]
    labels: dict[str, list[str]] = {}
    for entry in Lexicon.load().entries.values():
        if entry.type in _SWAPPED_TYPES and len(entry.label) >= 2:
            labels.setdefault(entry.type, []).append(entry.label)
    by_label = {label: t for t, names in labels.items() for label in names}
    pattern = re.compile("|".join(re.escape(x) for x in sorted(by_label, key=len, reverse=True)))
    return sorted(set(headings)), sentences, labels, pattern


def _number(rng: random.Random, written: str) -> str:
    value = float(written)
    if "." not in written and 1990 <= value <= 2035:
        return str(rng.randint(2015, 2032))  # a year
    scaled = value * rng.uniform(0.3, 3.0)
    return f"{scaled:.1f}" if "." in written else str(max(1, round(scaled)))


def _company(rng: random.Random) -> str:
    name = "".join(rng.sample(_SYLLABLES, 4))
    return f"{name}{rng.choice(('科技有限公司', '信息技术有限公司', '云计算有限公司'))}"


def synthetic_report(seed: int, chars: int = 60_000) -> SyntheticReport:
    """A deterministic report of at least ``chars`` characters for ``seed``."""
    headings, sentences, labels, pattern = _material()
    by_label = {label: t for t, names in labels.items() for label in names}
    rng = random.Random(seed)
    topic = rng.choice(_TOPICS)
    year = rng.randint(2019, 2030)
    lines = [
        f"# {year}年中国{topic}市场研究报告（合成第{seed}号）",
        "",
        f"发布时间：{year}年{rng.randint(1, 12)}月",
        "",
    ]
    size = sum(len(x) + 1 for x in lines)
    companies = [_company(rng) for _ in range(6)]
    while size < chars:
        heading = f"## {rng.choice(headings)}"
        lines += [heading, ""]
        size += len(heading) + 2
        for _ in range(rng.randint(3, 6)):
            picked = [rng.choice(sentences) for _ in range(rng.randint(3, 7))]
            text = "".join(picked)
            text = pattern.sub(lambda m: rng.choice(labels[by_label[m.group()]]), text)
            text = _NUMBER.sub(lambda m: _number(rng, m.group()), text)
            if rng.random() < 0.5:
                text += f"{rng.choice(companies)}推出了{rng.choice(labels['Product'])}。"
            lines += [text, ""]
            size += len(text) + 2
    return SyntheticReport(f"synthetic_{seed:04d}.md", "\n".join(lines))


def write_reports(folder: Path, count: int, chars: int = 60_000, seed: int = 7) -> list[Path]:
    """Write ``count`` synthetic reports to ``folder`` (deterministic for a seed)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        report = synthetic_report(seed * 100_000 + i, chars)
        path = folder / report.name
        path.write_text(report.text, encoding="utf-8")
        paths.append(path)
    return paths
