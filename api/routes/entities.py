"""``/entities``: find entities by label or alias; one entity with everything the reports say about it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import EngineDep
from api.problems import json_responses
from kg.entities import find_entities
from kg.namespaces import ENTITY_TYPES
from kg.qa.source import engine_select
from kg.sparql.resources import entity_detail

__all__ = ["router"]

router = APIRouter(prefix="/entities", tags=["Entities"])

_LIST_EXAMPLE = {
    "query": "k8s",
    "type": None,
    "entities": [
        {
            "iri": "https://w3id.org/cnkg/id/entity/kubernetes",
            "slug": "kubernetes",
            "label": "Kubernetes",
            "labels": {"en": "Kubernetes"},
            "type": "Technology",
        }
    ],
}
_DETAIL_EXAMPLE = {
    "iri": "https://w3id.org/cnkg/id/entity/kubernetes",
    "slug": "kubernetes",
    "label": "Kubernetes",
    "labels": [{"value": "Kubernetes", "lang": "en"}],
    "aliases": ["K8s", "k8s"],
    "type": "Technology",
    "types": ["https://w3id.org/cnkg/ontology#Technology"],
    "definition": None,
    "discovered": False,
    "links": ["http://www.wikidata.org/entity/Q22661306"],
    "relations": [
        {
            "direction": "in",
            "predicate": "https://w3id.org/cnkg/ontology#basedOn",
            "entity": {
                "iri": "https://w3id.org/cnkg/id/entity/openshift",
                "slug": "openshift",
                "label": "OpenShift",
            },
            "evidence": [
                {
                    "report": "https://w3id.org/cnkg/id/report/70a1e0d4758384e6",
                    "passage": "https://w3id.org/cnkg/id/report/70a1e0d4758384e6/passage/12",
                    "start": 4210,
                    "end": 4236,
                    "confidence": 0.9,
                    "text": "OpenShift基于Kubernetes",
                }
            ],
        }
    ],
    "mentions": [
        {
            "report": "https://w3id.org/cnkg/id/report/70a1e0d4758384e6",
            "rid": "70a1e0d4758384e6",
            "title": "2021年中国云原生行业研究报告",
            "passages": 14,
        }
    ],
    "facts": [],
}


@router.get(
    "",
    summary="Find entities",
    description="Entities whose label or alias contains `q` (case- and width-insensitive), "
    "exact matches first; "
    "without `q`, entities in IRI order. Filter by `type`.",
    responses=json_responses(_LIST_EXAMPLE, 400, 429, 503),
)
async def list_entities(
    engine: EngineDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Label or alias to look for.", examples=["k8s"])
    ] = None,
    type: Annotated[
        str | None, Query(description=f"One of {', '.join(ENTITY_TYPES)}.", examples=["Vendor"])
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Most entities returned.")] = 20,
) -> dict[str, Any]:
    return {"query": q, "type": type, "entities": await find_entities(engine_select(engine), q, type, limit)}


@router.get(
    "/{slug}",
    summary="One entity",
    description="Labels, aliases, type, relations (with the evidence sentence and offsets in each report), "
    "mentions per report, facts about it and external links (Wikidata).",
    responses=json_responses(_DETAIL_EXAMPLE, 404, 429, 503),
)
async def get_entity(slug: str, engine: EngineDep) -> dict[str, Any]:
    return await entity_detail(engine, slug)
