"""Per-client limits (rate and concurrency, answered with 429 and ``Retry-After``), request body caps,
and CORS (off unless an allow-list is configured).

Clients are told apart by address (``request.client.host``); behind a reverse proxy, run uvicorn with
``--proxy-headers`` and ``--forwarded-allow-ips`` so that address is the real client's.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem_response
from kg.settings import Settings
from kg.sparql.errors import PayloadTooLargeError

__all__ = ["BodyLimitMiddleware", "ClientLimitMiddleware", "install_middleware"]

# The web interface's static files are cheap, and a page loads several at once: not counted.
_EXEMPT = ("/health", "/ui/")


@dataclass
class _Client:
    tokens: float
    updated: float
    active: int = 0
    seen: float = field(default_factory=time.monotonic)


class ClientLimitMiddleware:
    """A token bucket per client (``per_minute`` requests, refilled continuously) and a cap on the
    requests a client may have in flight at once."""

    def __init__(self, app: ASGIApp, *, per_minute: int, concurrent: int) -> None:
        self.app = app
        self.per_minute = per_minute
        self.rate = per_minute / 60.0
        self.concurrent = concurrent
        self.clients: dict[str, _Client] = {}
        self.lock = threading.Lock()
        self._last_prune = time.monotonic()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(_EXEMPT):
            await self.app(scope, receive, send)
            return
        host = (scope.get("client") or ("unknown", 0))[0]
        refusal = self._admit(host)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            with self.lock:
                self.clients[host].active -= 1

    def _admit(self, host: str) -> ASGIApp | None:
        now = time.monotonic()
        with self.lock:
            self._prune(now)
            client = self.clients.get(host)
            if client is None:
                client = self.clients[host] = _Client(tokens=float(self.per_minute), updated=now)
            client.tokens = min(float(self.per_minute), client.tokens + (now - client.updated) * self.rate)
            client.updated = client.seen = now
            if client.active >= self.concurrent:
                return problem_response(
                    429,
                    "Too many requests",
                    f"{host} already has {client.active} requests in progress "
                    f"(the limit is {self.concurrent}); "
                    "wait for one to finish",
                    headers={"Retry-After": "1"},
                )
            if client.tokens < 1.0:
                wait = math.ceil((1.0 - client.tokens) / self.rate)
                return problem_response(
                    429,
                    "Too many requests",
                    f"more than {self.per_minute} requests per minute from {host}; retry after {wait} s",
                    headers={"Retry-After": str(wait)},
                )
            client.tokens -= 1.0
            client.active += 1
            return None

    def _prune(self, now: float) -> None:
        if now - self._last_prune < 60:
            return
        self._last_prune = now
        for host in [h for h, c in self.clients.items() if c.active == 0 and now - c.seen > 600]:
            del self.clients[host]


class BodyLimitMiddleware:
    """Stop reading a request body once it passes its cap, whatever Content-Length claimed: uploads
    (``/reports``, ``/store``) may be ``upload_bytes`` long, everything else ``other_bytes``."""

    def __init__(self, app: ASGIApp, *, upload_bytes: int, other_bytes: int) -> None:
        self.app = app
        self.upload_bytes = upload_bytes
        self.other_bytes = other_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        uploads = path.startswith(("/reports", "/store"))
        limit = self.upload_bytes if uploads else self.other_bytes
        what = "upload" if uploads else "request body"
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            error = PayloadTooLargeError(f"the {what} has {int(declared):,} bytes; the limit is {limit:,}")
            await problem_response(413, error.title, error.detail, instance=path)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLargeError(f"the {what} is larger than the limit of {limit:,} bytes")
            return message

        await self.app(scope, limited_receive, send)


def install_middleware(app: FastAPI, settings: Settings) -> None:
    """Order (outermost first): CORS, client limits, body limits."""
    app.add_middleware(
        BodyLimitMiddleware,
        upload_bytes=settings.max_upload_bytes + 1_000_000,  # multipart framing around the file
        other_bytes=settings.max_query_chars * 9 + 65_536,  # max_query_chars of CJK, percent-encoded
    )
    app.add_middleware(
        ClientLimitMiddleware,
        per_minute=settings.rate_limit_per_minute,
        concurrent=settings.max_concurrent_per_client,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
            expose_headers=["X-Cnkg-Truncated", "X-Cnkg-Rows", "Retry-After", "Location"],
            max_age=600,
        )
