"""@pytest.mark.stripe_outage and stripe_rate_limit: server faults, dropped connections,
timeouts, rate limits, and the SDK retrying through them without sleeping."""

from __future__ import annotations

import pytest

from tests.conftest import run_suite

HEADER = """
import time
from datetime import timedelta

import pytest
import requests
import stripe

URL = "https://api.stripe.com/v2/core/account_links"

def params(account="acct_1Nv0FGQ9RKHgCVdK"):
    return {"account": account,
            "use_case": {"type": "account_onboarding",
                         "account_onboarding": {"refresh_url": "https://example.com/reauth"}}}

def post(account="acct_1Nv0FGQ9RKHgCVdK"):
    return requests.post(URL, json=params(account), headers={"Authorization": "Bearer sk_test_1"})
"""


def _run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    return run_suite(pytester, HEADER, body, *args, **outcomes)


def test_status_outages_raise_api_error(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_status(account_links, stripe_client, status):
    account_links.outage(status)
    with pytest.raises(stripe.APIError) as raised:
        stripe_client.v2.core.account_links.create(params())
    assert type(raised.value) is stripe.APIError
    assert raised.value.http_status == status
    assert raised.value.json_body["error"]["type"] == "api_error"
    # As the SDK's _should_retry expects: "false" on a 500, nothing on an edge 5xx.
    assert raised.value.headers.get("Stripe-Should-Retry") == (
        "false" if status == 500 else None
    )

@pytest.mark.stripe_outage(503, should_retry=True)
def test_should_retry_true(account_links):
    assert post().headers["Stripe-Should-Retry"] == "true"
""",
        passed=5,
    )


def test_transport_faults_raise_the_http_librarys_own_exceptions(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
@pytest.mark.stripe_outage("connection_refused")
def test_refused_requests(account_links):
    with pytest.raises(requests.ConnectionError, match="simulated outage, connection refused"):
        post()
    assert account_links.calls.last.fault == "connection_refused"
    assert account_links.calls.last.outcome == "connection_refused"
    assert not account_links.calls.last.ok

@pytest.mark.stripe_outage("read_timeout")
def test_timeout_requests(account_links):
    with pytest.raises(requests.ReadTimeout, match="read timed out"):
        post()

@pytest.mark.parametrize("kind", ["connection_refused", "read_timeout"])
def test_sdk_wraps_them(account_links, stripe_client, kind):
    account_links.outage(kind)
    with pytest.raises(stripe.APIConnectionError, match="simulated outage"):
        stripe_client.v2.core.account_links.create(params())
""",
        passed=4,
    )


def test_sdk_retries_through_an_outage_with_one_idempotency_key(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
@pytest.mark.stripe_outage(503, times=2)
def test_retries_503(account_links, stripe_api_key):
    client = stripe.StripeClient(stripe_api_key, max_network_retries=3)
    link = client.v2.core.account_links.create(params())

    assert link.account == "acct_1Nv0FGQ9RKHgCVdK"
    assert [c.outcome for c in account_links.calls] == [
        "503 service_unavailable", "503 service_unavailable", "200"]
    assert len({c.idempotency_key for c in account_links.calls}) == 1
    # The SDK asked to sleep twice (at least 0.5 s each); the fake skipped both
    # and moved its own clock on instead.
    assert len(account_links.retry_sleeps) == 2
    assert all(s >= 0.5 for s in account_links.retry_sleeps)

@pytest.mark.stripe_outage("connection_refused", times=1)
@pytest.mark.stripe_outage("read_timeout", after=1, times=1)
def test_retries_transport_faults(account_links, stripe_api_key):
    client = stripe.StripeClient(stripe_api_key, max_network_retries=2)
    client.v2.core.account_links.create(params())
    assert [c.outcome for c in account_links.calls] == [
        "connection_refused", "read_timeout", "200"]
    assert len({c.idempotency_key for c in account_links.calls}) == 1

@pytest.mark.stripe_outage(503, times=1, should_retry=False)
def test_should_retry_false_stops_the_sdk(account_links, stripe_api_key):
    client = stripe.StripeClient(stripe_api_key, max_network_retries=3)
    with pytest.raises(stripe.APIError):
        client.v2.core.account_links.create(params())
    assert len(account_links.calls) == 1

@pytest.mark.stripe_outage(503)
def test_gives_up_after_max_retries(account_links, stripe_api_key):
    client = stripe.StripeClient(stripe_api_key, max_network_retries=2)
    with pytest.raises(stripe.APIError):
        client.v2.core.account_links.create(params())
    assert len(account_links.calls) == 3
""",
        passed=4,
    )


def test_real_retry_sleeps_are_one_switch_away(pytester: pytest.Pytester) -> None:
    body = """
@pytest.mark.stripe_outage(503, times=1)
def test_one_retry(account_links, stripe_api_key):
    client = stripe.StripeClient(stripe_api_key, max_network_retries=1)
    started = time.monotonic()
    client.v2.core.account_links.create(params())
    elapsed = time.monotonic() - started
    print(f"ELAPSED {elapsed:.3f} SLEEPS {len(account_links.retry_sleeps)}")
"""
    skipped = _run(pytester, body, "-s", passed=1)
    real = _run(pytester, body, "-s", "--account-links-real-retry-sleeps", passed=1)
    pytester.makeini("[pytest]\naccount_links_real_retry_sleeps = true\n")
    by_ini = _run(pytester, body, "-s", passed=1)

    skipped.stdout.fnmatch_lines(["*ELAPSED * SLEEPS 1"])
    for result in (real, by_ini):
        result.stdout.fnmatch_lines(["*ELAPSED * SLEEPS 0"])
        elapsed = float(result.stdout.str().split("ELAPSED ")[1].split()[0])
        assert elapsed >= 0.5  # the SDK's minimum back-off really happened


def test_rate_limit_per_account_on_the_fakes_clock(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
@pytest.mark.stripe_rate_limit(2, window=10)
def test_per_account(account_links):
    account_links.clock.freeze()
    assert [post("acct_A").status_code for _ in range(3)] == [200, 200, 429]
    assert post("acct_B").status_code == 200
    body = post("acct_A").json()
    assert body == {"error": {"type": "rate_limit", "code": "account_rate_limit_exceeded",
                              "message": body["error"]["message"]}}
    account_links.clock.advance(seconds=10)
    assert post("acct_A").status_code == 200

@pytest.mark.stripe_rate_limit(2, per="total", window=timedelta(minutes=1))
def test_in_total(account_links):
    account_links.clock.freeze()
    assert [post(a).status_code for a in ("acct_A", "acct_B", "acct_C")] == [200, 200, 429]
    account_links.clock.advance(seconds=59)
    assert post("acct_D").status_code == 429
    account_links.clock.advance(seconds=1)
    assert post("acct_D").status_code == 200

@pytest.mark.stripe_rate_limit(1, should_retry=False)
def test_should_retry_header(account_links):
    account_links.clock.freeze()
    post()
    assert post().headers["Stripe-Should-Retry"] == "false"

@pytest.mark.stripe_rate_limit(1)
def test_sdk_raises_rate_limit_error(account_links, stripe_client):
    account_links.clock.freeze()
    stripe_client.v2.core.account_links.create(params())
    with pytest.raises(stripe.RateLimitError) as raised:
        stripe_client.v2.core.account_links.create(params())
    assert raised.value.http_status == 429
    assert raised.value.code == "account_rate_limit_exceeded"

@pytest.mark.stripe_rate_limit(1, window=0.5, should_retry=True)
def test_sdk_retries_when_told_and_the_window_passes(account_links, stripe_api_key):
    account_links.clock.freeze()
    client = stripe.StripeClient(stripe_api_key, max_network_retries=2)
    client.v2.core.account_links.create(params())
    client.v2.core.account_links.create(params())
    # The retry's skipped back-off (>= 0.5 s) moved the fake's clock past the window.
    assert [c.status for c in account_links.calls] == [200, 429, 200]

@pytest.mark.stripe_rate_limit(1)
def test_rate_limit_comes_before_validation(account_links):
    account_links.clock.freeze()
    post()
    response = requests.post(URL, json={"account": "acct_1Nv0FGQ9RKHgCVdK"},
                             headers={"Authorization": "Bearer sk_test_1"})
    assert response.status_code == 429
""",
        passed=6,
    )
