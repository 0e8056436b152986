"""The whole onboarding flow of ``platform_app``, offline: create the account, link, visit,
webhooks, return page; and each way it goes wrong."""

from __future__ import annotations

import pytest
from platform_app import create_app

BASE = "https://market.example"
SELLER = {"name": "Kunstwerk", "email": "hallo@kunstwerk.example", "country": "de"}


@pytest.fixture
def app(account_links, stripe_api_key):
    return create_app(stripe_api_key, account_links.webhook_secret, BASE)


@pytest.fixture
def browser(app):
    """The seller's browser: the app's test client."""
    return app.test_client()


def new_seller(browser) -> str:
    created = browser.post("/sellers", json=SELLER)
    assert created.status_code == 201
    return created.json["account"]


def path_of(url: str) -> str:
    assert url.startswith(BASE), url
    return url.removeprefix(BASE)


def test_the_whole_flow(account_links, browser):
    account = new_seller(browser)
    assert browser.post("/sellers", json=SELLER).json["due"] > 0  # a new seller has things due

    link = browser.get(f"/sellers/{account}/onboard")
    assert link.status_code == 303
    back = account_links.visit(link.headers["Location"], outcome="completed")

    account_links.deliver_events(browser, path="/webhooks")
    assert browser.get(f"/sellers/{account}/payouts").json == {"status": "active"}
    page = browser.get(path_of(back))
    assert page.text == "Onboarding complete: you can receive payouts."
    assert [call.endpoint for call in account_links.all_calls][:3] == [
        "v2.core.accounts.create",
        "v2.core.accounts.create",
        "v2.core.account_links.create",
    ]


def test_the_seller_leaves_before_finishing(account_links, browser):
    account = new_seller(browser)
    link = browser.get(f"/sellers/{account}/onboard").headers["Location"]

    back = account_links.visit(link, outcome="abandoned")

    page = browser.get(path_of(back)).text
    assert page.startswith("Almost there: Stripe still needs identity.individual.given_name")


def test_an_expired_link_sends_the_seller_back_for_a_fresh_one(account_links, browser):
    account = new_seller(browser)
    stale = browser.get(f"/sellers/{account}/onboard").headers["Location"]
    account_links.clock.advance(minutes=11)

    back = account_links.visit(stale)
    assert back == f"{BASE}/sellers/{account}/refresh"
    fresh = browser.get(path_of(back))
    assert fresh.status_code == 303
    assert fresh.headers["Location"] != stale

    done = account_links.visit(fresh.headers["Location"])
    assert browser.get(path_of(done)).text.startswith("Onboarding complete")


def test_payouts_restricted_after_onboarding(account_links, browser):
    account = new_seller(browser)
    account_links.visit(browser.get(f"/sellers/{account}/onboard").headers["Location"])
    account_links.deliver_events(browser, path="/webhooks")

    # Stripe's review restricts the capability later: the webhook tells the app.
    account_links.accounts[account].set_capability(
        "recipient", "stripe_balance.stripe_transfers", "restricted"
    )
    account_links.deliver_events(browser, path="/webhooks")

    assert browser.get(f"/sellers/{account}/payouts").json == {"status": "restricted"}
    page = browser.get(f"/sellers/{account}/return").text
    assert page == "Onboarding complete, but payouts are restricted."


@pytest.mark.stripe_accounts("acct_1Nv0FGQ9RKHgCVdK")
def test_an_unknown_seller(browser):
    assert browser.get("/sellers/acct_1Unknown000000000/onboard").status_code == 404


@pytest.mark.stripe_rate_limit(1, endpoint="v2.core.account_links.create")
def test_rate_limited(account_links, browser):
    account = new_seller(browser)
    assert browser.get(f"/sellers/{account}/onboard").status_code == 303
    busy = browser.get(f"/sellers/{account}/onboard")
    assert busy.status_code == 503
    assert busy.text == "Stripe is busy; please try again in a minute."


@pytest.mark.stripe_outage(503, endpoint="v2.core.accounts.retrieve")
def test_stripe_down_when_the_seller_returns(account_links, browser):
    account = new_seller(browser)
    back = account_links.visit(browser.get(f"/sellers/{account}/onboard").headers["Location"])

    page = browser.get(path_of(back))

    assert page.status_code == 503
    retrieves = account_links.calls_to("v2.core.accounts.retrieve")
    assert [call.status for call in retrieves] == [503, 503]  # the app retried once


def test_a_forged_webhook_is_refused(account_links, browser):
    new_seller(browser)
    forged = browser.post(
        "/webhooks",
        data=account_links.events[0].payload,
        headers={"Stripe-Signature": "t=1,v1=forged"},
    )
    assert forged.status_code == 400
