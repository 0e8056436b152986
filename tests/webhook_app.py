"""A FastAPI application whose webhook handlers call Stripe back, as Stripe's docs for thin
events tell them to: parse the notification, then fetch the event and its related object.

Run by ``tests/test_served_webhooks.py`` under uvicorn in a process of its own, pointed at
the served fake through ``account_links_server.env``. It binds 127.0.0.1 on a free port,
prints its URL, and serves until it is terminated. ``/webhooks/sync`` is a plain ``def``
handler (the SDK's ``requests`` client, in FastAPI's thread pool); ``/webhooks/async`` an
``async def`` one (the SDK's ``httpx`` client, its ``*_async`` methods). ``GET /fetched``
answers what the handlers fetched, one entry per event.
"""

from __future__ import annotations

import os
import socket
import sys
from typing import TYPE_CHECKING, Any

import stripe
import uvicorn
from fastapi import Depends, FastAPI, Header, Request

if TYPE_CHECKING:
    from stripe._base_address import BaseAddresses

KEY = os.environ["STRIPE_API_KEY"]
BASE: BaseAddresses = {"api": os.environ["STRIPE_API_BASE"]}
SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]

app = FastAPI()
sync_client = stripe.StripeClient(KEY, base_addresses=BASE)
async_client = stripe.StripeClient(KEY, base_addresses=BASE, http_client=stripe.HTTPXClient())
fetched: list[dict[str, Any]] = []


def _record(handler: str, notification: Any, event: Any, related: Any) -> None:
    fetched.append(
        {
            "handler": handler,
            "notified": notification.id,
            "type": event.type,
            "event": event.id,
            "related": None if related is None else related.id,
        }
    )


def _relates(notification: Any) -> bool:
    return getattr(notification, "related_object", None) is not None


async def _payload(request: Request) -> bytes:
    return await request.body()


@app.post("/webhooks/sync", status_code=204)
def sync_webhook(payload: bytes = Depends(_payload), stripe_signature: str = Header()) -> None:
    notification: Any = sync_client.parse_event_notification(payload, stripe_signature, SECRET)
    event = notification.fetch_event()
    # (an event with no related object, v2.core.account_link.returned, has no fetcher)
    related = notification.fetch_related_object() if _relates(notification) else None
    _record("sync", notification, event, related)


@app.post("/webhooks/async", status_code=204)
async def async_webhook(request: Request) -> None:
    notification: Any = async_client.parse_event_notification(
        await request.body(), request.headers["stripe-signature"], SECRET
    )
    # (the SDK's fetch_event_async() sends its usage tags as query parameters, which
    # the fake's validation refuses; the events and accounts services send none)
    event = await async_client.v2.core.events.retrieve_async(notification.id)
    related = None
    if _relates(notification):
        related = await async_client.v2.core.accounts.retrieve_async(notification.related_object.id)
    _record("async", notification, event, related)


@app.get("/fetched")
def what_was_fetched() -> list[dict[str, Any]]:
    return fetched


if __name__ == "__main__":
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    print(f"http://127.0.0.1:{listening.getsockname()[1]}", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    server.run(sockets=[listening])
    sys.exit(0)
