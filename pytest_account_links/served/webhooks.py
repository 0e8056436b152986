"""Events the served fake delivers to an application's webhook endpoint.

Every change delivers its events (an account created or updated, onboarding
completed on the hosted page, ``v2.core.account_link.returned``). In-process, a
test reads them from ``account_links.events``; an application in another
process learns of them as it would from Stripe: the served fake POSTs each
signed thin event to the webhook URL it was given.

A :class:`Sender` does the posting, in a thread of its own (one per attached fake,
started by its first event with somewhere to go): one queue, so the events go out
in the order the fake made them, one at a time, each with a short timeout, and
what became of each is a :class:`Delivery`. No request thread of the server ever
waits for the application, so a handler may call the fake back (``fetch_event()``,
``fetch_related_object()``, any endpoint) while its event is being delivered.

Event destinations as Stripe has them (docs.stripe.com/event-destinations): each
a URL, the style of event it takes (``thin``: API v2's ``v2.*`` notifications;
``snapshot``: API v1's ``event`` objects), optionally the event types it takes,
and a signing secret of its own. ``webhook_url`` is a destination of no style, a
classic webhook endpoint: it takes every snapshot event, and the thin ones too
while no thin destination is set (the fake's convenience: on Stripe each style
has a destination of its own). A failed delivery is retried
``retries`` times, 0.5 s, 1 s, 2 s, ... (at most 4 s) apart, each attempt a
:class:`Delivery` (Stripe retries a sandbox's three times over a few hours; the
fake, when asked, in seconds: the fake's choice).

A delivery goes to the configured URL's host and nowhere else: no proxy, no
redirect followed. Stripe counts any answer outside 2xx, 3xx included, as the
event not received ("a URL redirection or a Not Modified response will be
treated as a failure", docs.stripe.com/webhooks).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.client
import importlib.util
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pytest_account_links.core.hints import did_you_mean

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from pytest_account_links.domain.events import DeliveredEvent

#: How long one delivery may take, in seconds (connecting, sending, the answer).
TIMEOUT = 5.0


@dataclass(frozen=True)
class Delivery:
    """One event posted to a webhook endpoint, and what became of it."""

    event: str
    url: str
    #: The endpoint's HTTP status (None when it could not be reached, or the event was
    #: never sent: the fake was detached first).
    status: int | None
    #: Why the delivery failed (None when the endpoint answered 2xx).
    error: str | None = None
    #: How long the delivery took, in seconds (0 for an event never sent).
    seconds: float = 0.0
    #: Which attempt this was (1, then 2, ... for the retries of a failed delivery).
    attempt: int = 1

    @property
    def ok(self) -> bool:
        return self.error is None


#: The styles of event a destination takes, as Stripe's ``event_payload`` names them.
PAYLOADS = ("thin", "snapshot")
#: The longest wait between two attempts at one delivery, in seconds.
MAX_BACKOFF = 4.0


@dataclass(frozen=True)
class Destination:
    """Where events go: a URL, the style and types of event it takes, its secret."""

    url: str
    #: ``"thin"`` (API v2's events), ``"snapshot"`` (API v1's), or None: every event
    #: whose style no destination of its own takes (``webhook_url``).
    payload: str | None
    #: The signing secret of its ``Stripe-Signature`` headers (``whsec_...``).
    secret: str
    #: The event types it takes (``v2.core.account[requirements].updated``, ...); None:
    #: every type of its style.
    events: frozenset[str] | None = None

    def takes(self, event: DeliveredEvent) -> bool:
        """True when ``event`` is of this destination's style and types."""
        if self.payload is not None and self.payload != style_of(event):
            return False
        return self.events is None or event.type in self.events

    def describe(self) -> dict[str, Any]:
        """As the health endpoint shows it (the secret included: it is the test's)."""
        return {
            "url": self.url,
            "event_payload": self.payload or "any",
            "enabled_events": sorted(self.events) if self.events is not None else ["*"],
            "secret": self.secret,
        }


def style_of(event: DeliveredEvent) -> str:
    """``"thin"`` for an API v2 event, ``"snapshot"`` for an API v1 one."""
    return "snapshot" if event.generation == "v1" else "thin"


def targets(destinations: Sequence[Destination], event: DeliveredEvent) -> list[Destination]:
    """The destinations ``event`` goes to: those of its style that take its type; and the
    one of no style (``webhook_url``, a classic webhook endpoint): every snapshot event,
    and the thin ones too while no thin destination is set."""
    thin_elsewhere = any(destination.payload == "thin" for destination in destinations)
    classic = style_of(event) == "snapshot" or not thin_elsewhere
    return [
        destination
        for destination in destinations
        if (classic if destination.payload is None else destination.takes(event))
    ]


@functools.cache
def known_event_types(payload: str) -> frozenset[str] | None:
    """The event types Stripe has of a style, as the installed ``stripe`` SDK lists them
    (thin: its event classes; snapshot: a webhook endpoint's ``enabled_events``), read
    from its source without importing it; None without the SDK."""
    found = importlib.util.find_spec("stripe")
    if found is None or found.origin is None:
        return None
    root = Path(found.origin).parent
    if payload == "thin":
        source, shape = root / "events" / "_event_classes.py", r'"(v[12]\.[a-z0-9_.\[\]]+)"'
    else:
        source = root / "params" / "_webhook_endpoint_create_params.py"
        shape = r'"([a-z_]+(?:\.[a-z0-9_]+)+)"'
    try:
        names = frozenset(re.findall(shape, source.read_text()))
    except OSError:
        return None
    return names or None


def check_event_types(payload: str, types: frozenset[str]) -> None:
    """``ValueError`` naming an event type Stripe has not, of this style (a destination
    for it would never receive anything), with the closest it has."""
    known = known_event_types(payload)
    if known is None:
        return
    for name in sorted(types):
        if name != "*" and name not in known:
            raise ValueError(
                f"no {payload} event is of the type {name!r}"
                f"{did_you_mean(name, known)}: a destination for it would never receive one"
            )


def parse_destination(spec: str) -> tuple[str, str, frozenset[str] | None]:
    """``URL,PAYLOAD[,TYPE|TYPE...]`` (``--event-destination``) as (url, payload, types);
    ``ValueError`` saying what is wrong."""
    url, _, rest = spec.partition(",")
    payload, _, types = rest.partition(",")
    check_url(url)
    if payload not in PAYLOADS:
        raise ValueError(
            f"an event destination is URL,PAYLOAD[,TYPE|TYPE...] with PAYLOAD one of "
            f"{', '.join(PAYLOADS)}; got {spec!r}"
        )
    names = frozenset(name for name in types.split("|") if name) if types else None
    if names is not None and not names:
        raise ValueError(f"an event destination's TYPEs name at least one event type; got {spec!r}")
    return url, payload, enabled_types(payload, names)


def enabled_types(payload: str, names: frozenset[str] | None) -> frozenset[str] | None:
    """The event types a destination of ``payload`` takes, as it keeps them: None for every
    one (none named, or ``*``); ``ValueError`` for a type Stripe has not."""
    if names is None:
        return None
    check_event_types(payload, names)
    return None if "*" in names else names


def check_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) URL (or None); ``ValueError`` otherwise."""
    if url is None:
        return None
    try:
        parts = urlsplit(str(url))
        parts.port  # noqa: B018 - read for its ValueError (out of range, not a number)
        wrong = parts.scheme not in ("http", "https") or not parts.hostname
    except ValueError:
        wrong = True
    if wrong:
        raise ValueError(
            f"pytest-account-links: webhook_url must be an http(s) URL such as "
            f"http://127.0.0.1:5000/webhooks, got {url!r}"
        )
    return str(url)


def _connection(url: str, timeout: float) -> tuple[http.client.HTTPConnection, str]:
    """A connection to ``url``'s own host (never a proxy's), and the request target."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return kind(host, parts.port, timeout=timeout), target


def deliver(
    url: str,
    event: DeliveredEvent,
    timeout: float = TIMEOUT,
    opened: Callable[[http.client.HTTPConnection], None] | None = None,
    secret: str | None = None,
) -> Delivery:
    """POST ``event`` (its payload and ``Stripe-Signature``, under ``secret``, or the
    fake's own) to ``url``, once: straight to its host, no redirect followed. ``opened``
    is told of the connection (so a stop can close it)."""
    started = time.monotonic()
    try:
        connection, target = _connection(url, timeout)
    except (ValueError, http.client.InvalidURL) as problem:
        return Delivery(event.id, url, None, f"the endpoint could not be reached: {problem}")
    if opened is not None:
        opened(connection)
    try:
        body = event.payload.encode()
        headers = dict(event.headers) if secret is None else event.signed_headers(secret)
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(64 * 1024)  # what it says is ignored, as Stripe ignores it
        status = response.status
    except (OSError, http.client.HTTPException) as problem:
        reason = str(problem) or type(problem).__name__
        return _outcome(event, url, None, f"the endpoint could not be reached: {reason}", started)
    finally:
        connection.close()
    if 200 <= status < 300:
        return _outcome(event, url, status, None, started)
    if 300 <= status < 400:
        why = (
            f"the endpoint answered {status}: a redirect is not followed (Stripe counts it "
            "as not received)"
        )
        return _outcome(event, url, status, why, started)
    return _outcome(event, url, status, f"the endpoint answered {status}", started)


def _outcome(
    event: DeliveredEvent, url: str, status: int | None, error: str | None, started: float
) -> Delivery:
    return Delivery(event.id, url, status, error, round(time.monotonic() - started, 6))


class Batch:
    """Events queued together (one request's), each for a destination, held until the
    request is answered."""

    __slots__ = ("_wake", "done", "items", "ready")

    def __init__(
        self,
        items: list[tuple[Destination, DeliveredEvent]],
        wake: threading.Condition,
        *,
        held: bool,
    ) -> None:
        #: Each event with where it goes, in the order the fake made them.
        self.items = items
        self._wake = wake
        #: Set when the events may go (the request that made them was answered).
        self.ready = threading.Event()
        if not held:
            self.ready.set()
        #: Set when every event of the batch has its :class:`Delivery`.
        self.done = threading.Event()

    def release(self) -> None:
        """The request was answered: its events may go."""
        with self._wake:
            self.ready.set()
            self._wake.notify_all()


class Sender:
    """Posts queued events one at a time, in order, from a thread of its own."""

    def __init__(
        self, deliveries: list[Delivery], *, timeout: float = TIMEOUT, retries: int = 0
    ) -> None:
        #: Where each outcome goes (the ``Serving``'s list, which the fixture shows).
        self.deliveries = deliveries
        self.timeout = timeout
        #: How many times a failed delivery is tried again.
        self.retries = retries
        self._queue: deque[Batch] = deque()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopped = False
        self._connection: http.client.HTTPConnection | None = None

    def queue(
        self, items: list[tuple[Destination, DeliveredEvent]], *, held: bool = False
    ) -> Batch:
        """Queue ``items`` (each event with its destination) after every event queued
        before them (a ``held`` batch waits for :meth:`Batch.release`); start the thread
        if need be."""
        batch = Batch(items, self._wake, held=held)
        with self._wake:
            if self._stopped:
                self._skip(batch, "not delivered: the served fake stopped delivering first")
                return batch
            self._queue.append(batch)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="account-links-served-webhooks", daemon=True
                )
                self._thread.start()
            self._wake.notify_all()
        return batch

    def wait(self, timeout: float) -> bool:
        """Wait until every event queued so far has its :class:`Delivery`; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._wake:
            while self._queue:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._wake.wait(left)
        return True

    def stop(self) -> None:
        """Stop delivering: the delivery under way is cut short, every event still queued
        is recorded as not delivered, and the thread is joined. Idempotent."""
        with self._wake:
            self._stopped = True
            thread, connection = self._thread, self._connection
            self._wake.notify_all()
        if connection is not None and connection.sock is not None:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)
        if thread is not None:
            thread.join(timeout=self.timeout + 5)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._stopped and not (self._queue and self._queue[0].ready.is_set()):
                    self._wake.wait(1.0)
                if self._stopped:
                    for batch in self._queue:
                        self._skip(batch, "not delivered: the fake was detached before its turn")
                    self._queue.clear()
                    self._wake.notify_all()
                    return
                batch = self._queue[0]
            self._send(batch)
            with self._wake:
                self._queue.popleft()
                batch.done.set()
                self._wake.notify_all()

    def _send(self, batch: Batch) -> None:
        for destination, event in batch.items:
            attempt = 0
            while True:
                attempt += 1
                outcome = self._attempt(destination, event, attempt)
                with self._wake:
                    self._connection = None
                    self.deliveries.append(outcome)
                if outcome.ok or attempt > self.retries or not self._backoff(attempt):
                    break

    def _attempt(self, destination: Destination, event: DeliveredEvent, attempt: int) -> Delivery:
        """One attempt at delivering ``event`` to ``destination``."""
        with self._wake:
            stopped = self._stopped
        if stopped:  # stop() cut the delivery under way short: the rest is not sent
            return Delivery(event.id, destination.url, None, "not delivered: the fake was detached")
        try:
            outcome = deliver(
                destination.url, event, self.timeout, self._opened, destination.secret
            )
        except Exception as problem:  # a hook, a patch: recorded, the queue goes on
            why = f"not delivered: {type(problem).__name__}: {problem}"
            outcome = Delivery(event.id, destination.url, None, why)
        return outcome if attempt == 1 else dataclasses.replace(outcome, attempt=attempt)

    def _backoff(self, attempt: int) -> bool:
        """Wait before the next attempt (0.5 s, 1 s, 2 s, ... at most 4 s); False when the
        sender was stopped meanwhile."""
        deadline = time.monotonic() + min(0.5 * 2 ** (attempt - 1), MAX_BACKOFF)
        with self._wake:
            while not self._stopped:
                left = deadline - time.monotonic()
                if left <= 0:
                    return True
                self._wake.wait(left)
        return False

    def _opened(self, connection: http.client.HTTPConnection) -> None:
        with self._wake:
            self._connection = connection

    def _skip(self, batch: Batch, why: str) -> None:
        self.deliveries.extend(
            Delivery(event.id, destination.url, None, why) for destination, event in batch.items
        )
        batch.done.set()
