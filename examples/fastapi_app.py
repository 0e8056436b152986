"""A platform's FastAPI app on the async stripe SDK: sellers onboard through Account Links.

``POST /sellers`` creates a v2 account; ``GET /sellers/<acct>/onboard`` makes an Account
Link and redirects the seller to it; Stripe sends them back to
``/sellers/<acct>/return``, which reads the account and says whether onboarding is
complete; ``POST /webhooks`` verifies each thin event and fetches its related object.
Every Stripe call is awaited (``create_async``, ``retrieve_async``,
``fetch_related_object_async``).

The SDK's client lives for the app's lifespan and is closed with it. It talks to Stripe
through ``stripe.AIOHTTPClient``: the SDK's default async client, ``HTTPXClient``, hands
httpx the body as ``data=<bytes>``, which httpx deprecates (a ``DeprecationWarning`` on
every request with a body, which ``filterwarnings = error`` turns into an error).

Run it as deployed (``uvicorn fastapi_app:from_env --factory``) with ``STRIPE_API_KEY``,
``STRIPE_WEBHOOK_SECRET``, ``APP_BASE_URL`` and, against the served fake, ``STRIPE_API_BASE``.
"""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import stripe
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import RedirectResponse

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

RECIPIENT = {"capabilities": {"stripe_balance": {"stripe_transfers": {"requested": True}}}}


def create_app(
    api_key: str,
    webhook_secret: str,
    base_url: str,
    *,
    stripe_base: str | None = None,
    fetch_on_webhook: bool = True,
) -> FastAPI:
    """The app. ``stripe_base``: Stripe's API base (the served fake's URL), None for
    Stripe's own; ``fetch_on_webhook``: whether the webhook handler fetches each event's
    related object (it calls back into Stripe while Stripe delivers the event)."""
    clients: dict[str, stripe.StripeClient] = {}
    seen: dict[str, list[str]] = {"received": [], "fetched": []}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        http = stripe.AIOHTTPClient()
        clients["stripe"] = stripe.StripeClient(
            api_key,
            http_client=http,
            base_addresses={"api": stripe_base} if stripe_base else None,
        )
        try:
            yield
        finally:
            await http.close_async()  # type: ignore[no-untyped-call]

    app = FastAPI(lifespan=lifespan)

    def client() -> stripe.StripeClient:
        return clients["stripe"]

    @app.post("/sellers", status_code=201)
    async def create_seller(seller: dict[str, str]) -> dict[str, Any]:
        account = await client().v2.core.accounts.create_async(
            {
                "display_name": seller["name"],
                "contact_email": seller["email"],
                "identity": {"country": "us"},
                "configuration": {"recipient": RECIPIENT},  # type: ignore[typeddict-item]
                "include": ["requirements"],
            }
        )
        assert account.requirements is not None
        return {"account": account.id, "due": len(account.requirements.entries or [])}

    @app.get("/sellers/{account}/onboard")
    async def onboard(account: str) -> RedirectResponse:
        link = await client().v2.core.account_links.create_async(
            {
                "account": account,
                "use_case": {
                    "type": "account_onboarding",
                    "account_onboarding": {
                        "refresh_url": f"{base_url}/sellers/{account}/onboard",
                        "return_url": f"{base_url}/sellers/{account}/return",
                    },
                },
            }
        )
        return RedirectResponse(link.url, status_code=303)

    @app.get("/sellers/{account}/return")
    async def came_back(account: str) -> dict[str, Any]:
        found = await client().v2.core.accounts.retrieve_async(
            account, {"include": ["requirements"]}
        )
        assert found.requirements is not None
        due = found.requirements.entries or []
        return {"account": account, "complete": not due, "due": len(due)}

    @app.post("/webhooks")
    async def webhooks(request: Request) -> dict[str, bool]:
        payload = await request.body()
        try:
            notification: Any = client().parse_event_notification(
                payload, request.headers.get("Stripe-Signature", ""), webhook_secret
            )
        except (stripe.SignatureVerificationError, ValueError) as refused:
            raise HTTPException(400, "bad signature") from refused
        seen["received"].append(notification.type)
        if fetch_on_webhook and getattr(notification, "related_object", None) is not None:
            related = await notification.fetch_related_object_async()
            seen["fetched"].append(related.id)
        return {"received": True}

    @app.get("/events")
    async def events() -> dict[str, list[str]]:
        """What the webhook handler saw (for the tests)."""
        return seen

    return app


def from_env() -> FastAPI:
    """The app as deployed: its settings from the environment (``uvicorn --factory``)."""
    return create_app(
        os.environ["STRIPE_API_KEY"],
        os.environ["STRIPE_WEBHOOK_SECRET"],
        os.environ["APP_BASE_URL"],
        stripe_base=os.environ.get("STRIPE_API_BASE"),
        fetch_on_webhook=os.environ.get("FETCH_ON_WEBHOOK", "1") == "1",
    )
