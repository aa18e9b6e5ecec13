"""``cnkg serve``: the HTTP service (SPARQL endpoint, linked data, search, resources) under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from api.commands.common import DataOption, HostOption, PortOption, settings_for
from kg.errors import CnkgError

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_cmd(
        data: DataOption = None,
        host: HostOption = None,
        port: PortOption = None,
        write_token: Annotated[
            str | None,
            typer.Option(
                "--write-token",
                envvar="CNKG_WRITE_TOKEN",
                help="Enables uploads, deletes, SPARQL Update and the Graph Store for clients that send "
                "'Authorization: Bearer TOKEN'. Prefer the environment variable: flags show in ps.",
                show_default=False,
            ),
        ] = None,
        query_timeout: Annotated[
            float | None, typer.Option(help="Hard timeout of one SPARQL query in seconds (default 30).")
        ] = None,
        row_cap: Annotated[
            int | None, typer.Option(help="Most rows one query returns (default 10000).")
        ] = None,
        max_result_bytes: Annotated[
            int | None,
            typer.Option(help="Largest SPARQL result body in bytes (default 64 MiB); longer ones are cut."),
        ] = None,
        store: Annotated[
            str | None,
            typer.Option(
                "--store",
                help="External SPARQL 1.1 store, e.g. http://127.0.0.1:7878 (oxigraph serve "
                "--union-default-graph; its /query and /update are used) or a query endpoint such as "
                "Virtuoso's http://127.0.0.1:8890/sparql.",
            ),
        ] = None,
        store_update: Annotated[
            str | None,
            typer.Option(
                "--store-update",
                help="The external store's update endpoint when it is not the store URL's /update, e.g. "
                "Virtuoso's http://127.0.0.1:8890/sparql-auth.",
            ),
        ] = None,
        store_user: Annotated[
            str | None,
            typer.Option(
                "--store-user",
                help="User name for the external store, sent when it asks (Digest or Basic); the password "
                "comes from CNKG_STORE_PASSWORD.",
            ),
        ] = None,
        allow_service: Annotated[
            bool | None,
            typer.Option(
                "--allow-service/--no-allow-service", help="Allow SPARQL SERVICE (federated query)."
            ),
        ] = None,
        cors_origin: Annotated[
            list[str] | None,
            typer.Option("--cors-origin", help="Allowed CORS origin (repeatable); none by default."),
        ] = None,
        workers: Annotated[
            int | None,
            typer.Option("--query-workers", help="Query worker processes (default: one per core, ≥2)."),
        ] = None,
        graph_store: Annotated[
            str | None,
            typer.Option(
                "--graph-store",
                help="Where the query workers hold the graph: 'memory' (a copy per worker), 'disk' (one "
                "shared read-only on-disk store, kept up to date by every writer) or 'auto' (default: disk "
                "above 1.2M triples or when the data directory already keeps one).",
            ),
        ] = None,
        allowed_host: Annotated[
            list[str] | None,
            typer.Option(
                "--allowed-host",
                help="A host name clients may use in the Host header (repeatable; any port), besides the "
                "bind address, localhost, 127.0.0.1 and [::1]; '*' turns the check off.",
            ),
        ] = None,
        access_log: Annotated[
            bool, typer.Option("--access-log/--no-access-log", help="Log every request (costs throughput).")
        ] = False,
    ) -> None:
        """Serve the knowledge graph over HTTP (SPARQL 1.1, linked data, search, reports)."""
        import uvicorn

        from api.app import create_app

        if graph_store not in (None, "auto", "memory", "disk"):
            raise typer.BadParameter("must be 'auto', 'memory' or 'disk'", param_hint="--graph-store")

        settings = settings_for(
            data,
            host=host,
            port=port,
            write_token=write_token,
            query_timeout=query_timeout,
            row_cap=row_cap,
            max_result_bytes=max_result_bytes,
            store_url=store,
            store_update_url=store_update,
            store_user=store_user,
            allow_service=allow_service,
            cors_origins=cors_origin or None,
            query_workers=workers,
            graph_store=graph_store,
            allowed_hosts=allowed_host or None,
        )
        if (settings.store_user is None) != (settings.store_password is None):
            raise CnkgError(
                "external store credentials need both --store-user (CNKG_STORE_USER) and CNKG_STORE_PASSWORD"
            )
        if settings.host not in ("127.0.0.1", "localhost", "::1") and not settings.write_token:
            typer.echo(f"cnkg: serving read-only on {settings.host}:{settings.port}", err=True)
        if settings.host in ("0.0.0.0", "::") and not settings.allowed_hosts:
            typer.echo(
                f"cnkg: bound to {settings.host}, but only requests for localhost, 127.0.0.1 and [::1] are "
                "answered; name the others with --allowed-host (or CNKG_ALLOWED_HOSTS)",
                err=True,
            )
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level="info",
            access_log=access_log,
            timeout_graceful_shutdown=5,
        )
