"""Browser-facing security headers on every response: a Content-Security-Policy, ``Referrer-Policy`` and
``X-Content-Type-Options``.

The policies are the second wall behind the pages' own care (values inserted as text, links only to
http(s) URLs): even if a page did put an attacker's ``javascript:`` URL, inline script or event handler into
the DOM, the browser would refuse to run it. Every page loads its scripts only from this server's files
(no page has inline script or inline event handlers), and its styles too, except ReDoc's.

A route may set its own policy (ReDoc needs a little more, see :data:`REDOC_POLICY`); the middleware only
fills in the headers a response lacks.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "HTML_POLICY",
    "NON_HTML_POLICY",
    "REDOC_POLICY",
    "SecurityHeadersMiddleware",
    "install_security_headers",
]


def _policy(**directives: str) -> str:
    return "; ".join(f"{name.replace('_', '-')} {value}" for name, value in directives.items())


_COMMON = {"object_src": "'none'", "base_uri": "'none'", "form_action": "'self'", "frame_ancestors": "'none'"}


def _own_files_policy(style_src: str, **more: str) -> str:
    """A page that loads only this server's own files (images also as data: URLs), its styles from
    ``style_src``, with the ``more`` directives."""
    return _policy(
        default_src="'self'",
        script_src="'self'",
        style_src=style_src,
        img_src="'self' data:",
        connect_src="'self'",
        **more,
        **_COMMON,
    )


# The web interface (/, its ES modules and style sheet under /ui/) and the linked-data pages (/id/…): only
# this server's own files; images also as data: URLs (the page's empty favicon).
HTML_POLICY = _own_files_policy("'self'")

# ReDoc (/redoc, a file of the fastapi-offline wheel) builds its styles at run time as <style> elements
# (styled-components) and runs its search index in a worker made from a blob: URL; this page, and only
# this one, allows inline *style* and blob: workers. Its script is a file as everywhere else. (Swagger UI at
# /docs works under HTML_POLICY once its start-up script is a file: web/js/api-docs.js.)
REDOC_POLICY = _own_files_policy("'self' 'unsafe-inline'", worker_src="'self' blob:")

# Everything else (JSON, RDF, scripts, style sheets): a document made of it may load nothing at all.
NON_HTML_POLICY = _policy(default_src="'none'", frame_ancestors="'none'", base_uri="'none'")

REFERRER_POLICY = "no-referrer"  # links out of the interface (Wikidata, …) send no address of this server

_HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class SecurityHeadersMiddleware:
    """Adds the CSP (chosen by the response's media type), ``Referrer-Policy`` and
    ``X-Content-Type-Options: nosniff`` to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _with_security_headers(list(message.get("headers") or []))
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {name.lower() for name, _ in headers}
    media_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    html = media_type.split(b";")[0].strip().lower() in _HTML_TYPES
    wanted = {
        b"content-security-policy": HTML_POLICY if html else NON_HTML_POLICY,
        b"referrer-policy": REFERRER_POLICY,
        b"x-content-type-options": "nosniff",
    }
    return headers + [
        (name, value.encode("latin-1")) for name, value in wanted.items() if name not in present
    ]


def install_security_headers(app: FastAPI) -> None:
    """Outermost middleware, so that responses made by other middleware (429, 413, …) get the headers too."""
    app.add_middleware(SecurityHeadersMiddleware)
