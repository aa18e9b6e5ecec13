"""``cnkg serve`` as users run it: a subprocess on 127.0.0.1 with flags and CNKG_WRITE_TOKEN."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from support.server import free_port, make_datadir

REPO = Path(__file__).resolve().parent.parent


def test_cnkg_serve(tmp_path):
    make_datadir(tmp_path)
    port = free_port()
    env = {**os.environ, "CNKG_WRITE_TOKEN": "from-env", "PYTHONPATH": str(REPO)}
    command = [
        sys.executable,
        "-c",
        "from api.cli import main; main()",
        "serve",
        "--data",
        str(tmp_path),
        "--port",
        str(port),
        "--row-cap",
        "3",
        "--query-timeout",
        "5",
        "--allowed-host",
        "kg.example",
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(url + "/health", timeout=2)
                break
            except httpx.HTTPError:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                assert time.monotonic() < deadline, "cnkg serve did not start"
                time.sleep(0.2)
        assert health.json()["status"] == "ok"
        query = httpx.get(url + "/sparql", params={"query": "SELECT ?l { ?e skos:prefLabel ?l }"})
        assert query.headers["x-cnkg-truncated"] == "true" and len(query.json()["results"]["bindings"]) == 3
        update = httpx.post(
            url + "/sparql", data={"update": "CLEAR ALL"}, headers={"Authorization": "Bearer x"}
        )
        assert update.status_code == 403  # the token from the environment is in force, and x is not it
        assert httpx.get(url + "/health", headers={"Host": "kg.example:8080"}).status_code == 200
        assert httpx.get(url + "/health", headers={"Host": "attacker.example"}).status_code == 400
    finally:
        process.terminate()
        process.wait(30)
