"""Failure injection: which call fails, how, and in what order.

Each kind of injected failure happens at its own step of the pipeline
(:data:`pytest_account_links.api.pipeline.STEPS`): an **outage** before anything is
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
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

if TYPE_CHECKING:
    from datetime import datetime

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


@dataclass
class _Rule:
    """What every injected failure has: where it came from, and how often it answered."""

    #: What declared it, for messages: ``@pytest.mark.stripe_error('not_found')``, ...
    shown: str = ""
    #: How many calls it answered (a rule that fires behind a closer one does not count).
    used: int = 0

    def expected(self) -> int:
        """How many calls it asked to answer: ``times``, or at least one."""
        return 1

    def unused(self) -> str | None:
        """Why the rule counts as unused at the end of the test, or None."""
        wanted = self.expected()
        if self.used >= wanted:
            return None
        return f"{self.shown}: used {self.used} of {wanted} time{'s' if wanted != 1 else ''}"


@dataclass
class ErrorRule(_Rule):
    """Answer a valid request with a catalogue error."""

    code: str = ""
    window: Window = field(default_factory=Window)
    message: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    should_retry: bool | None = None
    source: str = ""
    endpoints: frozenset[str] | None = None

    def expected(self) -> int:
        return self.window.times or 1


@dataclass
class OutageRule(_Rule):
    """A server fault or a transport failure."""

    kind: OutageKind = 503
    window: Window = field(default_factory=Window)
    should_retry: bool | None = None
    source: str = ""
    endpoints: frozenset[str] | None = None

    def expected(self) -> int:
        return self.window.times or 1


@dataclass
class RateLimitRule(_Rule):
    """At most ``limit`` accepted calls per ``window`` of the fake's clock."""

    limit: int = 1
    window: timedelta = timedelta(seconds=1)
    per: Literal["account", "total"] = "account"
    should_retry: bool | None = None
    source: str = ""
    endpoints: frozenset[str] | None = None
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
class ScriptEntry:
    """One scripted outcome, for the next call to one of ``endpoints``."""

    outcome: Scripted
    endpoints: frozenset[str] | None


@dataclass
class StubbedResponse(_Rule):
    """An answer given as is (``add_response``, ``stripe_response``), ``times`` times."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = 1
    endpoints: frozenset[str] | None = None
    source: str = ""

    def expected(self) -> int:
        return self.times or 1

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.used >= self.times


@dataclass
class Scenario:
    """The failure rules of one test, in precedence order within each step."""

    errors: list[ErrorRule] = field(default_factory=list)
    outages: list[OutageRule] = field(default_factory=list)
    rate_limits: list[RateLimitRule] = field(default_factory=list)
    responses: list[StubbedResponse] = field(default_factory=list)
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
        if not self.outages:
            return None
        return _first_firing([r for r in self.outages if applies(r.endpoints, endpoint)])

    def limited_by(self, endpoint: str, account: str | None, now: datetime) -> RateLimitRule | None:
        refused = [
            rule
            for rule in self.rate_limits
            if applies(rule.endpoints, endpoint) and not rule.admits(account, now)
        ]
        if not refused:
            return None
        refused[0].used += 1
        return refused[0]

    def stubbed_for(self, endpoint: str) -> StubbedResponse | None:
        """The next stubbed answer for ``endpoint``, used by the call that arrives now."""
        if not self.responses:
            return None
        for stub in self.responses:
            if applies(stub.endpoints, endpoint) and not stub.exhausted:
                stub.used += 1
                return stub
        return None

    def unused(self) -> list[str]:
        """Each failure or answer the test asked for that was not used as often as asked."""
        rules: list[_Rule] = [*self.errors, *self.outages, *self.rate_limits, *self.responses]
        found = [problem for rule in rules if (problem := rule.unused()) is not None]
        found.extend(f"script: {entry.outcome!r} was never used" for entry in self.script)
        return found

    def error_for_call(self, endpoint: str) -> ErrorRule | None:
        if not self.errors:
            return None
        return _first_firing([r for r in self.errors if applies(r.endpoints, endpoint)])

    def clear(self) -> None:
        """Drop every rule, stubbed answer and scripted outcome."""
        self.errors.clear()
        self.outages.clear()
        self.rate_limits.clear()
        self.responses.clear()
        self.script.clear()


class _Windowed(Protocol):
    window: Window


_Firing = TypeVar("_Firing", bound=_Windowed)


def _first_firing(rules: list[_Firing]) -> _Firing | None:
    # Every rule counts the call, whichever of them fires; the first may answer it (the
    # pipeline marks it used when it does).
    firing = [rule for rule in rules if rule.window.count()]
    return firing[0] if firing else None
