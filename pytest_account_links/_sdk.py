"""Cooperation with the official ``stripe`` SDK: its retry back-off sleeps.

With ``max_network_retries=N`` the SDK sleeps ``min(0.5 * 2**(n-1), 5)`` seconds
(times a jitter, at least 0.5 s) before retry ``n``. While the fake is active it
records each sleep the SDK asked for and sleeps 0 s instead, so a test of three
retries takes milliseconds, not seconds. ``--account-links-real-retry-sleeps``
(or the ini key of the same name) keeps the real sleeps.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pytest_account_links.transports import installed

if TYPE_CHECKING:
    from collections.abc import Callable


class RetrySleeps:
    """Replaces ``HTTPClient._sleep_time_seconds`` for one test; restores it on :meth:`stop`."""

    def __init__(self, record: Callable[[float], None]) -> None:
        self._record = record
        self._client: Any = None
        self._previous: Any = None

    def start(self) -> None:
        if not installed("stripe"):
            return
        client = importlib.import_module("stripe._http_client").HTTPClient
        previous = client.__dict__["_sleep_time_seconds"]
        record = self._record

        def _sleep_time_seconds(self: Any, num_retries: int, *args: Any, **kwargs: Any) -> float:
            record(previous(self, num_retries, *args, **kwargs))
            return 0.0

        self._client, self._previous = client, previous
        client._sleep_time_seconds = _sleep_time_seconds

    def stop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client._sleep_time_seconds = self._previous
            self._previous = None
