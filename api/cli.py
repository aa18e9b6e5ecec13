"""The ``cnkg`` command line: one Typer app, each command group in ``api.commands``."""

from __future__ import annotations

import sys

import typer

from api.commands import ask, export, ingest, mcp, query, search, serve
from kg.errors import CnkgError

__all__ = ["app", "main"]

app = typer.Typer(
    name="cnkg",
    help="Knowledge graph and semantic search over Chinese cloud-native industry reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
ingest.register(app)
query.register(app)
search.register(app)
serve.register(app)
export.register(app)
ask.register(app)
mcp.register(app)


def main() -> None:
    """Entry point: every cnkg error becomes one line on stderr and exit status 1 (2 for usage)."""
    try:
        status = app(standalone_mode=False)  # a command's typer.Exit(n) comes back as n here
    except CnkgError as exc:
        typer.echo(f"cnkg: error: {exc.detail}", err=True)
        sys.exit(1)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("cnkg: interrupted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:
        # usage errors: click's, or those of the click that newer Typer releases vendor (same interface)
        show, exit_code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(exit_code, int):
            show()
            sys.exit(exit_code)
        raise
    if isinstance(status, int) and status:
        sys.exit(status)


if __name__ == "__main__":
    main()
