"""All settings of cnkg in one object: CLI flags override ``CNKG_*`` environment variables,
which override the defaults below."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CNKG_", extra="ignore")

    data: Path = Field(Path("cnkg-data"), description="Data directory (graph store, indexes, manifest).")
    embedder: str = Field(
        "use3",
        description="Embedder for dense search: 'use3' (offline default) or 'st:<model name or path>'.",
    )
    embed_threads: int = Field(0, ge=0, description="Threads for the embedder; 0 means the core count.")
    host: str = Field("127.0.0.1", description="Address the HTTP service binds to.")
    port: int = Field(8000, ge=1, le=65535)
    write_token: str | None = Field(
        None, description="Bearer token that enables uploads, deletes, SPARQL Update and the Graph Store."
    )
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
    cors_origins: list[str] = Field(default_factory=list, description="CORS allow-list; empty = CORS off.")
    rate_limit_per_minute: int = Field(600, ge=1, description="Requests per minute per client address.")
    max_concurrent_per_client: int = Field(8, ge=1, description="Concurrent requests per client address.")
    store_url: str | None = Field(
        None, description="External SPARQL 1.1 store (base URL) instead of the embedded one."
    )
    query_workers: int = Field(
        0,
        ge=0,
        description="Query worker processes of the embedded store; 0 means one per core (at least 2).",
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
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names (or addresses) clients may use in the Host header, besides the bind "
        "address, localhost, 127.0.0.1 and [::1]; any port. '*' turns the check off (behind a proxy that "
        "checks Host). CNKG_ALLOWED_HOSTS takes a comma-separated list.",
    )

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value
