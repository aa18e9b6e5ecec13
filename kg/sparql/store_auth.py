"""Credentials for an external SPARQL store, sent only when the store asks for them.

Stores protect SPARQL Update in different ways: Virtuoso's ``/sparql-auth`` answers with an HTTP Digest
challenge, a store behind a reverse proxy usually with Basic. :class:`StoreAuth` answers whichever the
store names (Digest preferred, as it never sends the password itself), then keeps using it.

>>> import httpx
>>> auth = StoreAuth("cnkg", "secret")
>>> flow = auth.sync_auth_flow(httpx.Request("POST", "http://store.example/update"))
>>> "Authorization" in next(flow).headers  # nothing is sent before the store asks
False
>>> retry = flow.send(httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="store"'}))
>>> retry.headers["Authorization"]
'Basic Y25rZzpzZWNyZXQ='
"""

from __future__ import annotations

import base64
from collections.abc import Generator

import httpx

__all__ = ["StoreAuth"]


def _challenged(response: httpx.Response, scheme: str) -> bool:
    return response.status_code == 401 and any(
        header.lower().startswith(scheme + " ") for header in response.headers.get_list("www-authenticate")
    )


class StoreAuth(httpx.Auth):
    """HTTP Digest or Basic authentication, whichever the store's challenge names."""

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic_header = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self._basic = False  # the store asked for Basic: send it with every request from then on

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._basic:
            request.headers["Authorization"] = self._basic_header
            yield request
            return
        digest = self._digest.auth_flow(request)  # sends nothing until challenged, then answers Digest
        response = yield next(digest)
        while True:
            if _challenged(response, "basic") and not _challenged(response, "digest"):
                self._basic = True
                request.headers["Authorization"] = self._basic_header
                yield request
                return
            try:
                response = yield digest.send(response)
            except StopIteration:
                return
