"""The fake behind the ``account_links`` fixture, and the per-session factory of fakes."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from faker import Faker

from pytest_account_links._calls import Call, CallList
from pytest_account_links._clock import Clock
from pytest_account_links._endpoint import EndpointState, handle
from pytest_account_links._keys import mask_authorization
from pytest_account_links._versions import LATEST_VERSION
from pytest_account_links.errors import UnfakedRequestError
from pytest_account_links.provider import StripeProvider
from pytest_account_links.transports import available_transports

if TYPE_CHECKING:
    from pytest_account_links._wire import WireRequest, WireResponse
    from pytest_account_links.transports import Transport

DEFAULT_LINK_LIFETIME = timedelta(minutes=10)


class AccountLinksFake:
    """Stripe's ``POST /v2/core/account_links``, answered offline for one test.

    Returned by the ``account_links`` fixture. While the test runs, requests to
    the endpoint are validated and answered here; every other request to a
    Stripe host is refused with :class:`~pytest_account_links.UnfakedRequestError`.
    """

    def __init__(self, *, seed: int, faker: Faker, ids: StripeProvider) -> None:
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
        self._state = EndpointState(
            ids=ids,
            clock=self.clock,
            link_lifetime=DEFAULT_LINK_LIFETIME,
            default_api_version=LATEST_VERSION,
        )
        self._lock = threading.Lock()
        self._transports: list[Transport] = []

    def __repr__(self) -> str:
        return f"<AccountLinksFake seed={self.seed} calls={len(self.calls)}>"

    @property
    def call_count(self) -> int:
        """How many calls reached the endpoint."""
        return len(self.calls)

    @property
    def link_lifetime(self) -> timedelta:
        """How long a link lives: ``expires_at - created`` (10 minutes unless changed)."""
        return self._state.link_lifetime

    @link_lifetime.setter
    def link_lifetime(self, value: timedelta) -> None:
        if not isinstance(value, timedelta) or value <= timedelta():
            raise ValueError(
                f"pytest-account-links: link_lifetime must be a positive timedelta, got {value!r}"
            )
        self._state.link_lifetime = value

    @property
    def default_api_version(self) -> str:
        """The version a request without a ``Stripe-Version`` header is answered under."""
        return self._state.default_api_version

    @default_api_version.setter
    def default_api_version(self, value: str) -> None:
        from pytest_account_links._versions import parse_version

        self._state.default_api_version = parse_version(value).raw

    # -- what the transports call -------------------------------------------------

    def dispatch(self, request: WireRequest) -> WireResponse:
        """Answer a request to a Stripe host, or refuse it if it is not the endpoint."""
        if not request.is_endpoint:
            refused = UnfakedRequestError(request.method, request.url)
            with self._lock:
                self.unfaked.append(refused)
            raise refused
        with self._lock:
            outcome = handle(request, self._state)
            self.calls._append(
                Call(
                    method=request.method,
                    url=request.url,
                    headers=_masked(request.headers),
                    body=_parsed(request.body),
                    request=outcome.params,
                    status=outcome.response.status,
                    response=outcome.body,
                    api_version=outcome.api_version,
                    request_id=outcome.request_id,
                )
            )
        return outcome.response

    # -- life cycle, driven by the fixture --------------------------------------------

    def _start(self) -> None:
        try:
            for transport in available_transports():
                transport.start(self.dispatch)
                self._transports.append(transport)
        except BaseException:
            self._stop()
            raise

    def _stop(self) -> None:
        transports, self._transports = self._transports, []
        errors: list[BaseException] = []
        for transport in reversed(transports):
            try:
                transport.stop()
            except BaseException as exc:  # stop the others before reporting
                errors.append(exc)
        if errors:
            raise errors[0]


def _masked(headers: dict[str, str]) -> dict[str, str]:
    masked = dict(headers)
    if "authorization" in masked:
        masked["authorization"] = mask_authorization(masked["authorization"])
    return masked


def _parsed(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


def derive_seed(base: int, nodeid: str, purpose: str) -> int:
    """A seed for one test and one use, stable across runs, processes and machines."""
    digest = hashlib.blake2b(f"{base}\0{purpose}\0{nodeid}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class FakeFactory:
    """Builds the Faker instances once per session and reseeds them for each test."""

    def __init__(self, base_seed: int) -> None:
        self.base_seed = base_seed
        self._fake_faker: Faker | None = None
        self._ids: StripeProvider | None = None
        self._user_faker: Faker | None = None

    def fake_for(self, nodeid: str) -> AccountLinksFake:
        """A new, clean fake for the test ``nodeid``."""
        if self._fake_faker is None or self._ids is None:
            self._fake_faker = Faker("en_US")
            self._ids = StripeProvider(self._fake_faker["en_US"])
            self._fake_faker.add_provider(self._ids)
        seed = derive_seed(self.base_seed, nodeid, "fake")
        self._fake_faker.seed_instance(seed)
        return AccountLinksFake(seed=seed, faker=self._fake_faker, ids=self._ids)

    def user_faker_for(self, nodeid: str) -> Faker:
        """The Faker offered to the test as ``stripe_faker``, reseeded for ``nodeid``."""
        if self._user_faker is None:
            self._user_faker = Faker("en_US")
            self._user_faker.add_provider(StripeProvider)
        self._user_faker.seed_instance(derive_seed(self.base_seed, nodeid, "stripe_faker"))
        self._user_faker.unique.clear()
        return self._user_faker
