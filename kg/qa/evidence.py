"""The pieces an answer is made of: evidence spans and the answer itself, in the /ask response shape."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Answer", "Evidence"]


@dataclass(frozen=True)
class Evidence:
    passage: str
    report: str
    text: str  # exactly the report text between start and end
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        """The evidence as the API writes it: its fields, by their names."""
        return asdict(self)


@dataclass
class Answer:
    """An answer taken from the reports (``answered``) or a plain statement that they do not answer."""

    answer: str
    answered: bool
    source: str  # graph, passages, graph+passages, none
    evidence: list[Evidence] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # list answers: the members, as written in the reports
    score: float = 0.0

    def cited(self) -> list[dict[str, Any]]:
        seen: set[tuple[str, int, int]] = set()
        out = []
        for e in self.evidence:
            key = (e.passage, e.start, e.end)
            if key not in seen:
                seen.add(key)
                out.append(e.to_json())
        return out
