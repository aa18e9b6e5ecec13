"""The domain settings of cnkg (data directory, embedder, query and ingest limits) in one object: CLI
flags override ``CNKG_*`` environment variables, which override the defaults below.

The HTTP service's own settings (bind address, write token, CORS, rate limits, allowed hosts) extend
these in :mod:`api.settings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CNKG_", extra="ignore")

    data: Path = Field(Path("cnkg-data"), description="Data directory (graph store, indexes, manifest).")
    embedder: str | None = Field(
        None,
        description="Embedder for dense search: 'use3' or 'st:<model name or path>'. A new data directory "
        "is indexed with it (unset: 'use3', the offline default); a data directory indexed with another "
        "is refused (409) until re-embedded. Unset, an existing data directory keeps its own.",
    )
    embed_threads: int = Field(0, ge=0, description="Threads for the embedder; 0 means the core count.")
    query_timeout: float = Field(30.0, gt=0, description="Hard timeout of one SPARQL query, in seconds.")
    row_cap: int = Field(10_000, ge=1, description="Most result rows one SPARQL query returns.")
    max_result_bytes: int = Field(
        64 * 1024 * 1024,
        ge=1024,
        description="Largest SPARQL result body, in bytes; a longer result is cut after a whole row or "
        "triple and flagged like a row-capped one (X-Cnkg-Truncated: true).",
    )
    max_query_chars: int = Field(100_000, ge=100, description="Longest accepted SPARQL query text.")
    max_upload_bytes: int = Field(50_000_000, ge=1, description="Largest accepted report file.")
    allow_service: bool = Field(False, description="Allow SPARQL SERVICE (federation); off by default.")
    store_url: str | None = Field(
        None,
        description="External SPARQL 1.1 store instead of the embedded one: a base URL (its /query and "
        "/update are used) or a query endpoint ending in /query or /sparql.",
    )
    store_update_url: str | None = Field(
        None,
        description="Update endpoint of the external store when it is not the store URL's /update, e.g. "
        "Virtuoso's http://host:8890/sparql-auth.",
    )
    store_user: str | None = Field(
        None, description="User name for the external store, sent only when it asks (HTTP Digest or Basic)."
    )
    store_password: SecretStr | None = Field(
        None, description="Password for the external store (environment only: CNKG_STORE_PASSWORD)."
    )
    query_workers: int = Field(
        0,
        ge=0,
        description="Query worker processes of the embedded store; 0 means one per core (at least 2).",
    )
    graph_store: Literal["auto", "memory", "disk"] = Field(
        "auto",
        description="Where the query workers of the embedded store hold the graph: 'memory' (each worker "
        "loads its own copy; fastest scans), 'disk' (one read-only on-disk store per machine, kept by the "
        "writer next to the N-Quads files; opens in milliseconds, a fraction of the memory, fastest "
        "lookups) or 'auto' (disk when the data directory already keeps one or holds more than 1.2M "
        "triples, else memory). See docs/scaling.md.",
    )
    query_memory_mb: int = Field(
        2048,
        ge=0,
        description="Memory one SPARQL query may use beyond the loaded graph, in MiB (a query worker's "
        "address space is capped at its size after loading plus this); 0 means no cap.",
    )
    ingest_timeout: float = Field(
        300.0,
        gt=0,
        description="Wall-clock limit, in seconds, for reading and extracting one uploaded report (or one "
        "Graph Store body) in its child process; past it the child is killed and the client gets 422.",
    )
    ingest_memory_mb: int = Field(
        2048,
        ge=0,
        description="Memory the child process reading one upload may use beyond its size after start-up, "
        "in MiB (RLIMIT_AS); past it the child dies and the client gets 413. 0 means no cap.",
    )
