"""FastAPI dependencies, as ``Annotated`` aliases the routers declare in their signatures."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.settings import ServerSettings
from kg.catalog import Catalog
from kg.datadir import DataDir
from kg.errors import CnkgError
from kg.sandbox import Sandbox, SandboxLimits
from kg.sparql.engine import SparqlEngine

__all__ = [
    "CatalogDep",
    "DataDirDep",
    "EngineDep",
    "ForbiddenError",
    "SettingsDep",
    "UnauthorizedError",
    "WriteAccess",
    "WritesDisabledError",
    "check_write_token",
    "sandbox",
    "writing_catalog",
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


SettingsDep = Annotated[ServerSettings, Depends(get_settings)]
EngineDep = Annotated[SparqlEngine, Depends(get_engine)]


def get_datadir(settings: SettingsDep) -> DataDir:
    return DataDir(settings.data)


DataDirDep = Annotated[DataDir, Depends(get_datadir)]


def get_catalog(datadir: DataDirDep) -> Catalog:
    """The catalog for reading; writes use :func:`writing_catalog` (which keeps the indexes in step)."""
    return Catalog(datadir)


CatalogDep = Annotated[Catalog, Depends(get_catalog)]


def writing_catalog(datadir: DataDir) -> Catalog:
    """A catalog whose writes also update the search indexes (imported lazily: it loads the embedder)."""
    from kg.search.updater import update_indexes

    return Catalog(datadir, index_updater=update_indexes)


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
