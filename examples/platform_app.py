"""A marketplace's seller onboarding, as a small Flask app: the code the flow suite tests.

- ``POST /sellers`` creates the seller's v2 Account (a recipient of transfers);
- ``GET /sellers/<id>/onboard`` creates an Account Link and redirects to it;
- Stripe sends the seller back to ``/sellers/<id>/return`` (the app retrieves the
  account to see whether onboarding is complete) or ``/sellers/<id>/refresh``
  (the link expired or was used: a fresh one);
- ``POST /webhooks`` receives Stripe's thin events, checks their signature, and
  keeps each seller's payout capability up to date from the account itself.

Nothing here knows about the tests: it talks to Stripe through the official SDK.
"""

from __future__ import annotations

from typing import Any

import stripe
from flask import Flask, jsonify, redirect, request

API_VERSION = "2026-10-28.endive"
TRANSFERS = "stripe_balance.stripe_transfers"
RECIPIENT = {"capabilities": {"stripe_balance": {"stripe_transfers": {"requested": True}}}}


def create_app(api_key: str, webhook_secret: str, base_url: str) -> Flask:
    """The app, talking to Stripe with ``api_key`` and checking events with ``webhook_secret``."""
    client = stripe.StripeClient(api_key, stripe_version=API_VERSION, max_network_retries=1)
    app = Flask(__name__)
    #: What the webhooks told the app about each seller's payouts, by account ID.
    payouts: dict[str, str] = {}

    @app.post("/sellers")
    def create_seller() -> Any:
        form = request.get_json()
        account = client.v2.core.accounts.create(
            {
                "display_name": form["name"],
                "contact_email": form["email"],
                "identity": {"country": form["country"], "entity_type": "individual"},
                "configuration": {"recipient": RECIPIENT},
                "include": ["requirements"],
            }
        )
        return jsonify(account=account.id, due=len(account.requirements.entries)), 201

    @app.get("/sellers/<account_id>/onboard")
    def onboard(account_id: str) -> Any:
        try:
            link = client.v2.core.account_links.create(
                {
                    "account": account_id,
                    "use_case": {
                        "type": "account_onboarding",
                        "account_onboarding": {
                            "refresh_url": f"{base_url}/sellers/{account_id}/refresh",
                            "return_url": f"{base_url}/sellers/{account_id}/return",
                        },
                    },
                }
            )
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
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
            account = client.v2.core.accounts.retrieve(
                account_id, {"include": ["requirements", "configuration.recipient"]}
            )
        except (stripe.APIError, stripe.APIConnectionError):
            return "We couldn't reach Stripe to check your details; please refresh.", 503
        status = account.configuration.recipient.capabilities.stripe_balance.stripe_transfers
        if account.requirements.entries:
            due = ", ".join(entry.description for entry in account.requirements.entries)
            return f"Almost there: Stripe still needs {due}.", 200
        if status.status != "active":
            return f"Onboarding complete, but payouts are {status.status}.", 200
        return "Onboarding complete: you can receive payouts.", 200

    @app.post("/webhooks")
    def webhooks() -> Any:
        try:
            notification = client.parse_event_notification(
                request.get_data(), request.headers.get("Stripe-Signature"), webhook_secret
            )
        except stripe.SignatureVerificationError:
            return "bad signature", 400
        if notification.type.endswith(".capability_status_updated"):
            event = notification.fetch_event()
            if event.data.updated_capability == TRANSFERS:
                account = client.v2.core.accounts.retrieve(
                    notification.related_object.id, {"include": ["configuration.recipient"]}
                )
                capability = account.configuration.recipient.capabilities.stripe_balance
                payouts[account.id] = capability.stripe_transfers.status
        return "", 200

    @app.get("/sellers/<account_id>/payouts")
    def payout_status(account_id: str) -> Any:
        return jsonify(status=payouts.get(account_id, "unknown"))

    return app
