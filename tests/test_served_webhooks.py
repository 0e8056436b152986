"""The served fake's webhook deliveries: in the background, in order, never redirected,
to a handler that calls the fake back while its event is being delivered."""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
import stripe

from tests.conftest import ONBOARDING

PARAMS: Any = ONBOARDING

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


class Endpoint:
    """A local HTTP endpoint on 127.0.0.1 whose answer a test decides, and what it got."""

    def __init__(self) -> None:
        self.url = ""
        #: Each request: its method, path and headers.
        self.received: list[tuple[str, str, dict[str, str]]] = []
        #: The status and headers to answer with, or a callable deciding them.
        self.answer: Any = (200, {})
        self.release = threading.Event()


@contextlib.contextmanager
def _endpoint() -> Iterator[Endpoint]:
    endpoint = Endpoint()

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            endpoint.received.append((self.command, self.path, dict(self.headers.items())))
            answer = endpoint.answer
            status, headers = answer(len(endpoint.received)) if callable(answer) else answer
            self.send_response(status)
            for name, value in {"Content-Length": "0", **headers}.items():
                self.send_header(name, value)
            self.end_headers()

        do_GET = do_POST = _any

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield endpoint
    finally:
        endpoint.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    """A webhook endpoint on 127.0.0.1; stopped after the test."""
    with _endpoint() as made:
        yield made


@pytest.fixture
def elsewhere() -> Iterator[Endpoint]:
    """Another server on 127.0.0.1, where a redirect could send a delivery."""
    with _endpoint() as made:
        yield made


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_delivery_never_follows_a_redirect(
    status: int,
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
    endpoint: Endpoint,
    elsewhere: Endpoint,
) -> None:
    """A webhook endpoint that redirects does not get the event, and nothing of it (the
    signature least of all) reaches where it points: Stripe counts a 3xx as a failure."""
    endpoint.answer = (status, {"Location": f"{elsewhere.url}/steal"})
    account_links_server.webhook_url = f"{endpoint.url}/webhooks"
    account_links_server.client.v2.core.accounts.create({"display_name": "Redirected"})

    (delivery,) = account_links_server.wait_for_deliveries()

    assert (delivery.status, delivery.ok) == (status, False)
    assert delivery.error == (
        f"the endpoint answered {status}: a redirect is not followed (Stripe counts it as "
        "not received)"
    )
    assert [(method, path) for method, path, _ in endpoint.received] == [("POST", "/webhooks")]
    assert "Stripe-Signature" in endpoint.received[0][2]
    assert elsewhere.received == []


def test_a_hanging_webhook_does_not_hold_the_browser_back(
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
    endpoint: Endpoint,
) -> None:
    """The hosted page sends the browser on within a short wait, whatever the endpoint
    does; the hanging delivery times out in the background and is recorded, and the
    events after it are still delivered, in order."""

    def hang_once(count: int) -> tuple[int, dict[str, str]]:
        if count == 1:
            endpoint.release.wait(30)
        return 200, {}

    endpoint.answer = hang_once
    served = account_links_server
    served.webhook_url = f"{endpoint.url}/webhooks"
    link = served.client.v2.core.account_links.create(PARAMS)
    started = time.monotonic()
    done = requests.post(
        served.url + "/_account_links/visit",
        json={"url": link.url, "outcome": "completed"},
        allow_redirects=False,
        timeout=60,
    )
    took = time.monotonic() - started

    assert done.status_code == 303
    assert took < 6  # it waits 2 s at most for the deliveries; it used to be 10 s an event
    deliveries = served.wait_for_deliveries()
    events = account_links.events
    assert [d.event for d in deliveries] == [event.id for event in events]
    first, *rest = deliveries
    assert (first.status, first.error) == (None, "the endpoint could not be reached: timed out")
    assert 4 < first.seconds < 8
    assert [(d.status, d.error) for d in rest] == [(200, None)] * len(rest)
    assert len(rest) >= 2


def test_concurrent_requests_deliver_their_events_in_the_order_the_fake_made_them(
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
    endpoint: Endpoint,
) -> None:
    served = account_links_server
    served.webhook_url = f"{endpoint.url}/webhooks"
    failures: list[BaseException] = []

    def create(worker: int) -> None:
        try:
            client = stripe.StripeClient(served.api_key, base_addresses=served.base_addresses)
            for n in range(5):
                client.v2.core.accounts.create({"display_name": f"Seller {worker}-{n}"})
        except BaseException as problem:
            failures.append(problem)

    threads = [threading.Thread(target=create, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert failures == []
    deliveries = served.wait_for_deliveries()
    made = [event.id for event in account_links.events]
    assert len(made) == 40
    assert [d.event for d in deliveries] == made
    assert all(d.ok for d in deliveries)
    signatures = [headers["Stripe-Signature"] for _, _, headers in endpoint.received]
    assert signatures == [event.headers["Stripe-Signature"] for event in account_links.events]


def test_other_hosts_block_lets_the_fakes_own_deliveries_through(
    pytester: pytest.Pytester,
) -> None:
    """``other_hosts="block"`` refuses the test's own requests to other hosts, not the
    served fake's deliveries to the webhook endpoint the test gave it (they used to be
    refused inside the fake, and nothing was delivered)."""
    pytester.makeconftest(WEBHOOK_CONFTEST)
    pytester.makepyfile(
        """
import pytest
import requests

@pytest.mark.account_links(other_hosts="block")
def test_block(account_links, account_links_server, hook):
    account_links_server.webhook_url = hook.url
    account_links_server.client.v2.core.accounts.create({"display_name": "Blocked"})
    (delivery,) = account_links_server.wait_for_deliveries(10)
    assert (delivery.status, delivery.error) == (200, None)
    assert len(hook.received) == 1
    assert account_links.unfaked == []
    with pytest.raises(Exception, match="is blocked"):
        requests.get("http://127.0.0.1:9/elsewhere", timeout=5)
    account_links.unfaked.clear()
"""
    )
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1)


#: An inner run's webhook endpoint on 127.0.0.1 (``hook.url``, ``hook.received``).
WEBHOOK_CONFTEST = """
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Hook:
    url = ""

    def __init__(self):
        self.received = []


@pytest.fixture
def hook():
    made = Hook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            made.received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    made.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
    try:
        yield made
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
"""
