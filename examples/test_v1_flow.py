"""The whole API v1 onboarding flow of ``v1_platform_app``, offline: create the account, link,
visit, webhook, return page; and each way it goes wrong."""

from __future__ import annotations

import pytest
from v1_platform_app import API_VERSION, create_app

BASE = "https://market.example"
SELLER = {"name": "Kunstwerk", "email": "hallo@kunstwerk.example", "country": "US"}


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
    assert "external_account" in created.json["due"]  # a new seller has things due
    return created.json["account"]


def path_of(url: str) -> str:
    assert url.startswith(BASE), url
    return url.removeprefix(BASE)


def test_the_whole_flow(account_links, browser):
    account = new_seller(browser)

    link = browser.get(f"/sellers/{account}/onboard")
    assert link.status_code == 303
    assert link.headers["Location"].startswith(f"https://connect.stripe.com/setup/e/{account}/")
    back = account_links.visit(link.headers["Location"], outcome="completed")

    account_links.deliver_events(browser, path="/webhooks")
    assert browser.get(f"/sellers/{account}/status").json == {
        "charges_enabled": True,
        "payouts_enabled": True,
    }
    page = browser.get(path_of(back))
    assert page.text == "Onboarding complete: you can take payments."
    assert [call.endpoint for call in account_links.all_calls] == [
        "v1.accounts.create",
        "v1.account_links.create",
        "v1.accounts.retrieve",
    ]
    assert {call.api_version for call in account_links.all_calls} == {API_VERSION}


def test_the_seller_leaves_before_finishing(account_links, browser):
    account = new_seller(browser)
    link = browser.get(f"/sellers/{account}/onboard").headers["Location"]

    back = account_links.visit(link, outcome="abandoned")

    page = browser.get(path_of(back)).text
    assert page.startswith("Almost there: Stripe still needs business_profile.mcc")


def test_an_expired_link_sends_the_seller_back_for_a_fresh_one(account_links, browser):
    account = new_seller(browser)
    stale = browser.get(f"/sellers/{account}/onboard").headers["Location"]
    account_links.clock.advance(seconds=301)  # a v1 link lives 300 seconds

    back = account_links.visit(stale)
    assert back == f"{BASE}/sellers/{account}/refresh"
    fresh = browser.get(path_of(back))
    assert fresh.status_code == 303
    assert fresh.headers["Location"] != stale

    done = account_links.visit(fresh.headers["Location"])
    assert browser.get(path_of(done)).text.startswith("Onboarding complete")


def test_payments_paused_after_onboarding(account_links, browser):
    account = new_seller(browser)
    account_links.visit(browser.get(f"/sellers/{account}/onboard").headers["Location"])

    # Stripe's review restricts card payments later: the webhook tells the app.
    account_links.accounts[account].set_capability("merchant", "card_payments", "restricted")
    account_links.deliver_events(browser, path="/webhooks")

    assert browser.get(f"/sellers/{account}/status").json["charges_enabled"] is False


@pytest.mark.stripe_accounts("acct_1Nv0FGQ9RKHgCVdK")
def test_an_unknown_seller(browser):
    assert browser.get("/sellers/acct_1Unknown000000000/onboard").status_code == 404


@pytest.mark.stripe_rate_limit(1, endpoint="v1.account_links.create")
def test_rate_limited(account_links, browser):
    account = new_seller(browser)
    assert browser.get(f"/sellers/{account}/onboard").status_code == 303
    busy = browser.get(f"/sellers/{account}/onboard")
    assert busy.status_code == 503
    assert busy.text == "Stripe is busy; please try again in a minute."


@pytest.mark.stripe_outage(503, endpoint="v1.accounts.retrieve")
def test_stripe_down_when_the_seller_returns(account_links, browser):
    account = new_seller(browser)
    back = account_links.visit(browser.get(f"/sellers/{account}/onboard").headers["Location"])

    page = browser.get(path_of(back))

    assert page.status_code == 503
    retrieves = account_links.calls_to("v1.accounts.retrieve")
    assert [call.status for call in retrieves] == [503, 503]  # the app retried once


def test_a_forged_webhook_is_refused(account_links, browser):
    new_seller(browser)
    forged = browser.post(
        "/webhooks",
        data=account_links.events[0].payload,
        headers={"Stripe-Signature": "t=1,v1=forged"},
    )
    assert forged.status_code == 400


def test_a_link_for_an_email_in_the_global_style(account_links, browser):
    account = new_seller(browser)
    made = browser.post(f"/sellers/{account}/email-link").json
    assert made["url"].startswith("https://connect.stripe.com/setup/e/")
    assert account_links.calls_to("v1.account_links.create").last.api_version == API_VERSION
