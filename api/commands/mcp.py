"""``cnkg mcp``: the MCP server over stdio, for AI assistants that start it as a subprocess."""

from __future__ import annotations

import asyncio

import typer

from api.commands.common import DataOption, datadir_for, ingested, settings_for
from api.mcp import run_stdio

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("mcp")
    def mcp_cmd(data: DataOption = None) -> None:
        """Serve the read-only MCP tools (search, ask, sparql, entity, facts, reports) and resources
        (ontology, reports) over stdin/stdout. Configuration for assistants: docs/mcp.md."""
        ingested(datadir_for(data))
        asyncio.run(run_stdio(settings_for(data)))
