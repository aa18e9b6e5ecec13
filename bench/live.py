"""Helpers of the load and scale benches: a live ``cnkg serve`` subprocess on 127.0.0.1, and the
resident memory of a process tree (read from /proc)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    started_seconds: float


@contextlib.contextmanager
def cnkg_serve(data: Path, *args: str, token: str | None = None, log: Path | None = None) -> Iterator[Server]:
    """``cnkg serve --data DATA`` on a free port of 127.0.0.1 until the block ends."""
    port = free_port()
    env = {**os.environ}
    if token:
        env["CNKG_WRITE_TOKEN"] = token
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--data", str(data), "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=out,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 1800
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"cnkg serve exited with {proc.returncode}")
            try:
                if httpx.get(url + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("cnkg serve did not come up")
            time.sleep(0.25)
        yield Server(url, proc, time.perf_counter() - t0)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        if log:
            out.close()  # type: ignore[union-attr]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def tree_rss_by_process(pid: int) -> list[int]:
    """Resident bytes of ``pid`` and of each of its descendants, ``pid`` first."""
    tree = _children()
    todo, sizes = [pid], []
    while todo:
        current = todo.pop(0)
        todo += tree.get(current, [])
        with contextlib.suppress(OSError, ValueError), open(f"/proc/{current}/statm") as fh:
            sizes.append(int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"))
    return sizes


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants."""
    return sum(tree_rss_by_process(pid))


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
