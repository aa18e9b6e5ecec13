"""Live-server fixtures; test modules load them with ``pytest_plugins = ["support.fixtures"]``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import LiveServer, make_datadir, serve, server_settings


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A read-mostly server shared by the HTTP tests (do not write through it: see ``writable``)."""
    root = tmp_path_factory.mktemp("cnkg-live")
    make_datadir(root)
    with serve(server_settings(root)) as server:
        yield server
