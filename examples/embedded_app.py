"""A marketplace's seller onboarding with Connect embedded components, as a small Flask app:
the code ``test_embedded_onboarding.py`` tests, in a real browser.

- ``POST /sellers`` creates the seller's Express account (API v1) and sends the browser to
  ``/sellers/<id>/onboarding``;
- that page loads Connect.js with the script tag Stripe documents
  (``https://connect-js.stripe.com/v1.0/connect.js``), initializes it with the
  publishable key and a ``fetchClientSecret`` that asks this app's
  ``POST /sellers/<id>/account_session`` (which creates an Account Session), renders
  ``<stripe-connect-account-onboarding>`` and, when the seller exits it, goes to
  ``/sellers/<id>/done``, which retrieves the account to see whether it can take payments;
- ``POST /webhooks`` receives Stripe's ``account.updated`` events, checks their signature
  and keeps each seller's state (``GET /sellers/<id>/status``).

Nothing here knows about the tests. Run on its own, it reads ``STRIPE_API_KEY``,
``STRIPE_PUBLISHABLE_KEY``, ``STRIPE_WEBHOOK_SECRET`` and ``STRIPE_API_BASE`` (unset:
Stripe itself) from the environment, prints its URL, and serves on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
from html import escape
from typing import Any

import stripe
from flask import Flask, jsonify, redirect, request
from werkzeug.serving import make_server

API_VERSION = "2023-10-16"

_ONBOARDING = """
<div id="container"></div>
<p id="error" role="alert"></p>
<script src="https://connect-js.stripe.com/v1.0/connect.js" async></script>
<script>
window.StripeConnect = window.StripeConnect || {};
StripeConnect.onLoad = () => {
  const instance = StripeConnect.init({
    publishableKey: PUBLISHABLE_KEY,
    fetchClientSecret: async () => {
      const response = await fetch(SESSION_URL, {method: "POST"});
      const {client_secret: clientSecret} = await response.json();
      return clientSecret;
    },
  });
  const onboarding = instance.create("account-onboarding");
  onboarding.setOnExit(() => window.location.assign(DONE_URL));
  onboarding.setOnLoadError(({error}) => {
    document.getElementById("error").textContent = `${error.type}: ${error.message}`;
  });
  document.getElementById("container").appendChild(onboarding);
};
</script>
"""


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title></head><body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def create_app(client: stripe.StripeClient, publishable_key: str, webhook_secret: str) -> Flask:
    app = Flask(__name__)
    #: What the webhooks told the app about each seller, by account ID.
    sellers: dict[str, dict[str, Any]] = {}

    @app.get("/")
    def home() -> str:
        return _page(
            "Start selling",
            '<form method="post" action="/sellers"><button type="submit">Set up payments'
            "</button></form>",
        )

    @app.post("/sellers")
    def create_seller() -> Any:
        account = client.v1.accounts.create(
            {
                "type": "express",
                "country": "US",
                "capabilities": {
                    "card_payments": {"requested": True},
                    "transfers": {"requested": True},
                },
            }
        )
        return redirect(f"/sellers/{account.id}/onboarding", code=303)

    @app.get("/sellers/<account_id>/onboarding")
    def onboarding(account_id: str) -> str:
        settings = {
            "PUBLISHABLE_KEY": publishable_key,
            "SESSION_URL": f"/sellers/{account_id}/account_session",
            "DONE_URL": f"/sellers/{account_id}/done",
        }
        script = _ONBOARDING
        for name, value in settings.items():
            script = script.replace(name, json.dumps(value))
        return _page("Set up payments", script)

    @app.post("/sellers/<account_id>/account_session")
    def account_session(account_id: str) -> Any:
        session = client.v1.account_sessions.create(
            {
                "account": account_id,
                "components": {
                    "account_onboarding": {
                        "enabled": True,
                        "features": {"external_account_collection": True},
                    }
                },
            }
        )
        return jsonify(client_secret=session.client_secret)

    @app.get("/sellers/<account_id>/done")
    def done(account_id: str) -> str:
        account = client.v1.accounts.retrieve(account_id)
        if account.charges_enabled and account.payouts_enabled:
            return _page("Onboarding complete", "<p>You can take payments now.</p>")
        return _page(
            "Onboarding not finished",
            f"<p>Stripe still needs {escape(', '.join(account.requirements.currently_due))}."
            f'</p><a href="/sellers/{escape(account_id)}/onboarding">Continue</a>',
        )

    @app.post("/webhooks")
    def webhooks() -> Any:
        try:
            event = stripe.Webhook.construct_event(
                request.get_data(as_text=True),
                request.headers.get("Stripe-Signature", ""),
                webhook_secret,
            )
        except (ValueError, stripe.SignatureVerificationError):
            return "bad signature", 400
        if event.type == "account.updated":
            account = event.data.object
            sellers[account.id] = {
                "charges_enabled": account.charges_enabled,
                "payouts_enabled": account.payouts_enabled,
            }
        return "", 204

    @app.get("/sellers/<account_id>/status")
    def status(account_id: str) -> Any:
        return jsonify(sellers.get(account_id, {}))

    return app


def main() -> None:
    server = make_server(
        "127.0.0.1", int(os.environ.get("PORT", "0")), Flask(__name__), threaded=True
    )
    base = os.environ.get("STRIPE_API_BASE")
    client = stripe.StripeClient(
        os.environ["STRIPE_API_KEY"],
        stripe_version=API_VERSION,
        base_addresses={"api": base} if base else None,
    )
    server.app = create_app(
        client, os.environ["STRIPE_PUBLISHABLE_KEY"], os.environ["STRIPE_WEBHOOK_SECRET"]
    )
    print(f"http://127.0.0.1:{server.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
