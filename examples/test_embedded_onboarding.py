"""End to end, embedded onboarding: the app in its own process, a real browser, the served
fake, and the fake's stand-in for Connect.js.

The app (``embedded_app.py``) serves a page that loads Connect.js from Stripe's URL, as it
would in production; ``account_links_server.route_connect_js(page)`` answers that URL with
the fake's stand-in (and refuses anything else of Stripe's). Headless Chromium clicks "Set
up payments", the app creates the seller's account and an Account Session when Connect.js
asks for its client secret, the onboarding component renders, the seller completes it,
``onExit`` sends the browser to the app's own page, and the account's events have reached
the app's webhook. Marked ``browser``: they need the ``browser`` extra and Chromium.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip(
    "flask", reason="the browser extra: pip install 'pytest-account-links[browser]'"
)
pytest.importorskip("playwright", reason="the browser extra")

import requests
from playwright.sync_api import expect, sync_playwright

pytestmark = pytest.mark.browser

HERE = Path(__file__).parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, account_links_server):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        account_links_server.route_connect_js(page)  # Connect.js: the fake's stand-in
        yield page
    finally:
        context.close()


@pytest.fixture
def app(account_links_server):
    """The app in its own process, pointed at the served fake; stopped after the test."""
    env = {**os.environ, **account_links_server.env, "STRIPE_PUBLISHABLE_KEY": "pk_test_demo"}
    process = subprocess.Popen(
        [sys.executable, str(HERE / "embedded_app.py")], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 30)
        url = process.stdout.readline().strip() if ready else ""
        assert url.startswith("http://127.0.0.1:"), "the app did not start"
        account_links_server.webhook_url = f"{url}/webhooks"
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_the_seller_completes_embedded_onboarding(app, page, account_links, account_links_server):
    page.goto(app)
    page.get_by_role("button", name="Set up payments").click()

    component = page.frame_locator("stripe-connect-account-onboarding iframe")
    expect(component.get_by_test_id("account-links-due")).to_contain_text("terms_of_service")
    component.get_by_role("button", name="Complete onboarding").click()

    page.wait_for_url(f"{app}/sellers/*/done")  # onExit fired: the app's own page
    expect(page.get_by_role("heading")).to_have_text("Onboarding complete")

    assert [call.endpoint for call in account_links.all_calls] == [
        "v1.accounts.create",
        "v1.account_sessions.create",  # when Connect.js called fetchClientSecret
        "v1.accounts.retrieve",  # the app read the account when onExit brought the seller
    ]
    (session,) = account_links.sessions
    assert (session.loaded, session.outcome) == ("account_onboarding", "completed")
    account = account_links.accounts[session.account]
    assert account.requirements == []
    assert account.capability("merchant", "card_payments") == "active"
    assert [event.type for event in account_links.events][-1] == "account.updated"
    account_links_server.wait_for_deliveries()  # they go out in the background
    assert [d.event for d in account_links_server.deliveries] == [
        event.id for event in account_links.events
    ]
    assert all(delivery.ok for delivery in account_links_server.deliveries)
    status = requests.get(f"{app}/sellers/{session.account}/status", timeout=10).json()
    assert status == {"charges_enabled": True, "payouts_enabled": True}


def test_leaving_and_a_reloaded_secret(app, page, account_links):
    page.goto(app)
    page.get_by_role("button", name="Set up payments").click()
    component = page.frame_locator("stripe-connect-account-onboarding iframe")
    component.get_by_role("button", name="Leave without finishing").click()

    page.wait_for_url(f"{app}/sellers/*/done")
    expect(page.get_by_role("heading")).to_have_text("Onboarding not finished")
    assert account_links.sessions[-1].outcome == "exited"

    # Continuing creates a fresh session (each load of the component asks for one).
    page.get_by_role("link", name="Continue").click()
    component.get_by_role("button", name="Complete onboarding").click()
    expect(page.get_by_role("heading")).to_have_text("Onboarding complete")
    assert [session.outcome for session in account_links.sessions] == ["exited", "completed"]
