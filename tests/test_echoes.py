"""What the fake echoes back of a request: decoded as Stripe reads it, never raw bytes.

A path parameter is percent-decoded before it is named in an answer, as Stripe
does; an answer's ``Stripe-Version`` header is the version the fake answered
under, never the bytes of a header Stripe would refuse. Both in-process (through
``requests``) and over HTTP (``account_links_server``, with ``http.client``, which
sends a header's bytes as given).
"""

from __future__ import annotations

import http.client
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake

KEY = "sk_test_" + "4" * 24
AUTH = {"Authorization": f"Bearer {KEY}"}


def test_a_path_parameter_is_named_decoded(account_links: AccountLinksFake) -> None:
    answer = requests.get("https://api.stripe.com/v2/core/events/%C3%A3%3F", headers=AUTH)
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "No such v2.core.event: 'ã?'"


def test_a_v1_account_path_is_read_decoded(account_links: AccountLinksFake) -> None:
    answer = requests.get("https://api.stripe.com/v1/accounts/acct_%C3%A3%2541", headers=AUTH)
    assert answer.status_code == 403  # no account can have that ID
    # decoded once, as Stripe reads a path
    assert "to account 'acct_ã%41'" in answer.json()["error"]["message"]


def test_an_invalid_version_is_not_echoed_in_the_answer(account_links: AccountLinksFake) -> None:
    answer = requests.post(
        "https://api.stripe.com/v2/core/accounts",
        json={},
        headers={**AUTH, "Stripe-Version": b"\xff\xfe"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_api_version"
    assert answer.headers["Stripe-Version"] == account_links.default_api_version


def test_a_valid_version_is_answered_under_its_name(account_links: AccountLinksFake) -> None:
    answer = requests.post(
        "https://api.stripe.com/v2/core/accounts",
        json={},
        headers={**AUTH, "Stripe-Version": "2026-09-30.endive"},
    )
    assert answer.status_code == 200
    assert answer.headers["Stripe-Version"] == "2026-09-30.endive"


def _raw(served: ServedFake, method: str, path: str, headers: dict[str, Any]) -> Any:
    parts = urlsplit(served.url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.putrequest(method, path)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", "2")
        connection.endheaders(b"{}")
        response = connection.getresponse()
        return response.status, response.getheader("Stripe-Version"), json.loads(response.read())
    finally:
        connection.close()


def test_over_http_the_path_is_decoded_and_the_version_not_echoed(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    auth = {"Authorization": f"Bearer {account_links_server.api_key}"}
    status, _, body = _raw(account_links_server, "GET", "/v2/core/events/%C3%A3%3F", auth)
    assert (status, body["error"]["message"]) == (404, "No such v2.core.event: 'ã?'")

    version = {**auth, "Content-Type": "application/json", "Stripe-Version": b"\xff\xfe"}
    status, answered, body = _raw(account_links_server, "POST", "/v2/core/accounts", version)
    assert (status, body["error"]["code"]) == (400, "invalid_api_version")
    assert answered == account_links.default_api_version
