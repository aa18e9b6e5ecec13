"""Per-client rate and concurrency limits (429 with Retry-After), CORS, and a saturated worker pool."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from support.server import LiveServer, make_datadir, serve, server_settings

pytest_plugins = ["support.fixtures"]

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = tmp_path_factory.mktemp("cnkg-limited")
    make_datadir(root)
    settings = server_settings(
        root,
        rate_limit_per_minute=5,
        max_concurrent_per_client=1,
        query_timeout=2.0,
        query_workers=1,
        cors_origins=["https://yasgui.example"],
    )
    with serve(settings) as server:
        yield server


def test_rate_limit_answers_429_with_retry_after(limited):
    with limited.client() as client:
        statuses = [client.get("/sparql", params={"query": "ASK {}"}).status_code for _ in range(7)]
        refused = client.get("/sparql", params={"query": "ASK {}"})
    assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert refused.headers["content-type"] == "application/problem+json"


def test_health_is_not_rate_limited(limited):
    with limited.client() as client:
        assert all(client.get("/health").status_code == 200 for _ in range(10))


def test_concurrency_limit(tmp_path):
    make_datadir(tmp_path)
    settings = server_settings(tmp_path, max_concurrent_per_client=1, query_timeout=2.0)
    with serve(settings) as server:
        results: list[int] = []
        thread = threading.Thread(
            target=lambda: results.append(server.client().get("/sparql", params={"query": SLOW}).status_code)
        )
        thread.start()
        with server.client() as client:
            while client.get("/health").json()["engine"]["idle"] == 2:  # wait until the slow query runs
                time.sleep(0.02)
            response = client.get("/sparql", params={"query": "ASK {}"})
        thread.join()
    assert results == [503]
    assert response.status_code == 429 and response.headers["retry-after"] == "1"
    assert "in progress" in response.json()["detail"]


def test_busy_pool_answers_503_with_retry_after(tmp_path):
    make_datadir(tmp_path)
    settings = server_settings(tmp_path, query_workers=1, query_timeout=1.5)
    with serve(settings) as server:
        responses: list[int] = []
        threads = [
            threading.Thread(
                target=lambda: responses.append(
                    server.client().get("/sparql", params={"query": SLOW}).status_code
                )
            )
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    # one query runs and is stopped (503 timeout); the others wait for the worker and give up (503 busy)
    assert responses == [503, 503, 503]


def test_cors_is_off_by_default(live):
    with live.client() as client:
        response = client.get(
            "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://evil.example"}
        )
    assert "access-control-allow-origin" not in response.headers


def test_cors_allow_list(limited):
    with limited.client() as client:
        allowed = client.options(
            "/sparql",
            headers={
                "Origin": "https://yasgui.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
        other = client.options(
            "/sparql", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
    assert allowed.headers["access-control-allow-origin"] == "https://yasgui.example"
    assert "access-control-allow-origin" not in other.headers


def test_a_memory_bomb_kills_only_its_worker(tmp_path):
    """String doubling to ~13 GB: the worker hits its address-space cap and dies, the client gets 503,
    and the pool answers the next query."""
    binds = "\n".join(f"BIND(CONCAT({', '.join([f'?s{i}'] * 8)}) AS ?s{i + 1})" for i in range(9))
    query = f"SELECT (STRLEN(?s9) AS ?n) WHERE {{ BIND(REPEAT_ME AS ?s0)\n{binds} }}".replace(
        "REPEAT_ME", '"' + "x" * 100 + '"'
    )
    make_datadir(tmp_path)
    settings = server_settings(tmp_path, query_memory_mb=1024, query_timeout=20)
    with serve(settings) as server, server.client() as client:
        bomb = client.get("/sparql", params={"query": query})
        after = client.get("/sparql", params={"query": "ASK {}"})
    assert bomb.status_code == 503 and bomb.json()["title"] == "Query aborted"
    assert after.status_code == 200
