"""The platform's web app, in Flask: a seller connects their Stripe account.

``/`` has the "Connect with Stripe" button; it creates an Account Link and sends
the seller's browser to Stripe's hosted onboarding. Stripe sends the browser
back to ``/onboarding/<account>/return`` (finished or not) or, when the link
expired or was used, to ``/onboarding/<account>/refresh``, which makes a new
link. On return it retrieves the account: onboarding is complete when Stripe
needs nothing more (``requirements.entries`` is empty). Stripe's events arrive
at ``/webhooks`` (the ``v2.core.account_link.returned`` one is recorded).

Run on its own, it reads its settings from the environment, as a deployed app
would: ``STRIPE_API_KEY``, ``STRIPE_WEBHOOK_SECRET``, and ``STRIPE_API_BASE``
(unset: Stripe itself; in the end-to-end tests, the served fake). It prints its
URL, then serves on 127.0.0.1 until it is terminated.
"""

from __future__ import annotations

import os
from html import escape
from typing import TYPE_CHECKING

from flask import Flask, redirect, request
from onboarding import Onboarding, make_client
from werkzeug.serving import make_server

if TYPE_CHECKING:
    import stripe

#: The seller this demo onboards (a real platform knows who is signed in).
SELLER = "acct_1Nv0FGQ9RKHgCVdK"


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title></head><body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def create_app(client: stripe.StripeClient, webhook_secret: str, base_url: str) -> Flask:
    """The app; ``base_url`` is where it is reached (for return_url and refresh_url)."""
    app = Flask(__name__)
    onboarding = Onboarding(client, base_url)

    @app.get("/")
    def home() -> str:
        return _page(
            "Start selling",
            '<form method="post" action="/connect"><button type="submit">Connect with Stripe'
            "</button></form>",
        )

    @app.post("/connect")
    def connect() -> object:
        return redirect(onboarding.start(SELLER), code=303)

    @app.get("/onboarding/<account_id>/return")
    def returned(account_id: str) -> str:
        # Stripe's word on it: the account, with what it still needs.
        account = client.v2.core.accounts.retrieve(account_id, {"include": ["requirements"]})
        if not account.requirements.entries:
            return _page("Onboarding complete", "<p>You can accept payments now.</p>")
        return _page(
            "Onboarding not finished",
            '<p>Stripe still needs some details.</p><form method="post" action="/connect">'
            "<button type=submit>Continue onboarding</button></form>",
        )

    @app.get("/onboarding/<account_id>/refresh")
    def refresh(account_id: str) -> object:
        return redirect(onboarding.on_refresh(account_id), code=303)

    @app.post("/webhooks")
    def webhooks() -> tuple[str, int]:
        signature = request.headers.get("Stripe-Signature", "")
        onboarding.on_event(request.get_data(as_text=True), signature, webhook_secret)
        return "", 204

    return app


def main() -> None:
    port = int(os.environ.get("PORT", "0"))
    server = make_server("127.0.0.1", port, Flask(__name__), threaded=True)
    url = f"http://127.0.0.1:{server.port}"  # known once the port is bound
    client = make_client(os.environ["STRIPE_API_KEY"], os.environ.get("STRIPE_API_BASE"))
    server.app = create_app(client, os.environ["STRIPE_WEBHOOK_SECRET"], url)
    print(url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
