"""Events the fake delivers: thin notifications, signed as Stripe signs them.

A v2 event destination receives a *thin* event (``id``, ``type``, ``created``,
``livemode``, ...) with a ``Stripe-Signature: t=<unix time>,v1=<HMAC-SHA256>``
header; the full event is fetched with ``GET /v2/core/events/{id}``
(``EventNotification.fetch_event()``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_account_links.generations.v2 import rfc3339

if TYPE_CHECKING:
    from datetime import datetime

    from pytest_account_links._accounts import ConnectedAccount
    from pytest_account_links._links import Link


@dataclass(frozen=True)
class DeliveredEvent:
    """A thin event as Stripe would deliver it to an event destination."""

    id: str
    type: str
    #: The request body Stripe would POST to the webhook endpoint.
    payload: str
    #: The headers it would carry, ``Stripe-Signature`` among them.
    headers: dict[str, str]
    #: The full event, as ``GET /v2/core/events/{id}`` answers it.
    event: dict[str, Any]


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload``: ``t=<unix time>,v1=<HMAC-SHA256>``."""
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.{payload}".encode(), hashlib.sha256)
    return f"t={moment},v1={digest.hexdigest()}"


def returned_event(
    link: Link, account: ConnectedAccount, event_id: str, now: datetime, secret: str
) -> DeliveredEvent:
    """The ``v2.core.account_link.returned`` event of a completed link."""
    thin = {
        "id": event_id,
        "object": "v2.core.event",
        "type": "v2.core.account_link.returned",
        "created": rfc3339(now),
        "livemode": link.livemode,
    }
    payload = json.dumps(thin, indent=2)
    event = {
        **thin,
        "data": {
            "account_id": link.account,
            "configurations": list(account.configurations),
            "use_case": link.use_case,
        },
    }
    return DeliveredEvent(
        id=event_id,
        type="v2.core.account_link.returned",
        payload=payload,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": sign(payload, secret),
        },
        event=event,
    )
