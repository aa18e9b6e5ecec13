"""Uploads and Graph Store bodies are parsed in sandboxed child processes (issue 12, items 3, 5 and 6):
a slow or huge upload is stopped with a problem response while the API keeps answering, nothing is
stored, decompression and entity-expansion bombs are refused, and the write token is checked before an
upload's body is read."""

from __future__ import annotations

import io
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from support.faults import snapshot
from support.sandbox_jobs import ExpandJob, HogJob, SpinJob, billion_laughs, no_warm_up
from support.server import AUTH, RID, LiveServer, make_datadir, serve, serve_sample, server_settings

from api.deps import SANDBOX_PRELOAD
from kg.errors import ProcessingMemoryError, ProcessingTimeoutError
from kg.namespaces import report_iri
from kg.sandbox import Sandbox, SandboxLimits

REPO = Path(__file__).resolve().parent.parent
GRAPH = report_iri(RID)
PROBLEM = "application/problem+json"
HEALTH_BUDGET = 2.0  # seconds a GET /health may take while an upload is being read (measured: 0.6 s at most)


def _gone(pid: int, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


# -- the sandbox itself ------------------------------------------------------------------------------
def test_a_job_past_its_timeout_is_killed(tmp_path):
    pid_file = tmp_path / "pid"
    sandbox = Sandbox(no_warm_up, SandboxLimits(timeout=0.5, memory_mb=256), preload=SANDBOX_PRELOAD)
    started = time.monotonic()
    with pytest.raises(ProcessingTimeoutError, match=r"longer than 0\.5 s"):
        sandbox.run(SpinJob(str(pid_file)))
    assert time.monotonic() - started < 30
    assert _gone(int(pid_file.read_text())), "the child kept running after the timeout"


def test_a_job_past_its_memory_cap_is_stopped():
    sandbox = Sandbox(no_warm_up, SandboxLimits(timeout=60, memory_mb=128), preload=SANDBOX_PRELOAD)
    with pytest.raises(ProcessingMemoryError, match="128 MiB"):
        sandbox.run(HogJob())


def test_the_memory_cap_alone_contains_an_entity_expansion():
    """The second wall: even an RDF parser that expands entities cannot take more than the cap."""
    sandbox = Sandbox(no_warm_up, SandboxLimits(timeout=60, memory_mb=64), preload=SANDBOX_PRELOAD)
    with pytest.raises(ProcessingMemoryError):
        sandbox.run(ExpandJob())


# -- over HTTP -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_sample(tmp_path_factory.mktemp("cnkg-sandbox"), ingest_memory_mb=256) as live:
        yield live


def _sample_text(chars: int) -> bytes:
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "samples").glob("*.md")))
    return (text * (chars // len(text) + 1)).encode("utf-8")


def test_a_slow_upload_is_stopped_while_health_answers_fast(tmp_path):
    root = tmp_path / "data"
    make_datadir(root)
    before = snapshot(root)
    latencies: list[float] = []
    done = threading.Event()

    def poll_health(live: LiveServer) -> None:
        with live.client() as client:
            while not done.is_set():
                started = time.perf_counter()
                assert client.get("/health").status_code == 200
                latencies.append(time.perf_counter() - started)
                time.sleep(0.05)

    with serve(server_settings(root, ingest_timeout=1.0)) as live, live.client() as client:
        poller = threading.Thread(target=poll_health, args=(live,))
        poller.start()
        try:
            response = client.post(
                "/reports", files={"file": ("long.md", _sample_text(1_000_000))}, headers=AUTH
            )
        finally:
            done.set()
            poller.join()
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert "longer than 1 s" in response.json()["detail"]
    assert latencies and max(latencies) < HEALTH_BUDGET, latencies
    assert snapshot(root) == before  # nothing written


def _docx_bomb(paragraphs: int) -> bytes:
    """A real DOCX whose document.xml is replaced by ``paragraphs`` paragraphs: tens of MB of XML that
    compress to a few hundred KB, within the declared-size check (20 times the upload limit)."""
    base = io.BytesIO()
    docx.Document().save(base)
    out = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item, source.read(item))
        head, _, _rest = source.read("word/document.xml").partition(b"<w:body>")
        with bomb.open("word/document.xml", "w", force_zip64=True) as xml:
            xml.write(head + b"<w:body>")
            chunk = b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 10_000
            for _ in range(paragraphs // 10_000):
                xml.write(chunk)
            xml.write(b"<w:sectPr/></w:body></w:document>")
    return out.getvalue()


def test_a_docx_zip_bomb_is_refused_cleanly(server):
    bomb = _docx_bomb(3_000_000)  # 100 MB of XML, tens of millions of XML nodes
    assert len(bomb) < 1_000_000
    before = snapshot(Path(server.settings.data))
    with server.client() as client:
        started = time.monotonic()
        response = client.post("/reports", files={"file": ("bomb.docx", bomb)}, headers=AUTH)
        assert client.get("/health").status_code == 200
    # 413 when Python runs out of the capped memory, 400 when libxml2 does (it reports a parse error)
    assert response.status_code in (400, 413), response.text
    assert response.headers["content-type"] == PROBLEM
    assert "DOCX" in response.json()["detail"] or "memory" in response.json()["detail"]
    assert time.monotonic() - started < 60
    assert snapshot(Path(server.settings.data)) == before


def test_billion_laughs_rdf_xml_is_refused_fast(server):
    before = snapshot(Path(server.settings.data))
    with server.client() as client:
        started = time.monotonic()
        response = client.put(
            "/store",
            params={"graph": GRAPH},
            content=billion_laughs(),
            headers={**AUTH, "Content-Type": "application/rdf+xml"},
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert "DOCTYPE" in response.json()["detail"]
    assert elapsed < 10
    assert snapshot(Path(server.settings.data)) == before


def test_a_normal_rdf_xml_put_still_works(server):
    document = (
        '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/"><rdf:Description rdf:about="http://example.org/s">'
        "<ex:p>容器云</ex:p></rdf:Description></rdf:RDF>"
    )
    with server.client() as client:
        put = client.put(
            "/store",
            params={"graph": GRAPH},
            content=document.encode(),
            headers={**AUTH, "Content-Type": "application/rdf+xml"},
        )
        assert put.status_code == 204, put.text
        ask = client.get(
            "/sparql",
            params={"query": f'ASK {{ GRAPH <{GRAPH}> {{ <http://example.org/s> ?p "容器云" }} }}'},
        )
    assert ask.json()["boolean"] is True


# -- the token before the body ------------------------------------------------------------------------
def _answer_to_a_body_start(
    server: LiveServer, path: str, content_type: str, length: int, start: bytes
) -> bytes:
    """What the server answers (empty when it does not answer) to a tokenless POST that announces
    ``length`` bytes of body and sends only ``start`` and the first KB after it."""
    host, port = server.url.removeprefix("http://").split(":")
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {length}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head + start + b"x" * 1000)
        try:
            return sock.recv(4096)
        except TimeoutError:
            return b""


def test_an_upload_without_token_is_refused_before_its_body_is_sent(server):
    """The server answers 401 after the headers and the first KB of a 5 MB upload, without waiting for the
    rest (which never comes): it never read the body."""
    part = b'--cnkgboundary\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\n'
    answer = _answer_to_a_body_start(
        server, "/reports", "multipart/form-data; boundary=cnkgboundary", 5_000_000, part
    )
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b"application/problem+json" in answer


def test_a_sparql_update_without_token_is_refused_before_its_body_is_sent(server):
    """The same for `application/sparql-update`: 401 after the headers and the first KB of a 900 KB update
    (under the body cap, which would answer 413 from the Content-Length alone)."""
    update = b"INSERT DATA { <http://example.org/s> <http://example.org/p> 1 } #"
    answer = _answer_to_a_body_start(server, "/sparql", "application/sparql-update", 900_000, update)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b"application/problem+json" in answer
