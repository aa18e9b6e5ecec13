"""Options shared by every command: the data directory (and the check that it holds ingested data) and
settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from api.settings import ServerSettings
from kg.datadir import DataDir
from kg.errors import NotFoundError

__all__ = [
    "DataOption",
    "EmbedderOption",
    "HostOption",
    "PortOption",
    "datadir_for",
    "format_option",
    "ingested",
    "settings_for",
]

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data", help="Data directory (default: $CNKG_DATA, else ./cnkg-data).", show_default=False
    ),
]

# The HTTP service's address (cnkg serve, cnkg demo); the defaults are ServerSettings'.
HostOption = Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")]
PortOption = Annotated[int | None, typer.Option(help="Port (default 8000).")]

EmbedderOption = Annotated[
    str | None,
    typer.Option(
        help="Embedder, 'use3' or 'st:<model name or path>': a new data directory is indexed with it, an "
        "existing index must have been built with it (default: $CNKG_EMBEDDER, else the data directory's "
        "own, use3 for a new one).",
        show_default=False,
    ),
]


def format_option(help: str) -> Any:
    """``--format``/``-f``, the option of every command that prints in a choice of formats (typer's
    ``OptionInfo``, for an ``Annotated`` parameter whose type is the command's format choices)."""
    return typer.Option("--format", "-f", help=help)


def settings_for(data: Path | None, **overrides: object) -> ServerSettings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if data is not None:
        values["data"] = data
    return ServerSettings(**values)  # type: ignore[arg-type]


def datadir_for(data: Path | None) -> DataDir:
    return DataDir(settings_for(data).data)


def ingested(datadir: DataDir) -> DataDir:
    """``datadir``, once it is known to exist; else the error that tells the user to ingest first."""
    if not datadir.exists():
        raise NotFoundError(f"no cnkg data directory at {datadir.root}; run cnkg ingest first")
    return datadir
