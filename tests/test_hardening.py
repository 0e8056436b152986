"""The plugin's core promises under attack: no request escapes, nothing crashes inside the
plugin, nothing outlives its test. Each test rebuilds one finding of an adversarial pass
(the number in its docstring) as a user would meet it, through pytester."""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import OFFLINE_CONFTEST, ONBOARDING

HEADER = f"""
import asyncio
import io
import json

import pytest
import requests
import stripe

from pytest_account_links import UnfakedRequestError

URL = "https://api.stripe.com/v2/core/account_links"
KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
AUTH = {{"Authorization": "Bearer " + KEY}}
ONBOARDING = {ONBOARDING!r}
BODY = json.dumps(ONBOARDING).encode()
"""


def run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(HEADER + textwrap.dedent(body))
    result = pytester.runpytest(*args)
    result.assert_outcomes(**outcomes)
    return result


# -- 3. every client the SDK ships is faked; every other way out is stopped -------------


def test_every_http_client_the_sdk_ships_is_answered_by_the_fake(pytester: pytest.Pytester) -> None:
    """Point 3: the SDK's UrllibClient (and its pycurl client) reached the network."""
    run(
        pytester,
        """
        @pytest.mark.parametrize("client", ["RequestsClient", "UrllibClient", "PycurlClient"])
        def test_sync(account_links, client):
            sdk = stripe.StripeClient(KEY, http_client=getattr(stripe, client)())
            link = sdk.v2.core.account_links.create(ONBOARDING)
            assert link.url.startswith("https://accounts.stripe.com/r/acct_1Nv0FGQ9RKHgCVdK#")
            assert account_links.call_count == 1

        def test_httpx_sync(account_links):
            http = stripe.HTTPXClient(allow_sync_methods=True)
            sdk = stripe.StripeClient(KEY, http_client=http)
            sdk.v2.core.account_links.create(ONBOARDING)
            assert account_links.call_count == 1

        @pytest.mark.parametrize("client", ["HTTPXClient", "AIOHTTPClient"])
        def test_async(account_links, client):
            async def create():
                http = getattr(stripe, client)()
                try:
                    sdk = stripe.StripeClient(KEY, http_client=http)
                    return await sdk.v2.core.account_links.create_async(ONBOARDING)
                finally:
                    await http.close_async()

            asyncio.run(create())
            assert account_links.call_count == 1

        def test_urllib_errors_are_urllibs(account_links):
            sdk = stripe.StripeClient(KEY, http_client=stripe.UrllibClient())
            with pytest.raises(stripe.InvalidRequestError, match="refresh_url"):
                sdk.v2.core.account_links.create({"account": "acct_1", "use_case": {
                    "type": "account_onboarding", "account_onboarding": {}}})
            assert account_links.calls.last.status == 400
        """,
        passed=7,
    )


def test_other_ways_out_to_stripe_are_stopped_before_they_leave(pytester: pytest.Pytester) -> None:
    """Point 3: urllib3 and urllib.request reached the real network; the fake saw 0 calls."""
    run(
        pytester,
        """
        import http.client
        import urllib.request

        import urllib3

        BALANCE = "https://api.stripe.com/v1/balance"

        def test_urllib3(account_links):
            with pytest.raises(UnfakedRequestError, match="GET https://api.stripe.com/v1/balance"):
                urllib3.PoolManager().request("GET", BALANCE, headers=AUTH)
            assert len(account_links.unfaked) == 1
            account_links.unfaked.clear()

        def test_urllib3_even_for_the_faked_endpoint(account_links):
            with pytest.raises(UnfakedRequestError):
                urllib3.PoolManager().request("POST", URL, body=BODY, headers=AUTH)
            account_links.unfaked.clear()

        def test_urllib_request(account_links):
            with pytest.raises(UnfakedRequestError):
                urllib.request.urlopen(urllib.request.Request(BALANCE, headers=AUTH))
            account_links.unfaked.clear()

        def test_urllib_request_to_the_endpoint_is_answered(account_links):
            request = urllib.request.Request(
                URL, data=BODY, headers={**AUTH, "Content-Type": "application/json"}
            )
            with urllib.request.urlopen(request) as response:
                assert response.status == 200
                assert json.loads(response.read())["object"] == "v2.core.account_link"
            assert account_links.call_count == 1

        def test_http_client(account_links):
            connection = http.client.HTTPSConnection("api.stripe.com")
            with pytest.raises(UnfakedRequestError):
                connection.request("GET", "/v1/balance", headers=AUTH)
            account_links.unfaked.clear()

        def test_pycurl_client_to_another_url(account_links):
            sdk = stripe.StripeClient(KEY, http_client=stripe.PycurlClient())
            with pytest.raises(UnfakedRequestError):
                sdk.v1.balance.retrieve()
            account_links.unfaked.clear()
        """,
        passed=6,
    )


# -- 4. a user's responses mock cannot pass a Stripe request through ------------------


def test_a_responses_pass_through_never_reaches_stripe(pytester: pytest.Pytester) -> None:
    """Point 4: responses sends pass-throughs with the HTTPAdapter.send it saw at import."""
    run(
        pytester,
        """
        import responses

        @pytest.fixture
        def started_before():
            with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
                mock.add_passthru("https://api.stripe.com")
                mock.add(responses.GET, "https://example.com/mocked", body="mocked")
                yield mock

        def test_mock_started_before_the_fake(started_before, account_links):
            assert requests.post(URL, json=ONBOARDING, headers=AUTH).status_code == 200
            with pytest.raises(UnfakedRequestError):
                requests.get("https://api.stripe.com/v1/balance", headers=AUTH)
            assert requests.get("https://example.com/mocked").text == "mocked"
            assert account_links.call_count == 1
            account_links.unfaked.clear()

        def test_mock_started_after_the_fake(account_links):
            with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
                mock.add_passthru("https://api.stripe.com")
                assert requests.post(URL, json=ONBOARDING, headers=AUTH).status_code == 200
                with pytest.raises(UnfakedRequestError):
                    requests.get("https://api.stripe.com/v1/balance", headers=AUTH)
            assert account_links.call_count == 1
            account_links.unfaked.clear()
        """,
        passed=2,
    )


# -- 5, 6. no exception from inside the plugin ------------------------------------------


def test_odd_bodies_never_crash_the_report_or_the_session(pytester: pytest.Pytester) -> None:
    """Point 5: a streamed, a deeply nested body or a bytes key ended in INTERNALERROR."""
    run(
        pytester,
        """
        DEEP = b"[" * 100_000 + b"]" * 100_000

        def test_generator_body(account_links):
            chunks = (part for part in [BODY[:10], BODY[10:]])
            response = requests.post(URL, data=chunks, headers=AUTH)
            assert response.status_code == 200
            assert account_links.calls.last.body == ONBOARDING
            assert False, "fails, so the report is rendered"

        def test_deep_body(account_links):
            response = requests.post(URL, data=DEEP, headers=AUTH)
            assert response.status_code == 400
            assert "nested too deeply" in response.json()["error"]["message"]
            assert False, "fails, so the report is rendered"

        def test_bytes_idempotency_key(account_links):
            headers = {**AUTH, "Idempotency-Key": b"key-1"}
            assert requests.post(URL, json=ONBOARDING, headers=headers).status_code == 200
            assert account_links.calls.last.idempotency_key == "key-1"
            assert False, "fails, so the report is rendered"

        def test_the_session_goes_on():
            pass
        """,
        failed=3,
        passed=1,
    )


def test_a_deep_body_gets_a_400_at_every_stage(pytester: pytest.Pytester) -> None:
    """Point 6: the idempotency comparison and the rate-limit hint parsed the body again."""
    run(
        pytester,
        """
        DEEP = b"[" * 100_000 + b"]" * 100_000

        def test_after_an_idempotency_key(account_links):
            headers = {**AUTH, "Idempotency-Key": "same"}
            assert requests.post(URL, json=ONBOARDING, headers=headers).status_code == 200
            response = requests.post(URL, data=DEEP, headers=headers)
            assert response.status_code == 400

        @pytest.mark.stripe_rate_limit(5)
        @pytest.mark.account_links(assert_all_used=False)  # one call: never over the limit
        def test_under_a_rate_limit(account_links):
            response = requests.post(URL, data=DEEP, headers=AUTH)
            assert response.status_code == 400
            assert response.json()["error"]["code"] == "invalid_fields"
        """,
        passed=2,
    )


def test_bytes_and_non_ascii_header_values(pytester: pytest.Pytester) -> None:
    """Point 7: bytes header values crashed the fake; a non-ASCII echo broke httpx."""
    run(
        pytester,
        """
        import httpx

        def test_requests_bytes_values(account_links):
            headers = {
                "Authorization": b"Bearer " + KEY.encode(),
                "Stripe-Version": b"2026-10-28.endive",
                "Idempotency-Key": b"k-1",
            }
            response = requests.post(URL, json=ONBOARDING, headers=headers)
            assert response.status_code == 200
            assert response.headers["Idempotency-Key"] == "k-1"
            assert response.headers["Stripe-Version"] == "2026-10-28.endive"

        def test_httpx_bytes_values(account_links):
            headers = {"Authorization": b"Bearer " + KEY.encode(), "Idempotency-Key": b"k-2"}
            response = httpx.post(URL, json=ONBOARDING, headers=headers)
            assert response.status_code == 200
            assert response.headers["idempotency-key"] == "k-2"

        def test_httpx_non_ascii_idempotency_key(account_links):
            key = "clé-ключ".encode()
            response = httpx.post(URL, json=ONBOARDING, headers={**AUTH, "Idempotency-Key": key})
            assert response.status_code == 200
            assert response.headers.raw[[n for n, _ in response.headers.raw].index(
                b"Idempotency-Key")][1] == key
        """,
        passed=3,
    )


def test_aiohttp_sends_what_aiohttp_sends(pytester: pytest.Pytester) -> None:
    """Point 8: BytesIO bodies were sent as their repr, bytearray mishandled, auth dropped."""
    run(
        pytester,
        """
        import warnings

        import aiohttp

        async def post(**kwargs):
            async with aiohttp.ClientSession() as session:
                async with session.post(URL, **kwargs) as response:
                    return response.status, await response.json()

        JSON = {"Content-Type": "application/json"}

        @pytest.mark.parametrize("data", [io.BytesIO(BODY), bytearray(BODY), memoryview(BODY)])
        def test_bodies(account_links, data):
            status, body = asyncio.run(post(data=data, headers={**AUTH, **JSON}))
            assert status == 200, body
            assert account_links.calls.last.body == ONBOARDING

        def test_async_generator_body(account_links):
            async def chunks():
                yield BODY[:7]
                yield BODY[7:]

            status, body = asyncio.run(post(data=chunks(), headers={**AUTH, **JSON}))
            assert status == 200, body

        def test_basic_auth(account_links):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # aiohttp 3.14 deprecates auth=
                status, body = asyncio.run(
                    post(json=ONBOARDING, auth=aiohttp.BasicAuth(KEY, ""))
                )
            assert status == 200, body
            assert account_links.calls.last.headers["authorization"] == "Basic sk_test_...p7dc"
        """,
        passed=5,
    )


# -- 9. settings out of range --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (
            ("--account-links-link-lifetime=999999999999999",),
            "*--account-links-link-lifetime must be between 1 second and 365 days*",
        ),
        (
            ("-o", "account_links_link_lifetime=0.0001"),
            "*account_links_link_lifetime ini key must be between 1 second and 365 days*",
        ),
        (("--account-links-seed=-1",), "*--account-links-seed must be an integer from 0*"),
    ],
)
def test_settings_out_of_range_are_usage_errors(
    pytester: pytest.Pytester, args: tuple[str, ...], shown: str
) -> None:
    """Point 9: a huge link lifetime ended in an OverflowError INTERNALERROR."""
    pytester.makepyfile("def test_nothing(): pass")

    result = pytester.runpytest(*args)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([shown])
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


def test_marker_and_method_values_out_of_range(pytester: pytest.Pytester) -> None:
    """Point 9: markers and methods with values out of range fail the test clearly."""
    result = run(
        pytester,
        """
        from datetime import timedelta

        @pytest.mark.account_links(link_lifetime=10**15)
        def test_lifetime(account_links):
            pass

        @pytest.mark.stripe_rate_limit(1, window=1e300)
        def test_window(account_links):
            pass

        def test_clock(account_links):
            with pytest.raises(ValueError, match="at most 36500 days"):
                account_links.clock.advance(days=10**9)

        def test_lifetime_attribute(account_links):
            with pytest.raises(ValueError, match="between 1 second and 365 days"):
                account_links.link_lifetime = timedelta(days=10**6)
        """,
        errors=2,
        passed=2,
    )
    result.stdout.fnmatch_lines(
        [
            "*account_links: link_lifetime must be between 1 second and 365 days*",
            "*stripe_rate_limit: window: must be between 0 and 31536000 seconds*",
        ]
    )
    assert "OverflowError" not in result.stdout.str()


# -- 10-13. nothing outlives its test -----------------------------------------------------


def test_other_patchers_restoring_out_of_order_leave_no_fake_behind(
    pytester: pytest.Pytester,
) -> None:
    """Point 10: a monkeypatch undone after the fake put the fake's wrapper back for good."""
    run(
        pytester,
        """
        import httpx
        import requests.adapters

        def test_wraps_send_around_the_fake(monkeypatch, account_links):
            real = requests.adapters.HTTPAdapter.send
            monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", real)
            monkeypatch.setattr(httpx.HTTPTransport, "handle_request",
                                httpx.HTTPTransport.handle_request)
            assert requests.post(URL, json=ONBOARDING, headers=AUTH).status_code == 200

        def test_later_requests_work(local_server):
            assert requests.get(local_server).text == "real server"
            assert httpx.get(local_server).text == "real server"

        def test_a_stripe_request_is_not_answered_by_a_dead_fake():
            # Refused by the guard of tests without the fake (and so an error at teardown).
            with pytest.raises(UnfakedRequestError, match="which does not use the fake"):
                requests.post(URL, json=ONBOARDING, headers=AUTH)
        """,
        passed=3,
        errors=1,
    )


def test_a_date_dependent_decision_is_not_cached(pytester: pytest.Pytester) -> None:
    """Point 11: after a test travelled to 2030, 2029-06-01.endive stayed accepted."""
    run(
        pytester,
        """
        from datetime import datetime, timezone

        import time_machine

        VERSION = {"Stripe-Version": "2029-06-01.endive"}

        def test_in_2030(account_links):
            with time_machine.travel(datetime(2030, 1, 1, tzinfo=timezone.utc)):
                requests.post(URL, json=ONBOARDING, headers={**AUTH, **VERSION})

        def test_today(account_links):
            response = requests.post(URL, json=ONBOARDING, headers={**AUTH, **VERSION})
            assert response.status_code == 400
            assert "Invalid Stripe API version" in response.json()["error"]["message"]
        """,
        passed=2,
    )


def test_a_rerun_still_fails_on_an_unfaked_request(pytester: pytest.Pytester) -> None:
    """Point 12: the 'call failed' flag of the first run survived into the rerun."""
    result = run(
        pytester,
        """
        RUNS = []

        @pytest.mark.flaky(reruns=1)
        def test_flaky(account_links):
            RUNS.append(1)
            try:
                requests.get("https://api.stripe.com/v1/balance", headers=AUTH)
            except UnfakedRequestError:
                pass  # the application swallows it
            assert len(RUNS) > 1, "the first run fails"
        """,
        "-p",
        "rerunfailures",
        passed=1,
        errors=1,
    )
    assert result.parseoutcomes()["rerun"] == 1
    result.stdout.fnmatch_lines(["*the test sent requests that are not faked*"])


def test_only_the_plugins_own_markers_turn_the_fake_on(pytester: pytest.Pytester) -> None:
    """Point 13: any stripe_* marker turned the fake on, and close ones errored."""
    pytester.makeini(
        """
        [pytest]
        markers =
            stripe_integration: live tests against Stripe's test mode
            stripe_account(id): the account a test runs as
        filterwarnings = ignore::pytest.PytestUnknownMarkWarning
        """
    )
    result = run(
        pytester,
        """
        @pytest.mark.stripe_integration
        def test_live_integration(request):
            assert "account_links" not in request.fixturenames

        @pytest.mark.stripe_account("acct_1")
        def test_own_marker_close_to_stripe_accounts(request):
            assert "account_links" not in request.fixturenames

        @pytest.mark.stripe_eror("not_found")
        def test_unregistered_typo():
            pass
        """,
        passed=2,
        errors=1,
    )
    result.stdout.fnmatch_lines(["*did you mean @pytest.mark.stripe_error?*"])


# -- 14, 15. wrong answers and cost ---------------------------------------------------


def test_versions_are_ascii(pytester: pytest.Pytester) -> None:
    """Point 14: full-width digits matched \\d and were accepted."""
    run(
        pytester,
        """
        def test_full_width_digits(account_links):
            version = "\\uff12\\uff10\\uff12\\uff16-10-28.endive"
            response = requests.post(URL, json=ONBOARDING,
                                     headers={**AUTH, "Stripe-Version": version})
            assert response.status_code == 400
            assert "Invalid Stripe API version" in response.json()["error"]["message"]
        """,
        passed=1,
    )


def test_per_call_work_does_not_grow_with_the_accounts_met(pytester: pytest.Pytester) -> None:
    """Point 15: every call asked every account met so far whether it was declared."""
    run(
        pytester,
        """
        from pytest_account_links.domain.accounts import ConnectedAccount

        def test_many_accounts(account_links, monkeypatch):
            for number in range(2_000):
                account_links.accounts.met(f"acct_{number:016d}", None)
            asked = []
            monkeypatch.setattr(ConnectedAccount, "declared", property(
                lambda self: asked.append(self.id) or False, lambda self, value: None),
                raising=False)
            assert requests.post(URL, json=ONBOARDING, headers=AUTH).status_code == 200
            assert len(asked) < 10
        """,
        passed=1,
    )
