"""A marketplace's seller onboarding on Stripe's API v1, as a small Flask app: the code the
v1 flow suite tests.

- ``POST /sellers`` creates the seller's Express account;
- ``GET /sellers/<id>/onboard`` creates an Account Link and redirects to it;
- Stripe sends the seller back to ``/sellers/<id>/return`` (the app retrieves the
  account to see whether it can take payments) or ``/sellers/<id>/refresh`` (the
  link expired or was used: a fresh one);
- ``POST /webhooks`` receives Stripe's ``account.updated`` events, checks their
  signature with ``stripe.Webhook.construct_event``, and keeps each seller's state.

Nothing here knows about the tests: it talks to Stripe through the official SDK, in
its ``StripeClient`` style, and with the global style's ``stripe.AccountLink.create``
for a link sent by email (the key passed per call, so no module global is set).
"""

from __future__ import annotations

from typing import Any

import stripe
from flask import Flask, jsonify, redirect, request

API_VERSION = "2023-10-16"  # a platform pinned to a dated API version, long ago


def create_app(api_key: str, webhook_secret: str, base_url: str) -> Flask:
    """The app, talking to Stripe with ``api_key`` and checking events with ``webhook_secret``."""
    client = stripe.StripeClient(api_key, stripe_version=API_VERSION, max_network_retries=1)
    app = Flask(__name__)
    #: What the webhooks told the app about each seller, by account ID.
    sellers: dict[str, dict[str, Any]] = {}

    def link_params(account_id: str) -> dict[str, Any]:
        return {
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": f"{base_url}/sellers/{account_id}/refresh",
            "return_url": f"{base_url}/sellers/{account_id}/return",
        }

    @app.post("/sellers")
    def create_seller() -> Any:
        form = request.get_json()
        account = client.v1.accounts.create(
            {
                "type": "express",
                "country": form["country"],
                "email": form["email"],
                "capabilities": {
                    "card_payments": {"requested": True},
                    "transfers": {"requested": True},
                },
                "metadata": {"seller": form["name"]},
            }
        )
        return jsonify(account=account.id, due=account.requirements.currently_due), 201

    @app.get("/sellers/<account_id>/onboard")
    def onboard(account_id: str) -> Any:
        try:
            link = client.v1.account_links.create(link_params(account_id))
        except stripe.InvalidRequestError as error:
            if error.code == "resource_missing":
                return "We don't know this seller.", 404
            raise
        except (stripe.RateLimitError, stripe.APIError, stripe.APIConnectionError):
            return "Stripe is busy; please try again in a minute.", 503
        return redirect(link.url, code=303)

    @app.get("/sellers/<account_id>/refresh")
    def refresh(account_id: str) -> Any:
        return onboard(account_id)

    @app.get("/sellers/<account_id>/return")
    def returned(account_id: str) -> Any:
        try:
            account = client.v1.accounts.retrieve(account_id)
        except (stripe.APIError, stripe.APIConnectionError):
            return "We couldn't reach Stripe to check your details; please refresh.", 503
        if account.charges_enabled and account.payouts_enabled:
            return "Onboarding complete: you can take payments.", 200
        due = account.requirements.currently_due
        if due:
            return f"Almost there: Stripe still needs {', '.join(due)}.", 200
        return "Onboarding complete, but payments are paused.", 200

    @app.post("/webhooks")
    def webhooks() -> Any:
        try:
            event = stripe.Webhook.construct_event(
                request.get_data(as_text=True),
                request.headers.get("Stripe-Signature"),
                webhook_secret,
            )
        except (ValueError, stripe.SignatureVerificationError):
            return "bad signature", 400
        if event.type == "account.updated":
            account = event.data.object
            sellers[event.account] = {
                "charges_enabled": account.charges_enabled,
                "payouts_enabled": account.payouts_enabled,
            }
        return "", 200

    @app.get("/sellers/<account_id>/status")
    def status(account_id: str) -> Any:
        return jsonify(sellers.get(account_id, {}))

    @app.post("/sellers/<account_id>/email-link")
    def email_link(account_id: str) -> Any:
        """A link to send by email, made with the SDK's global style."""
        link = stripe.AccountLink.create(
            api_key=api_key, stripe_version=API_VERSION, **link_params(account_id)
        )
        return jsonify(url=link.url, expires_at=link.expires_at)

    return app
