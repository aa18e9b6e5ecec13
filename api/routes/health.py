"""``/health``: is the service up, and what is it serving."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from api.deps import DataDirDep, EngineDep
from kg import __version__

__all__ = ["router"]

router = APIRouter(tags=["Service"])


@router.get(
    "/health",
    summary="Health and status",
    description="Liveness, the data directory's report count and manifest generation, and the query engine "
    "(worker pool or external store). Not rate-limited.",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "status": "ok",
                        "version": "0.1.0",
                        "reports": 4,
                        "generation": 7,
                        "engine": {
                            "engine": "embedded",
                            "workers": 2,
                            "idle": 2,
                            "spares": 1,
                            "waiting": 0,
                            "stopped_by_timeout": 0,
                            "starting": 0,
                            "spawn_failures": 0,
                            "spawns_abandoned": 0,
                            "graph_store": "memory",
                        },
                    }
                }
            }
        }
    },
)
async def health(datadir: DataDirDep, engine: EngineDep) -> dict[str, Any]:
    manifest = datadir.read_manifest()
    return {
        "status": "ok",
        "version": __version__,
        "reports": len(manifest.reports),
        "generation": manifest.generation,
        "engine": engine.status(),
    }
