"""Options shared by every command: the data directory and settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.settings import ServerSettings
from kg.datadir import DataDir

__all__ = ["DataOption", "datadir_for", "settings_for"]

DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data", help="Data directory (default: $CNKG_DATA, else ./cnkg-data).", show_default=False
    ),
]


def settings_for(data: Path | None, **overrides: object) -> ServerSettings:
    values = {k: v for k, v in overrides.items() if v is not None}
    if data is not None:
        values["data"] = data
    return ServerSettings(**values)  # type: ignore[arg-type]


def datadir_for(data: Path | None) -> DataDir:
    return DataDir(settings_for(data).data)
