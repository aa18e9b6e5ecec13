"""External SPARQL stores for the ``--store`` tests, each private to the test run: ``oxigraph serve`` and
Debian's Virtuoso (:mod:`support.virtuoso`), on free ports of 127.0.0.1, their files in a directory of
the caller's, stopped at the end. :func:`external_store` gives either, with the cnkg settings that use it."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .processes import free_port
from .virtuoso import virtuoso

STORES = ("oxigraph", "virtuoso")
STARTUP_SECONDS = 30.0
POLL_SECONDS = 0.1


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class ExternalStore:
    name: str
    query_url: str  # the store's own query endpoint, for asking it directly
    pid: int  # of the store's server process
    settings: dict[str, object] = field(default_factory=dict)  # cnkg settings: store_url, …
    # write what the store holds to its files (Virtuoso: a checkpoint)
    flush: Callable[[], object] = _nothing
    # bytes of its files in use, free space left out, when the store says (Virtuoso)
    bytes_in_use: Callable[[], int | None] = _nothing


@contextlib.contextmanager
def oxigraph_serve(location: Path) -> Iterator[tuple[str, int]]:
    """``oxigraph serve --union-default-graph`` on disk in ``location``; yields its base URL and pid."""
    port = free_port()
    process = subprocess.Popen(
        [
            "oxigraph",
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                httpx.get(url + "/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(POLL_SECONDS)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(10)


@contextlib.contextmanager
def external_store(name: str, root: Path) -> Iterator[ExternalStore]:
    """The store ``name`` (one of :data:`STORES`) with its files in ``root``."""
    if name == "oxigraph":
        with oxigraph_serve(root) as (url, pid):
            yield ExternalStore(name, url + "/query", pid, {"store_url": url})
    elif name == "virtuoso":
        with virtuoso(root) as store:
            yield ExternalStore(
                name,
                store.query_url,
                store.pid,
                {
                    "store_url": store.query_url,
                    "store_update_url": store.update_url,
                    "store_user": store.user,
                    "store_password": store.password,
                },
                lambda: store.sql("checkpoint;"),
                store.bytes_in_use,
            )
    else:
        raise ValueError(f"unknown external store {name!r}; one of {', '.join(STORES)}")
