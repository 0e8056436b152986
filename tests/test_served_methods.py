"""Every method and every malformed request to the served fake is answered in Stripe's JSON.

http.server answers a method it has no ``do_<METHOD>`` for with an HTML ``501
Unsupported method`` page, and a malformed request line with an HTML 400: a client
of Stripe's API (any SDK, schemathesis) expects Stripe's JSON error envelope.
"""

from __future__ import annotations

import http.client
import json
import socket
from typing import TYPE_CHECKING

import pytest
import requests

from pytest_account_links.served.server import FakeServer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake

SELLER = "acct_1Nv0FGQ9RKHgCVdK"


@pytest.fixture
def bare_server() -> Iterator[FakeServer]:
    """A served fake with no test attached, stopped even when the test fails."""
    server = FakeServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _raw(url: str, method: str, path: str) -> tuple[int, str, bytes]:
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, path, headers={"Authorization": "Bearer sk_test_123"})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "PUT", "PATCH", "OPTIONS", "BREW"])
@pytest.mark.parametrize("path", ["/v2/core/accounts", f"/v1/accounts/{SELLER}"])
def test_a_method_stripe_has_no_endpoint_for_is_its_404_in_json(
    account_links: AccountLinksFake, account_links_server: ServedFake, method: str, path: str
) -> None:
    status, content_type, body = _raw(account_links_server.url, method, path)

    assert status == 404
    assert content_type == "application/json"
    error = json.loads(body)["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith(f"Unrecognized request URL ({method}: {path}).")
    # Stripe answers it: not an unfaked request, so the test does not fail at teardown.
    assert len(account_links.calls) == 0


def test_the_sdk_methods_still_reach_the_fake(account_links_server: ServedFake) -> None:
    response = requests.get(
        f"{account_links_server.url}/v2/core/accounts",
        headers={"Authorization": f"Bearer {account_links_server.api_key}"},
        timeout=10,
    )

    assert response.status_code == 200
    assert response.json()["data"] == []


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "GET"])
def test_any_method_on_any_other_path_is_json(bare_server: FakeServer, method: str) -> None:
    for path in ("/", "/nowhere", "/_account_links/nothing", "/v2/core/accounts"):
        status, content_type, body = _raw(bare_server.url, method, path)

        assert status in (404, 503), (method, path, status)
        assert content_type == "application/json"
        assert "message" in json.loads(body)["error"]


@pytest.mark.parametrize(
    ("request_line", "status"),
    [
        (b"GET /v2/core/accounts HTTP/9.9", 505),
        (b"GET /v2/core/accounts HTTP/x.y", 400),
        (b"WHAT IS THIS REQUEST", 400),
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1", 414),
    ],
)
def test_a_malformed_request_is_refused_in_json(
    bare_server: FakeServer, request_line: bytes, status: int
) -> None:
    host, port = bare_server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request_line + b"\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), head
    assert b"Content-Type: application/json" in head
    assert b"Connection: close" in head
    error = json.loads(body)["error"]
    assert error["code"] == "invalid_request"
    assert error["message"].startswith(f"pytest-account-links: {status} ")
