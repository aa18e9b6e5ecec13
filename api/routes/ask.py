"""``GET|POST /ask``: a researcher's question answered from the reports, every claim cited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel, Field

from api.deps import AnswererDep, EngineDep
from api.problems import json_responses
from kg.qa import MAX_QUESTION_CHARS, engine_select

__all__ = ["router"]

router = APIRouter(tags=["Q&A"])


class EvidenceSpan(BaseModel):
    passage: str
    report: str
    text: str = Field(description="The report text between start and end (the cited sentence).")
    start: int = Field(description="Character offset in the report text.")
    end: int


class LinkedEntity(BaseModel):
    iri: str
    label: str
    type: str | None
    surface: str = Field(description="How the question wrote it.")


class AskPart(BaseModel):
    question: str = Field(description="One part of a multi-part question, as cut from it.")
    answer: str = Field(description="The part's short answer ('' when the reports do not answer it).")
    answered: bool
    confidence: float = Field(ge=0, le=1)
    type: str = Field(
        description="The answer shape the part asks for: quantity, time, name, list, definition, reason, "
        "method, comparison or other."
    )
    evidence: list[EvidenceSpan]


class RelatedPassage(BaseModel):
    passage: str
    report: str
    text: str = Field(description="The passage text (the report text between start and end).")
    start: int
    end: int
    score: float = Field(description="The hybrid search score.")


class AskResponse(BaseModel):
    question: str
    answer: str = Field(
        description="The short answer: a value with its unit, a list of names, a name, a date, or the clause "
        "that answers; the answers of a multi-part question's parts joined by '；'. When the reports do "
        "not answer, a sentence saying so."
    )
    answered: bool = Field(description="False when the reports do not answer the question.")
    confidence: float = Field(
        ge=0,
        le=1,
        description="How sure the answer is (0.5 at the decline threshold; a multi-part answer takes its "
        "least sure part, which may be below 0.5 when another part is answered). Also given on a decline.",
    )
    kind: str = Field(description="number, list, relation, definition, why, how, comparison or other.")
    source: str = Field(description="graph, passages, or none.")
    parts: list[AskPart] = Field(
        description="A multi-part question answered part by part; a question naming its subject by "
        "description as two hops (the entity it describes, then the question about that entity); empty for a "
        "question asking one thing."
    )
    items: list[str] = Field(description="The members of a list answer, as the reports write them.")
    evidence: list[EvidenceSpan] = Field(description="The sentences the answer rests on.")
    related: list[RelatedPassage] = Field(
        description="The closest passages of the hybrid search, also (and above all) when the question is "
        "declined."
    )
    entities: list[LinkedEntity]
    facts: list[dict[str, Any]] = Field(
        description="Graph facts used: relation triples (subject, predicate, object) with the passage "
        "stating them."
    )


class AskRequest(BaseModel):
    q: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="The question.")


_EXAMPLE = {
    "question": "2025年私有云容器平台市场规模预计多少？",
    "answer": "超过60亿元（2025年）",
    "answered": True,
    "confidence": 0.718,
    "kind": "number",
    "source": "graph+passages",
    "parts": [],
    "items": [],
    "evidence": [
        {
            "passage": "https://w3id.org/cnkg/id/report/ac4542f2fa0ed5f8/passage/0",
            "report": "https://w3id.org/cnkg/id/report/ac4542f2fa0ed5f8",
            "text": "预计2020年末基于容器的**私有云**系统平台市场规模将会达到**15.2亿元**，"
            "到2025年将会**超过60亿元**。",
            "start": 543,
            "end": 603,
        }
    ],
    "related": [
        {
            "passage": "https://w3id.org/cnkg/id/report/ac4542f2fa0ed5f8/passage/0",
            "report": "https://w3id.org/cnkg/id/report/ac4542f2fa0ed5f8",
            "text": "……预计2020年末基于容器的**私有云**系统平台市场规模将会达到**15.2亿元**，"
            "到2025年将会**超过60亿元**。",
            "start": 420,
            "end": 980,
            "score": 0.91,
        }
    ],
    "entities": [
        {
            "iri": "https://w3id.org/cnkg/id/entity/private-cloud",
            "label": "私有云",
            "type": "Concept",
            "surface": "私有云",
        }
    ],
    "facts": [
        {
            "iri": "https://w3id.org/cnkg/id/report/ac4542f2fa0ed5f8/fact/3",
            "metric": "",
            "value": "60",
            "valueMax": None,
            "unit": "亿元",
            "qualifier": ">",
            "year": 2025,
        }
    ],
}
_DESCRIPTION = (
    "Answers a question in Chinese or English from the ingested reports, without a language model. The "
    "question's entities are linked through the lexicon and its aliases; a multi-part question is cut into "
    "its parts, each answered on its own (`parts`). Each (part of a) question is answered by the sentences "
    "of the top hybrid passages that best hold its words, its entities and the answer shape it asks for "
    "(a number with its unit, a year or date, a definition, a reason …); a list by the members the chosen "
    "sentence enumerates, or by the graph's typed relations (up to two hops) and the members the graph "
    "states around the passages, each with its own sentence; a figure by the observation the chosen "
    "sentence states (value, unit, year). Every answer cites its sentences (report, passage, character "
    "offsets, text) and has a `confidence`. When no top sentence holds enough of what the question asks, "
    "`answered` is false, the answer says the reports do not answer, and `related` still holds the "
    "closest passages. `q` is at most "
    f'{MAX_QUESTION_CHARS} characters; POST takes `{{"q": …}}` as JSON.'
)
# What GET and POST /ask document alike: the same answer, whichever way the question comes
_ASK_ROUTE: dict[str, Any] = {
    "description": _DESCRIPTION,
    "response_model": AskResponse,
    "responses": json_responses(_EXAMPLE, 400, 429, 503),
}


@router.get("/ask", summary="Ask a question", **_ASK_ROUTE)
async def ask(
    answerer: AnswererDep,
    engine: EngineDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUESTION_CHARS,
            description="The question.",
            examples=["2025年私有云容器平台市场规模预计多少？"],
        ),
    ],
) -> dict[str, Any]:
    return await answerer.ask(q, engine_select(engine))


@router.post("/ask", summary="Ask a question (JSON body)", **_ASK_ROUTE)
async def ask_post(
    answerer: AnswererDep,
    engine: EngineDep,
    body: Annotated[AskRequest, Body(examples=[{"q": "Kubernetes的前身是什么？"}])],
) -> dict[str, Any]:
    return await answerer.ask(body.q, engine_select(engine))
