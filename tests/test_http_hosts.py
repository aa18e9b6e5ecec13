"""The Host check against DNS rebinding (issue 12, item 6): a page on attacker.example whose name
resolves to 127.0.0.1 reaches the service with ``Host: attacker.example`` and must be refused, while the
names of the server itself (bind address, localhost, 127.0.0.1, [::1], any port) and the configured ones
are answered."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from support.server import LiveServer, make_datadir, serve, serve_sample, server_settings

from api.middleware import allowed_host_names
from api.settings import ServerSettings

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_sample(tmp_path_factory.mktemp("cnkg-hosts"), allowed_hosts=["kg.example"]) as live:
        yield live


def _status(server: LiveServer, host: str, path: str = "/health") -> int:
    with server.client() as client:
        return client.get(path, headers={"Host": host}).status_code


@pytest.mark.parametrize("path", ["/health", "/sparql?query=ASK{}", "/reports", "/ui/"])
def test_a_foreign_host_is_refused_with_a_problem(server, path):
    with server.client() as client:
        response = client.get(path, headers={"Host": "attacker.example"})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    assert "attacker.example" in response.json()["detail"]


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "127.0.0.1:8000", "localhost", "LOCALHOST:1", "localhost.", "[::1]:80", "kg.example"],
)
def test_the_servers_own_names_are_answered(server, host):
    assert _status(server, host) == 200


@pytest.mark.parametrize("host", ["attacker.example:8000", "127.0.0.1.attacker.example", "localhost:x", ""])
def test_look_alikes_are_refused(server, host):
    assert _status(server, host) == 400


def test_a_request_without_host_is_refused(server):
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /health HTTP/1.0\r\n\r\n")
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 400")


def test_allowed_names_follow_the_settings():
    assert allowed_host_names(ServerSettings()) == {"localhost", "127.0.0.1", "[::1]"}
    assert "10.1.2.3" in (allowed_host_names(ServerSettings(host="10.1.2.3")) or ())
    assert "[fe80::1]" in (allowed_host_names(ServerSettings(host="fe80::1")) or ())
    assert "kg.example" in (allowed_host_names(ServerSettings(allowed_hosts=["KG.example:443"])) or ())
    assert allowed_host_names(ServerSettings(allowed_hosts=["*"])) is None
    assert "testserver" not in (allowed_host_names(ServerSettings()) or ())


def test_the_check_can_be_turned_off(tmp_path):
    make_datadir(tmp_path)
    with serve(server_settings(tmp_path, allowed_hosts=["*"])) as live, live.client() as client:
        assert client.get("/health", headers={"Host": "anything.example"}).status_code == 200


def test_the_environment_variable_takes_a_comma_separated_list(monkeypatch):
    monkeypatch.setenv("CNKG_ALLOWED_HOSTS", "kg.example, data.example:8443")
    assert ServerSettings().allowed_hosts == ["kg.example", "data.example:8443"]
