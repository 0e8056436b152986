"""What the server and its pages share: a :class:`Reply`, what is attached
(:class:`Serving`), the paths, and what a page reads of the server.

:mod:`.server` answers each request from these; :mod:`.page` and :mod:`.control`
build their replies from them too, so neither imports the server.
"""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from pytest_account_links.core.secrets import redact, redact_bytes
from pytest_account_links.core.wire import url_endpoint

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from pytest_account_links.domain.store import Store
    from pytest_account_links.served.webhooks import Batch, Delivery, Destination, Sender
    from pytest_account_links.transports.driver import Driver


#: Where every request the server answers as Stripe's API is addressed, for the fake.
API_BASE = "https://api.stripe.com"


#: The prefix of the control endpoints (:mod:`.control`).
CONTROL = "/_account_links/"


#: The largest request body read (a fake's request is a few hundred bytes).
MAX_BODY = 10 * 1024 * 1024


#: The address the server listens on unless told another (``serve --host``).
HOST = "127.0.0.1"


#: How long the server waits for a client's next bytes before it gives up, in seconds.
READ_TIMEOUT = 10.0


class Reply:
    """What the server sends: a status, headers and a body, or a transport fault."""

    __slots__ = ("body", "fault", "headers", "status", "until")

    def __init__(
        self,
        status: int,
        body: bytes = b"",
        headers: list[tuple[str, str]] | None = None,
        *,
        fault: str | None = None,
        until: threading.Event | None = None,
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers if headers is not None else []
        #: ``"connection_refused"`` or ``"read_timeout"``: no answer at all.
        self.fault = fault
        #: For a ``read_timeout``: set when the stall may end (the test ended).
        self.until = until

    @classmethod
    def json(cls, status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> Reply:
        """A JSON reply; no key in it shows (a control endpoint may echo what it was sent)."""
        encoded = redact_bytes(json.dumps(body, separators=(",", ":"), default=str).encode())
        return cls(status, encoded, [("Content-Type", "application/json"), *(headers or [])])

    @classmethod
    def error(cls, status: int, code: str, message: str, **headers: str) -> Reply:
        """An error in Stripe's envelope: ``{"error": {"code", "message"}}``."""
        return cls.json(
            status,
            {"error": {"code": code, "message": message}},
            [(name.replace("_", "-"), value) for name, value in headers.items()],
        )

    @classmethod
    def html(cls, status: int, page: str, headers: list[tuple[str, str]] | None = None) -> Reply:
        return cls(
            status,
            redact(page).encode("utf-8"),
            [("Content-Type", "text/html; charset=utf-8"), *(headers or [])],
        )

    @classmethod
    def redirect(cls, location: str, body: Any) -> Reply:
        """A 303 to ``location`` (a browser follows it with a GET), with a JSON body."""
        return cls.json(HTTPStatus.SEE_OTHER, body, [("Location", redact(location))])


class Serving:
    """What the server answers with while attached: one fake's driver, and its session.

    The running test's (attached by the ``account_links_server`` fixture for the
    test), or the standalone server's (``python -m pytest_account_links serve``,
    which can :meth:`reset` it).
    """

    def __init__(
        self,
        driver: Driver,
        *,
        webhook_url: str | None = None,
        renew: Callable[[Driver], Driver] | None = None,
        thin_webhook_url: str | None = None,
        destinations: Sequence[tuple[str, str, frozenset[str] | None]] = (),
        retries: int = 0,
    ) -> None:
        self.driver = driver
        self._webhook_url = webhook_url
        self._thin_webhook_url = thin_webhook_url
        #: The destinations beyond those two: (url, event payload, event types or None).
        self._more: list[tuple[str, str, frozenset[str] | None]] = list(destinations)
        self._retries = retries
        self._renew = renew
        #: Set when detached: a stalled answer (``read_timeout``) of this fake ends.
        self.ended = threading.Event()
        #: The tracebacks of requests the server failed to answer (a bug, or a hook's).
        self.errors: list[str] = []
        #: Each event posted to a destination, and what became of it, in order.
        self.deliveries: list[Delivery] = []
        #: How many of the fake's events were handed on (queued, or passed before a
        #: destination was set).
        self._handed_on = 0
        self._sender: Sender | None = None
        self._destinations_changed()

    def queue_new_events(self, *, held: bool = False) -> Batch | None:
        """Queue the events the fake made since the last call for the destinations, as
        they are now, each event for those that take it (None, and they are passed over:
        Stripe has no destination for them).

        Taken and queued under the store's lock, so the queue's order is the order the
        fake made them, whichever request thread gets here first. A ``held`` batch waits
        for :meth:`~.webhooks.Batch.release` (its request's answer is sent first, as
        Stripe delivers an API request's events after answering it).
        """
        from pytest_account_links.served.webhooks import Sender, targets

        store = self.store
        with store.lock:
            events = list(store.events[self._handed_on :])
            self._handed_on = len(store.events)
            destinations = self.destinations
            items = [(to, event) for event in events for to in targets(destinations, event)]
            if not items:
                return None
            if self._sender is None:
                self._sender = Sender(self.deliveries, retries=self._retries)
            return self._sender.queue(items, held=held)

    def wait_for_deliveries(self, timeout: float) -> bool:
        """Wait until every event queued so far has its delivery; False on timeout."""
        sender = self._sender
        return True if sender is None else sender.wait(timeout)

    def stop_delivering(self) -> None:
        """Stop the sender (the delivery under way is cut short); idempotent."""
        sender = self._sender
        if sender is not None:
            sender.stop()

    @property
    def destinations(self) -> list[Destination]:
        """Every event destination, each with its signing secret (seeded, as the store's)."""
        from pytest_account_links.served.webhooks import Destination

        store = self.store
        found = []
        if self._webhook_url is not None:
            found.append(Destination(self._webhook_url, None, store.webhook_secret))
        if self._thin_webhook_url is not None:
            found.append(
                Destination(self._thin_webhook_url, "thin", store.destination_secret("thin"))
            )
        for index, (url, payload, types) in enumerate(self._more, 1):
            secret = store.destination_secret(f"{index}:{payload}")
            found.append(Destination(url, payload, secret, types))
        return found

    def add_destination(self, url: str, payload: str, types: frozenset[str] | None) -> None:
        """One more event destination (its events from the next one the fake makes on)."""
        with self.store.lock:
            self._more.append((url, payload, types))
        self._destinations_changed()

    @property
    def webhook_url(self) -> str | None:
        """Where every event is posted whose style no destination of its own takes, in
        order (None: nowhere)."""
        return self._webhook_url

    @webhook_url.setter
    def webhook_url(self, url: str | None) -> None:
        with self.store.lock:
            self._webhook_url = url
        self._destinations_changed()

    @property
    def thin_webhook_url(self) -> str | None:
        """Where API v2's thin events are posted (None: to :attr:`webhook_url`, if set)."""
        return self._thin_webhook_url

    @thin_webhook_url.setter
    def thin_webhook_url(self, url: str | None) -> None:
        with self.store.lock:
            self._thin_webhook_url = url
        self._destinations_changed()

    @property
    def retries(self) -> int:
        """How many times a failed delivery is tried again."""
        return self._retries

    @retries.setter
    def retries(self, times: int) -> None:
        self._retries = times
        if self._sender is not None:
            self._sender.retries = times

    def _destinations_changed(self) -> None:
        """Let the store know where the fake delivers (never blocked as another host)."""
        endpoints = frozenset(
            found for each in self.destinations if (found := url_endpoint(each.url)) is not None
        )
        with self.store.lock:
            self.store.webhook_endpoints = endpoints

    @property
    def store(self) -> Store:
        return self.driver.store

    @property
    def resettable(self) -> bool:
        return self._renew is not None

    def reset(self) -> None:
        """A fresh fake in place of this one (the standalone server only)."""
        if self._renew is None:
            raise LookupError("only the standalone server resets its fake")
        with self.store.lock:
            self.driver = self._renew(self.driver)
            self._handed_on = 0
        self._destinations_changed()  # the fresh store's deliveries are the fake's


def path_of(target: str) -> str:
    """The path of a request target (origin-form, or the absolute form proxies send)."""
    if not target.startswith("/"):
        target = urlsplit(target).path or "/"
    return target.partition("?")[0]


class Listening(Protocol):
    """What a control endpoint reads of the server (:class:`.server.FakeServer`)."""

    #: Host names requests may also be addressed to (:mod:`.origins`).
    extra_hosts: tuple[str, ...]
    #: The secret of the hosted page's per-link form tokens (:func:`.origins.form_token`).
    form_secret: bytes

    @property
    def url(self) -> str: ...

    @property
    def address(self) -> tuple[str, int]: ...
