"""The hosted onboarding page in a real headless Chromium: each control, where it lands.

Playwright drives Debian's Chromium (``/usr/bin/chromium``: ``apt-get install
chromium``; ``.ci/run`` installs it). The platform's ``return_url`` and
``refresh_url`` are on a server on 127.0.0.1; nothing else is reachable.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake
    from tests.conftest import Webhooks

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
#: Headless in a container, and nothing in the background that would reach the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SELLER = "acct_1Nv0FGQ9RKHgCVdK"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One headless Chromium for the module's tests, closed after them."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"the browser tests drive {CHROMIUM}: apt-get install chromium (or deselect them: "
            "-m 'not browser')",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Tab:
    """A page in a fresh browser context, with what it asked for and complained about."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.requests: list[str] = []
        self.console: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))


@pytest.fixture
def tab(chromium: Browser) -> Iterator[Tab]:
    context = chromium.new_context()
    context.set_default_timeout(10_000)
    try:
        yield Tab(context.new_page())
    finally:
        context.close()


@pytest.fixture
def platform(local_server: str) -> str:
    """The platform's pages on 127.0.0.1 (any path answers 200), without a trailing /."""
    return local_server.rstrip("/")


def _link(served: ServedFake, platform: str) -> Any:
    return served.client.v2.core.account_links.create(
        {
            "account": SELLER,
            "use_case": {
                "type": "account_onboarding",
                "account_onboarding": {
                    "refresh_url": f"{platform}/refresh",
                    "return_url": f"{platform}/return",
                },
            },
        }
    )


def test_complete_onboarding_lands_on_return_url(
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
    platform: str,
    tab: Tab,
    webhooks: Webhooks,
) -> None:
    from playwright.sync_api import expect

    account_links.accounts.add(SELLER, display_name="Rocket Rides")
    account_links_server.webhook_url = webhooks.url
    link = _link(account_links_server, platform)
    page = tab.page

    page.goto(link.url)

    expect(page).to_have_title("Onboarding: Rocket Rides (pytest-account-links)")
    expect(page.get_by_test_id("account-links-account")).to_have_text(SELLER)
    expect(page.get_by_test_id("account-links-use-case")).to_have_text(
        "Onboarding (account_onboarding)"
    )
    expect(page.get_by_role("status")).to_have_text(re.compile(r"^Valid until 20\d\d-"))
    due = account_links.accounts[SELLER].requirements
    expect(page.get_by_test_id("account-links-due-item")).to_have_text(due)
    page.get_by_role("button", name="Complete onboarding").click()
    page.wait_for_url(f"{platform}/return")

    assert [visit.outcome for visit in account_links.visits] == ["completed"]
    events = account_links.events
    assert events[-1].type == "v2.core.account_link.returned"
    assert webhooks.received == [(e.payload, e.headers["Stripe-Signature"]) for e in events]
    # The page now says nothing is due; and it loaded nothing from anywhere else.
    page.goto(_link(account_links_server, platform).url)
    expect(page.get_by_test_id("account-links-due-item")).to_have_text("Nothing is currently due.")
    origins = {re.match(r"https?://[^/]+", url)[0] for url in tab.requests}  # type: ignore[index]
    assert origins == {account_links_server.url, platform}
    assert tab.console == []


def test_leave_without_finishing(
    account_links: AccountLinksFake, account_links_server: ServedFake, platform: str, tab: Tab
) -> None:
    tab.page.goto(_link(account_links_server, platform).url)
    tab.page.get_by_test_id("account-links-leave").click()
    tab.page.wait_for_url(f"{platform}/return")

    assert [visit.outcome for visit in account_links.visits] == ["abandoned"]
    assert account_links.events == []
    account = account_links.accounts.get(SELLER)
    assert account is not None
    assert account.completed == []


def test_used_and_expired_links_go_to_refresh_url(
    account_links: AccountLinksFake, account_links_server: ServedFake, platform: str, tab: Tab
) -> None:
    page = tab.page
    used = _link(account_links_server, platform)
    account_links.visit(used, outcome="abandoned")
    page.goto(used.url)  # the page sends the browser on by itself, as Stripe's does
    page.wait_for_url(f"{platform}/refresh")

    account_links.clock.freeze()
    expired = _link(account_links_server, platform)
    account_links.clock.advance(minutes=11)
    page.goto(expired.url)
    page.wait_for_url(f"{platform}/refresh")

    account_links.clock.unfreeze()
    page.goto(_link(account_links_server, platform).url)
    page.get_by_role("button", name="Simulate an expired link").click()
    page.wait_for_url(f"{platform}/refresh")

    outcomes = [visit.outcome for visit in account_links.visits]
    assert outcomes == ["abandoned", "used", "expired", "expired"]
    assert account_links.events == []


def test_the_controls_work_from_the_keyboard(
    account_links: AccountLinksFake, account_links_server: ServedFake, platform: str, tab: Tab
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    page.goto(_link(account_links_server, platform).url)
    expect(page.get_by_role("button", name="Complete onboarding")).to_be_enabled()
    names = [button.get_attribute("data-testid") for button in page.get_by_role("button").all()]
    assert names == ["account-links-complete", "account-links-leave", "account-links-expire"]
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("form", name="What the account holder does")).to_be_visible()

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Complete onboarding")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{platform}/return")

    assert [visit.outcome for visit in account_links.visits] == ["completed"]
