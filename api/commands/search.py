"""``cnkg search TEXT``: passages by hybrid, keyword or dense search, as a readable list or JSON."""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from api.commands.common import DataOption, EmbedderOption, ingested, settings_for
from api.services import Services
from kg.errors import InputError
from kg.namespaces import ENTITY_TYPES, REPORT_BASE
from kg.search.hybrid import MODES
from kg.search.service import MAX_K

__all__ = ["register", "render_hits"]

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def render_hits(result: dict[str, Any], console: Console, *, explain: bool = False) -> None:
    """Print search results for a person: rank, score, where, and the passage with matches in bold."""
    import html

    hits = result["hits"]
    console.print(f"[dim]{result['total']} matching passages ({result['mode']}); showing {len(hits)}[/dim]")
    for hit in hits:
        where = hit["passage"].removeprefix(REPORT_BASE)
        console.print(
            f"\n[bold cyan]{hit['score']:.3f}[/]  [dim]{where}  [{hit['start']}:{hit['end']}][/dim]"
        )
        parts = _MARK.split(hit["highlight"])
        text = "".join(
            f"[bold yellow]{escape(html.unescape(p))}[/]" if i % 2 else escape(html.unescape(p))
            for i, p in enumerate(parts)
        )
        console.print(" ".join(text.split()))
        if hit["entities"]:
            console.print(
                "[dim]entities: " + ", ".join(escape(e["label"]) for e in hit["entities"]) + "[/dim]"
            )
        if explain and "explain" in hit:
            console.print(f"[dim]explain: {escape(json.dumps(hit['explain'], ensure_ascii=False))}[/dim]")


def register(app: typer.Typer) -> None:
    @app.command("search")
    def search_cmd(
        text: Annotated[str, typer.Argument(help="The question or keywords (Chinese, English or both).")],
        data: DataOption = None,
        k: Annotated[int, typer.Option("-k", help=f"Hits to show (at most {MAX_K}).")] = 10,
        offset: Annotated[int, typer.Option(help="Hits to skip.")] = 0,
        mode: Annotated[str, typer.Option(help="hybrid, bm25 or dense.")] = "hybrid",
        report: Annotated[str | None, typer.Option(help="Only this report (id, IRI or file name).")] = None,
        type_: Annotated[
            str | None,
            typer.Option(
                "--type", help=f"Only passages mentioning an entity of this type: {', '.join(ENTITY_TYPES)}."
            ),
        ] = None,
        explain: Annotated[bool, typer.Option(help="Show each leg's rank and score.")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the /search JSON response.")] = False,
        embedder: EmbedderOption = None,
        reembed: Annotated[
            bool,
            typer.Option(help="First re-embed every passage with --embedder (after switching embedders)."),
        ] = False,
    ) -> None:
        """Search the passages of the ingested reports."""
        if mode not in MODES:
            raise InputError(f"unknown search mode {mode!r}: use one of {', '.join(MODES)}")
        services = Services(settings_for(data, embedder=embedder))
        datadir = ingested(services.datadir)
        if reembed:
            if not embedder:
                raise InputError("--reembed needs --embedder (use3 or st:<model name or path>)")
            from kg.search.updater import reembed as reembed_all

            count = reembed_all(datadir, embedder, threads=services.embed_threads)
            typer.echo(f"re-embedded {count} passages with {embedder}", err=True)
        result = services.search.search(
            text, k=k, offset=offset, mode=mode, report=report, type=type_, explain=explain
        )
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            render_hits(result, Console(), explain=explain)
