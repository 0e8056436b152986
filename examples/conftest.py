"""The example suite never reaches the network: no host name but the loopback's resolves.

(The plugin's guard already refuses every request to Stripe from a test that does not use
the fake; this makes sure nothing else leaves either.)
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

_resolve = socket.getaddrinfo


def _loopback_only(host: object, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name not in ("localhost", "127.0.0.1", "::1"):
        raise socket.gaierror(socket.EAI_NONAME, f"the examples never reach the network ({name})")
    return _resolve(host, *args, **kwargs)


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    socket.getaddrinfo = _loopback_only
    try:
        yield
    finally:
        socket.getaddrinfo = _resolve
