"""One behaviour on every transport: requests, httpx (sync and async), aiohttp.

Each test runs once per transport, through the library itself and through the
official SDK configured to use it.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import jsonschema
import pytest
import stripe

from pytest_account_links import AccountLinksFake, UnfakedRequestError
from tests.conftest import ONBOARDING, schema
from tests.harness import HARNESSES, TRANSPORTS, Harness

URL = "https://api.stripe.com/v2/core/account_links"
KEY = "sk_test_BQokikJOvBiI2HlWgH4olfQ2"
AUTH = {"Authorization": f"Bearer {KEY}"}

pytestmark = pytest.mark.filterwarnings(
    # The SDK's HTTPXClient still passes bytes as data=; not this project's warning.
    "ignore:Use 'content=<...>' to upload raw bytes/text content:DeprecationWarning"
)


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> Harness:
    return HARNESSES[request.param]()


def _params() -> Any:
    return copy.deepcopy(ONBOARDING)


def test_valid_request_gets_an_account_link(
    transport: Harness, account_links: AccountLinksFake
) -> None:
    reply = transport.post(URL, ONBOARDING, {**AUTH, "Idempotency-Key": "k-1"})

    assert reply.status == 200
    body = reply.json()
    jsonschema.validate(body, schema("v2.core.account_link"))
    assert re.fullmatch(
        r"https://accounts\.stripe\.com/r/acct_1Nv0FGQ9RKHgCVdK#alu_test_\w{44}", body["url"]
    )
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["idempotency-key"] == "k-1"
    assert reply.headers["request-id"] == account_links.calls.last.request_id
    call = account_links.calls.assert_called_once_with(account="acct_1Nv0FGQ9RKHgCVdK")
    assert call.response == body
    assert call.headers["authorization"] == "Bearer sk_test_...lfQ2"
    assert call.headers["content-type"] == "application/json"


def test_sdk_creates_an_account_link(transport: Harness, account_links: AccountLinksFake) -> None:
    link = transport.create(KEY, _params())

    assert isinstance(link, stripe.v2.core.AccountLink)
    assert link.account == "acct_1Nv0FGQ9RKHgCVdK"
    assert link.url == account_links.calls.last.response["url"]
    assert account_links.calls.last.request is not None


def test_validation_is_the_same(transport: Harness, account_links: AccountLinksFake) -> None:
    reply = transport.post(URL, {"account": "acct_1", "use_case": {"type": "account_update"}}, AUTH)

    assert reply.status == 400
    assert reply.json() == {
        "error": {
            "type": "invalid_request_error",
            "code": "invalid_fields",
            "message": "use_case.account_update: required request field missing",
        }
    }
    with pytest.raises(stripe.AuthenticationError):
        transport.create("sk_test_not-a-key", _params())


@pytest.mark.stripe_error("not_found", times=1)
def test_error_marker(transport: Harness, account_links: AccountLinksFake) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        transport.create(KEY, _params())

    assert raised.value.http_status == 404
    assert raised.value.code == "not_found"
    assert transport.create(KEY, _params()).account == "acct_1Nv0FGQ9RKHgCVdK"


@pytest.mark.stripe_outage(503, times=2)
def test_outage_marker_and_sdk_retries(transport: Harness, account_links: AccountLinksFake) -> None:
    link = transport.create(KEY, _params(), max_network_retries=2)

    assert link.account == "acct_1Nv0FGQ9RKHgCVdK"
    assert [c.status for c in account_links.calls] == [503, 503, 200]
    assert len({c.idempotency_key for c in account_links.calls}) == 1
    assert len(account_links.retry_sleeps) == 2


@pytest.mark.parametrize("kind", ["connection_refused", "read_timeout"])
def test_transport_faults_are_the_librarys_own(
    transport: Harness, account_links: AccountLinksFake, kind: str
) -> None:
    account_links.outage(kind, times=2)
    expected = (
        transport.connection_error if kind == "connection_refused" else transport.timeout_error
    )

    with pytest.raises(expected):
        transport.post(URL, ONBOARDING, AUTH)
    with pytest.raises(stripe.APIConnectionError):
        transport.create(KEY, _params())
    assert [c.fault for c in account_links.calls] == [kind, kind]


@pytest.mark.stripe_rate_limit(1, per="total")
def test_rate_limit_marker(transport: Harness, account_links: AccountLinksFake) -> None:
    account_links.clock.freeze()
    transport.create(KEY, _params())

    with pytest.raises(stripe.RateLimitError):
        transport.create(KEY, _params())
    account_links.clock.advance(seconds=1)
    transport.create(KEY, _params())


def test_unfaked_stripe_urls_are_refused(
    transport: Harness, account_links: AccountLinksFake
) -> None:
    with pytest.raises(
        UnfakedRequestError, match=re.escape("GET https://api.stripe.com/v1/balance is not")
    ):
        transport.request("GET", "https://api.stripe.com/v1/balance", headers=AUTH)

    assert [r.url for r in account_links.unfaked] == ["https://api.stripe.com/v1/balance"]
    account_links.unfaked.clear()


def test_other_hosts_are_left_alone(
    transport: Harness, account_links: AccountLinksFake, local_server: str
) -> None:
    reply = transport.request("GET", local_server)

    assert reply.status == 200
    assert reply.text == "real server"
    assert len(account_links.calls) == 0


MATRIX_SUITE = """
import json
import pytest
from tests_harness import HARNESSES, TRANSPORTS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
PARAMS = {"account": "acct_1", "use_case": {"type": "account_update",
          "account_update": {"refresh_url": "https://example.com/r"}}}

@pytest.mark.parametrize("name", TRANSPORTS)
def test_values(name, account_links, pytestconfig):
    link = HARNESSES[name]().create("sk_test_1", PARAMS)
    out = pytestconfig.rootpath / "values"
    out.mkdir(exist_ok=True)
    (out / (name + ".json")).write_text(json.dumps(
        {"url": link.url, "request_id": link.last_response.request_id}))
"""


def _values(pytester: pytest.Pytester, result: pytest.RunResult) -> dict[str, Any]:
    import json
    import shutil

    result.assert_outcomes(passed=len(TRANSPORTS))
    out = pytester.path / "values"
    found = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json")}
    shutil.rmtree(out)
    return found


def test_fabricated_values_are_stable_on_every_transport_serial_and_xdist(
    pytester: pytest.Pytester,
) -> None:
    from pathlib import Path

    pytester.makepyfile(tests_harness=(Path(__file__).parent / "harness.py").read_text())
    pytester.makepyfile(test_matrix=MATRIX_SUITE)

    first = _values(pytester, pytester.runpytest_subprocess())
    second = _values(pytester, pytester.runpytest_subprocess())
    parallel = _values(pytester, pytester.runpytest_subprocess("-p", "xdist", "-n", "2"))

    assert first == second == parallel
    assert len({v["url"] for v in first.values()}) == len(TRANSPORTS)


def test_a_request_is_routed_once(
    transport: Harness, account_links: AccountLinksFake, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The adapter hands on the route it was given when it asked whether the fake serves
    # the request: the registry is asked once a request, by the library and by the SDK.
    from pytest_account_links.api.registry import route as real
    from pytest_account_links.transports import driver

    asked: list[tuple[str, str]] = []

    def route(method: str, url: str) -> Any:
        asked.append((method, url))
        return real(method, url)

    monkeypatch.setattr(driver, "route", route)
    transport.post(URL, ONBOARDING, AUTH)
    transport.create(KEY, _params())

    assert asked == [("POST", URL), ("POST", URL)]
    assert [call.status for call in account_links.calls] == [200, 200]
