"""Idempotency keys: the answers a test's keys were given, scoped as Stripe scopes them.

A key belongs to one API mode: a test-mode key and a live-mode key never share
idempotency keys (the fake's choice where Stripe's docs are silent; they are
kept per secret key's mode, not per secret key, as a platform's keys share one
account).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_account_links.core.secrets import ApiKey
    from pytest_account_links.core.wire import WireResponse


@dataclass
class Saved:
    """The first successful answer to an idempotency key."""

    endpoint: str
    body: Any
    response: WireResponse
    request_id: str
    #: The path the key was first used at (``/v2/core/accounts``), for Stripe's message
    #: when it is used at another.
    url_path: str = ""


class IdempotencyKeys:
    """Idempotency keys seen in this test and the answers they were given."""

    def __init__(self) -> None:
        self._saved: dict[tuple[bool, str], Saved] = {}

    def lookup(self, api_key: ApiKey | None, key: str) -> Saved | None:
        """The answer ``key`` was first given in ``api_key``'s mode, or None."""
        livemode = api_key.livemode if api_key is not None else False
        return self._saved.get((livemode, key))

    def save(
        self,
        api_key: ApiKey,
        key: str,
        endpoint: str,
        body: Any,
        response: WireResponse,
        request_id: str,
        url_path: str = "",
    ) -> None:
        """Keep the first successful answer to ``key`` (a later one never replaces it)."""
        self._saved.setdefault(
            (api_key.livemode, key),
            Saved(
                endpoint=endpoint,
                body=body,
                response=response,
                request_id=request_id,
                url_path=url_path,
            ),
        )
