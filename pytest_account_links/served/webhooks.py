"""Events the served fake delivers to an application's webhook endpoint.

Every change delivers its events (an account created or updated, onboarding
completed on the hosted page, ``v2.core.account_link.returned``). In-process, a
test reads them from ``account_links.events``; an application in another
process learns of them as it would from Stripe: the served fake POSTs each
signed thin event, in order, to the webhook URL it was given
(``Serving.take_new_events`` and ``post``): an API request's after its answer, the hosted
page's before it sends the browser back to ``return_url`` (so the application
knows by the time the browser arrives).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from pytest_account_links.domain.events import DeliveredEvent

#: How long one delivery may take, in seconds.
TIMEOUT = 10.0


@dataclass(frozen=True)
class Delivery:
    """One event posted to a webhook endpoint, and what became of it."""

    event: str
    url: str
    #: The endpoint's HTTP status (None when it could not be reached).
    status: int | None
    #: Why the delivery failed (None when the endpoint answered 2xx).
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def check_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL (or None); ``ValueError`` otherwise."""
    if url is None:
        return None
    parts = urlsplit(str(url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"pytest-account-links: webhook_url must be an http(s) URL such as "
            f"http://127.0.0.1:5000/webhooks, got {url!r}"
        )
    return str(url)


def deliver(url: str, event: DeliveredEvent, timeout: float = TIMEOUT) -> Delivery:
    """POST ``event`` (its payload and ``Stripe-Signature``) to ``url``, straight (no proxy)."""
    request = urllib.request.Request(
        url, data=event.payload.encode(), headers=dict(event.headers), method="POST"
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return Delivery(event.id, url, response.status)
    except urllib.error.HTTPError as refused:
        return Delivery(event.id, url, refused.code, f"the endpoint answered {refused.code}")
    except (urllib.error.URLError, OSError) as problem:
        reason = getattr(problem, "reason", problem)
        return Delivery(event.id, url, None, f"the endpoint could not be reached: {reason}")
