"""The query pool's warm spare: kept while the store is small, dropped above ``SPARE_MAX_TRIPLES`` (each
worker holds its own copy of the graph), and a killed worker is replaced either way."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest
from test_http_sparql import EXPENSIVE as EXPENSIVE_QUERY

import kg.sparql.pool as pool_module
from kg.datadir import DataDir
from kg.errors import QueryTimeoutError
from kg.sparql.guard import QueryForm
from kg.sparql.pool import QueryPool
from kg.sparql.worker import QueryJob

T = TypeVar("T")
EXPENSIVE = QueryJob(EXPENSIVE_QUERY, QueryForm.SELECT, "json", 10)
COUNT_REPORTS = QueryJob(
    "SELECT (COUNT(?r) AS ?n) WHERE { ?r a <https://w3id.org/cnkg/ontology#Report> }",
    QueryForm.SELECT,
    "json",
    10,
)


def _run_pool(datadir: DataDir, check: Callable[[QueryPool], Awaitable[T]]) -> T:
    """``check`` run on a started pool of one worker that asks for one spare."""

    async def run() -> T:
        pool = QueryPool(datadir.root, size=1, spares=1)
        await pool.start()
        try:
            return await check(pool)
        finally:
            await pool.close()

    return asyncio.run(run())


async def _spares(pool: QueryPool) -> object:
    return pool.status()["spares"]


def test_manifest_counts_the_triples_the_graph_files_hold(graph_datadir: DataDir) -> None:
    manifest = graph_datadir.read_manifest()
    assert len(manifest.reports) >= 2
    quads = sum(
        len(graph_datadir.path(r.graph_file).read_text(encoding="utf-8").splitlines())
        for r in manifest.reports.values()
    )
    assert manifest.triples() == quads > 1_000


def test_pool_keeps_a_warm_spare_while_the_store_is_small(
    graph_datadir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_module, "SPARE_MAX_TRIPLES", graph_datadir.read_manifest().triples())
    assert _run_pool(graph_datadir, _spares) == 1


def test_pool_keeps_no_spare_above_the_limit_and_still_replaces_a_killed_worker(
    graph_datadir: DataDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool_module, "SPARE_MAX_TRIPLES", graph_datadir.read_manifest().triples() - 1)

    async def check(pool: QueryPool) -> tuple[str, dict[str, object]]:
        assert pool.status()["spares"] == 0
        with pytest.raises(QueryTimeoutError):
            await pool.run(EXPENSIVE, timeout=1.0)
        # the only worker was killed; the next query waits for the one loading in the background
        outcome = await pool.run(COUNT_REPORTS, timeout=30.0, max_wait=120.0)
        return json.loads(outcome.body)["results"]["bindings"][0]["n"]["value"], pool.status()

    reports, status = _run_pool(graph_datadir, check)
    assert int(reports) == len(graph_datadir.read_manifest().reports)
    assert status["stopped_by_timeout"] == 1 and status["spares"] == 0 and status["workers"] == 1
