"""HTTP requests and responses as the fake sees them, whatever library carried them.

Transport adapters translate their library's objects into these and back; the
fake endpoint knows nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: The only route the fake answers.
ENDPOINT_HOST = "api.stripe.com"
ENDPOINT_PATH = "/v2/core/account_links"
ENDPOINT_URL = f"https://{ENDPOINT_HOST}{ENDPOINT_PATH}"


def is_stripe_host(host: str | None) -> bool:
    """``stripe.com`` and every host below it (api, connect, files, meter-events, ...)."""
    if not host:
        return False
    host = host.lower().rstrip(".")
    return host == "stripe.com" or host.endswith(".stripe.com")


@dataclass(frozen=True, slots=True)
class WireRequest:
    """One HTTP request. ``headers`` keys are lower-case."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def is_endpoint(self) -> bool:
        """True for ``POST https://api.stripe.com/v2/core/account_links``."""
        if self.method.upper() != "POST":
            return False
        if self.url == ENDPOINT_URL:  # what every client sends; skip parsing it
            return True
        parts = urlsplit(self.url)
        return (
            parts.scheme == "https"
            and (parts.hostname or "").lower() == ENDPOINT_HOST
            and parts.port in (None, 443)
            and parts.path == ENDPOINT_PATH
        )


@dataclass(slots=True)
class WireResponse:
    """One HTTP response, its body already encoded."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class TransportFault(Exception):
    """A failure below HTTP: the adapter raises its library's own exception for it.

    ``kind`` is ``"connection_refused"`` or ``"read_timeout"``.
    """

    def __init__(self, kind: str, url: str) -> None:
        self.kind = kind
        self.url = url
        what = "connection refused" if kind == "connection_refused" else "read timed out"
        super().__init__(f"pytest-account-links: simulated outage, {what} ({url})")
