"""account_links.calls: what the fake saw, for the test's assertions."""

from __future__ import annotations

import copy
import inspect
import json
import pickle
import threading
from dataclasses import FrozenInstanceError
from typing import TYPE_CHECKING, Any

import pytest
import requests
import stripe

from pytest_account_links.models import AccountLinkCreateParams
from tests.conftest import ONBOARDING

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake

URL = "https://api.stripe.com/v2/core/account_links"
SECRET = "sk_test_BQokikJOvBiI2HlWgH4olfQ2"


def test_each_exchange_is_recorded_in_order(
    stripe_client: stripe.StripeClient, account_links: AccountLinksFake
) -> None:
    first = stripe_client.v2.core.account_links.create(copy.deepcopy(ONBOARDING))  # type: ignore[arg-type]
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v2.core.account_links.create({"account": "acct_2"})  # type: ignore[typeddict-item]

    assert len(account_links.calls) == account_links.call_count == 2
    ok, failed = account_links.calls
    assert ok.ok
    assert ok.status == 200
    assert isinstance(ok.request, AccountLinkCreateParams)
    assert ok.request.account == "acct_1Nv0FGQ9RKHgCVdK"
    assert ok.request.use_case.options.refresh_url == "https://example.com/reauth"
    assert ok.response["url"] == first.url
    assert ok.error_code is None
    assert ok.method == "POST"
    assert ok.url == URL
    assert not failed.ok
    assert failed.status == 400
    assert failed.request is None
    assert failed.body == {"account": "acct_2"}
    assert failed.account == "acct_2"
    assert failed.error_code == "invalid_fields"
    assert account_links.calls.last is failed
    assert account_links.calls[-1] is failed
    assert "invalid_fields" in repr(failed)


def test_recorded_headers_mask_the_key(account_links: AccountLinksFake) -> None:
    requests.post(URL, json=ONBOARDING, headers={"Authorization": f"Bearer {SECRET}"})

    call = account_links.calls.last
    assert call.headers["authorization"] == "Bearer sk_test_...lfQ2"
    assert SECRET not in repr(call)
    assert SECRET not in str(call.headers)


def test_a_body_that_is_not_json_is_kept_as_text(account_links: AccountLinksFake) -> None:
    requests.post(URL, data="account=acct_1", headers={"Authorization": f"Bearer {SECRET}"})

    assert account_links.calls.last.body == "account=acct_1"
    assert account_links.calls.last.account is None


def test_assert_called_once_with_passes_on_the_fields_given(
    account_links: AccountLinksFake,
) -> None:
    requests.post(URL, json=ONBOARDING, headers={"Authorization": f"Bearer {SECRET}"})

    call = account_links.calls.assert_called_once_with(
        account="acct_1Nv0FGQ9RKHgCVdK",
        use_case={"type": "account_onboarding"},
    )
    assert call is account_links.calls.last


def test_assert_not_called_passes_without_calls(account_links: AccountLinksFake) -> None:
    account_links.calls.assert_not_called()


def test_assertion_helpers_fail_readably(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import requests

        def _create(body):
            requests.post("https://api.stripe.com/v2/core/account_links", json=body,
                          headers={{"Authorization": "Bearer sk_test_1"}})

        def test_wrong_field(account_links):
            _create({ONBOARDING!r})
            account_links.calls.assert_called_once_with(
                account="acct_other",
                use_case={{"type": "account_onboarding",
                          "account_onboarding": {{"return_url": "https://example.com/done"}}}},
            )

        def test_two_calls(account_links):
            _create({ONBOARDING!r})
            _create({{"account": "bad"}})
            account_links.calls.assert_called_once_with(account="acct_1Nv0FGQ9RKHgCVdK")

        def test_no_call(account_links):
            account_links.calls.assert_called_once_with(account="acct_1")

        def test_last_without_calls(account_links):
            account_links.calls.last

        def test_not_called(account_links):
            _create({ONBOARDING!r})
            account_links.calls.assert_not_called()
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(failed=5)
    result.stdout.fnmatch_lines(
        [
            "*the call did not send the expected fields (- expected, + sent):",
            '*-   "account": "acct_other",',
            '*+   "account": "acct_1Nv0FGQ9RKHgCVdK",',
            '*-       "return_url": "https://example.com/done"',
            '*+       "return_url": "https://example.com/return"',
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*expected exactly 1 call to v2.core.account_links.create or "
            "v1.account_links.create, got 2:",
            "*1. POST https://api.stripe.com/v2/core/account_links -> 200 "
            "account=acct_1Nv0FGQ9RKHgCVdK",
            "*2. POST https://api.stripe.com/v2/core/account_links -> 400 invalid_fields "
            "account=bad",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*expected exactly 1 call to v2.core.account_links.create or "
            "v1.account_links.create, got 0"
        ]
    )
    result.stdout.fnmatch_lines(
        ["*no call was made to v2.core.account_links.create or v1.account_links.create"]
    )
    result.stdout.fnmatch_lines(
        ["*expected no call to v2.core.account_links.create or v1.account_links.create, got 1:"]
    )
    # The helpers hide their own frames: the failure points at the test's line.
    assert "_calls.py" not in result.stdout.str()


def test_each_test_starts_with_no_calls(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import requests

        def test_first(account_links):
            requests.post("https://api.stripe.com/v2/core/account_links", json={ONBOARDING!r},
                          headers={{"Authorization": "Bearer sk_test_1"}})
            assert len(account_links.calls) == 1

        def test_second(account_links):
            assert len(account_links.calls) == 0
            assert account_links.unfaked == []
        """
    )

    pytester.runpytest().assert_outcomes(passed=2)


V1_LINK = {
    "account": "acct_1Nv0FGQ9RKHgCVdK",
    "type": "account_onboarding",
    "refresh_url": "https://example.com/reauth",
    "return_url": "https://example.com/return",
}


def test_calls_holds_the_link_creations_of_both_apis(
    account_links: AccountLinksFake, stripe_api_key: str
) -> None:
    """A v1 user's ``calls.assert_called_once_with`` sees ``stripe.AccountLink.create``."""
    account_links.accounts.add("acct_1Nv0FGQ9RKHgCVdK")
    stripe.AccountLink.create(api_key=stripe_api_key, **V1_LINK)  # type: ignore[arg-type]
    call = account_links.calls.assert_called_once_with(account="acct_1Nv0FGQ9RKHgCVdK")
    assert call.endpoint == "v1.account_links.create"
    assert account_links.call_count == 1

    client = stripe.StripeClient(stripe_api_key)
    client.v2.core.account_links.create(ONBOARDING)  # type: ignore[arg-type]
    assert [c.endpoint for c in account_links.calls] == [
        "v1.account_links.create",
        "v2.core.account_links.create",
    ]
    client.v2.core.accounts.retrieve("acct_1Nv0FGQ9RKHgCVdK")
    assert len(account_links.calls) == 2  # not the account's retrieval
    assert len(account_links.all_calls) == 3
    assert repr(account_links.calls) == (
        "<CallList: 2 call(s) to v2.core.account_links.create or v1.account_links.create>"
    )


def test_an_empty_view_says_where_the_calls_went(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
def test_wrong_view(stripe_client, account_links):
    stripe_client.v2.core.accounts.create({"display_name": "Kunstwerk"})
    account_links.calls.assert_called_once_with(display_name="Kunstwerk")

def test_nothing_at_all(account_links):
    account_links.calls_to("v2.core.accounts.create").last
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*expected exactly 1 call to v2.core.account_links.create or "
            "v1.account_links.create, got 0; the fake saw 1 other call(s) "
            "(account_links.all_calls, or account_links.calls_to(endpoint) for one "
            "endpoint's):",
            "*v2.core.accounts.create: POST https://api.stripe.com/v2/core/accounts -> 200",
            "*no call was made to v2.core.accounts.create",
        ]
    )
    result.stdout.no_fnmatch_line("*no call was made to v2.core.accounts.create; the fake*")


# -- a call works out what it shows when first read: the same, and masked, whenever ----

LIVE = "sk_live_" + "Zq8x7Kp2Lm9Qw4Rt6Yu1Io3Pa5Sd8Fg0Hj2Kl4Zx6Cv8Bn1Mq3We5R"


def _no_key(text: str) -> bool:
    return LIVE not in text and LIVE[8:24] not in text and SECRET[8:] not in text


def test_the_validated_request_never_holds_a_key_the_body_held(
    account_links: AccountLinksFake,
) -> None:
    body: Any = copy.deepcopy(ONBOARDING)
    body["account"] = LIVE
    body["use_case"]["account_onboarding"]["refresh_url"] = f"https://example.com/?k={LIVE}"

    requests.post(URL, json=body, headers={"Authorization": f"Bearer {SECRET}"}, timeout=5)

    call = account_links.calls.last
    assert call.status == 404  # no such account: the request was valid, so it was validated
    assert call.request is not None
    assert call.request.account == f"sk_live_...{LIVE[-4:]}"
    assert (
        call.request.use_case.options.refresh_url
        == f"https://example.com/?k=sk_live_...{LIVE[-4:]}"
    )
    assert _no_key(repr(call.request))
    assert _no_key(repr(call.sent))
    assert _no_key(repr(call.body))


def test_a_call_shows_what_was_sent_whenever_it_is_read(account_links: AccountLinksFake) -> None:
    sent = copy.deepcopy(ONBOARDING)
    raw = bytearray(json.dumps(sent).encode())
    headers = {"Authorization": f"Bearer {SECRET}", "Content-Type": "application/json"}
    requests.post(URL, data=raw, headers=headers, timeout=5)  # type: ignore[arg-type]
    requests.post(URL, json=sent, headers={"Authorization": f"Bearer {LIVE}"}, timeout=5)
    # The application changes what it sent, and the test's key changed, after the calls.
    raw[:] = b"{}"
    sent["account"] = "acct_changed"
    headers["Authorization"] = f"Bearer {LIVE}"

    first, second = account_links.calls
    assert first.headers["authorization"] == "Bearer sk_test_...lfQ2"
    assert second.headers["authorization"] == f"Bearer sk_live_...{LIVE[-4:]}"
    assert first.body == second.body == ONBOARDING
    assert json.loads(first.raw_body) == ONBOARDING
    assert first.request.account == "acct_1Nv0FGQ9RKHgCVdK"
    assert first.headers is first.headers  # worked out once: every read sees the same


def test_a_call_read_from_many_threads_at_once_shows_one_record(
    account_links: AccountLinksFake,
) -> None:
    requests.post(URL, json=ONBOARDING, headers={"Authorization": f"Bearer {SECRET}"}, timeout=5)
    call = account_links.calls.last
    barrier = threading.Barrier(8)
    seen: list[int] = []

    def read() -> None:
        barrier.wait()
        seen.append(id(call.headers))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 1
    assert call.headers["authorization"] == "Bearer sk_test_...lfQ2"


def test_a_call_copied_pickled_or_inspected_carries_no_key(
    account_links: AccountLinksFake,
) -> None:
    body = dict(ONBOARDING, account=LIVE)
    requests.post(URL, json=body, headers={"Authorization": f"Bearer {LIVE}"}, timeout=5)
    call = account_links.calls.last  # not read yet: what it shows is worked out on demand

    members = repr(inspect.getmembers(call))
    pickled = pickle.dumps(call)
    copied = copy.deepcopy(call)

    assert _no_key(members)
    assert LIVE.encode() not in pickled
    assert LIVE[8:24].encode() not in pickled
    assert pickle.loads(pickled) == copied == call
    assert copied.headers["authorization"] == f"Bearer sk_live_...{LIVE[-4:]}"
    assert copied.body["account"] == f"sk_live_...{LIVE[-4:]}"


def test_a_call_is_read_only(account_links: AccountLinksFake) -> None:
    requests.post(URL, json=ONBOARDING, headers={"Authorization": f"Bearer {SECRET}"}, timeout=5)
    call = account_links.calls.last

    with pytest.raises(FrozenInstanceError):
        call.status = 500
    with pytest.raises(AttributeError):
        call.headers = {}  # type: ignore[misc]
    assert call.status == 200
