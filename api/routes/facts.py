"""``GET /facts``: the same measure from different reports and years, side by side."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.deps import EngineDep
from api.problems import json_responses
from api.spreadsheets import SPREADSHEET_RESPONSES, TableFormatParam, spreadsheet_response
from kg.facts import compare_facts, entity_filter
from kg.tables import facts_table
from kg.tabular import JSON, table_format

__all__ = ["router"]

router = APIRouter(tags=["Facts"])

_EXAMPLE = {
    "metric": "市场规模",
    "entity": None,
    "year": None,
    "report": None,
    "total": 1,
    "truncated": False,
    "groups": [
        {
            "metric": "市场规模",
            "subject": "服务网格",
            "entity": {
                "iri": "https://w3id.org/cnkg/id/entity/service-mesh",
                "slug": "service-mesh",
                "label": "服务网格",
            },
            "unit": "亿元",
            "reports": 1,
            "years": [2022],
            "observations": [
                {
                    "iri": "https://w3id.org/cnkg/id/report/5e8c3d15006bf7b8/fact/0",
                    "metric": "国服务网格市场规模",
                    "value": "12.8",
                    "valueMax": None,
                    "unit": "亿元",
                    "qualifier": "=",
                    "year": 2022,
                    "forecast": False,
                    "about": {
                        "iri": "https://w3id.org/cnkg/id/entity/service-mesh",
                        "slug": "service-mesh",
                        "label": "服务网格",
                    },
                    "report": {
                        "iri": "https://w3id.org/cnkg/id/report/5e8c3d15006bf7b8",
                        "rid": "5e8c3d15006bf7b8",
                        "title": "中国服务网格与微服务治理市场洞察",
                    },
                    "evidence": {
                        "passage": "https://w3id.org/cnkg/id/report/5e8c3d15006bf7b8/passage/1",
                        "start": 391,
                        "end": 398,
                        "text": "12.8亿元",
                        "sentence": "2022年中国服务网格市场规模为12.8亿元，同比增长52.6%。",
                    },
                }
            ],
        }
    ],
}


@router.get(
    "/facts",
    summary="Compare facts across reports",
    description="Observations (numeric market facts) grouped by what they measure, so that the same metric "
    "from different reports and years reads side by side. A group is a metric kind (`市场规模`, "
    "`复合增长率`, `同比增长`, `占比`, `样本数`, else the cleaned metric text), a subject (the "
    "`cnkg:about` entity, else the words before the kind) and a unit; its observations are sorted by year, "
    "then report, each with "
    "value, `valueMax` for ranges, unit, qualifier, year, `forecast` (a year after the report was issued, "
    "or a sentence that says it is an estimate), report and evidence (passage, character offsets, "
    "the number as written and its sentence). Groups found in more reports come first. `metric` accepts "
    "Chinese or English (`market size`, `CAGR`, `growth`, `share`); `entity` a slug, label or alias. "
    "`format=csv|xlsx` (or `Accept: text/csv` / the XLSX media type) gives one row per observation, "
    "with the sentence, report title and passage IRI as columns.",
    response_model=None,
    responses=json_responses(_EXAMPLE, 400, 429, 503, alternatives=SPREADSHEET_RESPONSES),
)
async def facts(
    request: Request,
    engine: EngineDep,
    metric: Annotated[
        str | None, Query(max_length=100, description="What is measured.", examples=["市场规模"])
    ] = None,
    entity: Annotated[
        str | None,
        Query(max_length=100, description="Entity slug, label or alias.", examples=["服务网格"]),
    ] = None,
    year: Annotated[int | None, Query(description="Only this year.", examples=[2024])] = None,
    report: Annotated[
        str | None, Query(max_length=64, pattern=r"^[0-9a-f]{1,64}$", description="Only this report id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Most groups returned.")] = 100,
    format: TableFormatParam = None,
) -> dict[str, Any] | Response:
    fmt = table_format(request.headers.get("accept"), format)
    slug, forms = entity_filter(entity)
    result = await compare_facts(
        engine, metric=metric, entity=slug, entity_forms=forms, year=year, report=report, limit=limit
    )
    if fmt is JSON:
        return result
    return await spreadsheet_response(facts_table(result), fmt, "facts", truncated=result["truncated"])
