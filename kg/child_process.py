"""Ending a child process that answers over a pipe (the upload sandbox's, the SPARQL query workers')."""

from __future__ import annotations

import contextlib
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

__all__ = ["CHILD_JOIN_SECONDS", "kill_child"]

CHILD_JOIN_SECONDS = 5.0  # how long to wait for a killed child to be reaped


def kill_child(process: BaseProcess, conn: Connection) -> None:
    """Kill ``process`` and close its end of the pipe; a child already gone or a pipe already closed is
    no error."""
    with contextlib.suppress(Exception):
        process.kill()
        process.join(CHILD_JOIN_SECONDS)
    with contextlib.suppress(Exception):
        conn.close()
