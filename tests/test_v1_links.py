"""API v1 links say the kind of account in their path, and each opens the hosted page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import requests

if TYPE_CHECKING:
    import stripe

    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake

CAPABILITIES = {"card_payments": {"requested": True}, "transfers": {"requested": True}}
KINDS: list[tuple[dict[str, Any], str]] = [
    ({"type": "standard"}, "s"),
    ({"type": "express", "capabilities": CAPABILITIES}, "e"),
    ({"type": "custom", "capabilities": CAPABILITIES}, "c"),
    ({"controller": {"stripe_dashboard": {"type": "full"}}}, "s"),
    (
        {
            "controller": {
                "stripe_dashboard": {"type": "express"},
                "losses": {"payments": "application"},
                "fees": {"payer": "application"},
            },
            "capabilities": CAPABILITIES,
        },
        "e",
    ),
    (
        {
            "controller": {
                "stripe_dashboard": {"type": "none"},
                "losses": {"payments": "application"},
                "fees": {"payer": "application"},
                "requirement_collection": "application",
            },
            "capabilities": CAPABILITIES,
        },
        "c",
    ),
]


def _link(client: stripe.StripeClient, account: str) -> Any:
    return client.v1.account_links.create(
        {
            "account": account,
            "type": "account_onboarding",
            "refresh_url": "https://market.example/reauth",
            "return_url": "https://market.example/return",
        }
    )


@pytest.mark.parametrize(("params", "letter"), KINDS)
def test_the_links_path_names_the_kind_of_account(
    account_links: AccountLinksFake,
    stripe_client: stripe.StripeClient,
    params: dict[str, Any],
    letter: str,
) -> None:
    account = stripe_client.v1.accounts.create({"country": "US", **params})  # type: ignore[arg-type]

    link = _link(stripe_client, account.id)

    assert link.url.startswith(f"https://connect.stripe.com/setup/{letter}/{account.id}/")
    assert len(link.url.rsplit("/", 1)[1]) == 12
    assert account_links.visit(link, outcome="completed") == "https://market.example/return"


@pytest.mark.parametrize(("params", "letter"), KINDS[:3])
def test_every_kind_of_link_opens_the_served_page(
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
    params: dict[str, Any],
    letter: str,
) -> None:
    client = account_links_server.client
    account = client.v1.accounts.create({"country": "US", **params})  # type: ignore[arg-type]

    link = _link(client, account.id)

    assert link.url.startswith(f"{account_links_server.url}/setup/{letter}/{account.id}/")
    page = requests.get(link.url, timeout=10)
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    token = link.url.rsplit("/", 1)[1]
    state = requests.get(f"{account_links_server.url}/_account_links/links/{token}", timeout=10)
    assert state.json()["state"] == "valid"
    assert state.json()["account"] == account.id
