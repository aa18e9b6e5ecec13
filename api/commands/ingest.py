"""``cnkg ingest``, ``cnkg delete``, ``cnkg reports``, ``cnkg entities`` and ``cnkg demo``."""

from __future__ import annotations

import asyncio
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.commands.common import DataOption, EmbedderOption, HostOption, PortOption, datadir_for, settings_for
from api.services import Services
from api.settings import ServerSettings
from ingest.metadata import checked_date
from ingest.parallel import FileResult, IngestOptions, ingest_many, job_count
from ingest.pipeline import IngestSummary
from kg.catalog import Catalog
from kg.datadir import DataDir
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
    jobs: int = 1,
) -> list[FileResult]:
    """Ingest files with a progress bar: ``jobs`` worker processes read, extract and embed, this process
    commits the reports in the order given. A file that fails is reported on one line (``cnkg: error:``)
    and skipped; the caller decides the exit status from the results."""
    date = checked_date(date)
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file")
    options = IngestOptions(
        jobs=jobs,
        with_indexes=with_indexes,
        embedder=settings.embedder,
        embed_threads=settings.embed_threads,
        force=force,
        max_bytes=settings.max_upload_bytes,
        date=date,
    )
    workers = job_count(jobs, len(paths))
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=_console,
        disable=quiet,
        transient=False,
    ) as bar:
        task = bar.add_task(
            f"ingest ({workers} worker{'s' if workers > 1 else ''})", total=len(paths), last=""
        )

        def done(result: FileResult) -> None:
            if result.error is not None:
                bar.console.print(
                    f"cnkg: error: {result.error}", markup=False, highlight=False, soft_wrap=True
                )
            bar.update(task, advance=1, last=result.path.name)

        return ingest_many(paths, DataDir(settings.data), options, on_result=done)


def _finish(results: list[FileResult]) -> None:
    """Print what was committed; exit with status 1 when a file failed (each already has its line)."""
    _print_summary([r.summary for r in results if r.summary is not None])
    failed = sum(1 for r in results if r.error is not None)
    if failed:
        typer.echo(f"cnkg: {failed} of {len(results)} files failed; the others were stored", err=True)
        raise typer.Exit(1)


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
        jobs: Annotated[
            int,
            typer.Option(
                "--jobs",
                "-j",
                min=0,
                help="Worker processes that read, extract and embed files in parallel (0: one per core); "
                "this process alone writes, committing the reports in the order given.",
            ),
        ] = 1,
    ) -> None:
        """Ingest report files into the knowledge graph and the search indexes."""
        settings = settings_for(data, embedder=embedder)
        _finish(ingest_files(paths, settings, with_indexes=not no_index, force=force, date=date, jobs=jobs))

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
        host: HostOption = None,
        port: PortOption = None,
    ) -> None:
        """Ingest the bundled sample reports (idempotent), then serve them over HTTP."""
        import uvicorn

        from api.app import create_app

        settings = settings_for(data, host=host, port=port)
        _finish(ingest_files(sample_paths(), settings))
        typer.echo(f"cnkg: serving {settings.data} on http://{settings.host}:{settings.port}/", err=True)
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
