"""FastAPI dependencies, as ``Annotated`` aliases the routers declare in their signatures."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.services import Services
from api.settings import ServerSettings
from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.errors import CnkgError
from kg.qa.service import QuestionAnswerer
from kg.sandbox import Sandbox, SandboxLimits
from kg.search.service import SearchService
from kg.sparql.engine import SparqlEngine

__all__ = [
    "AnswererDep",
    "CatalogDep",
    "DataDirDep",
    "EngineDep",
    "ForbiddenError",
    "SearchServiceDep",
    "ServicesDep",
    "SettingsDep",
    "UnauthorizedError",
    "WriteAccess",
    "WritesDisabledError",
    "WritingCatalogDep",
    "check_write_token",
    "sandbox",
]


class UnauthorizedError(CnkgError):
    """A write without the right bearer token (401, with ``WWW-Authenticate``: :mod:`api.problems`)."""

    title = "Unauthorized"


class ForbiddenError(CnkgError):
    title = "Forbidden"


class WritesDisabledError(ForbiddenError):
    title = "Writes disabled"


# async: FastAPI would run a plain function in its thread pool, a thread hop per request for an attribute
async def get_settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


async def get_engine(request: Request) -> SparqlEngine:
    engine: SparqlEngine = request.app.state.engine
    return engine


async def get_services(request: Request) -> Services:
    """The services the application's lifespan built from its settings (:mod:`api.services`)."""
    services: Services = request.app.state.services
    return services


SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
EngineDep = Annotated[SparqlEngine, Depends(get_engine)]
ServicesDep = Annotated[Services, Depends(get_services)]


async def get_search_service(services: ServicesDep) -> SearchService:
    return services.search


async def get_answerer(services: ServicesDep) -> QuestionAnswerer:
    return services.answerer


SearchServiceDep = Annotated[SearchService, Depends(get_search_service)]
AnswererDep = Annotated[QuestionAnswerer, Depends(get_answerer)]


def get_datadir(settings: SettingsDep) -> DataDir:
    return DataDir(settings.data)


DataDirDep = Annotated[DataDir, Depends(get_datadir)]


def get_catalog(datadir: DataDirDep) -> Catalog:
    """The catalog for reading; writes use ``WritingCatalogDep`` (which keeps the indexes in step)."""
    return Catalog(datadir)


async def get_writing_catalog(services: ServicesDep) -> Catalog:
    return services.writing_catalog()


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
WritingCatalogDep = Annotated[Catalog, Depends(get_writing_catalog)]


_bearer = HTTPBearer(auto_error=False, description="The write token given to `cnkg serve --write-token`.")


def check_write_token(settings: ServerSettings, authorization: str | None) -> None:
    """Writes need ``Authorization: Bearer <write token>``, compared in constant time."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    if not settings.write_token:
        raise WritesDisabledError(
            "this server is read-only: writes (uploads, deletes, SPARQL Update, Graph Store) are enabled "
            "only when the operator sets a write token (cnkg serve --write-token or CNKG_WRITE_TOKEN)"
        )
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("this operation needs the write token: send 'Authorization: Bearer <token>'")
    if not hmac.compare_digest(token.strip().encode("utf-8"), settings.write_token.encode("utf-8")):
        raise ForbiddenError("the write token is not valid")


def require_write_token(
    request: Request,
    settings: SettingsDep,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],  # documents the scheme
) -> None:
    check_write_token(settings, request.headers.get("authorization"))


WriteAccess = Annotated[None, Depends(require_write_token)]


_sandboxes_lock = threading.Lock()
SANDBOX_PRELOAD = ("ingest.preload",)  # what the sandboxes' fork server loads before forking a child


def sandbox(request: Request, warm_up: Callable[[], None], what: str) -> Sandbox:
    """The application's sandbox for parsing ``what`` (one per warm-up function, made on first use),
    limited by ``ingest_timeout`` and ``ingest_memory_mb``."""
    settings: ServerSettings = request.app.state.settings
    sandboxes: dict[str, Sandbox] = request.app.state.sandboxes
    key = f"{warm_up.__module__}.{warm_up.__qualname__}"
    with _sandboxes_lock:
        if key not in sandboxes:
            limits = SandboxLimits(settings.ingest_timeout, settings.ingest_memory_mb, what)
            sandboxes[key] = Sandbox(warm_up, limits, SANDBOX_PRELOAD)
        return sandboxes[key]
