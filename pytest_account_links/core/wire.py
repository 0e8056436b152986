"""HTTP requests and responses as the fake sees them, whatever library carried them.

Transport adapters translate their library's objects into these and back; the
fake knows nothing else. Headers arrive as each library puts them on the wire:
names lower-case, values ``str`` decoded from the wire bytes as latin-1 (so a
``bytes`` value and its ``str`` twin are the same request). Loaded with the
plugin: plain classes, standard library only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pytest_account_links.core.secrets import mask_authorization, redact, redact_bytes

#: The hosts of Stripe's APIs (``api``, ``files``, ``connect``, ``meter-events``, ...).
STRIPE_DOMAIN = "stripe.com"


def is_stripe_host(host: str | None) -> bool:
    """``stripe.com`` and every host below it, in any letter case, with or without a port."""
    if not host:
        return False
    host = host.lower()
    if ":" in host and not host.startswith("["):
        host = host.rsplit(":", 1)[0]
    host = host.rstrip(".")
    return host == STRIPE_DOMAIN or host.endswith("." + STRIPE_DOMAIN)


def url_host(url: str) -> str | None:
    """The host of an absolute URL (None when it has none)."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def url_endpoint(url: str) -> tuple[str, int] | None:
    """``(host, port)`` of an absolute URL, the port its scheme's default when it names
    none (None when it cannot be read)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return None
    return (parts.hostname or "", port)


def header_text(value: str | bytes | bytearray) -> str:
    """A header value as it goes on the wire, decoded as latin-1 (what HTTP/1.1 carries)."""
    if type(value) is str and value.isascii():  # nearly every value: as it is
        return value
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("latin-1")
    try:
        return value.encode("latin-1").decode("latin-1")
    except UnicodeEncodeError:  # not representable in latin-1: keep its UTF-8 bytes
        return value.encode("utf-8").decode("latin-1")


class WireRequest:
    """One HTTP request. ``headers`` keys are lower-case; ``body`` is the bytes sent.

    ``route`` is the faked endpoint the adapter found for it when it asked the router
    whether the fake serves it (``Router.serves``: an ``api.registry.Route``, which this
    layer does not know), so the request is routed once: the driver reads it instead of
    routing again. None: the driver routes it.
    """

    __slots__ = ("body", "headers", "method", "route", "url")

    def __init__(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes,
        route: Any = None,
    ) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.route = route

    def __repr__(self) -> str:
        # A traceback may show this object: never with a key in it.
        return f"<WireRequest {self.method} {redact(self.url)} ({len(self.body)} bytes)>"

    def masked_headers(self) -> dict[str, str]:
        """The headers as they may be shown: every key masked."""
        return {
            name: mask_authorization(value) if name == "authorization" else redact(value)
            for name, value in self.headers.items()
        }

    def masked_body(self) -> bytes:
        """The body as it may be shown: every key masked."""
        return redact_bytes(self.body)


class WireResponse:
    """One HTTP response, its body already encoded; header values are latin-1 text."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers if headers is not None else {}

    def __repr__(self) -> str:
        return f"<WireResponse {self.status} ({len(self.body)} bytes)>"

    def header_bytes(self) -> list[tuple[bytes, bytes]]:
        """The headers as the bytes a server would send."""
        return [
            (name.encode("latin-1"), header_text(value).encode("latin-1"))
            for name, value in self.headers.items()
        ]


class TransportFault(Exception):
    """A failure below HTTP: the adapter raises its library's own exception for it.

    ``kind`` is ``"connection_refused"`` or ``"read_timeout"``.
    """

    def __init__(self, kind: str, url: str) -> None:
        self.kind = kind
        self.url = redact(url)
        what = "connection refused" if kind == "connection_refused" else "read timed out"
        super().__init__(f"pytest-account-links: simulated outage, {what} ({self.url})")
