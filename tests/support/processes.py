"""Live ``cnkg`` processes on 127.0.0.1, for the browser, MCP and CLI tests and for the benches: ``cnkg
ingest`` and ``cnkg serve`` as a user runs them, a free port, and Debian's Chromium for Playwright (never
a downloaded browser). The one home of this code: ``bench/`` imports it from here too."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 120.0  # how long ``cnkg serve`` may take to answer /health on a small data directory
STOP_SECONDS = 30.0  # how long it may take to exit after SIGTERM before it is killed
POLL_SECONDS = 0.2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cnkg(*args: str) -> list[str]:
    """The command line of ``cnkg ARGS…`` with this interpreter (so the worktree's code runs)."""
    return [sys.executable, "-m", "api.cli", *args]


def ingest(data: Path, paths: list[Path]) -> None:
    """``cnkg ingest --data DATA PATHS…`` (graph and search indexes), as a user runs it."""
    subprocess.run(
        cnkg("ingest", "--data", str(data), *map(str, paths)),
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    started_seconds: float


@contextlib.contextmanager
def cnkg_serve(
    data: Path,
    *args: str,
    token: str | None = None,
    log: Path | None = None,
    startup_seconds: float = STARTUP_SECONDS,
) -> Iterator[Server]:
    """``cnkg serve --data DATA ARGS…`` on a free port of 127.0.0.1 until the block ends.

    Writes are enabled only with ``token`` (a ``CNKG_WRITE_TOKEN`` of the caller's environment is not
    passed on); the server's output goes to ``log`` if given, and is shown if it fails to start."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "CNKG_WRITE_TOKEN"}
    if token:
        env["CNKG_WRITE_TOKEN"] = token
    with contextlib.ExitStack() as files:
        out = files.enter_context(open(log, "ab") if log else tempfile.TemporaryFile())  # noqa: SIM115
        started = time.perf_counter()
        process = subprocess.Popen(
            cnkg("serve", "--data", str(data), "--port", str(port), *args),
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=out,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, process, out, startup_seconds)
            yield Server(url, process, time.perf_counter() - started)
        finally:
            stop_process_group(process)


def stop_process_group(process: subprocess.Popen[bytes], stop_seconds: float = STOP_SECONDS) -> None:
    """SIGTERM to the process group a server was started in (``start_new_session=True``), SIGKILL when it
    has not exited after ``stop_seconds``."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(stop_seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], out: IO[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        if process.poll() is not None:
            raise RuntimeError(f"cnkg serve exited with {process.returncode}: {_tail(out)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"cnkg serve did not come up in {seconds:.0f} s")
        time.sleep(POLL_SECONDS)


def _tail(out: IO[bytes], size: int = 4000) -> str:
    """The end of the server's output (empty when it went to a log file, which is there to read)."""
    try:
        out.seek(0)
        return out.read()[-size:].decode(errors="replace")
    except OSError:
        return f"see {out.name}"


@contextlib.contextmanager
def serve(data: Path, token: str | None = None) -> Iterator[str]:
    """``cnkg serve --data DATA`` on a free port of 127.0.0.1; yields its base URL."""
    with cnkg_serve(data, token=token) as server:
        yield server.url


def chromium_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).is_file()
