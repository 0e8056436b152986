"""The served fake's webhook deliveries: in the background, in order, never redirected,
to a handler that calls the fake back while its event is being delivered."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake

HERE = Path(__file__).parent
SELLER = "acct_1Nv0FGQ9RKHgCVdK"


@pytest.fixture
def fastapi_app(account_links_server: ServedFake) -> Iterator[str]:
    """``tests/webhook_app.py`` under uvicorn in a process of its own, pointed at the served
    fake; its URL. Killed on teardown."""
    app = subprocess.Popen(
        [sys.executable, str(HERE / "webhook_app.py")],
        env={**os.environ, **account_links_server.env},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert app.stdout is not None
        ready, _, _ = select.select([app.stdout], [], [], 30)
        url = app.stdout.readline().strip() if ready else ""
        assert url.startswith("http://127.0.0.1:"), "the FastAPI app did not start"
        deadline = time.monotonic() + 30
        while True:  # uvicorn prints nothing once it serves: ask until it answers
            try:
                urllib.request.urlopen(url + "/fetched", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        app.kill()
        app.wait(timeout=10)
        if app.stdout is not None:
            app.stdout.close()


def _fetched(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(url + "/fetched", timeout=10) as answer:
        fetched: list[dict[str, Any]] = json.load(answer)
    return fetched


@pytest.mark.parametrize("handler", ["sync", "async"])
def test_a_webhook_handler_calls_the_fake_back_while_its_event_is_delivered(
    handler: str,
    fastapi_app: str,
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
) -> None:
    """Stripe's thin-event pattern: the handler parses the notification, then fetches the
    event and the account from Stripe (the served fake) before it answers."""
    served = account_links_server
    served.webhook_url = f"{fastapi_app}/webhooks/{handler}"
    made = served.client.v2.core.accounts.create(
        {
            "display_name": "Callback",
            "configuration": {"merchant": {"capabilities": {"card_payments": {"requested": True}}}},
            "identity": {"country": "us"},
            "include": ["configuration.merchant"],
        }
    )
    served.client.v2.core.accounts.update(made.id, {"display_name": "Called back"})
    link = served.client.v2.core.account_links.create(
        {
            "account": made.id,
            "use_case": {
                "type": "account_onboarding",
                "account_onboarding": {
                    "refresh_url": "https://example.com/refresh",
                    "return_url": "https://example.com/return",
                },
            },
        }
    )
    done = requests.post(
        served.url + "/_account_links/visit",
        json={"url": link.url, "outcome": "completed"},
        allow_redirects=False,
        timeout=30,
    )
    assert done.status_code == 303

    deliveries = served.wait_for_deliveries()

    events = account_links.events
    assert len(events) >= 4  # created, updated, onboarding's changes, the link returned
    assert [(d.event, d.status, d.error) for d in deliveries] == [
        (event.id, 204, None) for event in events
    ]
    fetched = _fetched(fastapi_app)
    assert [(f["handler"], f["notified"], f["event"], f["type"]) for f in fetched] == [
        (handler, event.id, event.id, event.type) for event in events
    ]
    for entry in fetched:
        related = None if entry["type"].startswith("v2.core.account_link.") else made.id
        assert entry["related"] == related
