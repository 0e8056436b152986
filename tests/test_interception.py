"""What reaches the fake, what is refused, what is left alone; and that it ends with the test."""

from __future__ import annotations

import pytest
import requests
import requests.adapters
import stripe

from pytest_account_links import AccountLinksFake, UnfakedRequestError
from tests.conftest import ONBOARDING, routing

KEY = {"Authorization": "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc"}


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("GET", "https://api.stripe.com/v1/customers"),
        ("DELETE", "https://api.stripe.com/v2/core/accounts/acct_1"),
        ("GET", "https://api.stripe.com/v2/core/account_links"),
        ("POST", "https://api.stripe.com/v2/core/account_links/extra"),
        ("POST", "http://api.stripe.com/v2/core/account_links"),
        ("POST", "https://connect.stripe.com/oauth/token"),
        ("POST", "https://files.stripe.com/v1/files"),
        ("POST", "https://meter-events.stripe.com/v2/billing/meter_event_stream"),
        ("GET", "https://accounts.stripe.com/r/acct_1#alu_test_x"),
        ("DELETE", "https://API.Stripe.com/v1/customers/cus_1"),
    ],
)
def test_other_stripe_urls_are_refused_naming_method_and_url(
    account_links: AccountLinksFake, method: str, url: str
) -> None:
    with pytest.raises(UnfakedRequestError) as refused:
        requests.request(method, url, headers=KEY)

    assert f"{method} " in str(refused.value)
    assert (
        "is not faked; the fake serves POST /v2/core/account_links, POST /v2/core/accounts, "
        "GET /v2/core/accounts/{id}," in str(refused.value)
    )
    assert [(r.method, r.url) for r in account_links.unfaked] == [
        (refused.value.method, refused.value.url)
    ]
    assert len(account_links.calls) == 0
    account_links.unfaked.clear()


def test_sdk_call_to_another_endpoint_fails_at_once_without_retrying(
    account_links: AccountLinksFake,
) -> None:
    client = stripe.StripeClient("sk_test_4eC39HqLyjWDarjtT1zdp7dc", max_network_retries=3)

    with pytest.raises(stripe.APIConnectionError, match="is not faked"):
        client.v1.customers.list()

    assert len(account_links.unfaked) == 1
    account_links.unfaked.clear()


def test_non_stripe_hosts_are_left_alone(
    account_links: AccountLinksFake, local_server: str
) -> None:
    response = requests.get(local_server)

    assert response.text == "real server"
    assert len(account_links.calls) == 0
    assert account_links.unfaked == []


def test_interception_is_gone_after_the_test_however_it_ended(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def broken_after(account_links):
            yield account_links
            raise RuntimeError("another fixture fails in teardown")
        """
    )
    pytester.makepyfile(
        f"""
        import pytest
        import requests
        from tests.conftest import routing

        def test_fails_while_faking(account_links):
            assert routing() == "fake"
            requests.post("https://api.stripe.com/v2/core/account_links", json={ONBOARDING!r},
                          headers={{"Authorization": "Bearer sk_test_1"}})
            assert False, "the test fails"

        def test_errors_in_teardown(broken_after):
            pass

        @pytest.fixture
        def broken_setup(account_links):
            raise RuntimeError("setup fails after the fake started")

        def test_errors_in_setup(broken_setup):
            pass

        @pytest.mark.stripe_error("not_fond")
        def test_misused_marker():
            pass

        def test_sees_real_transports():
            assert routing() == "guard"
        """
    )

    result = pytester.runpytest("-v")

    # test_errors_in_teardown passes its call, then errors in teardown.
    result.assert_outcomes(passed=2, failed=1, errors=3)
    result.stdout.fnmatch_lines(["*test_sees_real_transports PASSED*"])
    assert routing() == "guard"


def test_unfaked_request_swallowed_by_the_app_still_fails_the_test(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_swallows(account_links):
            try:
                requests.get("https://api.stripe.com/v1/balance")
            except Exception:
                pass

        def test_clears_on_purpose(account_links):
            try:
                requests.get("https://api.stripe.com/v1/balance")
            except Exception:
                pass
            assert len(account_links.unfaked) == 1
            account_links.unfaked.clear()
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_swallows*",
            "*the test sent requests that are not faked*",
            "  GET https://api.stripe.com/v1/balance",
            "*clear account_links.unfaked*",
        ]
    )


def test_a_test_that_already_failed_is_not_reported_twice(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_fails(account_links):
            requests.get("https://api.stripe.com/v1/balance")
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*UnfakedRequestError: pytest-account-links: GET*"])


def test_no_fake_outlives_its_test_here_too() -> None:
    assert routing() == "guard"


def test_the_sdk_default_client_goes_through_requests(
    stripe_client: stripe.StripeClient, account_links: AccountLinksFake
) -> None:
    stripe_client.v2.core.account_links.create(ONBOARDING)  # type: ignore[arg-type]

    assert "PythonBindings" in account_links.calls.last.headers["user-agent"]
    assert '"httplib": "requests"' in account_links.calls.last.headers["x-stripe-client-user-agent"]
