"""The fake behind the ``account_links`` fixture, and the per-session factory of fakes."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from faker import Faker

from pytest_account_links import _interception
from pytest_account_links._calls import Call, CallList
from pytest_account_links._clock import Clock, rfc3339
from pytest_account_links._endpoint import EndpointState, Override, handle
from pytest_account_links._extensions import NoExtensions
from pytest_account_links._markers import MarkerError, hint, parse
from pytest_account_links._scenarios import OUTAGE_CODES, TRANSPORT_FAULTS, Scenario, Scripted
from pytest_account_links._secrets import redact
from pytest_account_links._settings import Settings
from pytest_account_links._state import Accounts, DeliveredEvent, Link, Visit, returned_event
from pytest_account_links._validation import Body
from pytest_account_links._wire import (
    TransportFault,
    WireResponse,
    is_stripe_host,
    url_host,
)
from pytest_account_links.errors import CATALOGUE, UnfakedRequestError
from pytest_account_links.provider import StripeProvider

if TYPE_CHECKING:
    from collections.abc import Callable

    from pytest_account_links._extensions import Extensions
    from pytest_account_links._wire import WireRequest


class AccountLinksFake:
    """Stripe's ``POST /v2/core/account_links``, answered offline for one test.

    Returned by the ``account_links`` fixture. While the test runs, requests to
    the endpoint are validated and answered here; every other request to a
    Stripe host is refused with :class:`~pytest_account_links.UnfakedRequestError`.
    """

    def __init__(
        self,
        *,
        seed: int,
        faker: Faker,
        ids: StripeProvider,
        settings: Settings | None = None,
        extensions: Extensions | None = None,
    ) -> None:
        settings = settings or Settings()
        extensions = extensions or NoExtensions()
        #: The settings this test runs under (session options and its markers).
        self.settings = settings
        #: The seed this test's fabricated values derive from.
        self.seed = seed
        #: The Faker instance the fake fabricates with (seeded for this test).
        self.faker = faker
        #: The fake's clock: ``created`` and ``expires_at`` read it.
        self.clock = Clock()
        #: Every exchange with the fake, in order.
        self.calls = CallList()
        #: Requests to Stripe URLs that are not faked; each fails the test at teardown.
        self.unfaked: list[UnfakedRequestError] = []
        #: The back-off sleeps (seconds) the stripe SDK asked for between retries: skipped,
        #: the fake's clock moved on by each instead.
        self.retry_sleeps: list[float] = []
        self._scenario = Scenario()
        #: The platform's connected accounts; declare some to make the fake answer from state.
        self.accounts = Accounts(faker, ids, extensions, seed=seed)
        #: The events completed links produced, as Stripe would deliver them.
        self.events: list[DeliveredEvent] = []
        #: Every visit to a link, in order.
        self.visits: list[Visit] = []
        self._ids = ids
        self._v2_marked = False
        self._extensions = extensions
        self._state = EndpointState(
            ids=ids,
            clock=self.clock,
            link_lifetime=settings.link_lifetime,
            default_api_version=settings.api_version,
            accounts=self.accounts,
            extensions=extensions,
            scenario=self._scenario,
        )
        # Re-entrant: the endpoint calls the plugin's hooks under it, and a hook may read
        # the fake (its links, its calls) from the same thread.
        self._lock = threading.RLock()
        self._routing = False
        self._block_other_hosts = settings.other_hosts == "block"

    def __repr__(self) -> str:
        return f"<AccountLinksFake seed={self.seed} calls={len(self.calls)}>"

    @property
    def webhook_secret(self) -> str:
        """The signing secret of the fake's event destination (``whsec_...``), seeded."""
        digest = hashlib.blake2b(f"whsec\0{self.seed}".encode(), digest_size=24).hexdigest()
        return f"whsec_{digest}"

    def override_next(
        self,
        function: Callable[[dict[str, Any]], dict[str, Any] | None] | None = None,
        /,
        *,
        times: int | None = 1,
        **fields: Any,
    ) -> None:
        """Set fields of the next ``times`` successful answers (every one with ``times=None``).

        ``override_next(url="https://...")``, ``override_next(expires_at=datetime(...))``,
        or ``override_next(function)`` where ``function(body)`` returns the body to
        answer with (or None to keep it). Requests are still validated; only a
        valid one's answer is changed. Overrides queue up, oldest first.
        """
        allowed = ("object", "account", "created", "expires_at", "livemode", "url", "use_case")
        unknown = [name for name in fields if name not in allowed]
        if unknown:
            raise ValueError(
                f"pytest-account-links: override_next(): unknown field {unknown[0]!r}; an "
                f"Account Link has {', '.join(allowed)}"
            )
        if function is not None and not callable(function):
            raise ValueError(
                "pytest-account-links: override_next(): the positional argument must be a "
                f"function of the body, got {function!r}"
            )
        if times is not None and (
            isinstance(times, bool) or not isinstance(times, int) or times < 1
        ):
            raise ValueError(
                f"pytest-account-links: override_next(): times must be an integer >= 1 or "
                f"None, got {times!r}"
            )
        values = {
            name: rfc3339(value) if isinstance(value, datetime) else value
            for name, value in fields.items()
        }
        with self._lock:
            self._state.overrides.append(Override(values, function, times))

    def totals(self) -> dict[str, Any]:
        """Counts for the session's summary line: calls, injected errors by code, outages,
        rate-limited calls."""
        outage_codes = set(OUTAGE_CODES.values())
        errors: Counter[str] = Counter()
        outages = rate_limited = 0
        for call in self.calls:
            code = call.error_code
            if call.fault is not None or (call.injected and code in outage_codes):
                outages += 1
            elif code == "account_rate_limit_exceeded" and call.injected in (
                "@stripe_rate_limit",
                "rate_limit",
            ):
                rate_limited += 1
            elif call.injected and code:
                errors[code] += 1
        return {
            "calls": len(self.calls),
            "errors": dict(errors),
            "outages": outages,
            "rate_limited": rate_limited,
        }

    @property
    def call_count(self) -> int:
        """How many calls reached the endpoint."""
        return len(self.calls)

    @property
    def link_lifetime(self) -> timedelta:
        """How long a link lives: ``expires_at - created`` (10 minutes unless changed)."""
        return self._state.link_lifetime

    @link_lifetime.setter
    def link_lifetime(self, value: timedelta | float) -> None:
        from pytest_account_links._settings import _lifetime

        try:
            self._state.link_lifetime = _lifetime(value)
        except ValueError as problem:
            raise ValueError(f"pytest-account-links: link_lifetime {problem}") from None

    @property
    def default_api_version(self) -> str:
        """The version a request without a ``Stripe-Version`` header is answered under."""
        return self._state.default_api_version

    @default_api_version.setter
    def default_api_version(self, value: str) -> None:
        from pytest_account_links._versions import parse_version

        self._state.default_api_version = parse_version(value).raw

    # -- failures, programmatically -----------------------------------------------

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
    ) -> None:
        """Answer the next ``times`` valid requests (after ``after`` more) with error ``code``.

        Takes precedence over the markers and over earlier programmatic rules.
        """
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
            },
            shown="account_links.fail_next()",
        )
        with self._scenario.lock:
            self._scenario.errors.insert(0, options.rule("fail_next"))

    def outage(
        self,
        kind: int | str = 503,
        *,
        times: int | None = None,
        after: int = 0,
        should_retry: bool | None = None,
    ) -> None:
        """From the next call on (after ``after``), fail ``times`` calls (all, by default).

        ``kind`` is 500, 502, 503, 504 (answered with that status), or
        ``"connection_refused"`` / ``"read_timeout"`` (raised by the HTTP library).
        """
        options = parse(
            "stripe_outage",
            (kind,),
            {"times": times, "after": after, "should_retry": should_retry},
            shown="account_links.outage()",
        )
        with self._scenario.lock:
            self._scenario.outages.insert(0, options.rule("outage"))

    def rate_limit(
        self,
        limit: int,
        *,
        window: float | timedelta = 1.0,
        per: str = "account",
        should_retry: bool | None = None,
    ) -> None:
        """Answer 429 past ``limit`` calls within ``window`` seconds of the fake's clock."""
        options = parse(
            "stripe_rate_limit",
            (limit,),
            {"window": window, "per": per, "should_retry": should_retry},
            shown="account_links.rate_limit()",
        )
        with self._scenario.lock:
            self._scenario.rate_limits.insert(0, options.rule("rate_limit"))

    def script(self, *outcomes: Scripted) -> None:
        """The outcomes of the next calls, one each: ``"ok"``, an error code, or an outage kind.

        ``"ok"`` answers normally, an error code answers a valid request with that
        error, an outage kind (``503``, ``"read_timeout"``, ...) fails the call
        before it is read. Scripted outcomes take precedence over every rule; once
        they are used up, the rules apply again.
        """
        accepted: list[Scripted] = ["ok", *CATALOGUE, *OUTAGE_CODES, *TRANSPORT_FAULTS]
        for number, outcome in enumerate(outcomes, 1):
            if isinstance(outcome, bool) or outcome not in accepted:
                raise MarkerError(
                    f"pytest-account-links: account_links.script(): outcome {number} is "
                    f"{outcome!r}{hint(str(outcome), map(str, accepted))}; accepted: "
                    + ", ".join(map(repr, accepted))
                )
        with self._scenario.lock:
            self._scenario.script.extend(outcomes)

    def clear_failures(self) -> None:
        """Drop every injected failure: markers', programmatic and scripted."""
        with self._scenario.lock:
            self._scenario.errors.clear()
            self._scenario.outages.clear()
            self._scenario.rate_limits.clear()
            self._scenario.script.clear()

    # -- the link's life ---------------------------------------------------------

    @property
    def links(self) -> list[Link]:
        """The links created in this test, oldest first."""
        with self._lock:
            return list(self._state.links.values())

    def visit(self, url: str, *, abandon: bool = False) -> str | None:
        """Open an Account Link as the account holder would; return where Stripe sends them.

        A link that is valid, unexpired (on the fake's clock) and unused is used
        up: the flow completes and the browser goes to ``return_url`` (None when
        the link has none), and the ``v2.core.account_link.returned`` event is
        added to :attr:`events`; with ``abandon=True`` the holder leaves midway
        and nothing is returned. A link that expired or was used already sends
        the browser to ``refresh_url``, and so does an unknown token for an
        account that has links. Each visit is recorded in :attr:`visits`.
        """
        __tracebackhide__ = True
        with self._lock:
            token = url.rsplit("#", 1)[-1] if "#" in url else ""
            link = self._state.links.get(token)
            if link is None:
                account = url.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
                known = [one for one in self._state.links.values() if one.account == account]
                if not known:
                    raise ValueError(
                        f"pytest-account-links: visit({url!r}): no link was created for "
                        f"{account!r} in this test, so there is no refresh_url to send the "
                        "browser to"
                    )
                visit = Visit(url, "unknown", known[-1].refresh_url, None)
            elif link.used:
                visit = Visit(url, "used", link.refresh_url, link)
            elif self.clock.now() >= link.expires_at:
                visit = Visit(url, "expired", link.refresh_url, link)
            else:
                link.used = True
                if abandon:
                    visit = Visit(url, "abandoned", None, link)
                else:
                    visit = Visit(url, "completed", link.return_url, link)
                    self._complete(link)
            self.visits.append(visit)
        return visit.redirect

    def _complete(self, link: Link) -> None:
        account = self.accounts.met(link.account, link.configurations or None)
        account.completed.append(link.use_case)
        prefix = "evt_test_" if not link.livemode else "evt_"
        event_id = prefix + self._ids.stripe_token(24)
        self.events.append(
            returned_event(link, account, event_id, self.clock.now(), self.webhook_secret)
        )

    def _event_response(self, request: WireRequest) -> WireResponse | None:
        """``GET /v2/core/events/{id}`` for an event this fake produced."""
        event_id = urlsplit(request.url).path[len(_EVENTS_PATH) :]
        for event in self.events:
            if event.id == event_id:
                return WireResponse(
                    200,
                    json.dumps(event.event).encode(),
                    {
                        "Content-Type": "application/json",
                        "Request-Id": self._ids.stripe_request_id(),
                    },
                )
        return None

    def _add_marker(self, name: str, options: Any) -> None:
        """Add the rule of a validated marker, after those already added (closest first)."""
        source = f"@{name}"
        if name == "stripe_accounts":
            # Accounts add up across scopes (the closest marker's details win for an ID
            # named twice); v2_enabled is the closest marker's.
            for spec in options.accounts:
                if spec.id is None or spec.id not in self.accounts:
                    self.accounts._declare(spec)
            if not self._v2_marked:
                self.accounts.v2_enabled = options.v2_enabled
                self._v2_marked = True
            return
        with self._scenario.lock:
            if name == "stripe_error":
                self._scenario.errors.append(options.rule(source))
            elif name == "stripe_outage":
                self._scenario.outages.append(options.rule(source))
            else:
                self._scenario.rate_limits.append(options.rule(source))

    # -- what the transports call (the router of the running test) ---------------------

    def serves(self, method: str, url: str) -> bool:
        """True for the requests the fake answers: its endpoints on ``api.stripe.com``."""
        if "stripe.com" not in url.lower():
            return False
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return False
        if (
            parts.scheme != "https"
            or (parts.hostname or "") != _API_HOST
            or port
            not in (
                None,
                443,
            )
        ):
            return False
        if method == "POST":
            return parts.path == _LINKS_PATH
        return (
            method == "GET"
            and parts.path.startswith(_EVENTS_PATH)
            and "/" not in parts.path[len(_EVENTS_PATH) :]
            and len(parts.path) > len(_EVENTS_PATH)
        )

    def check(self, method: str, url: str, library: str) -> None:
        """Stop a request to a Stripe host (any host, with ``other_hosts='block'``)."""
        __tracebackhide__ = True
        stripe = is_stripe_host(url_host(url))
        if not stripe and not self._block_other_hosts:
            return
        refused = UnfakedRequestError(method, url, stripe=stripe)
        with self._lock:
            self.unfaked.append(refused)
        raise refused

    def retry_sleep(self, seconds: float) -> float:
        """The SDK asked to sleep before a retry: skip it, but let the fake's clock move."""
        if self.settings.real_retry_sleeps:
            return seconds
        with self._lock:
            self.retry_sleeps.append(seconds)
        self.clock.advance(seconds=seconds)
        return 0.0

    def dispatch(self, request: WireRequest) -> WireResponse:
        """Answer a request :meth:`serves`."""
        __tracebackhide__ = True
        if request.method != "POST":
            with self._lock:
                event = self._event_response(request)
            if event is not None:
                return event
            self.check(request.method, request.url, "fake")
            raise AssertionError("unreachable")  # pragma: no cover
        with self._lock:
            outcome = handle(request, self._state)
            raw_body = request.masked_body()
            call = Call(
                method=request.method,
                url=redact(request.url),
                headers=request.masked_headers(),
                raw_body=raw_body,
                body=_recorded_body(outcome.request_body, raw_body),
                request=outcome.params,
                status=outcome.response.status,
                response=outcome.body,
                api_version=outcome.api_version,
                request_id=outcome.request_id,
                fault=outcome.fault,
                injected=outcome.injected,
            )
            self.calls._append(call)
        _log.debug("%s %s -> %s (%s)", call.method, call.url, call.outcome, call.request_id)
        self._extensions.exchange(call)
        if outcome.fault is not None:
            raise TransportFault(outcome.fault, request.url)
        return outcome.response

    # -- life cycle, driven by the fixture --------------------------------------------

    def _start(self) -> None:
        """Route the process's requests through this fake (until :meth:`_stop`)."""
        if not self._routing:
            _interception.install()
            _interception.push(self)
            self._routing = True

    def _stop(self) -> None:
        """Stop routing through this fake; idempotent."""
        if self._routing:
            self._routing = False
            _interception.pop(self)
            _interception.uninstall()


def _recorded_body(body: Body, masked: bytes) -> Any:
    """The body as a call records it: parsed JSON (of the masked bytes), else its text."""
    if masked != body.raw:
        body = Body(masked)
    if body.problem is None:
        return body.value
    return masked.decode("utf-8", "replace")


#: Each exchange with the fake, at DEBUG (every key in it masked).
_log = logging.getLogger("pytest_account_links")

_API_HOST = "api.stripe.com"
_LINKS_PATH = "/v2/core/account_links"
_EVENTS_PATH = "/v2/core/events/"


def derive_seed(base: int, nodeid: str, purpose: str) -> int:
    """A seed for one test and one use, stable across runs, processes and machines."""
    digest = hashlib.blake2b(f"{base}\0{purpose}\0{nodeid}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class FakeFactory:
    """Builds the Faker instances once per session and reseeds them for each test."""

    def __init__(self) -> None:
        self._fake_faker: Faker | None = None
        self._ids: StripeProvider | None = None
        self._user_faker: Faker | None = None

    def fake_for(
        self,
        nodeid: str,
        settings: Settings | None = None,
        extensions: Extensions | None = None,
    ) -> AccountLinksFake:
        """A new, clean fake for the test ``nodeid``."""
        settings = settings or Settings()
        if self._fake_faker is None or self._ids is None:
            self._fake_faker = Faker("en_US")
            self._ids = StripeProvider(self._fake_faker["en_US"])
            self._fake_faker.add_provider(self._ids)
        seed = derive_seed(settings.seed, nodeid, "fake")
        self._ids.generator.seed_instance(seed)  # the generator itself: no proxy lookups
        return AccountLinksFake(
            seed=seed,
            faker=self._fake_faker,
            ids=self._ids,
            settings=settings,
            extensions=extensions,
        )

    def user_faker_for(self, nodeid: str, base_seed: int = 0) -> Faker:
        """The Faker offered to the test as ``stripe_faker``, reseeded for ``nodeid``."""
        if self._user_faker is None:
            self._user_faker = Faker("en_US")
            self._user_faker.add_provider(StripeProvider)
        self._user_faker.seed_instance(derive_seed(base_seed, nodeid, "stripe_faker"))
        self._user_faker.unique.clear()
        return self._user_faker
