"""The example suite: the onboarding module above, tested offline with every marker."""

from __future__ import annotations

import pytest
import stripe
from onboarding import Onboarding, OnboardingUnavailable, UnknownSeller, make_client

SELLER = "acct_1Nv0FGQ9RKHgCVdK"
BASE = "https://shop.example.com"


@pytest.fixture
def onboarding(account_links, stripe_api_key) -> Onboarding:
    return Onboarding(make_client(stripe_api_key), BASE)


def test_happy_path(onboarding, account_links):
    url = onboarding.start(SELLER)

    assert url.startswith(f"https://accounts.stripe.com/r/{SELLER}#alu_test_")
    account_links.calls.assert_called_once_with(
        account=SELLER,
        use_case={"account_onboarding": {"return_url": f"{BASE}/onboarding/{SELLER}/return"}},
    )


def test_completed_onboarding_end_to_end(onboarding, account_links):
    url = onboarding.start(SELLER)

    back = account_links.visit(url)
    assert back == f"{BASE}/onboarding/{SELLER}/return"
    assert onboarding.on_return(SELLER) == "Thanks! We're confirming your details with Stripe."

    event = account_links.events[-1]
    signature = event.headers["Stripe-Signature"]
    onboarding.on_event(event.payload, signature, account_links.webhook_secret)
    assert onboarding.on_return(SELLER) == "You're all set."


def test_expired_link_sends_the_seller_to_refresh(onboarding, account_links):
    account_links.clock.freeze()
    url = onboarding.start(SELLER)
    account_links.clock.advance(minutes=11)

    back = account_links.visit(url)

    assert back == f"{BASE}/onboarding/{SELLER}/refresh"
    fresh = onboarding.on_refresh(SELLER)
    assert fresh != url
    assert account_links.visit(fresh) == f"{BASE}/onboarding/{SELLER}/return"


def test_links_are_single_use(onboarding, account_links):
    url = onboarding.start(SELLER)
    account_links.visit(url, abandon=True)

    assert account_links.visit(url) == f"{BASE}/onboarding/{SELLER}/refresh"


@pytest.mark.stripe_accounts("acct_1OtherSeller0000")
def test_unknown_seller(onboarding):
    with pytest.raises(UnknownSeller):
        onboarding.start(SELLER)


@pytest.mark.stripe_accounts(SELLER, v2_enabled=False)
def test_accounts_v2_not_enabled(onboarding):
    with pytest.raises(OnboardingUnavailable, match="Accounts v2 is not enabled"):
        onboarding.start(SELLER)


@pytest.mark.stripe_error("not_found")
def test_injected_not_found(onboarding):
    with pytest.raises(UnknownSeller):
        onboarding.start(SELLER)


@pytest.mark.stripe_outage(503, times=2)
def test_retries_through_a_short_outage(onboarding, account_links):
    url = onboarding.start(SELLER)

    assert url.startswith("https://accounts.stripe.com/r/")
    assert [call.status for call in account_links.calls] == [503, 503, 200]
    assert len({call.idempotency_key for call in account_links.calls}) == 1
    assert len(account_links.links) == 1


@pytest.mark.stripe_outage("connection_refused")
def test_stripe_unreachable(onboarding, account_links):
    with pytest.raises(OnboardingUnavailable, match="cannot be reached"):
        onboarding.start(SELLER)
    assert len(account_links.calls) == 3  # the first try and two retries


@pytest.mark.stripe_outage(500)
def test_stripe_down(onboarding):
    with pytest.raises(OnboardingUnavailable, match="having trouble"):
        onboarding.start(SELLER)


@pytest.mark.stripe_rate_limit(1, window=60)
def test_rate_limited(onboarding, account_links):
    account_links.clock.freeze()
    onboarding.start(SELLER)

    with pytest.raises(OnboardingUnavailable, match="busy"):
        onboarding.start(SELLER)
    account_links.clock.advance(seconds=60)
    onboarding.start(SELLER)


def test_each_attempt_has_its_own_idempotency_key(onboarding, account_links):
    onboarding.start(SELLER)
    onboarding.on_refresh(SELLER)

    keys = [call.idempotency_key for call in account_links.calls]
    assert keys == [f"onboarding-{SELLER}-1", f"onboarding-{SELLER}-2"]


@pytest.mark.account_links(mode="live")
def test_live_mode_links(onboarding):
    assert "#alu_live_" in onboarding.start(SELLER)


def test_a_bad_request_is_a_bug_not_an_outage(account_links, stripe_api_key):
    broken = Onboarding(make_client(stripe_api_key), base_url="not a url")

    with pytest.raises(stripe.InvalidRequestError, match="refresh_url: invalid URL"):
        broken.start(SELLER)
