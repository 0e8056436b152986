"""The fake's clock: ``created`` and ``expires_at`` come from it.

It reads real time by default; a test may freeze it or move it.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone


def rfc3339(moment: datetime) -> str:
    """``2025-03-27T17:15:18.000Z``: UTC, milliseconds, as Stripe writes v2 timestamps."""
    utc = moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")
    return utc.removesuffix("+00:00") + "Z"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Clock:
    """Real UTC time, unless frozen; ``advance`` moves it either way."""

    def __init__(self, lock: threading.RLock | None = None) -> None:
        self._lock = lock if lock is not None else threading.RLock()
        self._frozen: datetime | None = None
        self._offset = timedelta()

    def now(self) -> datetime:
        """The current time of the fake, timezone-aware UTC."""
        with self._lock:
            base = self._frozen if self._frozen is not None else _utcnow()
            return base + self._offset

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stop the clock at ``at`` (naive values are read as UTC), or at the current time."""
        if at is not None and not isinstance(at, datetime):
            raise TypeError(
                f"pytest-account-links: clock.freeze() takes a datetime or nothing, got {at!r}"
            )
        if at is not None and at.tzinfo is None:
            at = at.replace(tzinfo=timezone.utc)
        moment = (at if at is not None else _utcnow()).astimezone(timezone.utc)
        _check_range(moment)
        with self._lock:
            self._frozen = moment
            self._offset = timedelta()
            return self._frozen

    def advance(self, delta: timedelta | float | None = None, /, **units: float) -> datetime:
        """Move the clock forward by ``delta`` (a ``timedelta`` or seconds) and/or ``units``.

        ``advance(11)``, ``advance(timedelta(minutes=11))``, ``advance(minutes=11)``;
        at most 36500 days at a time, never backwards. Raises ``ValueError``
        (``TypeError`` for an argument that is no duration).
        """
        step = _step(delta, units)
        with self._lock:
            base = self._frozen if self._frozen is not None else _utcnow()
            _check_range(base + self._offset + step)
            self._offset += step
        return self.now()

    def unfreeze(self) -> None:
        """Back to real time."""
        with self._lock:
            self._frozen = None
            self._offset = timedelta()


#: The furthest the clock moves in one step, and the latest time it may show.
MAX_STEP = timedelta(days=36500)
_LATEST = datetime(9000, 1, 1, tzinfo=timezone.utc)


def _step(delta: timedelta | float | None, units: dict[str, float]) -> timedelta:
    if delta is not None and (
        isinstance(delta, bool) or not isinstance(delta, timedelta | int | float)
    ):
        raise TypeError(
            "pytest-account-links: clock.advance() takes a timedelta or a number of seconds, "
            f"got {delta!r}"
        )
    try:
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta or 0)
        step += timedelta(**units)
    except TypeError as problem:
        raise TypeError(f"pytest-account-links: clock.advance(): {problem}") from None
    except OverflowError:
        step = MAX_STEP * 2
    if step < timedelta():
        raise ValueError(f"pytest-account-links: the clock only moves forward, not by {step}")
    if step > MAX_STEP:
        raise ValueError(
            "pytest-account-links: clock.advance() moves the clock at most 36500 days at a time"
        )
    return step


def _check_range(moment: datetime) -> None:
    if moment >= _LATEST:
        raise ValueError(
            f"pytest-account-links: the fake's clock stops before {_LATEST:%Y-%m-%d}, got "
            f"{moment.isoformat()}"
        )
