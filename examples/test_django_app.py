"""The Django app (``django_app/``), with pytest-django.

* the Django test client: the app's SDK calls are answered by the ``account_links`` fake,
  and ``deliver_events`` POSTs the events to the test client;
* ``live_server``: the app served by Django in a thread, against ``account_links_server``,
  which POSTs its webhooks to the app while the seller clicks through the hosted page.
"""

from __future__ import annotations

import json

import pytest
import requests
from test_fastapi_app import complete_on_the_hosted_page

pytest.importorskip("pytest_django", reason="the framework examples: pip install -e '.[test]'")

SELLER = {"name": "Kunstwerk", "email": "hallo@kunstwerk.example"}


@pytest.fixture
def seen():
    """What the app's webhook handler saw, empty when the test starts."""
    from django_app import views  # once pytest-django has set Django up

    views.SEEN["received"].clear()
    views.SEEN["fetched"].clear()
    return views.SEEN


@pytest.fixture
def stripe_settings(settings, account_links, stripe_api_key):
    """The app's Stripe settings, for the in-process fake."""
    settings.STRIPE_API_KEY = stripe_api_key
    settings.STRIPE_WEBHOOK_SECRET = account_links.webhook_secret
    settings.STRIPE_API_BASE = None
    settings.APP_BASE_URL = "http://testserver"
    return settings


def test_onboarding_with_the_django_client(client, account_links, stripe_settings, seen):
    made = client.post("/sellers", data=json.dumps(SELLER), content_type="application/json")
    assert made.status_code == 201
    account = made.json()["account"]

    onboard = client.get(f"/sellers/{account}/onboard")
    assert onboard.status_code == 303
    back = account_links.visit(onboard["Location"], outcome="completed")
    assert back == f"http://testserver/sellers/{account}/return"
    assert client.get(back.removeprefix("http://testserver")).json()["complete"] is True

    delivered = account_links.deliver_events(client)
    assert client.get("/events").json() == seen
    assert [event.type for event, _ in delivered] == seen["received"]
    assert seen["received"][-1] == "v2.core.account_link.returned"
    assert set(seen["fetched"]) == {account}


def test_a_forged_webhook_is_refused(client, account_links, stripe_settings):
    client.post("/sellers", data=json.dumps(SELLER), content_type="application/json")
    forged = client.post(
        "/webhooks",
        data=account_links.events[0].payload,
        content_type="application/json",
        headers={"Stripe-Signature": "t=1,v1=forged"},
    )
    assert forged.status_code == 400


def test_onboarding_through_the_served_fake(
    live_server, settings, account_links, account_links_server, seen
):
    settings.STRIPE_API_KEY = account_links_server.api_key
    settings.STRIPE_WEBHOOK_SECRET = account_links.webhook_secret
    settings.STRIPE_API_BASE = account_links_server.url
    settings.APP_BASE_URL = live_server.url
    account_links_server.webhook_url = f"{live_server.url}/webhooks"

    account = requests.post(f"{live_server.url}/sellers", json=SELLER, timeout=10).json()["account"]
    onboard = requests.get(
        f"{live_server.url}/sellers/{account}/onboard", allow_redirects=False, timeout=10
    )
    link = onboard.headers["Location"]
    assert link.startswith(f"{account_links_server.url}/r/{account}#")

    done = complete_on_the_hosted_page(account_links_server.url, account, link)
    assert done.headers["Location"] == f"{live_server.url}/sellers/{account}/return"
    assert requests.get(done.headers["Location"], timeout=10).json()["complete"] is True

    # Every event was posted to the app, which fetched each one's account back from the
    # served fake while it was being delivered.
    deliveries = account_links_server.wait_for_deliveries()
    assert deliveries
    assert all(delivery.ok for delivery in deliveries)
    types = {event.id: event.type for event in account_links.events}
    assert seen["received"] == [types[delivery.event] for delivery in deliveries]
    assert seen["received"][-1] == "v2.core.account_link.returned"
    assert set(seen["fetched"]) == {account}
