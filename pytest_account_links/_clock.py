"""The fake's clock: ``created`` and ``expires_at`` come from it.

It reads real time by default; a test may freeze it or move it.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Clock:
    """Real UTC time, unless frozen; ``advance`` moves it either way."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen: datetime | None = None
        self._offset = timedelta()

    def now(self) -> datetime:
        """The current time of the fake, timezone-aware UTC."""
        with self._lock:
            base = self._frozen if self._frozen is not None else _utcnow()
            return base + self._offset

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stop the clock at ``at`` (naive values are read as UTC), or at the current time."""
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        with self._lock:
            self._frozen = (at if at is not None else _utcnow()).astimezone(timezone.utc)
            self._offset = timedelta()
            return self._frozen

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        """Move the clock forward: ``advance(minutes=11)`` or ``advance(timedelta(...))``."""
        step = (delta or timedelta()) + timedelta(**kwargs)
        if step < timedelta():
            raise ValueError(f"pytest-account-links: the clock only moves forward, not by {step}")
        with self._lock:
            self._offset += step
        return self.now()

    def unfreeze(self) -> None:
        """Back to real time."""
        with self._lock:
            self._frozen = None
            self._offset = timedelta()


def rfc3339(moment: datetime) -> str:
    """``2025-03-27T17:15:18.000Z``: UTC, milliseconds, as Stripe writes timestamps."""
    utc = moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    return utc.removesuffix("+00:00") + "Z"
