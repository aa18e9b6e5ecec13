"""``GET /search``: passages by hybrid (BM25 + dense + graph boost), keyword or dense search."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from api.deps import CatalogDep, SearchServiceDep
from api.problems import json_responses
from api.spreadsheets import SPREADSHEET_RESPONSES, TableFormatParam, spreadsheet_response
from kg.namespaces import ENTITY_TYPES
from kg.search.service import MAX_K, MAX_WINDOW
from kg.tables import search_table
from kg.tabular import JSON, table_format

__all__ = ["router"]

router = APIRouter(tags=["Search"])


class EntityRef(BaseModel):
    iri: str
    label: str
    type: str


class SearchHit(BaseModel):
    passage: str
    report: str
    text: str
    highlight: str
    start: int
    end: int
    score: float
    entities: list[EntityRef]
    explain: dict[str, Any] | None = None


class SearchResults(BaseModel):
    query: str
    mode: str
    total: int
    hits: list[SearchHit]


_EXAMPLE = {
    "query": "私有云容器平台未来几年增速",
    "mode": "hybrid",
    "total": 123,
    "hits": [
        {
            "passage": "https://w3id.org/cnkg/id/report/70a1e0d4758384e6/passage/57",
            "report": "https://w3id.org/cnkg/id/report/70a1e0d4758384e6",
            "text": "2017年以来，我国私有云领域的容器云平台的市场规模呈现高速增长态势，…",
            "highlight": "2017年以来，我国<mark>私有云</mark>领域的容器云<mark>平台</mark>的市场规模…",
            "start": 15632,
            "end": 15961,
            "score": 0.91,
            "entities": [
                {"iri": "https://w3id.org/cnkg/id/entity/private-cloud", "label": "私有云", "type": "Concept"}
            ],
        }
    ],
}


@router.get(
    "/search",
    summary="Search passages",
    description=(
        "Passages of the ingested reports for a question in Chinese, English or both. `mode=hybrid` fuses "
        "BM25 over jieba words with multilingual sentence embeddings and ranks passages that mention the "
        "entities named in the query higher; `bm25` and `dense` run one leg alone. `report` (id, IRI or "
        "file name) and `type` (passages mentioning an entity of that type) filter before ranking. "
        f"`k` ≤ {MAX_K}, `offset + k` ≤ {MAX_WINDOW}. `highlight` is the HTML-escaped text with the "
        "matched query terms in `<mark>`; `explain=true` adds each leg's rank and score to every hit. "
        "`format=csv|xlsx` (or `Accept: text/csv` / the XLSX media type) gives one row per hit, with "
        "the report title, passage IRI, offsets and text as columns."
    ),
    response_model=SearchResults,
    response_model_exclude_none=True,
    responses=json_responses(_EXAMPLE, 400, 404, 429, alternatives=SPREADSHEET_RESPONSES),
)
async def search(
    request: Request,
    service: SearchServiceDep,
    catalog: CatalogDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="The question or keywords.")],
    k: Annotated[int, Query(ge=1, le=MAX_K, description="Hits per page.")] = 10,
    offset: Annotated[int, Query(ge=0, le=MAX_WINDOW - 1, description="Hits to skip.")] = 0,
    mode: Annotated[Literal["hybrid", "bm25", "dense"], Query(description="Ranking.")] = "hybrid",
    report: Annotated[
        str | None,
        Query(
            description="Only this report (id, id prefix, IRI or file name; 404 when none matches, 400 when "
            "several do)."
        ),
    ] = None,
    type: Annotated[
        str | None,
        Query(description=f"Only passages mentioning an entity of this type: {', '.join(ENTITY_TYPES)}."),
    ] = None,
    explain: Annotated[bool, Query(description="Add each leg's rank and score to every hit.")] = False,
    format: TableFormatParam = None,
) -> dict[str, Any] | Response:
    fmt = table_format(request.headers.get("accept"), format)
    # in the thread pool, so embedding and numpy work do not block the event loop
    result: dict[str, Any] = await run_in_threadpool(
        service.search, q, k=k, offset=offset, mode=mode, report=report, type=type, explain=explain
    )
    if fmt is JSON:
        return result
    titles = {r.rid: r.title for r in catalog.reports()}
    return await spreadsheet_response(search_table(result, titles, offset), fmt, "search", truncated=False)
