"""The fixtures from async tests (pytest-asyncio and anyio), and webhooks handed to the
test clients of async frameworks (Starlette's ``TestClient``, ``httpx.AsyncClient``), with
``filterwarnings = error``."""

from __future__ import annotations

import pytest

from tests.conftest import run_suite

pytest.importorskip("pytest_asyncio")
pytest.importorskip("starlette")
# FastAPI with it: pytester's in-process runs drop the modules an inner run imported, so
# an inner run's FastAPI (the docs' examples) on this process's Starlette would be a
# second FastAPI on the first Starlette, whose routes never match (a redirect loop).
pytest.importorskip("fastapi")

CONFIG = """
[pytest]
asyncio_mode = strict
asyncio_default_fixture_loop_scope = function
"""

HEADER = """
import asyncio

import httpx
import pytest
import stripe
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

# filterwarnings = error, for every test (in the ini, it would also turn the in-process
# run's own "module already imported" notice into an error)
pytestmark = pytest.mark.filterwarnings("error")

RECIPIENT = {"recipient": {"capabilities": {"stripe_balance": {
    "stripe_transfers": {"requested": True}}}}}
LINK = {"use_case": {"type": "account_onboarding", "account_onboarding": {
    "refresh_url": "https://example.com/refresh", "return_url": "https://example.com/return"}}}


def webhook_app(secret, received):
    async def webhooks(request):
        payload = await request.body()
        event = stripe.StripeClient("sk_test_x").parse_event_notification(
            payload, request.headers["Stripe-Signature"], secret)
        received.append(event.type)
        return JSONResponse({"ok": True})
    return Starlette(routes=[Route("/webhooks", webhooks, methods=["POST"])])


@pytest.fixture
def anyio_backend():
    return "asyncio"


async def onboard(client, fake):
    http = stripe.AIOHTTPClient()
    try:
        sdk = stripe.StripeClient(fake_key(client), http_client=http,
                                  base_addresses=base_of(client))
        account = await sdk.v2.core.accounts.create_async(
            {"display_name": "Kunstwerk", "configuration": RECIPIENT})
        link = await sdk.v2.core.account_links.create_async({"account": account.id, **LINK})
        assert fake.visit(link, outcome="completed") == "https://example.com/return"
        done = await sdk.v2.core.accounts.retrieve_async(account.id, {"include": ["requirements"]})
        assert done.requirements.entries == []
        return account
    finally:
        await http.close_async()


def fake_key(client):
    return client._requestor._options.api_key


def base_of(client):
    return {"api": client._requestor.base_addresses.get("api")}
"""


@pytest.mark.parametrize("marker", ["asyncio", "anyio"])
def test_every_fixture_from_an_async_test(pytester: pytest.Pytester, marker: str) -> None:
    pytester.makeini(CONFIG)
    run_suite(
        pytester,
        HEADER,
        f"""
@pytest.mark.{marker}
async def test_in_process(account_links, stripe_client):
    account = await onboard(stripe_client, account_links)
    assert account_links.calls_to("v2.core.accounts.create").last.account == account.id
    fetched = await stripe_client.v2.core.events.retrieve_async(account_links.events[0].id)
    assert fetched.type == "v2.core.account.created"


@pytest.mark.{marker}
async def test_served(account_links, account_links_server):
    account = await onboard(account_links_server.client, account_links)
    assert account_links.calls[0].account == account.id
    async with httpx.AsyncClient(base_url=account_links_server.url) as plain:
        health = await plain.get("/_account_links/health")
    assert health.json()["serving"] is True


@pytest.mark.{marker}
async def test_webhooks_to_an_async_client(account_links, stripe_client):
    await onboard(stripe_client, account_links)
    received = []
    app = webhook_app(account_links.webhook_secret, received)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        answered = await account_links.deliver_events_async(client)
    assert [event.type for event, _ in answered] == received
    assert received[-1] == "v2.core.account_link.returned"
    assert await account_links.deliver_events_async(client) == []  # each event once
""",
        passed=3,
    )


def test_webhooks_to_starlettes_test_client_and_a_subclass_warn_nothing(
    pytester: pytest.Pytester,
) -> None:
    """Starlette's TestClient is httpx's: a raw body goes as ``content=``, which httpx
    asks for (``data=<bytes>`` is deprecated), also for a suite's own subclass of it."""
    pytester.makeini(CONFIG)
    run_suite(
        pytester,
        HEADER,
        """
class OurClient(TestClient):
    pass


@pytest.mark.parametrize("client_class", [TestClient, OurClient])
def test_deliver(account_links, stripe_client, client_class):
    stripe_client.v2.core.accounts.create({"display_name": "Kunstwerk"})
    received = []
    with client_class(webhook_app(account_links.webhook_secret, received)) as client:
        answered = account_links.deliver_events(client)
    assert [event.type for event, _ in answered] == received == ["v2.core.account.created"]
""",
        passed=2,
    )


def test_an_async_client_to_deliver_events_says_to_await_the_async_twin(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(CONFIG)
    result = run_suite(
        pytester,
        HEADER,
        """
def test_deliver(account_links, stripe_client):
    stripe_client.v2.core.accounts.create({"display_name": "Kunstwerk"})
    client = httpx.AsyncClient(base_url="http://app")
    try:
        account_links.deliver_events(client)
    finally:
        asyncio.run(client.aclose())


def test_deliver_to_an_async_callable(account_links, stripe_client):
    stripe_client.v2.core.accounts.create({"display_name": "Kunstwerk"})

    async def handler(payload, headers):
        return None

    account_links.deliver_events(handler)
""",
        failed=2,
    )
    result.stdout.fnmatch_lines(
        [
            "*TypeError: pytest-account-links: deliver_events(): AsyncClient answers with "
            "awaitables; from an async test, await account_links.deliver_events_async(...)",
            "*TypeError: pytest-account-links: deliver_events(): function answers with awaitables*",
        ]
    )
    assert "never awaited" not in result.stdout.str()
