"""Live-server fixtures; test modules load them with ``pytest_plugins = ["support.fixtures"]``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import LiveServer, serve_sample


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A read-mostly server shared by the HTTP tests (do not write through it: see ``writable``)."""
    with serve_sample(tmp_path_factory.mktemp("cnkg-live")) as server:
        yield server
