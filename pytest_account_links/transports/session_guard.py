"""The guard: no request reaches Stripe from a test that does not use the fake.

Pushed under every test's router when the session starts (on by default; the
``guard`` setting turns it off), it answers nothing and refuses, at the guards
of :mod:`.transports`, every request to a Stripe host, naming the test and the
two ways out: use the fake, or mark the test ``@pytest.mark.stripe_live``. A
test that uses the fake routes through its own driver on top of the guard.

It costs a test that never touches Stripe nothing: the tests marked
``stripe_live`` are found at collection, and the test running is read from
pytest's ``PYTEST_CURRENT_TEST`` only when a Stripe request comes. Standard
library only: it is loaded with the plugin.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pytest_account_links.core.wire import is_stripe_host, url_host

if TYPE_CHECKING:
    from pytest_account_links.core.errors import UnfakedRequestError
    from pytest_account_links.core.wire import WireRequest, WireResponse

#: The marker of a test that means to talk to Stripe.
LIVE_MARKER = "stripe_live"


class Guard:
    """The router of tests that do not use the fake."""

    def __init__(self) -> None:
        #: The node IDs of the tests marked ``stripe_live`` (found at collection).
        self.live: set[str] = set()
        #: The node IDs of the tests that use the fake (found at collection): a request the
        #: guard sees in one of them came from a fixture set up before its fake started.
        self.faked: set[str] = set()
        #: The requests refused during the current test.
        self.refused: list[UnfakedRequestError] = []
        #: The phase of the test (``"setup"``, ``"teardown"``) the first of them was sent in.
        self.refused_in: str | None = None
        #: Set when the current test's call failed (its report says why already).
        self.call_failed = False

    @staticmethod
    def current() -> tuple[str | None, str | None]:
        """The node ID of the test running now and its phase (``"setup"``, ``"call"``, ...)."""
        running = os.environ.get("PYTEST_CURRENT_TEST")
        if not running:
            return None, None
        test, _, phase = running.rpartition(" (")
        return (test, phase.rstrip(")")) if test else (running, None)

    def serves(self, method: str, url: str) -> None:
        return None

    def dispatch(self, request: WireRequest) -> WireResponse:  # pragma: no cover
        raise AssertionError("the guard serves nothing")

    def check(self, method: str, url: str, library: str) -> None:
        """Refuse a request to a Stripe host, unless the test is marked live."""
        __tracebackhide__ = True
        if not is_stripe_host(url_host(url)):
            return
        test, phase = self.current()
        if test in self.live:
            return
        from pytest_account_links.core.errors import UnfakedRequestError

        refused = UnfakedRequestError(method, url, why=self.why(test, phase))
        if not self.refused:
            self.refused_in = phase
        self.refused.append(refused)
        raise refused

    def why(self, test: str | None, phase: str | None) -> str:
        """Why a request to Stripe was refused, and the way out, for where it was sent from."""
        if test is not None and test in self.faked:
            return f"was sent to Stripe by {test}, {outside_the_fake(phase)}"
        where = f"the test {test}" if test else "code outside any test"
        return (
            f"was sent to Stripe by {where}, which does not use the fake; nothing was "
            "sent. Request the account_links fixture (or use one of its markers, "
            "@pytest.mark.stripe_error, ...), or mark the test @pytest.mark.stripe_live "
            "if it means to talk to Stripe. (--account-links-guard=off turns this "
            "check off for a run.)"
        )

    def retry_sleep(self, seconds: float) -> float:
        return seconds


def outside_the_fake(phase: str | None) -> str:
    """What sent a request outside a test's fake, while the test ran ``phase``, and the fix."""
    if phase == "teardown":
        when = (
            "after its account_links fake stopped: a fixture torn down after the fake "
            "made it (a session-, package-, module- or class-scoped fixture always is)"
        )
    else:
        when = (
            "before its account_links fake started: a fixture set up ahead of the fake "
            "made it (a session-, package-, module- or class-scoped fixture always is; so is "
            "a function-scoped one that does not request account_links)"
        )
    return (
        f"{when}; nothing was sent. Make that fixture function-scoped and have it request "
        "account_links (or account_links_server), so the test's fake answers its calls, or "
        "mark the test @pytest.mark.stripe_live if it means to talk to Stripe."
    )


class Unguarded(Guard):
    """The router of a session with the guard turned off: it lets everything through.

    Pushed in place of the guard, so that an enclosing session's guard (a pytester
    run inside a test) does not decide for this one.
    """

    def check(self, method: str, url: str, library: str) -> None:
        return None
