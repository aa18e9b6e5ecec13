"""The Host check (DNS rebinding), per-client limits (rate and concurrency, answered with 429 and
``Retry-After``), request body caps, and CORS (off unless an allow-list is configured).

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
from api.settings import ServerSettings
from kg.sparql.errors import PayloadTooLargeError

__all__ = [
    "ALWAYS_ALLOWED_HOSTS",
    "AllowedHostsMiddleware",
    "BodyLimitMiddleware",
    "ClientLimitMiddleware",
    "allowed_host_names",
    "host_name",
    "install_middleware",
]

ALWAYS_ALLOWED_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
ANY_HOST = "*"

# The web interface's static files are cheap, and a page loads several at once: not counted.
_EXEMPT = ("/health", "/ui/")


def host_name(host: str) -> str:
    """The name part of a Host header (or an address to bind), lower-case, without port or final dot.

    >>> [host_name(h) for h in ("LocalHost:8000", "[::1]:8000", "::1", "example.org.", "10.0.0.1")]
    ['localhost', '[::1]', '[::1]', 'example.org', '10.0.0.1']
    """
    host = host.strip().lower()
    if host.startswith("["):
        name = host[: host.find("]") + 1] if "]" in host else host
    elif host.count(":") > 1:  # a bare IPv6 address (a bind address, not a Host header)
        name = f"[{host}]"
    else:
        name, _, port = host.partition(":")
        if port and not port.isdigit():
            return ""
    return name.rstrip(".")


def allowed_host_names(settings: ServerSettings) -> frozenset[str] | None:
    """The names clients may put in the Host header: the bind address, localhost, 127.0.0.1 and [::1],
    and ``settings.allowed_hosts``; None when that list holds ``*`` (no check)."""
    if ANY_HOST in settings.allowed_hosts:
        return None
    configured = {host_name(h) for h in settings.allowed_hosts}
    return frozenset(ALWAYS_ALLOWED_HOSTS | {host_name(settings.host)} | configured) - {""}


class AllowedHostsMiddleware:
    """Answer 400 to a request whose Host header is not one of this server's names. A web page on
    attacker.example whose name is made to resolve to 127.0.0.1 (DNS rebinding) can then reach the
    service only with ``Host: attacker.example``, and is refused; the browser's same-origin rules would
    otherwise let it read every answer."""

    def __init__(self, app: ASGIApp, *, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw = dict(scope.get("headers") or []).get(b"host", b"")
        host = raw.decode("latin-1")
        if host_name(host) not in self.hosts:
            shown = repr(host[:100]) if host else "no Host header"
            refusal = problem_response(
                400,
                "Bad host",
                f"this server does not answer to {shown}; the operator lists the names it answers to "
                "with --allowed-host (CNKG_ALLOWED_HOSTS)",
                instance=scope["path"],
            )
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)


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


def install_middleware(app: FastAPI, settings: ServerSettings) -> None:
    """Order (outermost first): Host check, CORS, client limits, body limits."""
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
    hosts = allowed_host_names(settings)
    if hosts is not None:
        app.add_middleware(AllowedHostsMiddleware, hosts=hosts)
