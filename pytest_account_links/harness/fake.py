"""The object the ``account_links`` fixture gives a test, and the per-session factory.

:class:`AccountLinksFake` holds only what a test uses: what the fake saw (calls),
its state (accounts, links, events, the clock), and the methods that change
what it answers (failures, overrides, visits). Routing requests is the
driver's job (:mod:`._driver`), answering them the pipeline's
(:mod:`._pipeline`), and the test's state is the store's (:mod:`._store`).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, final

from pytest_account_links.core.errors import CATALOGUE
from pytest_account_links.core.hints import did_you_mean
from pytest_account_links.core.settings import Settings
from pytest_account_links.domain.scenarios import OUTAGE_CODES, TRANSPORT_FAULTS, ScriptEntry
from pytest_account_links.domain.store import Override, Store
from pytest_account_links.domain.visit import visit
from pytest_account_links.harness.markers import DEFAULT_ENDPOINT, LINK_CREATIONS
from pytest_account_links.transports.driver import Driver

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import timedelta

    from faker import Faker

    from pytest_account_links.core.calls import CallList
    from pytest_account_links.core.clock import Clock
    from pytest_account_links.core.errors import UnfakedRequestError
    from pytest_account_links.core.extensions import Extensions
    from pytest_account_links.domain.accounts import Accounts
    from pytest_account_links.domain.events import DeliveredEvent
    from pytest_account_links.domain.links import AccountSession, Link, Visit
    from pytest_account_links.domain.scenarios import Scripted
    from pytest_account_links.domain.tokens import Token

#: Endpoint names as the methods take them: one, several, or ``"*"`` for every one.
EndpointSelector = str | list[str] | tuple[str, ...]


@final
class AccountLinksFake:
    """Stripe's Connect onboarding endpoints, answered offline for one test.

    Returned by the ``account_links`` fixture. While the test runs, requests to
    the faked endpoints (``POST /v2/core/account_links``, ...) are validated and
    answered here; every other request to a Stripe host is refused with
    :class:`~pytest_account_links.UnfakedRequestError`.
    """

    def __init__(self, store: Store, driver: Driver | None = None) -> None:
        self._store = store
        self._driver = driver if driver is not None else Driver(store)
        #: The settings this test runs under (session options and its markers).
        self.settings = store.settings
        #: The run's seed (``--account-links-seed``, 0 by default), as the report shows it.
        self.seed = store.settings.seed
        #: The seed this test's fabricated values derive from (the run's seed and the
        #: test's node ID).
        self.test_seed = store.seed
        #: The fake's clock: ``created`` and ``expires_at`` read it.
        self.clock: Clock = store.clock
        #: The Account Link creations of both APIs (``POST /v2/core/account_links`` and
        #: ``POST /v1/account_links``), in order.
        self.calls: CallList = store.calls.view(LINK_CREATIONS)
        #: Every exchange with the fake, whatever the endpoint, in order.
        self.all_calls: CallList = store.calls.view()
        #: Requests to Stripe URLs that are not faked; each fails the test at teardown.
        self.unfaked: list[UnfakedRequestError] = store.unfaked
        #: The back-off sleeps (seconds) the stripe SDK asked for between retries: skipped,
        #: the fake's clock moved on by each instead.
        self.retry_sleeps: list[float] = store.retry_sleeps
        #: The platform's connected accounts; declare some to make the fake answer from them.
        self.accounts: Accounts = store.accounts
        #: The events the fake delivered (completed links), as Stripe would deliver them.
        self.events: list[DeliveredEvent] = store.events
        #: Every visit to a link, in order.
        self.visits: list[Visit] = store.visits

    def __repr__(self) -> str:
        return f"<AccountLinksFake seed={self.seed} calls={len(self.all_calls)}>"

    def calls_to(self, endpoint: str) -> CallList:
        """The calls to one endpoint (``"v2.core.accounts.retrieve"``, ...), in order, with
        the same assertions as :attr:`calls`. Raises ``ValueError`` for an endpoint the
        fake does not have."""
        from pytest_account_links.api.registry import BY_NAME

        if endpoint not in BY_NAME:
            raise ValueError(
                f"pytest-account-links: calls_to({endpoint!r}): no such endpoint"
                f"{did_you_mean(endpoint, BY_NAME)}; the fake has {', '.join(BY_NAME)}"
            )
        return self._store.calls.view(endpoint)

    @property
    def faker(self) -> Faker:
        """The Faker instance the fake fabricates with (seeded for this test)."""
        return self._store.faker

    @property
    def webhook_secret(self) -> str:
        """The signing secret of the fake's event destination (``whsec_...``), seeded."""
        return self._store.webhook_secret

    @property
    def call_count(self) -> int:
        """How many Account Link creations reached the fake (v2 and v1), as ``len(calls)``."""
        return len(self.calls)

    @property
    def link_lifetime(self) -> timedelta:
        """How long a v2 link lives: ``expires_at - created`` (10 minutes unless changed;
        a v1 link lives 300 seconds, as every real one does)."""
        return self._store.link_lifetime

    @link_lifetime.setter
    def link_lifetime(self, value: timedelta | float) -> None:
        from pytest_account_links.core.settings import _lifetime

        try:
            self._store.link_lifetime = _lifetime(value)
        except ValueError as problem:
            raise ValueError(f"pytest-account-links: link_lifetime {problem}") from None

    @property
    def default_api_version(self) -> str:
        """The version a request without a ``Stripe-Version`` header is answered under."""
        return self._store.default_api_version

    @default_api_version.setter
    def default_api_version(self, value: str) -> None:
        from pytest_account_links.core.versions import parse_version

        store = self._store
        store.default_api_version = parse_version(value, store.extra_api_versions).raw

    # -- what the fake answers ------------------------------------------------------

    def override_next(
        self,
        function: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
        /,
        *,
        times: int | None = 1,
        endpoint: EndpointSelector = DEFAULT_ENDPOINT,
        **fields: Any,
    ) -> None:
        """Set fields of the next ``times`` successful answers (every one with ``times=None``).

        ``override_next(url="https://...")``, ``override_next(expires_at=datetime(...))``,
        or ``override_next(function)`` where ``function(body)`` returns the body to
        answer with (or None to keep it). Requests are still validated; only a
        valid one's answer is changed. Overrides queue up, oldest first. Raises
        ``ValueError`` for a field the endpoint's answer does not have.
        """
        shown = "account_links.override_next()"
        endpoints = _endpoints(endpoint, shown)
        _check_override(shown, endpoints, function, times, fields)
        with self._store.lock:  # a datetime is written as each endpoint's API writes times
            self._store.overrides.append(Override(endpoints, dict(fields), function, times))

    def fail_next(
        self,
        code: str,
        *,
        times: int = 1,
        after: int = 0,
        message: str | None = None,
        user_message: str | None = None,
        applied_configurations: list[str] | None = None,
        should_retry: bool | None = None,
        endpoint: EndpointSelector = DEFAULT_ENDPOINT,
    ) -> None:
        """Answer the next ``times`` valid requests (after ``after`` more) with error ``code``.

        Takes precedence over the markers and over earlier programmatic rules.
        Raises ``MarkerError`` (a ``ValueError``) for an argument it cannot use.
        """
        from pytest_account_links.harness.marker_options import parse

        options = parse(
            "stripe_error",
            (code,),
            {
                "times": times,
                "after": after,
                "message": message,
                "user_message": user_message,
                "applied_configurations": applied_configurations,
                "should_retry": should_retry,
                "endpoint": _listed(endpoint),
            },
            shown="account_links.fail_next()",
        )
        options.apply(self._store, "fail_next", first=True)

    def outage(
        self,
        kind: int | str = 503,
        *,
        times: int | None = None,
        after: int = 0,
        should_retry: bool | None = None,
        endpoint: EndpointSelector = DEFAULT_ENDPOINT,
    ) -> None:
        """From the next call on (after ``after``), fail ``times`` calls (all, by default).

        ``kind`` is 500, 502, 503, 504 (answered with that status), or
        ``"connection_refused"`` / ``"read_timeout"`` (raised by the HTTP library).
        Raises ``MarkerError`` (a ``ValueError``) for an argument it cannot use.
        """
        from pytest_account_links.harness.marker_options import parse

        options = parse(
            "stripe_outage",
            (kind,),
            {
                "times": times,
                "after": after,
                "should_retry": should_retry,
                "endpoint": _listed(endpoint),
            },
            shown="account_links.outage()",
        )
        options.apply(self._store, "outage", first=True)

    def rate_limit(
        self,
        limit: int,
        *,
        window: float | timedelta = 1.0,
        per: str = "account",
        should_retry: bool | None = None,
        endpoint: EndpointSelector = DEFAULT_ENDPOINT,
    ) -> None:
        """Answer 429 past ``limit`` calls within ``window`` seconds of the fake's clock.

        Raises ``MarkerError`` (a ``ValueError``) for an argument it cannot use.
        """
        from pytest_account_links.harness.marker_options import parse

        options = parse(
            "stripe_rate_limit",
            (limit,),
            {
                "window": window,
                "per": per,
                "should_retry": should_retry,
                "endpoint": _listed(endpoint),
            },
            shown="account_links.rate_limit()",
        )
        options.apply(self._store, "rate_limit", first=True)

    def script(self, *outcomes: Scripted, endpoint: EndpointSelector = DEFAULT_ENDPOINT) -> None:
        """The outcomes of the next calls, one each: ``"ok"``, an error code, or an outage kind.

        ``"ok"`` answers normally, an error code answers a valid request with that
        error, an outage kind (``503``, ``"read_timeout"``, ...) fails the call
        before it is read. Scripted outcomes take precedence over every rule; once
        they are used up, the rules apply again. Raises ``MarkerError`` (a
        ``ValueError``) for an outcome it does not know.
        """
        from pytest_account_links.harness.marker_options import MarkerError

        shown = "account_links.script()"
        endpoints = _endpoints(endpoint, shown)
        accepted: list[Scripted] = ["ok", *CATALOGUE, *OUTAGE_CODES, *TRANSPORT_FAULTS]
        for number, outcome in enumerate(outcomes, 1):
            if isinstance(outcome, bool) or outcome not in accepted:
                raise MarkerError(
                    f"pytest-account-links: {shown}: outcome {number} is {outcome!r}"
                    f"{did_you_mean(str(outcome), map(str, accepted))}; accepted: "
                    + ", ".join(map(repr, accepted))
                )
        with self._store.lock:
            self._store.scenario.script.extend(
                ScriptEntry(outcome, endpoints) for outcome in outcomes
            )

    def add_response(
        self,
        status_code: int = 200,
        *,
        json: Any = None,
        text: str | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        times: int | None = 1,
        endpoint: EndpointSelector = DEFAULT_ENDPOINT,
    ) -> None:
        """Answer the next ``times`` calls to ``endpoint`` exactly as given (every one with
        ``times=None``), as ``responses.add()`` or ``httpx_mock.add_response()`` do.

        The key is still checked; the version, the body and the test's state are
        not. The answer is recorded like any other; one that was never used fails
        the test (see ``assert_all_used``). Raises ``MarkerError`` (a ``ValueError``)
        for an argument it cannot use.
        """
        from pytest_account_links.harness.marker_options import parse

        options = parse(
            "stripe_response",
            (status_code,),
            {
                "json": json,
                "text": text,
                "content": content,
                "headers": headers,
                "times": times,
                "endpoint": _listed(endpoint),
            },
            shown="account_links.add_response()",
        )
        options.apply(self._store, "add_response")

    def clear_failures(self) -> None:
        """Drop every injected failure and stubbed answer: markers', programmatic, scripted."""
        with self._store.lock:
            self._store.scenario.clear()

    # -- the link's life ------------------------------------------------------------

    @property
    def links(self) -> list[Link]:
        """The links created in this test, oldest first."""
        with self._store.lock:
            return list(self._store.links.values())

    def visit(
        self,
        link: Any,
        *,
        outcome: str = "completed",
        abandon: bool = False,
        changes: dict[str, Any] | None = None,
    ) -> str | None:
        """Open an Account Link as the account holder would; return where Stripe sends them.

        ``link`` is the SDK's ``AccountLink`` (or the answered dict), or its URL. A
        link that is valid, unexpired (on the fake's clock) and unused is used up,
        and ``outcome`` says what the holder did on the hosted page:

        - ``"completed"`` (the default): the browser goes to ``return_url`` (None
          when the link has none). An ``account_onboarding`` link's account gets
          everything it still needs (Faker-made, in its country's locale): its
          requirements are met and its capabilities ``active``. An
          ``account_update`` link changes only ``changes``: a dict shaped as the
          body of ``v2.core.accounts.update`` (for a v1 link, of
          ``v1.accounts.update``), validated as it is, applied to the account for
          either use case. The events of what changed are delivered, then (for a
          v2 link) ``v2.core.account_link.returned``.
        - ``"abandoned"``: back to ``return_url`` without finishing; nothing changes.
        - ``"closed"``: the tab was closed (``abandon=True`` says the same): no
          redirect, nothing changes.

        A link that expired or was used already sends the browser to
        ``refresh_url``, and so does an unknown token for an account that has
        links. Each visit is recorded in :attr:`visits`. Raises ``ValueError`` for
        a URL that is not an Account Link's, an unknown outcome or ``changes``
        Stripe would refuse; ``TypeError`` for something that is no link at all.
        """
        __tracebackhide__ = True
        if changes is not None:
            from pytest_account_links.domain.visit import link_url, v1_link

            if abandon or outcome != "completed":
                raise ValueError(
                    "pytest-account-links: visit(changes=...) says what a completed visit "
                    f"changed; this visit's outcome is {'closed' if abandon else outcome!r}, "
                    "which changes nothing"
                )
            changes = _checked_changes(changes, v1=v1_link(link_url(link)))
        return visit(self._store, link, outcome="closed" if abandon else outcome, changes=changes)

    @property
    def tokens(self) -> dict[str, Token]:
        """The account and person tokens created in this test, by their ID: each with what
        applying it sends (``fields``), its ``expires_at``, whether it was ``used``."""
        with self._store.lock:
            return dict(self._store.tokens)

    @property
    def sessions(self) -> list[AccountSession]:
        """The Account Sessions created in this test (``v1.account_sessions.create``),
        oldest first: each with its ``client_secret``, the component that ``loaded`` it
        and the ``outcome`` of its controls."""
        with self._store.lock:
            return list(self._store.sessions)

    def complete_session(
        self,
        session: Any,
        *,
        outcome: str = "completed",
        component: str = "account_onboarding",
    ) -> AccountSession:
        """Do in the embedded onboarding component what the account holder would, for a
        test without a browser: load it with the session's client secret (which uses the
        secret up), then use its control.

        ``session`` is the SDK's ``AccountSession`` (or the answered dict), or its
        ``client_secret``. ``outcome="completed"`` fills in everything the account still
        owes, as a completed hosted link does (its requirements are met, its capabilities
        ``active``, the events delivered); ``"exited"`` leaves without finishing (the
        page's ``setOnExit`` fires either way; nothing changes). Raises ``ValueError``
        for a secret no session of this test has, one used or expired already, a
        session that does not enable ``component``, or an unknown outcome.
        """
        __tracebackhide__ = True
        from pytest_account_links.domain.sessions import complete

        secret = (
            session.get("client_secret")
            if isinstance(session, dict)
            else getattr(session, "client_secret", session)
        )
        if not isinstance(secret, str):
            raise TypeError(
                "pytest-account-links: complete_session() takes an Account Session (the "
                f"SDK's AccountSession, or its client_secret), got {type(session).__name__}"
            )
        return complete(self._store, secret, outcome=outcome, component=component)

    def deliver_events(
        self, to: Any, *, path: str = "/webhooks", again: bool = False
    ) -> list[tuple[DeliveredEvent, Any]]:
        """Hand the events not delivered yet, in order, to the app's webhook handler.

        ``to`` is a test client (Flask's, Django's, Starlette's or httpx's: each
        event is POSTed to ``path`` with its ``Stripe-Signature``) or any
        callable ``to(payload, headers)``. Each event is delivered once; ``again=True``
        delivers every event of the test from the first. Returns each event
        with the handler's answer; an answer of 400 or more raises
        ``WebhookDeliveryError`` (an ``AssertionError``) naming the event, which
        stays undelivered with the ones after it, as Stripe retries it: the next
        call hands them over again.
        """
        __tracebackhide__ = True
        from pytest_account_links.domain.events import awaits, deliver

        if awaits(to):
            raise TypeError(
                f"pytest-account-links: deliver_events(): {type(to).__name__} answers with "
                "awaitables; from an async test, await account_links.deliver_events_async(...)"
            )
        pending, delivered_one = self._pending(again)
        return deliver(pending, to, path, delivered_one)

    async def deliver_events_async(
        self, to: Any, *, path: str = "/webhooks", again: bool = False
    ) -> list[tuple[DeliveredEvent, Any]]:
        """:meth:`deliver_events` from an async test: ``to`` is an ``httpx.AsyncClient``
        (``transport=httpx.ASGITransport(app)`` for a FastAPI or Starlette app), any client
        whose ``post`` is a coroutine, or a callable ``to(payload, headers)`` that returns
        an awaitable (a plain one works too). Each answer is awaited before the next event
        is sent, so they arrive in order."""
        __tracebackhide__ = True
        from pytest_account_links.domain.events import deliver_async

        pending, delivered_one = self._pending(again)
        return await deliver_async(pending, to, path, delivered_one)

    def _pending(self, again: bool) -> tuple[list[DeliveredEvent], Callable[[], None]]:
        """The events to hand over now, and what marks each one delivered."""
        store = self._store
        with store.lock:
            start = 0 if again else store.delivered
            pending = list(store.events[start:])
        reached = [start]

        def delivered_one() -> None:
            with store.lock:
                reached[0] += 1
                store.delivered = max(store.delivered, reached[0])

        return pending, delivered_one


def _checked_changes(changes: Any, *, v1: bool = False) -> dict[str, Any]:
    """``visit(changes=...)`` validated as an update's body (v1's for a v1 link);
    ``ValueError`` in Stripe's words."""
    from pytest_account_links.api.endpoints import _v1_accounts
    from pytest_account_links.api.endpoints._v2_accounts import body_schema
    from pytest_account_links.api.generations import Body, InvalidBody
    from pytest_account_links.api.generations.v1 import V1
    from pytest_account_links.api.generations.v2 import V2
    from pytest_account_links.core.versions import LATEST_VERSION, parse_version

    generation = V1 if v1 else V2
    schema = (
        _v1_accounts.model("v1.accounts.update", "POST")(parse_version(LATEST_VERSION))
        if v1
        else body_schema("v2.core.accounts.update")
    )
    try:
        checked: dict[str, Any] = generation.validate(
            schema, Body(b"", changes), parse_version(LATEST_VERSION)
        )
    except InvalidBody as invalid:
        raise ValueError(
            f"pytest-account-links: visit(changes=...): {'; '.join(invalid.problems)}"
        ) from None
    return checked


def _check_override(
    shown: str,
    endpoints: frozenset[str] | None,
    function: object,
    times: object,
    fields: dict[str, Any],
) -> None:
    """Raise ``ValueError`` for what ``override_next()`` cannot do."""
    from pytest_account_links.api.registry import BY_NAME

    named = BY_NAME if endpoints is None else endpoints
    allowed = sorted({name for each in named for name in BY_NAME[each].fields})
    unknown = [name for name in fields if name not in allowed]
    if unknown:
        raise ValueError(
            f"pytest-account-links: {shown}: unknown field {unknown[0]!r}"
            f"{did_you_mean(unknown[0], allowed)}; the answer has {', '.join(allowed)}"
        )
    if function is not None and not callable(function):
        raise ValueError(
            f"pytest-account-links: {shown}: the positional argument must be a function of "
            f"the body, got {function!r}"
        )
    if times is not None and (isinstance(times, bool) or not isinstance(times, int) or times < 1):
        raise ValueError(
            f"pytest-account-links: {shown}: times must be an integer >= 1 or None, got {times!r}"
        )


def _listed(endpoint: EndpointSelector) -> str | list[str]:
    return list(endpoint) if isinstance(endpoint, tuple) else endpoint


def _endpoints(endpoint: EndpointSelector, shown: str) -> frozenset[str] | None:
    """The endpoints a method's ``endpoint=`` selects; ``MarkerError`` for an unknown one."""
    from pydantic_core import PydanticCustomError

    from pytest_account_links.harness.marker_options import MarkerError, _check_endpoints, selected

    try:
        _check_endpoints(_listed(endpoint))
    except PydanticCustomError as problem:
        raise MarkerError(f"pytest-account-links: {shown}: endpoint: {problem}") from None
    return selected(_listed(endpoint))


def derive_seed(base: int, nodeid: str, purpose: str) -> int:
    """A seed for one test and one use, stable across runs, processes and machines."""
    digest = hashlib.blake2b(f"{base}\0{purpose}\0{nodeid}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


#: The Faker providers the fake draws from: only these are built.
_PROVIDERS = [
    "faker.providers.address",
    "faker.providers.company",
    "faker.providers.date_time",
    "faker.providers.internet",
    "faker.providers.person",
    "faker.providers.phone_number",
]


class FakeFactory:
    """Builds a store for each test; the Faker instances once per session, when first needed."""

    def __init__(self) -> None:
        self._fakers: dict[tuple[str, str], Faker] = {}
        self._user_faker: Faker | None = None

    def fake_faker(self, locale: str = "en_US", *, role: str = "fake") -> Faker:
        """A Faker in ``locale`` the fake fabricates with (built on first use, then reused).

        ``role`` keeps apart the instances that are reseeded for different things (the
        test's own ``account_links.faker``, each account's details), so drawing from one
        never moves another's sequence.
        """
        faker = self._fakers.get((role, locale))
        if faker is None:
            from faker import Faker

            faker = self._fakers[(role, locale)] = Faker(locale, providers=_PROVIDERS)
        return faker

    def _account_faker(self, locale: str = "en_US") -> Faker:
        return self.fake_faker(locale, role="accounts")

    def store_for(
        self,
        nodeid: str,
        settings: Settings | None = None,
        extensions: Extensions | None = None,
    ) -> Store:
        """A new, clean store for the test ``nodeid``."""
        settings = settings or Settings()
        store = Store(
            seed=derive_seed(settings.seed, nodeid, "fake"),
            faker=self.fake_faker,
            account_faker=self._account_faker,
            settings=settings,
            extensions=extensions,
        )
        store.accounts.parse_options = _parse_options
        return store

    def fake_for(
        self,
        nodeid: str,
        settings: Settings | None = None,
        extensions: Extensions | None = None,
    ) -> AccountLinksFake:
        """A new, clean fake for the test ``nodeid`` (not yet routing requests)."""
        return AccountLinksFake(self.store_for(nodeid, settings, extensions))

    def user_faker_for(self, nodeid: str, base_seed: int = 0) -> Faker:
        """The Faker offered to the test as ``stripe_faker``, reseeded for ``nodeid``."""
        if self._user_faker is None:
            from faker import Faker

            from pytest_account_links.domain.provider import StripeProvider

            self._user_faker = Faker("en_US")
            self._user_faker.add_provider(StripeProvider)
        self._user_faker.seed_instance(derive_seed(base_seed, nodeid, "stripe_faker"))
        self._user_faker.unique.clear()
        return self._user_faker


def _parse_options(*args: Any, **kwargs: Any) -> Any:
    """The markers' ``parse`` (imported when first used: it brings pydantic)."""
    from pytest_account_links.harness.marker_options import parse

    return parse(*args, **kwargs)
