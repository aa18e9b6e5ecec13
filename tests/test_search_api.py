"""``GET /search`` and ``cnkg search`` over a data directory indexed once per session."""

from __future__ import annotations

import json
import time

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from support.search_data import copy_datadir, indexed_datadir
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli_app
from api.problems import install_problem_handlers
from api.routes import search
from api.services import Services
from api.settings import ServerSettings

BACKGROUND_LOAD_SECONDS = 120  # generous: the suite may run on a loaded machine


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.state.settings = ServerSettings(data=indexed_datadir().root)
    app.state.services = Services(app.state.settings)
    install_problem_handlers(app)
    app.include_router(search.router)
    return TestClient(app)


def test_get_search_answers_in_the_contract_shape(client):
    response = client.get("/search", params={"q": "服务网格市场规模", "k": 2})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"query", "mode", "total", "hits"}
    assert body["mode"] == "hybrid" and len(body["hits"]) == 2
    assert "explain" not in body["hits"][0]


def test_get_search_with_explain_adds_the_legs(client):
    hit = client.get("/search", params={"q": "Istio", "k": 1, "explain": "true"}).json()["hits"][0]
    assert {"bm25", "dense", "graph"} <= set(hit["explain"])


def test_k_above_100_is_a_problem_response(client):
    response = client.get("/search", params={"q": "容器", "k": 500})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "k" in response.json()["detail"]


def test_an_unknown_entity_type_is_a_problem_response(client):
    response = client.get("/search", params={"q": "容器", "type": "Animal"})
    assert response.status_code == 400
    assert "Vendor" in response.json()["detail"]


def test_cli_search_prints_the_json_response():
    result = CliRunner().invoke(
        cli_app, ["search", "边缘计算市场规模", "--data", str(indexed_datadir().root), "-k", "2", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["hits"]) == 2


def test_cli_search_prints_readable_hits():
    result = CliRunner().invoke(
        cli_app, ["search", "KubeEdge", "--data", str(indexed_datadir().root), "-k", "1"]
    )
    assert result.exit_code == 0, result.output
    assert "KubeEdge" in result.output


def test_the_server_loads_the_search_index_in_the_background_after_start_up():
    """Lazy start: serving does not wait for the search index, which loads by itself without a request."""
    datadir = copy_datadir(indexed_datadir())  # a new directory: nothing of it is loaded yet
    with TestClient(create_app(ServerSettings(data=datadir.root)), base_url="http://localhost") as started:
        service = started.app.state.services.search
        deadline = time.monotonic() + BACKGROUND_LOAD_SECONDS
        while not service.is_current() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service.is_current()  # loaded before the first request
        response = started.get("/search", params={"q": "容器云市场规模", "k": 3})
        assert response.status_code == 200 and len(response.json()["hits"]) == 3
