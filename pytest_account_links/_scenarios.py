"""Failure injection: which call fails, how, and in what order.

Each kind of injected failure happens at its own step of the pipeline
(:data:`pytest_account_links._pipeline.STEPS`): an **outage** before anything is
read, a **rate limit** after the idempotency key, an **error** once the request
is valid. Every rule names the endpoints it applies to (``endpoint=``: one
name, several, or ``"*"`` for all) and counts only their calls.

A rule with ``after=A, times=T`` fires on the calls numbered ``A+1`` to ``A+T``
(without ``times``: every call after the first ``A``). Where several rules of a
step would fire on one call, the first in precedence order wins: programmatic
rules (newest first), then markers, closest scope first. Every rule counts the
call, whichever of them fires.

Plain Python: no pytest, no HTTP library. The scenario is changed and read
under the store's lock.
"""

from __future__ import annotations

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


def applies(endpoints: frozenset[str] | None, endpoint: str) -> bool:
    """True when a rule for ``endpoints`` counts calls to ``endpoint``."""
    return endpoints is None or endpoint in endpoints


@dataclass
class Window:
    """Which of the calls reaching a step a rule fires on."""

    after: int = 0
    times: int | None = None
    seen: int = 0

    def count(self) -> bool:
        """Count one more call; True when the rule fires on it."""
        self.seen += 1
        if self.seen <= self.after:
            return False
        return self.times is None or self.seen <= self.after + self.times

    @property
    def used_up(self) -> bool:
        """True once the rule fired as often as it was asked to (never, without ``times``)."""
        return self.times is not None and self.seen >= self.after + self.times


@dataclass
class ErrorRule:
    """Answer a valid request with a catalogue error."""

    code: str
    window: Window
    message: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    should_retry: bool | None = None
    source: str = ""
    endpoints: frozenset[str] | None = None


@dataclass
class OutageRule:
    """A server fault or a transport failure."""

    kind: OutageKind
    window: Window
    should_retry: bool | None = None
    source: str = ""
    endpoints: frozenset[str] | None = None


@dataclass
class RateLimitRule:
    """At most ``limit`` accepted calls per ``window`` of the fake's clock."""

    limit: int
    window: timedelta
    per: Literal["account", "total"] = "account"
    should_retry: bool | None = None
    source: str = ""
    endpoints: frozenset[str] | None = None
    accepted: dict[str | None, deque[datetime]] = field(default_factory=dict)
    refused: int = 0

    def admits(self, account: str | None, now: datetime) -> bool:
        """Record the call at ``now``; False when it is over the limit."""
        key = account if self.per == "account" else None
        history = self.accepted.setdefault(key, deque())
        while history and history[0] <= now - self.window:
            history.popleft()
        if len(history) >= self.limit:
            self.refused += 1
            return False
        history.append(now)
        return True


Scripted = str | int  # "ok", a catalogue code, or an outage kind


@dataclass
class ScriptEntry:
    """One scripted outcome, for the next call to one of ``endpoints``."""

    outcome: Scripted
    endpoints: frozenset[str] | None


@dataclass
class Scenario:
    """The failure rules of one test, in precedence order within each step."""

    errors: list[ErrorRule] = field(default_factory=list)
    outages: list[OutageRule] = field(default_factory=list)
    rate_limits: list[RateLimitRule] = field(default_factory=list)
    script: deque[ScriptEntry] = field(default_factory=deque)

    def take_scripted(self, endpoint: str) -> Scripted | None:
        """The next scripted outcome for ``endpoint``, consumed by the call that arrives now."""
        if not self.script:
            return None
        for entry in self.script:
            if applies(entry.endpoints, endpoint):
                self.script.remove(entry)
                return entry.outcome
        return None

    def outage_for_call(self, endpoint: str) -> OutageRule | None:
        return _first_firing([r for r in self.outages if applies(r.endpoints, endpoint)])

    def limited_by(self, endpoint: str, account: str | None, now: datetime) -> RateLimitRule | None:
        refused = [
            rule
            for rule in self.rate_limits
            if applies(rule.endpoints, endpoint) and not rule.admits(account, now)
        ]
        return refused[0] if refused else None

    def error_for_call(self, endpoint: str) -> ErrorRule | None:
        return _first_firing([r for r in self.errors if applies(r.endpoints, endpoint)])

    def clear(self) -> None:
        """Drop every rule and scripted outcome."""
        self.errors.clear()
        self.outages.clear()
        self.rate_limits.clear()
        self.script.clear()


class _Windowed(Protocol):
    window: Window


_Rule = TypeVar("_Rule", bound=_Windowed)


def _first_firing(rules: list[_Rule]) -> _Rule | None:
    # Every rule counts the call, whichever of them fires.
    firing = [rule for rule in rules if rule.window.count()]
    return firing[0] if firing else None
