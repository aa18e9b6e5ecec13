"""Helpers of the browser tests: ``cnkg ingest`` and ``cnkg serve`` as subprocesses on 127.0.0.1, and
Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from w3c_protocol.support import free_port

REPO = Path(__file__).resolve().parent.parent
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


def cnkg(*args: str) -> list[str]:
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


@contextlib.contextmanager
def serve(data: Path, token: str | None = None) -> Iterator[str]:
    """``cnkg serve --data DATA`` on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "CNKG_WRITE_TOKEN"}
    if token:
        env["CNKG_WRITE_TOKEN"] = token
    process = subprocess.Popen(
        cnkg("serve", "--data", str(data), "--port", str(port)),
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise RuntimeError(process.stderr.read().decode() if process.stderr else "cnkg serve exited")
            if time.monotonic() > deadline:
                raise RuntimeError("cnkg serve did not come up in 120 s")
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def chromium_available() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).is_file()
