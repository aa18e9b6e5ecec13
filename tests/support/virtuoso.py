"""A private Virtuoso (Debian's ``virtuoso-opensource``) for the external-store tests and benches.

Started from a ``virtuoso.ini`` written into a directory of the caller's (database, transaction log, error
log and HTTP root all there, nothing written elsewhere), SQL and HTTP on free ports of 127.0.0.1, stopped
at the end. A user ``cnkg`` with a random password and the ``SPARQL_UPDATE`` role is created, as an
operator would for cnkg: queries go to the open ``/sparql``, updates to ``/sparql-auth`` with HTTP Digest.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from .processes import free_port, stop_process_group

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
USER = "cnkg"
STARTUP_SECONDS = 120.0  # a fresh database is created on first start (about 10 s on 2 shared cores)
STOP_SECONDS = 30.0
POLL_SECONDS = 0.2
# Small buffers: a test store, on a machine shared with others (each buffer is an 8 KiB page).
BUFFERS = 20_000
# Above any row cap cnkg is run with here, so that Virtuoso never cuts a result before cnkg does.
RESULT_SET_MAX_ROWS = 1_000_000
PAGE_BYTES = 8192
_DATABASE_STATUS = re.compile(r"File size \d+, (?P<pages>\d+) pages, (?P<free>\d+) free")


@dataclass(frozen=True)
class Virtuoso:
    root: Path
    query_url: str  # http://127.0.0.1:PORT/sparql (anonymous, read-only)
    update_url: str  # http://127.0.0.1:PORT/sparql-auth (HTTP Digest)
    user: str
    password: str
    admin_password: str  # of ``dba``, over SQL (isql) only
    sql_port: int
    pid: int

    def sql(self, statements: str) -> str:
        """Run SQL statements as ``dba`` (``isql-vt``); their output, or RuntimeError."""
        done = _isql(self.sql_port, self.admin_password, statements)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"Virtuoso SQL failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")
        return done.stdout

    def bytes_in_use(self) -> int:
        """Bytes of the database file in use, its free pages left out (the file grows in large steps)."""
        status = _DATABASE_STATUS.search(self.sql("status('');"))
        if status is None:
            raise RuntimeError("Virtuoso's status() has no 'File size …, N pages, M free.' line")
        return (int(status["pages"]) - int(status["free"])) * PAGE_BYTES


def virtuoso_missing() -> bool:
    """Whether Debian's Virtuoso is missing; an error instead when ``CNKG_VIRTUOSO_TESTS=required`` (CI
    sets it after installing ``virtuoso-opensource``, so that it can never pass by skipping)."""
    if shutil.which(VIRTUOSO) and shutil.which(ISQL):
        return False
    if os.environ.get("CNKG_VIRTUOSO_TESTS") == "required":
        raise RuntimeError(f"Virtuoso tests are required but {VIRTUOSO} or {ISQL} is not on PATH")
    return True


def _ini(root: Path, sql_port: int, http_port: int, result_set_max_rows: int) -> str:
    return f"""[Database]
DatabaseFile = {root}/virtuoso.db
ErrorLogFile = {root}/virtuoso.log
LockFile = {root}/virtuoso.lck
TransactionFile = {root}/virtuoso.trx
xa_persistent_file = {root}/virtuoso.pxa
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {root}/virtuoso-temp.db
TransactionFile = {root}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
DirsAllowed = {root}
NumberOfBuffers = {BUFFERS}
MaxDirtyBuffers = {BUFFERS * 3 // 4}
ThreadsPerQuery = 1

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {root}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = {result_set_max_rows}
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


def _isql(port: int, password: str, statements: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [ISQL, f"127.0.0.1:{port}", "dba", password, f"exec={statements}"],
        capture_output=True,
        text=True,
        timeout=60,
    )


@contextlib.contextmanager
def virtuoso(root: Path, result_set_max_rows: int = RESULT_SET_MAX_ROWS) -> Iterator[Virtuoso]:
    """Run a private Virtuoso with its files in ``root`` until the block ends; ``result_set_max_rows`` is
    its ``[SPARQL] ResultSetMaxRows``, the most rows it returns for one query."""
    root.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = root / "virtuoso.ini"
    ini.write_text(_ini(root, sql_port, http_port, result_set_max_rows), encoding="utf-8")
    password, admin_password = secrets.token_hex(12), secrets.token_hex(12)
    base = f"http://127.0.0.1:{http_port}"
    with open(root / "stdout.log", "ab") as out:
        process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=root,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
    try:
        _wait_until_ready(base, sql_port, process, root)
        created = _isql(
            sql_port,
            "dba",  # a fresh database's administrator password; changed right away
            f"DB.DBA.USER_CREATE('{USER}', '{password}'); GRANT SPARQL_UPDATE TO \"{USER}\"; "
            f"USER_SET_PASSWORD('dba', '{admin_password}');",
        )
        if created.returncode != 0 or "*** Error" in created.stdout + created.stderr:
            raise RuntimeError(f"cannot create the cnkg user in Virtuoso: {created.stdout}{created.stderr}")
        yield Virtuoso(
            root,
            f"{base}/sparql",
            f"{base}/sparql-auth",
            USER,
            password,
            admin_password,
            sql_port,
            process.pid,
        )
    finally:
        stop_process_group(process, STOP_SECONDS)


def _wait_until_ready(base: str, sql_port: int, process: subprocess.Popen[bytes], root: Path) -> None:
    """Until the HTTP endpoint answers a query and the SQL port takes a statement."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        with contextlib.suppress(httpx.HTTPError, subprocess.TimeoutExpired):
            answered = httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200
            if answered and _isql(sql_port, "dba", "SELECT 1;").returncode == 0:
                return
        if process.poll() is not None:
            log = (
                (root / "virtuoso.log").read_text(errors="replace")[-2000:]
                if (root / "virtuoso.log").exists()
                else ""
            )
            raise RuntimeError(f"virtuoso-t exited with {process.returncode}: {log}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Virtuoso did not come up in {STARTUP_SECONDS:.0f} s")
        time.sleep(POLL_SECONDS)
