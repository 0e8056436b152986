"""Failure injection: which call fails, how, and in what order.

The fake answers a call in Stripe's order of processing, and each kind of
injected failure happens at its own stage:

1. **outage** (``stripe_outage``, scripted outages): before anything is read; a
   5xx answer, or a refused connection / read timeout raised by the transport;
2. the API key (401) and the API version (400);
3. the idempotency key: a replay answers here;
4. **rate limit** (``stripe_rate_limit``): 429 ``account_rate_limit_exceeded``;
5. validation of the body (400 ``invalid_fields``);
6. **error** (``stripe_error``, ``fail_next``, scripted codes): the answer to a
   valid request;
7. the connected account's state (``not_found``, ...), then success.

Every rule of a stage counts each call that reaches that stage. A rule with
``after=A, times=T`` fires on the calls numbered ``A+1`` to ``A+T`` (without
``times``: every call after the first ``A``). Where several rules of a stage
would fire on one call, the first in precedence order wins: programmatic rules
(newest first), then markers, closest scope first.

This module is plain Python: no pytest, no HTTP library.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

if TYPE_CHECKING:
    from datetime import datetime, timedelta

OutageKind = Literal[500, 502, 503, 504, "connection_refused", "read_timeout"]

#: The catalogue code of each outage answered with a status.
OUTAGE_CODES: dict[int, str] = {
    500: "internal_server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}
TRANSPORT_FAULTS = ("connection_refused", "read_timeout")


@dataclass
class Window:
    """Which of the calls reaching a stage a rule fires on."""

    after: int = 0
    times: int | None = None
    seen: int = 0

    def count(self) -> bool:
        """Count one more call; True when the rule fires on it."""
        self.seen += 1
        if self.seen <= self.after:
            return False
        return self.times is None or self.seen <= self.after + self.times


@dataclass
class ErrorRule:
    """Answer with a catalogue error (stage 5)."""

    code: str
    window: Window
    message: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    should_retry: bool | None = None
    source: str = ""


@dataclass
class OutageRule:
    """A server fault or a transport failure (stage 1)."""

    kind: OutageKind
    window: Window
    should_retry: bool | None = None
    source: str = ""


@dataclass
class RateLimitRule:
    """At most ``limit`` accepted calls per ``window`` of the fake's clock (stage 3)."""

    limit: int
    window: timedelta
    per: Literal["account", "total"] = "account"
    should_retry: bool | None = None
    source: str = ""
    accepted: dict[str | None, deque[datetime]] = field(default_factory=dict)

    def admits(self, account: str | None, now: datetime) -> bool:
        """Record the call at ``now``; False when it is over the limit."""
        key = account if self.per == "account" else None
        history = self.accepted.setdefault(key, deque())
        while history and history[0] <= now - self.window:
            history.popleft()
        if len(history) >= self.limit:
            return False
        history.append(now)
        return True


Scripted = str | int  # "ok", a catalogue code, or an outage kind


@dataclass
class Scenario:
    """The failure rules of one test, in precedence order within each stage."""

    errors: list[ErrorRule] = field(default_factory=list)
    outages: list[OutageRule] = field(default_factory=list)
    rate_limits: list[RateLimitRule] = field(default_factory=list)
    script: deque[Scripted] = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take_scripted(self) -> Scripted | None:
        """The next scripted outcome, consumed by the call that arrives now."""
        with self.lock:
            return self.script.popleft() if self.script else None

    def outage_for_call(self) -> OutageRule | None:
        with self.lock:
            return _first_firing(self.outages)

    def limited_by(self, account: str | None, now: datetime) -> RateLimitRule | None:
        with self.lock:
            refused = [rule for rule in self.rate_limits if not rule.admits(account, now)]
        return refused[0] if refused else None

    def error_for_call(self) -> ErrorRule | None:
        with self.lock:
            return _first_firing(self.errors)


class _Windowed(Protocol):
    window: Window


_Rule = TypeVar("_Rule", bound=_Windowed)


def _first_firing(rules: list[_Rule]) -> _Rule | None:
    # Every rule counts the call, whichever of them fires.
    firing = [rule for rule in rules if rule.window.count()]
    return firing[0] if firing else None
