"""``cnkg mcp``: the MCP server over stdio, for AI assistants that start it as a subprocess."""

from __future__ import annotations

import asyncio

import typer

from api.commands.common import DataOption, datadir_for, settings_for
from api.mcp import run_stdio
from kg.errors import NotFoundError

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("mcp")
    def mcp_cmd(data: DataOption = None) -> None:
        """Serve the read-only MCP tools (search, ask, sparql, entity, facts, reports) and resources
        (ontology, reports) over stdin/stdout. Configuration for assistants: docs/mcp.md."""
        datadir = datadir_for(data)
        if not datadir.exists():
            raise NotFoundError(f"no cnkg data directory at {datadir.root}; run cnkg ingest first")
        asyncio.run(run_stdio(settings_for(data)))
