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

if TYPE_CHECKING:
    from collections.abc import Callable

    from pytest_account_links.domain.events import DeliveredEvent
    from pytest_account_links.domain.store import Store
    from pytest_account_links.transports.driver import Driver


#: Where every request the server answers as Stripe's API is addressed, for the fake.
API_BASE = "https://api.stripe.com"


#: The prefix of the control endpoints (:mod:`.control`).
CONTROL = "/_account_links/"


#: The largest request body read (a fake's request is a few hundred bytes).
MAX_BODY = 10 * 1024 * 1024


#: The address the server listens on unless told another (``serve --host``).
HOST = "127.0.0.1"


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
    ) -> None:
        self.driver = driver
        #: Where the fake's events are posted, in order (None: they are only kept).
        self.webhook_url = webhook_url
        self._renew = renew
        #: Set when detached: a stalled answer (``read_timeout``) of this fake ends.
        self.ended = threading.Event()
        #: The tracebacks of requests the server failed to answer (a bug, or a hook's).
        self.errors: list[str] = []
        #: Each event posted to :attr:`webhook_url`, and what became of it.
        self.deliveries: list[Any] = []
        #: How many of the fake's events were handed on (posted, or passed before a
        #: webhook URL was set).
        self._handed_on = 0
        self._posting = threading.Lock()

    def take_new_events(self) -> tuple[str | None, list[DeliveredEvent]]:
        """The events the fake delivered since the last call, and where to post them now
        (None: no webhook URL is set, and they are passed over, as Stripe has no
        destination for them)."""
        store = self.store
        with store.lock:
            events = list(store.events[self._handed_on :])
            self._handed_on = len(store.events)
        return self.webhook_url, events

    def post(self, url: str | None, events: list[DeliveredEvent]) -> None:
        """POST ``events`` to ``url``, in order (as Stripe pushes every event to an event
        destination); outside the store's lock, as the application may call back."""
        from pytest_account_links.served.webhooks import deliver

        if url is None:
            return
        with self._posting:  # one poster at a time keeps the events in order
            for event in events:
                self.deliveries.append(deliver(url, event))

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
        self.driver = self._renew(self.driver)
        self._handed_on = 0


def path_of(target: str) -> str:
    """The path of a request target (origin-form, or the absolute form proxies send)."""
    if not target.startswith("/"):
        target = urlsplit(target).path or "/"
    return target.partition("?")[0]


class Listening(Protocol):
    """What a control endpoint reads of the server (:class:`.server.FakeServer`)."""

    @property
    def url(self) -> str: ...
