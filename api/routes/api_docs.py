"""``/docs`` and ``/redoc``: the OpenAPI explorers, served from files installed with the package.

FastAPI's own pages load Swagger UI and ReDoc from a CDN, which an offline deployment cannot reach. The same
JavaScript and CSS ship inside the ``fastapi-offline`` wheel (a PyPI dependency); only its static files are
used here, mounted at ``/docs/assets``. The two pages themselves are written here rather than by FastAPI's
helpers, whose Swagger UI page starts with an inline script: ours starts it from a file of the web
interface (``/ui/js/api-docs.js``), so neither page's Content-Security-Policy (``api.security_headers``)
allows inline script.
"""

from __future__ import annotations

import html
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import swagger_ui_default_parameters
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.routes.ui import script_json
from api.security_headers import HTML_POLICY, REDOC_POLICY

__all__ = ["ASSETS_URL", "install_api_docs"]

ASSETS_URL = "/docs/assets"


def _assets_dir() -> Path:
    return Path(str(files("fastapi_offline") / "static"))


def _page(title: str, head: str, body: str, policy: str = HTML_POLICY) -> HTMLResponse:
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{html.escape(title)}</title>
{head}</head>
<body>
{body}
</body></html>"""
    return HTMLResponse(page, headers={"Content-Security-Policy": policy})


def _json_block(element_id: str, value: dict[str, Any]) -> str:
    """``value`` as a JSON data block (data, never run)."""
    return f'<script type="application/json" id="{element_id}">{script_json(value)}</script>'


def install_api_docs(app: FastAPI) -> None:
    """Swagger UI at ``/docs`` and ReDoc at ``/redoc`` over ``app.openapi_url``, with no network access."""
    router = APIRouter(include_in_schema=False)
    openapi_url = app.openapi_url or "/openapi.json"
    title = f"{app.title} API"

    @router.get("/docs")
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        assets = html.escape(f"{root}{ASSETS_URL}", quote=True)
        options = {**swagger_ui_default_parameters, **(app.swagger_ui_parameters or {})}
        options["url"] = f"{root}{openapi_url}"
        return _page(
            title,
            f'<link rel="stylesheet" href="{assets}/swagger-ui.css">\n'
            f'<link rel="icon" href="{assets}/favicon.png">\n',
            '<div id="swagger-ui"></div>\n'
            + _json_block("swagger-ui-options", options)
            + f'\n<script src="{assets}/swagger-ui-bundle.js"></script>'
            + f'\n<script src="{html.escape(root, quote=True)}/ui/js/api-docs.js"></script>',
        )

    @router.get("/redoc")
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        assets = html.escape(f"{root}{ASSETS_URL}", quote=True)
        return _page(
            title,
            f'<link rel="stylesheet" href="{html.escape(root, quote=True)}/ui/api-docs.css">\n'
            f'<link rel="icon" href="{assets}/favicon.png">\n',
            f'<redoc spec-url="{html.escape(root + openapi_url, quote=True)}"></redoc>\n'
            f'<script src="{assets}/redoc.standalone.js"></script>',
            REDOC_POLICY,
        )

    app.include_router(router)
    app.mount(ASSETS_URL, StaticFiles(directory=_assets_dir()), name="api-docs-assets")
