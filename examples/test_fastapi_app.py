"""The FastAPI app (``fastapi_app.py``), tested three ways.

* in-process, with Starlette's ``TestClient`` (sync tests): the app's async SDK calls are
  answered by the ``account_links`` fake, and ``deliver_events`` POSTs the events to
  the ``TestClient``;
* in-process from async tests (pytest-asyncio and anyio), with ``httpx.AsyncClient`` and
  ``httpx.ASGITransport``: ``await account_links.deliver_events_async(client)``;
* deployed: uvicorn in a process of its own against ``account_links_server``, which POSTs
  its webhooks to the app while the seller clicks through the hosted page; the webhook
  handler fetches each event's account back from the served fake as it is delivered.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import requests

pytest.importorskip("fastapi", reason="the framework examples: pip install -e '.[test]'")

from fastapi.testclient import TestClient
from fastapi_app import create_app

HERE = Path(__file__).parent
SELLER = {"name": "Kunstwerk", "email": "hallo@kunstwerk.example"}
BASE = "http://testserver"


# -- in-process, sync: TestClient ------------------------------------------------------


def test_onboarding_with_the_test_client(account_links, stripe_api_key):
    app = create_app(stripe_api_key, account_links.webhook_secret, BASE)
    with TestClient(app) as client:  # runs the lifespan: the SDK's client opens and closes
        made = client.post("/sellers", json=SELLER)
        assert made.status_code == 201
        account = made.json()["account"]
        assert made.json()["due"] > 0

        onboard = client.get(f"/sellers/{account}/onboard", follow_redirects=False)
        assert onboard.status_code == 303
        link = onboard.headers["location"]
        assert link.startswith(f"https://accounts.stripe.com/r/{account}#alu_test_")

        back = account_links.visit(link, outcome="completed")
        assert back == f"{BASE}/sellers/{account}/return"
        assert client.get(back.removeprefix(BASE)).json() == {
            "account": account,
            "complete": True,
            "due": 0,
        }

        delivered = account_links.deliver_events(client)
        seen = client.get("/events").json()
    assert [event.type for event, _ in delivered] == seen["received"]
    assert seen["received"][0] == "v2.core.account.created"
    assert seen["received"][-1] == "v2.core.account_link.returned"
    # fetch_related_object_async() reached the fake for every event about the account
    assert set(seen["fetched"]) == {account}
    assert len(seen["fetched"]) == len(seen["received"]) - 1


def test_a_forged_webhook_is_refused(account_links, stripe_api_key):
    app = create_app(stripe_api_key, account_links.webhook_secret, BASE)
    with TestClient(app) as client:
        client.post("/sellers", json=SELLER)
        forged = client.post(
            "/webhooks",
            content=account_links.events[0].payload,
            headers={"Stripe-Signature": "t=1,v1=forged"},
        )
    assert forged.status_code == 400


# -- in-process, async: httpx.AsyncClient over ASGITransport ---------------------------


async def onboard_async(account_links, api_key):
    """The whole flow through an ``httpx.AsyncClient`` on the app (its lifespan run by
    hand, as ``ASGITransport`` does not); what the webhook handler saw."""
    app = create_app(api_key, account_links.webhook_secret, BASE)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client,
    ):
        account = (await client.post("/sellers", json=SELLER)).json()["account"]
        link = (await client.get(f"/sellers/{account}/onboard")).headers["location"]
        back = account_links.visit(link, outcome="completed")
        status = (await client.get(back.removeprefix(BASE))).json()
        assert status["complete"] is True
        await account_links.deliver_events_async(client)
        return account, (await client.get("/events")).json()


@pytest.mark.asyncio
async def test_onboarding_from_a_pytest_asyncio_test(account_links, stripe_api_key):
    account, seen = await onboard_async(account_links, stripe_api_key)

    assert seen["received"][-1] == "v2.core.account_link.returned"
    assert set(seen["fetched"]) == {account}


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_onboarding_from_an_anyio_test(account_links, stripe_api_key):
    account, seen = await onboard_async(account_links, stripe_api_key)

    assert len(seen["received"]) == len(account_links.events)
    assert set(seen["fetched"]) == {account}


# -- deployed: uvicorn in another process, against the served fake ---------------------


def _free_port():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def deployed(account_links_server):
    """The app under uvicorn on 127.0.0.1, pointed at the served fake through ``env``;
    its URL. The fake POSTs every event to its ``/webhooks``. Stopped on teardown."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        **account_links_server.env,
        "APP_BASE_URL": url,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "fastapi_app:from_env",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=HERE,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/events", timeout=1)
                break
            except requests.ConnectionError:
                assert process.poll() is None, "uvicorn exited"
                assert time.monotonic() < deadline, "uvicorn did not start within 30 s"
                time.sleep(0.1)
        account_links_server.webhook_url = f"{url}/webhooks"
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_onboarding_with_uvicorn_against_the_served_fake(
    account_links, account_links_server, deployed
):
    account = requests.post(f"{deployed}/sellers", json=SELLER, timeout=10).json()["account"]
    onboard = requests.get(f"{deployed}/sellers/{account}/onboard", allow_redirects=False)
    link = onboard.headers["Location"]
    assert link.startswith(f"{account_links_server.url}/r/{account}#")

    done = complete_on_the_hosted_page(account_links_server.url, account, link)
    assert done.status_code == 303
    assert done.headers["Location"] == f"{deployed}/sellers/{account}/return"
    assert requests.get(done.headers["Location"], timeout=10).json()["complete"] is True

    # Every event was posted to the app, which fetched each one's account back from the
    # served fake while it was being delivered.
    deliveries = account_links_server.wait_for_deliveries()
    assert deliveries
    assert all(delivery.ok for delivery in deliveries)
    seen = requests.get(f"{deployed}/events", timeout=10).json()
    assert seen["received"][-1] == "v2.core.account_link.returned"
    types = {event.id: event.type for event in account_links.events}
    assert seen["received"] == [types[delivery.event] for delivery in deliveries]
    assert set(seen["fetched"]) == {account}


def complete_on_the_hosted_page(server, account, link):
    """What the seller's browser does on the hosted page: load it; its script reads the
    token from the fragment and asks for the link (and the form's token); then
    "Complete onboarding" submits the form. The answer, not followed."""
    assert requests.get(link, timeout=10).status_code == 200
    token = link.partition("#")[2]
    shown = requests.get(f"{server}/_account_links/links/{token}", timeout=10).json()
    assert shown["state"] == "valid"
    return requests.post(
        f"{server}/_account_links/visit",
        data={
            "account": account,
            "token": token,
            "form_token": shown["form_token"],
            "outcome": "completed",
        },
        headers={"Origin": server},
        allow_redirects=False,
        timeout=10,
    )
