"""``cnkg ask QUESTION``: a question answered from the ingested reports, with the sentences it rests on."""

from __future__ import annotations

import asyncio
import json
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from api.commands.common import DataOption, format_option, ingested, settings_for
from api.services import Services
from kg.namespaces import REPORT_BASE
from kg.qa import store_select
from kg.store import GraphStore

__all__ = ["AskFormat", "register", "render_answer"]

RELATED_PREVIEW_CHARS = 120  # how much of a related passage the text output shows


class AskFormat(StrEnum):
    text = "text"
    json = "json"


def render_answer(response: dict[str, Any], console: Console) -> None:
    """Print an answer for a person: the answer and its confidence, the parts of a multi-part question,
    each cited sentence with where it is, and on a decline the closest passages."""
    style = "bold green" if response["answered"] else "bold yellow"
    console.print(f"[{style}]{escape(response['answer'])}[/]")
    console.print(f"[dim]confidence {response.get('confidence', 0.0):.2f}[/dim]")
    for n, part in enumerate(response.get("parts", []), 1):
        said = part["answer"] if part["answered"] else "—"
        console.print(f"  ({n}) {escape(part['question'])} → {escape(said)}")
    for n, evidence in enumerate(response["evidence"], 1):
        where = evidence["passage"].removeprefix(REPORT_BASE)
        text = " ".join(evidence["text"].replace("**", "").split())
        console.print(f"[dim][{n}] {where} [{evidence['start']}:{evidence['end']}][/dim] {escape(text)}")
    if not response["answered"]:
        for n, hit in enumerate(response.get("related", []), 1):
            where = hit["passage"].removeprefix(REPORT_BASE)
            text = " ".join(hit["text"].replace("**", "").split())
            console.print(f"[dim]related {n}: {where}[/dim] {escape(text[:RELATED_PREVIEW_CHARS])}…")
    if response["entities"]:
        names = ", ".join(f"{e['label']} ({e['type']})" for e in response["entities"])
        console.print(
            f"[dim]entities: {escape(names)}; kind: {response['kind']}; from: {response['source']}[/dim]"
        )


def register(app: typer.Typer) -> None:
    @app.command("ask")
    def ask_cmd(
        question: Annotated[str, typer.Argument(help="The question (Chinese or English).")],
        data: DataOption = None,
        fmt: Annotated[AskFormat, format_option("text, or json (the /ask response).")] = AskFormat.text,
    ) -> None:
        """Answer a question from the ingested reports, citing the sentences it rests on."""
        services = Services(settings_for(data))
        datadir = ingested(services.datadir)
        response = asyncio.run(services.answerer.ask(question, store_select(GraphStore.open(datadir))))
        if fmt is AskFormat.json:
            typer.echo(json.dumps(response, ensure_ascii=False, indent=2))
        else:
            render_answer(response, Console())
