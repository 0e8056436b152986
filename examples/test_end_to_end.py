"""End to end: the shop app in its own process, a real browser, the served fake.

The app (``shop.py``) runs as it would be deployed, in a process of its own,
with its Stripe settings from the environment (``account_links_server.env``).
Headless Chromium clicks "Connect with Stripe", lands on the fake's hosted
onboarding page, and comes back to the app. Marked ``browser``: they need the
``browser`` extra (Playwright, Flask) and Chromium at /usr/bin/chromium.
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

from playwright.sync_api import expect, sync_playwright
from shop import SELLER

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
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def shop(account_links_server):
    """The shop app in its own process, pointed at the served fake; stopped after the test."""
    app = subprocess.Popen(
        [sys.executable, str(HERE / "shop.py")],
        env={**os.environ, **account_links_server.env},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        ready, _, _ = select.select([app.stdout], [], [], 30)
        url = app.stdout.readline().strip() if ready else ""
        assert url.startswith("http://127.0.0.1:"), "the app did not start"
        account_links_server.webhook_url = f"{url}/webhooks"  # Stripe's events go there
        yield url
    finally:
        app.terminate()
        app.wait(timeout=10)
        app.stdout.close()


def test_the_seller_completes_onboarding(shop, page, account_links, account_links_server):
    page.goto(shop)
    page.get_by_role("button", name="Connect with Stripe").click()

    page.wait_for_url(f"{account_links_server.url}/r/{SELLER}#*")
    expect(page.get_by_test_id("account-links-account")).to_have_text(SELLER)
    page.get_by_role("button", name="Complete onboarding").click()

    page.wait_for_url(f"{shop}/onboarding/{SELLER}/return")
    expect(page.get_by_role("heading")).to_have_text("Onboarding complete")
    assert [call.endpoint for call in account_links.all_calls] == [
        "v2.core.account_links.create",
        "v2.core.events.retrieve",  # the app fetched the event its webhook received
        "v2.core.accounts.retrieve",  # and read the account when the seller came back
    ]
    delivered = [delivery.event for delivery in account_links_server.deliveries]
    assert delivered == [event.id for event in account_links.events]
    assert account_links.events[-1].type == "v2.core.account_link.returned"
    assert all(delivery.ok for delivery in account_links_server.deliveries)


def test_the_seller_leaves_then_comes_back_through_refresh(shop, page, account_links):
    page.goto(shop)
    page.get_by_role("button", name="Connect with Stripe").click()
    page.get_by_role("button", name="Leave without finishing").click()

    page.wait_for_url(f"{shop}/onboarding/{SELLER}/return")
    expect(page.get_by_role("heading")).to_have_text("Onboarding not finished")

    first_link = account_links.links[0].url
    with page.expect_request(f"{shop}/onboarding/{SELLER}/refresh"):
        page.goto(first_link)  # used already: Stripe sends the seller to refresh_url
    page.wait_for_url(lambda url: "#alu_test_" in url and url != first_link)  # a new link
    page.get_by_role("button", name="Complete onboarding").click()
    page.wait_for_url(f"{shop}/onboarding/{SELLER}/return")
    expect(page.get_by_role("heading")).to_have_text("Onboarding complete")

    assert [visit.outcome for visit in account_links.visits] == ["abandoned", "used", "completed"]
    assert len(account_links.links) == 2
