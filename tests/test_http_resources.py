"""Linked data (``/id/...``), ``/entities``, ``/reports``, ``/health`` and the OpenAPI description."""

from __future__ import annotations

import json
import re

import pytest
import rdflib
from support.server import PASSAGES, RID

pytest_plugins = ["support.fixtures"]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_entity_iri_as_turtle(live):
    with live.client() as client:
        response = client.get("/id/entity/kubernetes", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    subject = rdflib.URIRef("https://w3id.org/cnkg/id/entity/kubernetes")
    assert (subject, rdflib.SKOS.altLabel, None) in graph


def test_curl_default_is_turtle(live):
    with live.client() as client:
        response = client.get("/id/entity/kubernetes", headers={"Accept": "*/*"})
    assert response.headers["content-type"].startswith("text/turtle")


def test_entity_iri_as_json_ld(live):
    with live.client() as client:
        response = client.get("/id/entity/kubernetes", headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"].startswith("application/ld+json")
    assert any(
        node.get("@id") == "https://w3id.org/cnkg/id/entity/kubernetes" for node in json.loads(response.text)
    )


def test_entity_iri_as_html_for_browsers(live):
    with live.client() as client:
        response = client.get("/id/entity/kubernetes", headers={"Accept": BROWSER})
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>" in response.text and "K8s" in response.text
    assert "http://" not in response.text.split("<body>")[0]  # no external assets


def test_report_and_passage_iris_dereference(live):
    with live.client() as client:
        report = client.get(f"/id/report/{RID}", headers={"Accept": BROWSER})
        passage = client.get(f"/id/report/{RID}/passage/1", headers={"Accept": "application/n-triples"})
    assert "容器云测试报告" in report.text
    assert "15.2亿元" in passage.text


def test_html_escapes_literals(live):
    with live.client() as client:
        response = client.get(f"/id/report/{RID}/passage/0", headers={"Accept": BROWSER})
    assert "<script" not in response.text


def test_unknown_iri_is_404(live):
    with live.client() as client:
        response = client.get("/id/entity/no-such-thing", headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_unicode_slug(live):
    with live.client() as client:
        response = client.get("/id/entity/测试云科技", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and "测试云科技" in response.text


def test_discovered_entity_detail(live):
    with live.client() as client:
        body = client.get("/entities/测试云科技").json()
    assert body["discovered"] is True and body["type"] == "Vendor"


def test_find_entities_by_alias(live):
    with live.client() as client:
        body = client.get("/entities", params={"q": "K8s"}).json()
    assert body["entities"][0]["slug"] == "kubernetes"
    assert body["entities"][0]["type"] == "Technology"


def test_find_entities_by_type(live):
    with live.client() as client:
        body = client.get("/entities", params={"type": "Vendor", "limit": 5}).json()
    assert len(body["entities"]) == 5 and {e["type"] for e in body["entities"]} == {"Vendor"}


def test_find_entities_rejects_unknown_type(live):
    with live.client() as client:
        assert client.get("/entities", params={"type": "Planet"}).status_code == 400


def test_entity_detail(live):
    with live.client() as client:
        body = client.get("/entities/kubernetes").json()
    assert body["label"] == "Kubernetes" and "k8s" in {a.lower() for a in body["aliases"]}
    assert body["type"] == "Technology"
    assert body["links"] and body["links"][0].startswith("http://www.wikidata.org/entity/Q")
    based_on = [
        r for r in body["relations"] if r["predicate"].endswith("#basedOn") and r["direction"] == "in"
    ]
    assert based_on and based_on[0]["entity"]["slug"] == "ack"
    evidence = based_on[0]["evidence"][0]
    assert evidence["report"].endswith(RID) and evidence["start"] == 13 and evidence["confidence"] == 0.9
    assert evidence["text"] == "".join(PASSAGES)[13:28]
    assert body["mentions"] == [
        {
            "report": f"https://w3id.org/cnkg/id/report/{RID}",
            "rid": RID,
            "title": "容器云测试报告",
            "passages": 1,
        }
    ]


def test_entity_facts(live):
    with live.client() as client:
        body = client.get("/entities/container-cloud").json()
    assert body["facts"][0]["value"] == "15.2" and body["facts"][0]["unit"] == "亿元"


@pytest.mark.parametrize("path", ["/entities/no-such-thing", "/reports/0000"])
def test_unknown_entity_or_report_is_404(live, path):
    with live.client() as client:
        assert client.get(path).status_code == 404


def test_reports(live):
    with live.client() as client:
        listing = client.get("/reports").json()
        detail = client.get(f"/reports/{RID}").json()
        prefix = client.get(f"/reports/{RID[:8]}").json()
    assert [r["rid"] for r in listing["reports"]] == [RID]
    assert detail["title"] == "容器云测试报告" and detail["metadata"]["publisher"] == "测试研究院"
    assert {e["slug"] for e in detail["entities"]} >= {"kubernetes", "container-cloud"}
    assert prefix["rid"] == RID


def test_health(live):
    with live.client() as client:
        body = client.get("/health").json()
    assert body["status"] == "ok" and body["reports"] == 1 and body["engine"]["workers"] == 2


def test_unknown_route_is_a_problem(live):
    with live.client() as client:
        response = client.get("/nope")
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


def test_wrong_method_is_405_problem(live):
    with live.client() as client:
        response = client.put("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 405 and response.json()["status"] == 405


def test_openapi_describes_every_endpoint_with_an_example(live):
    with live.client() as client:
        spec = client.get("/openapi.json").json()
        assert client.get("/docs").status_code == 200
    for path in [
        "/sparql",
        "/store",
        "/id/{path}",
        "/entities",
        "/entities/{slug}",
        "/reports",
        "/reports/{rid}",
        "/health",
    ]:
        assert path in spec["paths"], path
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("description") or operation.get("summary"), (path, method)
            documented = json.dumps(operation)
            assert '"example' in documented, f"{method.upper()} {path} has no example"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_explorers_load_their_assets_from_this_server(live, page):
    with live.client() as client:
        html = client.get(page).text
        assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
        assert assets and all(url.startswith("/") for url in assets), assets
        for url in assets:
            assert client.get(url).status_code == 200, url
    assert "cdn" not in html.lower() and "fonts.googleapis" not in html
