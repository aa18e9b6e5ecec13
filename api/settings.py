"""The settings of the HTTP service: the domain :class:`~kg.settings.Settings` plus what only a server has
(bind address, write token, CORS, per-client rate limits, allowed Host names).

One flat object, so every field keeps its ``CNKG_*`` environment variable and ``cnkg serve`` flag:

>>> settings = ServerSettings(port=8080, allowed_hosts="kg.example, data.example:8443")
>>> settings.port, settings.allowed_hosts, settings.row_cap
(8080, ['kg.example', 'data.example:8443'], 10000)
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from kg.settings import Settings
from kg.sparql.description import ClientAccess

__all__ = ["ServerSettings"]


class ServerSettings(Settings):
    host: str = Field("127.0.0.1", description="Address the HTTP service binds to.")
    port: int = Field(8000, ge=1, le=65535)
    write_token: str | None = Field(
        None, description="Bearer token that enables uploads, deletes, SPARQL Update and the Graph Store."
    )
    cors_origins: list[str] = Field(default_factory=list, description="CORS allow-list; empty = CORS off.")
    rate_limit_per_minute: int = Field(600, ge=1, description="Requests per minute per client address.")
    max_concurrent_per_client: int = Field(8, ge=1, description="Concurrent requests per client address.")
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

    def client_access(self) -> ClientAccess:
        """What the SPARQL service description tells clients about writes and per-client limits."""
        return ClientAccess(
            update_enabled=bool(self.write_token),
            rate_limit_per_minute=self.rate_limit_per_minute,
            max_concurrent_per_client=self.max_concurrent_per_client,
        )
