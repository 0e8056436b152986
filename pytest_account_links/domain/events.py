"""Events the fake delivers: thin notifications, signed as Stripe signs them.

API v1 events (:func:`v1_event`) are *snapshot* events: the whole ``event`` object
(``data.object`` the account as v1 answers it) is the payload, signed the same
way, which ``stripe.Webhook.construct_event`` and ``StripeClient.construct_event``
check and read.

A v2 event destination receives a *thin* event (``id``, ``object``, ``type``,
``created``, ``livemode``, ``reason``, ``related_object``) with a
``Stripe-Signature: t=<unix time>,v1=<HMAC-SHA256>`` header; the full event
(with ``data``) is fetched with ``GET /v2/core/events/{id}``
(``EventNotification.fetch_event()``), the object it is about with
``related_object.url`` (``fetch_related_object()``).

Sources: ``shared/spec/events-v2.openapi.json`` (``v2.core.event``: ``reason``
is ``{"type": "request", "request": {"id", "idempotency_key"}}``,
``related_object`` is ``{"id", "type", "url"}``),
``shared/spec/v2-account-event-types.txt`` (the account event types and their
``data``; ``v2.core.account_link.returned`` has no ``related_object``), and
docs.stripe.com/api/v2/core/accounts/event-types (``related_object.type`` is
``v2.core.account``, its ``url`` the path to retrieve it). The SDK's
``parse_event_notification`` checks the signature and reads these fields.

:func:`deliver` hands events, in order, to a test's webhook handler.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Any

from pytest_account_links.core.clock import rfc3339

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime


class DeliveredEvent:
    """An event as Stripe would deliver it to an event destination.

    ``payload`` and ``headers`` are written when first read (most events of a test
    are never delivered): the signature's time is then, as the SDK checks it
    against the machine's clock.
    """

    __slots__ = (
        "_headers",
        "_payload",
        "_secret",
        "_thin",
        "created",
        "event",
        "generation",
        "id",
        "object_id",
        "type",
    )

    def __init__(
        self,
        id: str,
        type: str,
        thin: dict[str, Any],
        event: dict[str, Any],
        secret: str,
        *,
        object_id: str | None = None,
        created: datetime | None = None,
        generation: str = "v2",
    ) -> None:
        self.id = id
        self.type = type
        #: The full event, as ``GET /v2/core/events/{id}`` answers it.
        self.event = event
        #: The object it is about (``acct_...``), or None.
        self.object_id = object_id
        #: When it happened, on the fake's clock.
        self.created = created
        #: ``"v2"`` (a thin ``v2.core.event``) or ``"v1"`` (a snapshot ``event``).
        self.generation = generation
        self._thin = thin
        self._secret = secret
        self._payload: str | None = None
        self._headers: dict[str, str] | None = None

    @property
    def payload(self) -> str:
        """The request body Stripe would POST to the webhook endpoint (the thin event)."""
        if self._payload is None:
            self._payload = json.dumps(self._thin, indent=2)
        return self._payload

    @property
    def headers(self) -> dict[str, str]:
        """The headers it would carry, ``Stripe-Signature`` among them."""
        if self._headers is None:
            self._headers = {
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": sign(self.payload, self._secret),
            }
        return self._headers

    def signed_headers(self, secret: str) -> dict[str, str]:
        """The headers it would carry to a destination whose signing secret is ``secret``:
        :attr:`headers` for the fake's own secret (signed once, so what a webhook received
        is what ``headers`` shows), else signed now (each destination has its own)."""
        if secret == self._secret:
            return dict(self.headers)
        return {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": sign(self.payload, secret),
        }

    def __repr__(self) -> str:
        return f"DeliveredEvent(id={self.id!r}, type={self.type!r}, object_id={self.object_id!r})"


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header for ``payload``: ``t=<unix time>,v1=<HMAC-SHA256>``.

    The time is the real one, not the fake's clock: the SDK refuses a signature
    more than five minutes from the machine's time.
    """
    moment = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{moment}.{payload}".encode(), hashlib.sha256)
    return f"t={moment},v1={digest.hexdigest()}"


def reason_of(request_id: str | None, idempotency_key: str | None) -> dict[str, Any] | None:
    """The event's ``reason``: the API request that caused it (the spec requires both its
    ``id`` and its ``idempotency_key``; a change without both has no ``reason``)."""
    if request_id is None or idempotency_key is None:
        return None
    return {"type": "request", "request": {"id": request_id, "idempotency_key": idempotency_key}}


def account_event(
    type: str,
    *,
    event_id: str,
    account_id: str | None,
    now: datetime,
    livemode: bool,
    secret: str,
    data: dict[str, Any] | None = None,
    reason: dict[str, Any] | None = None,
    related: dict[str, Any] | None = None,
) -> DeliveredEvent:
    """A ``v2.core.account...`` event (or ``v2.core.account_link.returned`` when
    ``account_id`` is None: that type has no related object; or, with ``related``, an
    event about another object of the account, a ``v2.core.account_person``)."""
    thin: dict[str, Any] = {
        "id": event_id,
        "object": "v2.core.event",
        "type": type,
        "created": rfc3339(now),
        "livemode": livemode,
    }
    if reason is not None:
        thin["reason"] = reason
    if related is not None:
        thin["related_object"] = dict(related)
    elif account_id is not None:
        thin["related_object"] = {
            "id": account_id,
            "type": "v2.core.account",
            "url": f"/v2/core/accounts/{account_id}",
        }
    event = copy.deepcopy(thin)  # the full event shares nothing with the payload's
    if data is not None:
        event["data"] = data
    return DeliveredEvent(
        event_id,
        type,
        thin,
        event,
        secret,
        object_id=account_id if account_id is not None else (data or {}).get("account_id"),
        created=now,
    )


def v1_event(
    type: str,
    *,
    event_id: str,
    account_id: str,
    now: datetime,
    livemode: bool,
    secret: str,
    data: dict[str, Any],
    cause: tuple[str, str | None] | None,
    api_version: str,
) -> DeliveredEvent:
    """An API v1 ``event`` about a connected account, as Stripe delivers it to a Connect
    webhook endpoint: ``account`` is the connected account ("Each event for a connected
    account contains ... a top-level account property"), ``request`` the API request
    that caused it (both ``null`` for a change no request made: "If null, the event was
    automatic"), ``pending_webhooks`` 0 as in the API reference's example and a captured
    delivery. Source: docs.stripe.com/api/events/object."""
    request_id, idempotency_key = cause if cause is not None else (None, None)
    event: dict[str, Any] = {
        "id": event_id,
        "object": "event",
        "account": account_id,
        "api_version": api_version,
        "created": int(now.timestamp()),
        "data": data,
        "livemode": livemode,
        "pending_webhooks": 0,
        "request": {"id": request_id, "idempotency_key": idempotency_key},
        "type": type,
    }
    return DeliveredEvent(
        event_id,
        type,
        event,
        event,
        secret,
        object_id=account_id,
        created=now,
        generation="v1",
    )


class WebhookDeliveryError(AssertionError):
    """The test's webhook handler refused an event (a 4xx or 5xx answer)."""


def deliver(
    events: Iterable[DeliveredEvent],
    to: Any,
    path: str,
    delivered_one: Callable[[], None] | None = None,
) -> list[tuple[DeliveredEvent, Any]]:
    """POST each event, in order, to ``to``; each event with what ``to`` answered.

    ``to`` is a test client with a ``post`` method (Flask's, Django's,
    Starlette's or httpx's, a ``requests.Session`` with a base URL in ``path``),
    or any callable ``to(payload, headers)``. An answer with a ``status_code``
    (or ``status``) of 400 or more raises :class:`WebhookDeliveryError`, naming
    the event; ``delivered_one()`` is called after each event the handler took.
    """
    __tracebackhide__ = True
    post = getattr(to, "post", None)
    if post is None and not callable(to):
        raise TypeError(
            "pytest-account-links: deliver_events(): `to` must be a test client with a post() "
            f"method (Flask, Django, Starlette, httpx) or a callable(payload, headers), got "
            f"{type(to).__name__}"
        )
    delivered = []
    for event in events:
        answer = (
            _post(post, to, path, event)
            if post is not None
            else to(event.payload, dict(event.headers))
        )
        status = _status(answer)
        if status is not None and status >= 400:
            raise WebhookDeliveryError(
                f"pytest-account-links: the webhook handler answered {status} to {event.type} "
                f"({event.id}); Stripe would retry it"
            )
        delivered.append((event, answer))
        if delivered_one is not None:
            delivered_one()
    return delivered


def _family(to: Any) -> str:
    """Whose test client ``to`` is, by the classes it derives from (a suite's own
    subclass of Starlette's ``TestClient`` is still Starlette's): ``"django"``, ``"httpx"``
    (httpx, Starlette, FastAPI) or ``""``."""
    for cls in type(to).__mro__:
        module = cls.__module__
        if module.startswith("django."):
            return "django"
        if module.startswith(("httpx", "starlette.", "fastapi.")):
            return "httpx"
    return ""


def _post(post: Any, to: Any, path: str, event: DeliveredEvent) -> Any:
    """One event to a test client, in the way its ``post`` takes a raw body."""
    headers = dict(event.headers)
    family = _family(to)
    if family == "django":
        # Django's client takes the content type apart, and extra headers as ``headers``.
        return post(
            path,
            data=event.payload,
            content_type=headers.pop("Content-Type"),
            headers=headers,
        )
    if family == "httpx":
        # httpx deprecates raw bytes as data= ("Use 'content=<...>'"): content= it is.
        return post(path, content=event.payload.encode(), headers=headers)
    return post(path, data=event.payload.encode(), headers=headers)


async def deliver_async(
    events: Iterable[DeliveredEvent],
    to: Any,
    path: str,
    delivered_one: Callable[[], None] | None = None,
) -> list[tuple[DeliveredEvent, Any]]:
    """:func:`deliver`, awaiting each answer: ``to`` is an ``httpx.AsyncClient`` (with
    ``ASGITransport`` for an ASGI app, or a ``base_url``), any client whose ``post`` is
    a coroutine, or a callable ``to(payload, headers)`` returning an awaitable."""
    __tracebackhide__ = True
    import inspect

    post = getattr(to, "post", None)
    if post is None and not callable(to):
        raise TypeError(
            "pytest-account-links: deliver_events_async(): `to` must be an async client with "
            "a post() method (httpx.AsyncClient) or a callable(payload, headers) returning "
            f"an awaitable, got {type(to).__name__}"
        )
    delivered = []
    for event in events:
        if post is not None:
            answer = post(path, content=event.payload.encode(), headers=dict(event.headers))
        else:
            answer = to(event.payload, dict(event.headers))
        if inspect.isawaitable(answer):
            answer = await answer
        status = _status(answer)
        if status is not None and status >= 400:
            raise WebhookDeliveryError(
                f"pytest-account-links: the webhook handler answered {status} to {event.type} "
                f"({event.id}); Stripe would retry it"
            )
        delivered.append((event, answer))
        if delivered_one is not None:
            delivered_one()
    return delivered


def awaits(to: Any) -> bool:
    """Whether ``to`` (a client, or a callable) answers with an awaitable: an async client,
    which :func:`deliver` cannot wait for."""
    import inspect

    post = getattr(to, "post", None)
    target = post if post is not None else to
    # An async function, an async method, or an object whose __call__ is one.
    call = vars(type(target)).get("__call__")
    return inspect.iscoroutinefunction(target) or inspect.iscoroutinefunction(call)


def _status(answer: Any) -> int | None:
    for name in ("status_code", "status"):
        value = getattr(answer, name, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None
