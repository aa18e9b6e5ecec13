"""``GET /id/...``: every cnkg IRI dereferences — HTML for browsers, RDF (Turtle, JSON-LD, …) by Accept."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import EngineDep
from api.problems import problem_docs
from kg.errors import NotFoundError
from kg.namespaces import ID_BASE, PREFIXES
from kg.sparql.formats import GRAPH_FORMATS, Format, negotiate
from kg.sparql.resources import describe, resource_rows

__all__ = ["router"]

router = APIRouter(tags=["Linked data"])

_HTML = Format("html", "text/html", ("application/xhtml+xml",))
# Turtle first, so that curl's */* gets RDF; browsers ask for text/html explicitly and get the page.
_OFFERED = (GRAPH_FORMATS[0], _HTML, *GRAPH_FORMATS[1:])

# The pages' style sheet is a file of the web interface: their Content-Security-Policy allows no inline
# style (api/security_headers.py).
_STYLESHEET = "/ui/linked-data.css"
# Schemes an IRI may have to be shown as a link; any other IRI (javascript:, data:, urn:, …) is text.
_LINKED_SCHEMES = frozenset({"http", "https"})


def _short(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _id_page(iri: str) -> str:
    """The path of a cnkg IRI's page on this server."""
    return "/id/" + quote(iri[len(ID_BASE) :], safe="/")


def _href(iri: str) -> str | None:
    """Where a link to ``iri`` goes: cnkg IRIs to their /id/ page, http(s) IRIs to themselves, others
    nowhere (None), decided on the parsed IRI's scheme."""
    if iri.startswith(ID_BASE):
        return _id_page(iri)
    try:
        scheme = urlsplit(iri).scheme.lower()
    except ValueError:
        return None
    return iri if scheme in _LINKED_SCHEMES else None


def _term_html(cell: dict[str, Any], label: str | None) -> str:
    value = str(cell["value"])
    if cell["type"] == "uri":
        text = html.escape(label or _short(value))
        href = _href(value)
        if href is None:
            return f'<span class="iri-text">{text}</span>'
        return f'<a href="{html.escape(href, quote=True)}">{text}</a>'
    if cell["type"] == "bnode":
        return f"_:{html.escape(value)}"
    lang = cell.get("xml:lang")
    suffix = f' <span class="lang">@{html.escape(lang)}</span>' if lang else ""
    return html.escape(value).replace("\n", "<br>") + suffix


def render_resource(iri: str, rows: list[dict[str, Any]]) -> str:
    """An HTML page (no scripts; one style sheet of this server) listing a resource's triples."""
    label = next(
        (r["o"]["value"] for r in rows if _short(r["p"]["value"]) in ("skos:prefLabel", "rdfs:label")), None
    )
    body_rows = "".join(
        '<tr><th scope="row">{p}</th><td>{o}</td><td class="graph">{g}</td></tr>'.format(
            p=_term_html(r["p"], None),
            o=_term_html(r["o"], r.get("label", {}).get("value")),
            g=_term_html(r["g"], None) if "g" in r else "",
        )
        for r in rows
    )
    here = html.escape(_id_page(iri), quote=True)
    formats = " ".join(
        f'<a href="{here}?format={f.name}" rel="alternate" type="{f.media_type}">{f.name}</a>'
        for f in GRAPH_FORMATS[:4]
    )
    title = html.escape(label or _short(iri))
    return f"""<!doctype html>
<html lang="zh"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{title} · cnkg</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="{_STYLESHEET}"></head>
<body><main><h1>{title}</h1><p class="iri">{html.escape(iri)}</p>
<p class="formats">Download: {formats}</p>
<table><thead>
<tr><th scope="col">property</th><th scope="col">value</th><th scope="col">graph</th></tr></thead>
<tbody>{body_rows}</tbody></table></main></body></html>"""


@router.get(
    "/id/{path:path}",
    summary="Dereference a cnkg IRI",
    description="`https://w3id.org/cnkg/id/{path}` as an HTML page (browsers) or as RDF chosen by Accept or "
    "`format` (Turtle by default; JSON-LD, N-Triples, RDF/XML …). 404 when the graph knows nothing about it.",
    responses={
        200: {
            "description": "The resource's triples.",
            "content": {
                "text/turtle": {
                    "example": "<https://w3id.org/cnkg/id/entity/kubernetes> a cnkg:Technology ;\n"
                    '  skos:prefLabel "Kubernetes"@en ; skos:altLabel "K8s"@en .'
                },
                "text/html": {"example": "<!doctype html><html>…</html>"},
            },
        },
        **problem_docs(404, 406, 429, 503),
    },
)
async def dereference(path: str, request: Request, engine: EngineDep) -> Response:
    iri = ID_BASE + path
    fmt = negotiate(request.headers.get("accept"), _OFFERED, request.query_params.get("format"))
    if fmt is _HTML:
        rows = await resource_rows(engine, iri)
        if not rows:
            raise NotFoundError(f"nothing is known about <{iri}>")
        return HTMLResponse(render_resource(iri, rows), headers={"Vary": "Accept"})
    body = await describe(engine, iri, fmt)
    return Response(content=body, media_type=fmt.content_type, headers={"Vary": "Accept"})
