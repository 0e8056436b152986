"""Event destinations as Stripe has them: each style of event to its own, each signed
with a secret of its own, retried when asked, each delivery recorded.

A handler of thin events (``parse_event_notification``) throws on API v1's
snapshot ``account.updated``, and one of snapshot events (``construct_event``) on
API v2's thin events: on Stripe each style goes to its own event destination.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest
import requests
import stripe

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake

RECIPIENT: Any = {"capabilities": {"stripe_balance": {"stripe_transfers": {"requested": True}}}}


class Endpoint:
    """A webhook endpoint on 127.0.0.1: what it received; the statuses it answers, in turn."""

    def __init__(self, statuses: list[int]) -> None:
        self.url = ""
        self.received: list[tuple[str, str]] = []
        self.statuses = statuses

    def types(self) -> list[str]:
        return [json.loads(body)["type"] for body, _ in self.received]


@pytest.fixture
def endpoints() -> Iterator[Callable[..., Endpoint]]:
    """Start webhook endpoints on 127.0.0.1 (each answers ``statuses`` in turn, then 200);
    every one is stopped after the test."""
    started: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(*statuses: int) -> Endpoint:
        endpoint = Endpoint(list(statuses))

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                endpoint.received.append((body, self.headers["Stripe-Signature"]))
                self.send_response(endpoint.statuses.pop(0) if endpoint.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        started.append((server, thread))
        endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
        return endpoint

    try:
        yield start
    finally:
        for server, thread in started:
            server.shutdown()
            server.server_close()
            thread.join()


def _v2_and_v1_changes(served: ServedFake) -> None:
    """A v2 account created (a thin event), a v1 one created and updated (snapshots)."""
    client = served.client
    client.v2.core.accounts.create({"display_name": "K", "configuration": {"recipient": RECIPIENT}})
    v1 = client.v1.accounts.create({"type": "express", "country": "US"})
    client.v1.accounts.update(v1.id, {"business_profile": {"name": "Shop"}})


def test_each_style_goes_to_its_own_destination_with_its_own_secret(
    account_links_server: ServedFake,
    account_links: AccountLinksFake,
    endpoints: Callable[..., Endpoint],
) -> None:
    snapshot, thin = endpoints(), endpoints()
    account_links_server.webhook_url = snapshot.url
    account_links_server.thin_webhook_url = thin.url

    _v2_and_v1_changes(account_links_server)
    deliveries = account_links_server.wait_for_deliveries()

    assert thin.types() == ["v2.core.account.created"]
    assert snapshot.types() == ["account.application.authorized", "account.updated"]
    assert all(delivery.ok for delivery in deliveries)
    assert account_links_server.thin_webhook_secret != account_links.webhook_secret
    env = account_links_server.env
    assert env["STRIPE_THIN_WEBHOOK_SECRET"] == account_links_server.thin_webhook_secret
    client = account_links_server.client
    # Each handler reads its own style with its own secret, as on Stripe ...
    (payload, signature) = thin.received[0]
    notification = client.parse_event_notification(
        payload, signature, env["STRIPE_THIN_WEBHOOK_SECRET"]
    )
    assert notification.type == "v2.core.account.created"
    for payload, signature in snapshot.received:
        event = stripe.Webhook.construct_event(payload, signature, env["STRIPE_WEBHOOK_SECRET"])
        assert event.type.startswith("account.")
    # ... and not with the other's.
    with pytest.raises(stripe.SignatureVerificationError):
        client.parse_event_notification(payload, signature, env["STRIPE_THIN_WEBHOOK_SECRET"])


def test_without_a_thin_destination_webhook_url_takes_every_event(
    account_links_server: ServedFake, endpoints: Callable[..., Endpoint]
) -> None:
    every = endpoints()
    account_links_server.webhook_url = every.url

    _v2_and_v1_changes(account_links_server)
    account_links_server.wait_for_deliveries()

    assert every.types() == [
        "v2.core.account.created",
        "account.application.authorized",
        "account.updated",
    ]


def test_a_destination_takes_only_the_event_types_it_names(
    account_links_server: ServedFake, endpoints: Callable[..., Endpoint]
) -> None:
    updated, everything_v1 = endpoints(), endpoints()
    added = account_links_server.add_event_destination(
        updated.url, "snapshot", enabled_events=["account.updated"]
    )
    account_links_server.add_event_destination(everything_v1.url, "snapshot", ["*"])

    _v2_and_v1_changes(account_links_server)
    account_links_server.wait_for_deliveries()

    assert updated.types() == ["account.updated"]
    assert everything_v1.types() == ["account.application.authorized", "account.updated"]
    (payload, signature) = updated.received[0]
    assert stripe.Webhook.construct_event(payload, signature, added.secret).type == (
        "account.updated"
    )
    secrets = [destination.secret for destination in account_links_server.destinations]
    assert len(set(secrets)) == 2  # each its own
    health = requests.get(account_links_server.url + "/_account_links/health").json()
    assert health["destinations"] == [
        {
            "url": updated.url,
            "event_payload": "snapshot",
            "enabled_events": ["account.updated"],
            "secret": added.secret,
        },
        {
            "url": everything_v1.url,
            "event_payload": "snapshot",
            "enabled_events": ["*"],
            "secret": secrets[1],
        },
    ]


def test_a_failed_delivery_is_retried_when_asked_each_attempt_recorded(
    account_links_server: ServedFake, endpoints: Callable[..., Endpoint]
) -> None:
    flaky = endpoints(500, 503)
    account_links_server.thin_webhook_url = flaky.url
    account_links_server.webhook_retries = 2

    account_links_server.client.v2.core.accounts.create({"display_name": "K"})
    deliveries = account_links_server.wait_for_deliveries()

    assert [(d.attempt, d.status, d.ok) for d in deliveries] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    assert len({d.event for d in deliveries}) == 1  # one event, three attempts
    assert len(flaky.received) == 3


def test_without_retries_a_failed_delivery_is_tried_once(
    account_links_server: ServedFake, endpoints: Callable[..., Endpoint]
) -> None:
    failing = endpoints(500)
    account_links_server.webhook_url = failing.url

    account_links_server.client.v2.core.accounts.create({"display_name": "K"})

    assert [(d.attempt, d.status) for d in account_links_server.wait_for_deliveries()] == [(1, 500)]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda served: served.add_event_destination("http://127.0.0.1:1/h", "fat"),
            "add_event_destination: event_payload is one of thin, snapshot, got 'fat'",
        ),
        (
            lambda served: served.add_event_destination("ftp://x", "thin"),
            "webhook_url must be an http(s) URL",
        ),
        (
            lambda served: served.add_event_destination(
                "http://127.0.0.1:1/h", "thin", "account.updated"
            ),
            "enabled_events is a list of event types (['account.updated'], or ['*'] for all), "
            "got 'account.updated'",
        ),
        (
            lambda served: setattr(served, "webhook_retries", 11),
            "webhook_retries is a whole number from 0 to 10, got 11",
        ),
    ],
)
def test_a_bad_destination_is_refused_saying_why(
    account_links_server: ServedFake, call: Any, message: str
) -> None:
    with pytest.raises((ValueError, TypeError)) as refused:
        call(account_links_server)
    assert message in str(refused.value)


def _serve(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest_account_links", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--event-destination", "http://127.0.0.1:9/h,fat"],
            "--event-destination: an event destination is URL,PAYLOAD[,TYPE|TYPE...] with "
            "PAYLOAD one of thin, snapshot; got 'http://127.0.0.1:9/h,fat'",
        ),
        (["--event-destination", "nowhere,thin"], "webhook_url must be an http(s) URL"),
        (["--webhook-retries", "11"], "--webhook-retries: 0 to 10 retries, got 11"),
        (["--thin-webhook-url", "nowhere"], "webhook_url must be an http(s) URL"),
    ],
)
def test_the_standalone_server_refuses_a_bad_destination(args: list[str], message: str) -> None:
    run = _serve(*args)
    assert run.returncode == 2
    assert message in run.stderr
    assert "Traceback" not in run.stderr


def test_the_standalone_server_names_each_destination_and_its_secret(
    endpoints: Callable[..., Endpoint],
) -> None:
    snapshot, thin, updated = endpoints(), endpoints(), endpoints()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "pytest_account_links", "serve"),
            *("--webhook-url", snapshot.url, "--thin-webhook-url", thin.url),
            *("--event-destination", f"{updated.url},snapshot,account.updated"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().rstrip("\n") for _ in range(7)]
        url = lines[0].rpartition(" ")[2]
        health = requests.get(url + "/_account_links/health", timeout=10).json()
        secrets = [each["secret"] for each in health["destinations"]]
        assert [each["event_payload"] for each in health["destinations"]] == [
            "any",
            "thin",
            "snapshot",
        ]
        assert secrets[0] == health["webhook_secret"]
        assert len(set(secrets)) == 3
        assert lines[3:6] == [
            f"  events signed with {secrets[0]}, posted to {snapshot.url}",
            f"  thin events signed with {secrets[1]}, posted to {thin.url}",
            f"  snapshot events (account.updated) signed with {secrets[2]}, posted to "
            f"{updated.url}",
        ]
        client = stripe.StripeClient("sk_test_" + "4" * 24, base_addresses={"api": url})
        client.v2.core.accounts.create({"display_name": "K"})
        v1 = client.v1.accounts.create({"type": "express", "country": "US"})
        client.v1.accounts.update(v1.id, {"business_profile": {"name": "Shop"}})
        deadline = time.monotonic() + 20
        while len(snapshot.received) + len(thin.received) + len(updated.received) < 4:
            assert time.monotonic() < deadline, "the deliveries did not arrive"
            time.sleep(0.05)
    finally:
        process.terminate()
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert thin.types() == ["v2.core.account.created"]
    assert snapshot.types() == ["account.application.authorized", "account.updated"]
    assert updated.types() == ["account.updated"]
    (payload, signature) = updated.received[0]
    assert stripe.Webhook.construct_event(payload, signature, secrets[2]).type == "account.updated"


def test_webhook_url_receives_the_signature_the_event_shows(
    account_links_server: ServedFake,
    account_links: AccountLinksFake,
    endpoints: Callable[..., Endpoint],
) -> None:
    """What the classic endpoint received is ``event.headers``, however late it is read:
    the fake's own secret signs an event once."""
    import time_machine

    endpoint = endpoints()
    account_links_server.webhook_url = endpoint.url
    account_links_server.client.v2.core.accounts.create({"display_name": "K"})
    account_links_server.wait_for_deliveries()

    with time_machine.travel(time.time() + 60, tick=False):  # a signature a minute later
        (event,) = account_links.events
        assert endpoint.received == [(event.payload, event.headers["Stripe-Signature"])]


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999/hooks", "http://127.0.0.1:abc/", "http://[::1"]
)
def test_a_webhook_url_with_a_bad_port_is_refused_and_not_kept(
    account_links_server: ServedFake, url: str
) -> None:
    with pytest.raises(ValueError, match="webhook_url must be an http\\(s\\) URL") as refused:
        account_links_server.webhook_url = url
    assert str(refused.value).startswith("pytest-account-links: ")
    assert account_links_server.webhook_url is None
    account_links_server.thin_webhook_url = None  # the destinations still work


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (5, "enabled_events is a list of event types (['account.updated'], or ['*'] for all)"),
        ([], "enabled_events names at least one event type, each a non-empty string, got []"),
        ([""], "enabled_events names at least one event type"),
    ],
)
def test_a_destination_that_could_take_no_event_is_refused(
    account_links_server: ServedFake, events: Any, message: str
) -> None:
    with pytest.raises((TypeError, ValueError)) as refused:
        account_links_server.add_event_destination("http://127.0.0.1:9/h", "thin", events)
    assert message in str(refused.value)
    assert account_links_server.destinations == []


@pytest.mark.parametrize(
    "args",
    [
        ["--webhook-url", "http://127.0.0.1:abc/"],
        ["--event-destination", "http://x:99999/,thin"],
        ["--event-destination", "http://127.0.0.1:9/h,thin,|"],
    ],
)
def test_the_standalone_server_refuses_a_bad_port_or_no_types(args: list[str]) -> None:
    run = _serve(*args)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "error: " in run.stderr


def test_an_event_type_stripe_has_not_is_refused_with_the_closest(
    account_links_server: ServedFake,
) -> None:
    """A typo in enabled_events would make a destination that never receives anything."""
    with pytest.raises(ValueError) as refused:
        account_links_server.add_event_destination(
            "http://127.0.0.1:9/h", "thin", ["v2.core.acount.created"]
        )
    assert str(refused.value) == (
        "pytest-account-links: add_event_destination: no thin event is of the type "
        "'v2.core.acount.created' (did you mean 'v2.core.account.created'?): a destination "
        "for it would never receive one"
    )
    with pytest.raises(ValueError, match=r"no snapshot event is of the type 'v2\.core\.account"):
        account_links_server.add_event_destination(
            "http://127.0.0.1:9/h", "snapshot", ["v2.core.account.created"]
        )
    assert account_links_server.destinations == []
    run = _serve("--event-destination", "http://127.0.0.1:9/h,snapshot,acount.updated")
    assert run.returncode == 2
    assert "(did you mean 'account.updated'?)" in run.stderr
