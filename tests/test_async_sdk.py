"""The SDK's async webhook path: ``fetch_event_async()`` and ``fetch_related_object_async()``.

stripe-python 16.1.0's ``raw_request_async`` passes the SDK's own ``usage`` tags on as
query parameters (``raw_request`` pops them), so the async path sends
``GET /v2/core/accounts/<id>?usage[0]=fetch_related_object&...``: the fake answers it as
the sync path's request.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
import stripe

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake

pytestmark = pytest.mark.filterwarnings(
    # The SDK's HTTPXClient passes its body as data=<bytes>; not this project's warning.
    "ignore:Use 'content=<...>' to upload raw bytes/text content:DeprecationWarning"
)

RECIPIENT: Any = {
    "recipient": {"capabilities": {"stripe_balance": {"stripe_transfers": {"requested": True}}}}
}


async def _fetch_all(client: stripe.StripeClient, fake: AccountLinksFake) -> list[Any]:
    fetched = []
    for delivered in fake.events:
        notification: Any = client.parse_event_notification(
            delivered.payload, delivered.headers["Stripe-Signature"], fake.webhook_secret
        )
        event = await notification.fetch_event_async()
        related = await notification.fetch_related_object_async()
        fetched.append((delivered, event, related))
    return fetched


def _check(account_links: AccountLinksFake, made: Any, fetched: list[Any]) -> None:
    assert fetched
    for delivered, event, related in fetched:
        assert event.id == delivered.id
        assert related.id == made.id
        assert type(related).__name__ == "Account"
    retrieves = account_links.calls_to("v2.core.accounts.retrieve")
    assert retrieves  # the SDK's usage tags reached the fake, in the query
    assert all("usage" in call.url for call in retrieves)
    assert all(call.status == 200 for call in retrieves)


def test_the_async_sdk_fetches_the_related_object_in_process(
    account_links: AccountLinksFake, stripe_client: stripe.StripeClient
) -> None:
    made = stripe_client.v2.core.accounts.create(
        {"display_name": "Kunstwerk", "configuration": RECIPIENT}
    )

    fetched = asyncio.run(_fetch_all(stripe_client, account_links))

    _check(account_links, made, fetched)


def test_the_async_sdk_fetches_the_related_object_over_http(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    made = account_links_server.client.v2.core.accounts.create({"display_name": "Kunstwerk"})

    async def fetch() -> list[Any]:
        http = stripe.HTTPXClient()  # closed here: its connections to the server with it
        try:
            client = stripe.StripeClient(
                account_links_server.api_key,
                base_addresses=account_links_server.base_addresses,
                http_client=http,
            )
            return await _fetch_all(client, account_links)
        finally:
            await http.close_async()  # type: ignore[no-untyped-call]

    _check(account_links, made, asyncio.run(fetch()))


def test_an_unknown_query_field_is_still_refused(
    account_links: AccountLinksFake, stripe_client: stripe.StripeClient
) -> None:
    made = stripe_client.v2.core.accounts.create({"display_name": "Kunstwerk"})

    with pytest.raises(stripe.InvalidRequestError, match="usages: unknown field"):
        stripe_client.v2.core.accounts.retrieve(made.id, {"usages": ["x"]})  # type: ignore[arg-type]
