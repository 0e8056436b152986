"""Everything the fake remembers within one test, behind one lock.

The pipeline reads and changes it under :attr:`Store.lock` (re-entrant: the
plugin's hooks, called under it, may read the fake from the same thread); the
fake's methods take the same lock. Nothing here outlives the test: the fixture
builds a new store for each run of each test.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pytest_account_links.core.calls import CallLog
from pytest_account_links.core.clock import Clock
from pytest_account_links.core.extensions import NoExtensions
from pytest_account_links.core.ids import Ids
from pytest_account_links.core.settings import Settings
from pytest_account_links.domain.accounts import Accounts
from pytest_account_links.domain.idempotency import IdempotencyKeys
from pytest_account_links.domain.scenarios import Scenario

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from datetime import timedelta

    from faker import Faker

    from pytest_account_links.core.errors import UnfakedRequestError
    from pytest_account_links.core.extensions import Extensions
    from pytest_account_links.core.secrets import OnlyKey
    from pytest_account_links.domain.accounts import ConnectedAccount
    from pytest_account_links.domain.events import DeliveredEvent
    from pytest_account_links.domain.links import AccountSession, Link, Visit
    from pytest_account_links.domain.tokens import Token


@dataclass
class Override:
    """Fields to set on (or a function to rewrite) the next ``times`` successful answers."""

    endpoints: frozenset[str] | None
    fields: dict[str, Any]
    function: Callable[[dict[str, Any]], dict[str, Any] | None] | None
    times: int | None

    def apply(
        self, body: dict[str, Any], timestamp: Callable[[datetime], Any] | None = None
    ) -> dict[str, Any]:
        """``body`` with the fields set (a ``datetime`` written as the endpoint's API writes
        times, by ``timestamp``), then through the function."""
        fields = {
            name: timestamp(value)
            if timestamp is not None and isinstance(value, datetime)
            else value
            for name, value in self.fields.items()
        }
        body = {**body, **fields}
        if self.function is not None:
            body = self.function(dict(body)) or body
        return body


class Store:
    """One test's state: fabrication, time, settings, accounts, links, events, calls."""

    def __init__(
        self,
        *,
        seed: int,
        faker: Callable[..., Faker],
        account_faker: Callable[..., Faker] | None = None,
        settings: Settings | None = None,
        extensions: Extensions | None = None,
    ) -> None:
        settings = settings or Settings()
        #: The one lock of the test's state.
        self.lock = threading.RLock()
        self.seed = seed
        self._faker_source = faker
        self._faker: Faker | None = None
        self.ids = Ids(seed)
        self.settings = settings
        self.extensions: Extensions = extensions or NoExtensions()
        self.clock = Clock(self.lock)
        self.link_lifetime: timedelta = settings.link_lifetime
        #: Where links send the account holder: Stripe's hosted onboarding, or the served
        #: fake's own hosted page.
        self.hosted_base = "https://accounts.stripe.com"
        #: Where v1 links send the account holder (``https://connect.stripe.com/setup/...``).
        self.connect_base = "https://connect.stripe.com"
        #: The served fake's event destinations, each ``(host, port)``: its deliveries
        #: are the fake's own, never blocked by ``other_hosts="block"``.
        self.webhook_endpoints: frozenset[tuple[str, int]] = frozenset()
        #: The one key the fake takes (``serve --api-key``); None: any well-formed key.
        self.only_key: OnlyKey | None = None
        #: Added to the message of a refused unknown account (the standalone server's
        #: pointer to ``--any-account-exists``); None: Stripe's message alone.
        self.unknown_account_hint: str | None = None
        self.default_api_version: str = settings.api_version
        self.extra_api_versions: tuple[str, ...] = settings.extra_api_versions
        self.calls = CallLog(self.lock)
        self.unfaked: list[UnfakedRequestError] = []
        self.retry_sleeps: list[float] = []
        self.scenario = Scenario()
        self.accounts = Accounts(
            account_faker or faker, self.ids, self.extensions, seed=seed, clock=self.clock
        )
        self.accounts.changed = self._account_changed
        self.idempotency = IdempotencyKeys()
        #: The links created in this test, by their token.
        self.links: dict[str, Link] = {}
        #: The Account Sessions created in this test, oldest first.
        self.sessions: list[AccountSession] = []
        #: The account and person tokens created in this test, by their ID.
        self.tokens: dict[str, Token] = {}
        self.events: list[DeliveredEvent] = []
        #: How many of :attr:`events` ``deliver_events()`` handed to the test's handler.
        self.delivered = 0
        #: The request whose answer is being made (its ID and idempotency key), for the
        #: ``reason`` of the events it causes.
        self._cause: tuple[str, str | None] | None = None
        #: While a request (or a visit) is answered: the v1-speaking accounts it changed,
        #: announced once, when it is done (one ``account.updated`` each).
        self._changed_v1: dict[str, ConnectedAccount] | None = None
        self.visits: list[Visit] = []
        self.overrides: list[Override] = []

    @property
    def known_accounts_only(self) -> bool:
        """True when an account the test did not declare is ``not_found``: once the test
        declared one, or with the setting ``unknown_accounts = "not_found"``; never with
        ``unknown_accounts = "exist"`` (stripe-mock's way: every well-formed ID exists)."""
        policy = self.settings.unknown_accounts
        return policy == "not_found" or (policy == "accept" and self.accounts.declared)

    @property
    def faker(self) -> Faker:
        """The session's Faker, seeded for this test when first asked for (built lazily)."""
        if self._faker is None:
            self._faker = self._faker_source()
            self._faker.seed_instance(self.seed)
        return self._faker

    @property
    def webhook_secret(self) -> str:
        """The signing secret of the fake's event destination (``whsec_...``), seeded."""
        digest = hashlib.blake2b(f"whsec\0{self.seed}".encode(), digest_size=24).hexdigest()
        return f"whsec_{digest}"

    def destination_secret(self, name: str) -> str:
        """The signing secret of the served fake's event destination ``name`` (``whsec_...``),
        seeded: another destination than the one of :attr:`webhook_secret`."""
        digest = hashlib.blake2b(f"whsec\0{self.seed}\0{name}".encode(), digest_size=24)
        return f"whsec_{digest.hexdigest()}"

    def event(self, event_id: str) -> DeliveredEvent | None:
        """The event ``event_id`` this test's fake delivered, or None."""
        for event in self.events:
            if event.id == event_id:
                return event
        return None

    @property
    def cause(self) -> tuple[str, str | None] | None:
        """The request whose answer is being made (its ID and idempotency key), or None."""
        return self._cause

    def begin_change(self, request_id: str | None, idempotency_key: str | None) -> bool:
        """Start one change (a request answered, a visit): events emitted until
        :meth:`end_change` are caused by this request (their ``reason``), and each
        v1-speaking account it touches delivers one ``account.updated`` at the end (API
        v1 events are snapshots of the account). False when one had begun already (this
        one is then part of it). Plain calls, not a context manager: every request goes
        through here."""
        if self._changed_v1 is not None:
            return False
        self._cause = (request_id, idempotency_key) if request_id is not None else None
        self._changed_v1 = {}
        return True

    def end_change(self, began: bool) -> None:
        """End what :meth:`begin_change` began (``began``: what it answered)."""
        if not began:
            return
        changed, self._changed_v1 = self._changed_v1, None
        try:
            if changed:  # announced while the request is still the cause
                from pytest_account_links.domain import v1_state

                for account in changed.values():
                    v1_state.announce(self, account)
        finally:
            self._cause = None

    @contextlib.contextmanager
    def one_change(self) -> Iterator[None]:
        """:meth:`begin_change` and :meth:`end_change` around a block (a visit)."""
        began = self.begin_change(None, None)
        try:
            yield
        finally:
            self.end_change(began)

    def emit(
        self,
        type: str,
        account_id: str | None,
        *,
        livemode: bool = False,
        data: dict[str, Any] | None = None,
        related: dict[str, Any] | None = None,
    ) -> DeliveredEvent:
        """Deliver the event ``type`` about account ``account_id`` (added to :attr:`events`;
        ``related``: the object it is about, when not the account)."""
        from pytest_account_links.domain.events import account_event, reason_of

        event = account_event(
            type,
            event_id=("evt_" if livemode else "evt_test_") + self.ids.token(24),
            account_id=account_id,
            now=self.clock.now(),
            livemode=livemode,
            secret=self.webhook_secret,
            data=data,
            reason=reason_of(*self._cause) if self._cause is not None else None,
            related=related,
        )
        self.events.append(event)
        return event

    def _account_changed(
        self, type: str, account: ConnectedAccount, data: dict[str, Any] | None
    ) -> None:
        from pytest_account_links.domain import v1_state

        if v1_state.speaks_v1(account.state):  # a v1 request named it: v1 events
            if self._changed_v1 is not None:
                self._changed_v1[account.id] = account
            else:
                v1_state.announce(self, account)
            return
        self.emit(type, account.id, livemode=bool(account.state.get("livemode")), data=data)

    def take_override(
        self, endpoint: str, body: dict[str, Any], timestamp: Callable[[datetime], Any]
    ) -> dict[str, Any]:
        """``body`` through the oldest override for ``endpoint``, which is used up by it
        (``timestamp``: how the endpoint's generation writes a time)."""
        for override in self.overrides:
            if override.endpoints is None or endpoint in override.endpoints:
                body = override.apply(body, timestamp)
                if override.times is not None:
                    override.times -= 1
                    if override.times == 0:
                        self.overrides.remove(override)
                return body
        return body
