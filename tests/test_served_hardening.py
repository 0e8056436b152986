"""The served fake against hostile or careless clients: slow ones, other sites' pages
(DNS rebinding, cross-site posts), and many connections and tests at once."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import TYPE_CHECKING

import pytest

from pytest_account_links._fake import FakeFactory

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_account_links.served.server import FakeServer


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """A served fake of its own (not the session's), serving one fake; stopped after."""
    from pytest_account_links._driver import Driver
    from pytest_account_links.served.server import FakeServer, Serving

    served = FakeServer()
    served.read_timeout = 0.5
    served.start()
    serving = served.attach(Serving(Driver(FakeFactory().store_for("tests::hardening"))))
    try:
        yield served
    finally:
        served.detach(serving)
        served.stop()


def _port(server: FakeServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def _connection_threads() -> int:
    return sum(t.name == "account-links-served-connection" for t in threading.enumerate())


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


# -- slow clients ------------------------------------------------------------------------


def test_a_body_shorter_than_its_content_length_is_answered_408_not_held(
    server: FakeServer,
) -> None:
    """A client that announces more than it sends gets 408 once ``read_timeout`` passes,
    and the connection (and its thread) ends: it no longer waits until the client closes."""
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=5) as sock:
        sock.sendall(
            b"POST /v2/core/account_links HTTP/1.1\r\nHost: 127.0.0.1:"
            + str(_port(server)).encode()
            + b"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        started = time.monotonic()
        answer = _read_all(sock)  # to the end: the server closes the connection
    assert time.monotonic() - started < 3
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert b"Connection: close" in head
    assert json.loads(body)["error"] == {
        "code": "request_timeout",
        "message": "pytest-account-links: the request's body did not arrive within 0.5 s "
        "(is its Content-Length larger than the body sent?)",
    }
    deadline = time.monotonic() + 5
    while _connection_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _connection_threads() == 0


def test_an_idle_connection_is_closed_after_the_read_timeout(server: FakeServer) -> None:
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=5) as sock:
        started = time.monotonic()
        assert _read_all(sock) == b""
    assert time.monotonic() - started < 3
