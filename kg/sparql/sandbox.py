"""The second wall against SSRF: a query worker without a network.

The guard (:mod:`kg.sparql.guard`) refuses ``SERVICE`` and ``LOAD`` on the parsed request. This wall does
not depend on parsing at all: unless the operator allowed federation (``--allow-service``), every worker
process that evaluates queries or updates moves itself into a new, empty Linux network namespace right
after it starts and before it loads the store. There it has only a loopback interface that is down, so
no connection can be opened, to 127.0.0.1 or anywhere else, whatever the engine is asked to do. The
worker talks to the server over a socket pair it inherited, which keeps working across the move.

``unshare(CLONE_NEWNET)`` needs CAP_SYS_ADMIN; without it the worker tries a new user namespace as well
(unprivileged user namespaces). If neither works the worker refuses to start (fail closed): the server
does not run without the wall unless ``--allow-service`` is set. The wall in force is reported by
``/health`` and the service description.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import socket
import sys

from kg.errors import StoreError

__all__ = ["NETWORK_NAMESPACE", "NO_WALL", "NetworkWallError", "isolate_network", "network_is_reachable"]

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000
_PROBE = ("127.0.0.1", 9)  # the discard port: refused (reachable) or unreachable (isolated)
_PROBE_TIMEOUT = 1.0

NETWORK_NAMESPACE = "network namespace"  # the wall's name in /health and the service description
NO_WALL = "none (--allow-service)"


class NetworkWallError(StoreError):
    """The worker could not cut itself off the network."""


def network_is_reachable() -> bool:
    """Whether this process can open a TCP connection to 127.0.0.1 (refused counts as reachable)."""
    try:
        with socket.create_connection(_PROBE, timeout=_PROBE_TIMEOUT):
            return True
    except OSError as exc:
        return exc.errno not in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL)


def _unshare(flags: int) -> int:
    """0, or the errno of ``unshare(flags)``."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.unshare(ctypes.c_int(flags)) == 0:
        return 0
    return ctypes.get_errno()


def isolate_network() -> str:
    """Move this process into an empty network namespace; returns the wall's name. Call it while the
    process is single-threaded. Raises ``NetworkWallError`` when that is impossible or does not hold."""
    if not sys.platform.startswith("linux"):
        raise NetworkWallError(
            "this platform has no network namespaces, so query workers cannot be cut off the network; "
            "run cnkg on Linux, or start it with --allow-service to accept SERVICE/LOAD-capable workers"
        )
    error = _unshare(_CLONE_NEWNET)
    if error == errno.EPERM:
        error = _unshare(_CLONE_NEWUSER | _CLONE_NEWNET)
    if error:
        raise NetworkWallError(
            f"a query worker cannot enter a network namespace of its own ({os.strerror(error)}); "
            "cnkg refuses to run queries on workers that can reach the network. Allow unprivileged user "
            "namespaces (or run with CAP_SYS_ADMIN), or start with --allow-service to accept the risk"
        )
    if network_is_reachable():
        raise NetworkWallError("a query worker entered a new network namespace but can still reach 127.0.0.1")
    return NETWORK_NAMESPACE
