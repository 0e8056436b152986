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

from pytest_account_links._wire import is_stripe_host, url_host

if TYPE_CHECKING:
    from pytest_account_links._wire import WireRequest, WireResponse
    from pytest_account_links.errors import UnfakedRequestError

#: The marker of a test that means to talk to Stripe.
LIVE_MARKER = "stripe_live"


class Guard:
    """The router of tests that do not use the fake."""

    def __init__(self) -> None:
        #: The node IDs of the tests marked ``stripe_live`` (found at collection).
        self.live: set[str] = set()
        #: The requests refused during the current test.
        self.refused: list[UnfakedRequestError] = []
        #: Set when the current test's call failed (its report says why already).
        self.call_failed = False

    @staticmethod
    def current_test() -> str | None:
        """The node ID of the test running now (pytest keeps it in PYTEST_CURRENT_TEST)."""
        running = os.environ.get("PYTEST_CURRENT_TEST")
        return running.rsplit(" (", 1)[0] if running else None

    def serves(self, method: str, url: str) -> None:
        return None

    def dispatch(self, request: WireRequest) -> WireResponse:  # pragma: no cover
        raise AssertionError("the guard serves nothing")

    def check(self, method: str, url: str, library: str) -> None:
        """Refuse a request to a Stripe host, unless the test is marked live."""
        __tracebackhide__ = True
        if not is_stripe_host(url_host(url)):
            return
        test = self.current_test()
        if test in self.live:
            return
        from pytest_account_links.errors import UnfakedRequestError

        where = f"the test {test}" if test else "code outside any test"
        refused = UnfakedRequestError(
            method,
            url,
            why=(
                f"was sent to Stripe by {where}, which does not use the fake; nothing was "
                "sent. Request the account_links fixture (or use one of its markers, "
                "@pytest.mark.stripe_error, ...), or mark the test @pytest.mark.stripe_live "
                "if it means to talk to Stripe. (--account-links-guard=off turns this "
                "check off for a run.)"
            ),
        )
        self.refused.append(refused)
        raise refused

    def retry_sleep(self, seconds: float) -> float:
        return seconds


class Unguarded(Guard):
    """The router of a session with the guard turned off: it lets everything through.

    Pushed in place of the guard, so that an enclosing session's guard (a pytester
    run inside a test) does not decide for this one.
    """

    def check(self, method: str, url: str, library: str) -> None:
        return None
