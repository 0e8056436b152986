"""Failures a test asked for must be used; any answer can be given as is; calls keep the
answer; the fake's small methods take what users pass them."""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import OFFLINE_CONFTEST, ONBOARDING

HEADER = f"""
from datetime import timedelta

import pytest
import requests
import stripe

URL = "https://api.stripe.com/v2/core/account_links"
AUTH = {{"Authorization": "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc"}}
ONBOARDING = {ONBOARDING!r}


def post(**headers):
    return requests.post(URL, json=ONBOARDING, headers={{**AUTH, **headers}})
"""


def run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(HEADER + textwrap.dedent(body))
    result = pytester.runpytest(*args)
    result.assert_outcomes(**outcomes)
    return result


UNUSED = """
@pytest.mark.stripe_error("not_found")
def test_marker_never_fired(account_links):
    pass

@pytest.mark.stripe_outage(503, times=2)
def test_outage_fired_once(account_links):
    assert post().status_code == 503

def test_fail_next_unused(account_links):
    account_links.fail_next("not_found", times=2)
    assert post().status_code == 404

def test_script_and_response_unused(account_links):
    account_links.script("ok", 504)
    account_links.add_response(402, json={"error": {"code": "card_declined"}}, times=2)
    assert post().status_code == 402  # takes "ok" from the script, and one stubbed answer

@pytest.mark.stripe_rate_limit(3)
def test_rate_limit_never_reached(account_links):
    assert post().status_code == 200

@pytest.mark.stripe_error("not_found", times=1)
def test_all_used(account_links):
    assert post().status_code == 404
"""


def test_unused_failures_fail_the_test(pytester: pytest.Pytester) -> None:
    result = run(pytester, UNUSED, passed=6, errors=5)

    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_marker_never_fired*",
            "*failures and answers the test asked for were not used as often as asked:",
            "  @pytest.mark.stripe_error('not_found'): used 0 of 1 time",
            "*ERROR at teardown of test_outage_fired_once*",
            "  @pytest.mark.stripe_outage(503, times=2): used 1 of 2 times",
            "*ERROR at teardown of test_fail_next_unused*",
            "  account_links.fail_next('not_found', times=2): used 1 of 2 times",
            "*ERROR at teardown of test_script_and_response_unused*",
            "  account_links.add_response(402, json={'error': {'code': 'card_declined'}}, "
            "times=2): used 1 of 2 times",
            "  script: 504 was never used",
            "*ERROR at teardown of test_rate_limit_never_reached*",
            "  @pytest.mark.stripe_rate_limit(3): used 0 of 1 time",
        ]
    )
    assert (
        "test_all_used"
        not in result.stdout.str().split("short test summary")[0].split("ERRORS")[-1]
    )


@pytest.mark.parametrize(
    "switch",
    [
        ("-o", "account_links_assert_all_used=false"),
        ("--account-links-assert-all-used=off",),
    ],
    ids=["ini", "option"],
)
def test_the_check_can_be_turned_off(pytester: pytest.Pytester, switch: tuple[str, ...]) -> None:
    run(pytester, UNUSED, *switch, passed=6)


def test_the_check_can_be_turned_off_per_test(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        @pytest.mark.account_links(assert_all_used=False)
        @pytest.mark.stripe_error("not_found")
        def test_unused_on_purpose(account_links):
            pass
        """,
        passed=1,
    )


def test_any_answer_exactly_as_given(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        DECLINED = {"error": {"type": "card_error", "code": "card_declined", "message": "No."}}

        def test_add_response(account_links):
            account_links.add_response(402, json=DECLINED, headers={"X-Mine": "1"}, times=2)
            client = stripe.StripeClient("sk_test_4eC39HqLyjWDarjtT1zdp7dc")
            for _ in range(2):
                with pytest.raises(stripe.CardError) as raised:
                    client.v2.core.account_links.create(ONBOARDING)
                assert raised.value.http_status == 402
                assert raised.value.headers["X-Mine"] == "1"
            assert client.v2.core.account_links.create(ONBOARDING).account  # then normal
            stubbed = account_links.calls[0]
            assert stubbed.status == 402 and stubbed.response == DECLINED
            assert stubbed.injected == "add_response"
            assert stubbed.request is None  # not validated: answered as given

        @pytest.mark.stripe_response(503, text="upstream went away", times=None)
        def test_marker_every_call_and_before_validation(account_links):
            answer = requests.post(URL, data=b"not json", headers=AUTH)
            assert answer.status_code == 503
            assert answer.text == "upstream went away"
            assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
            assert account_links.calls.last.response == "upstream went away"

        @pytest.mark.stripe_response(200, json={"object": "v2.core.event", "id": "evt_x"},
                                     endpoint="v2.core.events.retrieve")
        def test_another_endpoint(account_links):
            answer = requests.get("https://api.stripe.com/v2/core/events/evt_x", headers=AUTH)
            assert answer.json()["id"] == "evt_x"

        def test_the_key_is_still_checked(account_links):
            account_links.add_response(200, json={})
            assert requests.post(URL, json=ONBOARDING).status_code == 401
            assert post().status_code == 200

        def test_misuse(account_links):
            with pytest.raises(ValueError, match="give at most one of json, text and content"):
                account_links.add_response(json={}, text="x")
            with pytest.raises(ValueError, match="status_code must be"):
                account_links.add_response(99)
            with pytest.raises(ValueError, match="json: cannot be sent as JSON"):
                account_links.add_response(json={"when": object()})
        """,
        passed=5,
    )


def test_calls_carry_the_answer(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_replayed(account_links):
            first, second = post(**{"Idempotency-Key": "k"}), post(**{"Idempotency-Key": "k"})
            assert first.json() == second.json()
            one, two = account_links.calls
            assert not one.replayed and two.replayed
            assert two.response_headers["Idempotent-Replayed"] == "true"
            assert two.response_headers["Original-Request"] == one.request_id
            assert one.response_headers["Request-Id"] == one.request_id
            account_links.calls.assert_call_count(2)
            with pytest.raises(AssertionError, match="expected 3 call"):
                account_links.calls.assert_call_count(3)
        """,
        passed=1,
    )


def test_small_methods_take_what_users_pass(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_clock_takes_seconds(account_links):
            start = account_links.clock.freeze()
            assert account_links.clock.advance(11) == start + timedelta(seconds=11)
            assert account_links.clock.advance(0.5) == start + timedelta(seconds=11.5)
            with pytest.raises(TypeError, match="a timedelta or a number of seconds"):
                account_links.clock.advance("11")

        def test_visit_takes_the_sdks_link(account_links):
            client = stripe.StripeClient("sk_test_4eC39HqLyjWDarjtT1zdp7dc")
            link = client.v2.core.account_links.create(ONBOARDING)
            assert account_links.visit(link) == "https://example.com/return"

        def test_visit_says_what_is_not_a_link(account_links):
            with pytest.raises(ValueError, match="this is not an Account Link URL"):
                account_links.visit("https://example.com/onboard")
            with pytest.raises(TypeError, match="takes an Account Link"):
                account_links.visit(42)

        def test_seeds(account_links):
            assert account_links.seed == 0  # the run's, as the report header says
            assert account_links.test_seed != 0  # this test's own, derived from it
        """,
        passed=4,
    )
