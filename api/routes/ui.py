"""The web interface: ``GET /`` serves the single page, ``GET /ui/{file}`` its scripts and styles.

The page is hand-written HTML, CSS and ES modules shipped inside the ``web`` package (no build step, no
CDN, no network at run time). It talks to the JSON API like any other client; the only thing rendered on
the server is a small configuration object in the page (is writing enabled, the SPARQL prefixes, the
Chinese and English labels of the ontology's classes and properties), so the first paint needs no
extra request. These routes are left out of the OpenAPI description: they are not an API.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import SettingsDep
from kg.errors import NotFoundError
from kg.namespaces import CNKG, ENTITY_TYPES, PREFIXES, RDFS, SKOS

__all__ = ["STATIC_FILES", "router", "script_json"]

router = APIRouter(include_in_schema=False)

_CONFIG_MARK = "<!--cnkg-config-->"
_MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}
# The files the page may load: everything under web/ with a known media type, fixed at import time, so
# a request path is only ever looked up in this table (never joined to a file system path).


def _collect_static() -> frozenset[str]:
    names: set[str] = set()
    stack: list[tuple[Traversable, str]] = [(files("web"), "")]
    while stack:
        folder, prefix = stack.pop()
        for entry in folder.iterdir():
            name = prefix + entry.name
            if entry.is_dir():
                stack.append((entry, name + "/"))
            elif name.endswith(tuple(_MEDIA_TYPES)):
                names.add(name)
    return frozenset(names)


STATIC_FILES = _collect_static()


@lru_cache(maxsize=64)
def _static_file(name: str) -> tuple[bytes, str, str]:
    path = files("web")
    for part in name.split("/"):
        path = path / part
    body = path.read_bytes()
    media_type = next(t for suffix, t in _MEDIA_TYPES.items() if name.endswith(suffix))
    return body, media_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def _ontology_labels() -> dict[str, dict[str, str]]:
    """``{iri: {"zh": …, "en": …}}`` for the ontology's classes and properties (from ontology/cnkg.ttl)."""
    labels: dict[str, dict[str, str]] = {
        SKOS + "broader": {"zh": "上位概念", "en": "broader"},
        SKOS + "narrower": {"zh": "下位概念", "en": "narrower"},
    }
    data = (files("ontology") / "cnkg.ttl").read_bytes()
    label = ox.NamedNode(RDFS + "label")
    for quad in ox.parse(data, format=ox.RdfFormat.TURTLE):
        obj = quad.object
        if quad.predicate == label and isinstance(obj, ox.Literal) and obj.language:
            subject = quad.subject
            if isinstance(subject, ox.NamedNode) and subject.value.startswith(CNKG):
                labels.setdefault(subject.value, {})[obj.language.split("-")[0]] = obj.value
    return labels


@lru_cache(maxsize=1)
def _page_template() -> tuple[str, str]:
    """The page with the writable-independent part of the configuration already rendered in."""
    page = (files("web") / "index.html").read_text(encoding="utf-8")
    static = script_json({"prefixes": PREFIXES, "types": list(ENTITY_TYPES), "labels": _ontology_labels()})
    before, _, after = page.partition(_CONFIG_MARK)
    return before + '<script type="application/json" id="cnkg-config">' + static[:-1], "}</script>" + after


def script_json(value: dict[str, Any]) -> str:
    # The JSON sits inside <script>: "</" must never appear in it, so every "<" is escaped.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render_page(writable: bool) -> str:
    """The single page, with the configuration object the scripts read on start."""
    head, tail = _page_template()
    return head + "," + script_json({"writable": writable})[1:-1] + tail


@router.api_route("/", methods=["GET", "HEAD"])
async def index(settings: SettingsDep) -> HTMLResponse:
    return HTMLResponse(
        render_page(bool(settings.write_token)),
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


@router.api_route("/ui/{name:path}", methods=["GET", "HEAD"])
async def static_file(name: str, request: Request) -> Response:
    if name not in STATIC_FILES:
        raise NotFoundError(f"no file {name!r} in the web interface")
    body, media_type, etag = _static_file(name)
    headers = {"ETag": etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
