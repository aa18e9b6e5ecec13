"""``cnkg ingest``, ``cnkg delete``, ``cnkg reports``, ``cnkg entities`` and ``cnkg demo``."""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.commands.common import DataOption, EmbedderOption, datadir_for, settings_for
from api.services import Services
from api.settings import ServerSettings
from ingest.metadata import checked_date
from ingest.pipeline import IngestSummary, ingest_path
from kg.catalog import Catalog
from kg.entities import list_entities
from kg.errors import InputError
from kg.namespaces import ENTITY_TYPES
from kg.qa.source import store_select
from kg.store import GraphStore

__all__ = ["ingest_files", "register", "sample_paths"]

_console = Console(stderr=True)


def sample_paths() -> list[Path]:
    """The sample reports shipped with cnkg (what ``cnkg demo`` ingests)."""
    folder = resources.files("samples")
    return sorted(Path(str(folder.joinpath(p.name))) for p in folder.iterdir() if p.name.endswith(".md"))


def ingest_files(
    paths: list[Path],
    settings: ServerSettings,
    *,
    with_indexes: bool = True,
    force: bool = False,
    quiet: bool = False,
    date: str | None = None,
) -> list[IngestSummary]:
    """Ingest files one after another with a progress bar; stops at the first bad file."""
    date = checked_date(date)
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file")
    services = Services(settings)
    summaries = []
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(),
        console=_console,
        disable=quiet,
        transient=False,
    ) as bar:
        for path in paths:
            task = bar.add_task(path.name, total=8, stage="read")

            def tick(stage: str, done: int, total: int, task: TaskID = task) -> None:
                bar.update(task, completed=done, total=total, stage=stage)

            def embedding(done: int, total: int, task: TaskID = task) -> None:
                bar.update(task, stage=f"embedding {done}/{total}")

            updater = services.index_updater(progress=embedding) if with_indexes else None
            summaries.append(
                ingest_path(
                    path,
                    services.datadir,
                    progress=tick,
                    force=force,
                    index_updater=updater,
                    max_bytes=settings.max_upload_bytes,
                    date=date,
                )
            )
    return summaries


def _print_summary(summaries: list[IngestSummary]) -> None:
    console = Console()
    for s in summaries:
        table = Table(title=f"{s.source} → report {s.rid} ({s.status})", show_header=False)
        table.add_row("title", s.title)
        table.add_row("characters", f"{s.chars:,}")
        table.add_row("passages", str(s.passages))
        table.add_row("entities", ", ".join(f"{t} {n}" for t, n in s.entities.items()) or "0")
        table.add_row("discovered (not in lexicon)", str(s.discovered))
        table.add_row("relations", str(s.relations))
        table.add_row("facts", str(s.facts))
        table.add_row("time", f"{s.seconds:.2f} s")
        console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        paths: Annotated[list[Path], typer.Argument(help="Report files (.txt .md .pdf .docx .html).")],
        data: DataOption = None,
        force: Annotated[bool, typer.Option(help="Re-extract even when the file is unchanged.")] = False,
        no_index: Annotated[bool, typer.Option("--no-index", help="Skip the search indexes.")] = False,
        embedder: EmbedderOption = None,
        date: Annotated[
            str | None,
            typer.Option(
                help="The reports' date, YYYY[-MM[-DD]]: relative expressions (目前, 今年, 去年) resolve "
                "against it; overrides the date found in the text or the file's metadata."
            ),
        ] = None,
    ) -> None:
        """Ingest report files into the knowledge graph and the search indexes."""
        settings = settings_for(data, embedder=embedder)
        _print_summary(ingest_files(paths, settings, with_indexes=not no_index, force=force, date=date))

    @app.command("delete")
    def delete_cmd(
        report: Annotated[str, typer.Argument(help="Report id, id prefix, IRI or source file name.")],
        data: DataOption = None,
    ) -> None:
        """Delete one report: its graph, its passages and its index entries."""
        record = Services(settings_for(data)).writing_catalog().delete(report)
        typer.echo(f"deleted report {record.rid} ({record.source})")

    @app.command("reports")
    def reports_cmd(data: DataOption = None) -> None:
        """List the ingested reports."""
        table = Table("id", "source", "title", "chars", "passages", "facts", "ingested")
        for r in Catalog(datadir_for(data)).reports():
            table.add_row(
                r.rid,
                r.source,
                r.title,
                f"{r.chars:,}",
                str(r.counts.get("passages", "")),
                str(r.counts.get("facts", "")),
                r.ingested,
            )
        Console().print(table)

    @app.command("entities")
    def entities_cmd(
        data: DataOption = None,
        discovered: Annotated[
            bool, typer.Option(help="Only entities discovered outside the lexicon.")
        ] = False,
        type_: Annotated[
            str | None, typer.Option("--type", help=f"One of {', '.join(ENTITY_TYPES)}.")
        ] = None,
        limit: Annotated[int, typer.Option(min=1)] = 200,
    ) -> None:
        """List entities mentioned in the reports (with mention counts)."""
        if type_ is not None and type_ not in ENTITY_TYPES:
            raise InputError(f"unknown entity type {type_!r}; use one of {', '.join(ENTITY_TYPES)}")
        table = Table("entity", "label", "type", "mentions", "reports", "discovered")
        select = store_select(GraphStore.open(datadir_for(data)))
        rows = asyncio.run(list_entities(select, discovered_only=discovered, type_=type_, limit=limit))
        for row in rows:
            table.add_row(
                row.slug,
                row.label,
                row.type,
                str(row.mentions),
                str(row.reports),
                "yes" if row.discovered else "",
            )
        Console().print(table)

    @app.command("demo")
    def demo_cmd(
        data: DataOption = None,
        host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
        port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    ) -> None:
        """Ingest the bundled sample reports (idempotent), then serve them over HTTP."""
        import uvicorn

        from api.app import create_app

        settings = settings_for(data, host=host, port=port)
        _print_summary(ingest_files(sample_paths(), settings))
        typer.echo(f"cnkg: serving {settings.data} on http://{settings.host}:{settings.port}/", err=True)
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
