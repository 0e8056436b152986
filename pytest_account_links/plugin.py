"""The pytest entry point (``pytest11``): options, fixtures and report hooks.

Loaded by every pytest run of every project that installs the plugin, used or
not, so this module imports nothing but pytest and the standard library at
start-up: Faker, pydantic, responses and the HTTP libraries are imported when
a test first asks for the fake.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator

    import stripe
    from faker import Faker

    from pytest_account_links._fake import AccountLinksFake, FakeFactory

_SEED_HELP = (
    "Base seed of every value the fake fabricates (account IDs, link tokens, request IDs); "
    "each test derives its own from it and its node ID. Default: 0."
)


@dataclass
class _PluginState:
    seed: int
    factory: FakeFactory | None = None

    def fakes(self) -> FakeFactory:
        if self.factory is None:
            from pytest_account_links._fake import FakeFactory

            self.factory = FakeFactory(self.seed)
        return self.factory


_STATE = pytest.StashKey[_PluginState]()
_CALL_FAILED = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(
        "account_links",
        "pytest-account-links (offline fake of Stripe's POST /v2/core/account_links)",
    )
    group.addoption(
        "--account-links-seed",
        dest="account_links_seed",
        metavar="INT",
        default=None,
        help=_SEED_HELP + " Overrides the account_links_seed ini key.",
    )
    parser.addini("account_links_seed", help=_SEED_HELP, default=None)


def _read_seed(config: pytest.Config) -> int:
    value: object = config.getoption("account_links_seed")
    source = "--account-links-seed"
    if value is None:
        value = config.getini("account_links_seed")
        source = "the account_links_seed ini key"
    if value is None or (value == "" and source != "--account-links-seed"):
        return 0
    try:
        return int(str(value).strip())
    except ValueError:
        raise pytest.UsageError(
            f"pytest-account-links: {source} must be an integer (e.g. 0, 1234), got {value!r}"
        ) from None


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_STATE] = _PluginState(seed=_read_seed(config))


def pytest_report_header(config: pytest.Config) -> str | None:
    if config.get_verbosity() > 0:
        return f"account-links: seed {config.stash[_STATE].seed} (--account-links-seed to change)"
    return None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_CALL_FAILED] = True
    return report


@pytest.fixture
def account_links(request: pytest.FixtureRequest) -> Iterator[AccountLinksFake]:
    """Fake Stripe's POST /v2/core/account_links offline; refuse every other Stripe URL."""
    fake = request.config.stash[_STATE].fakes().fake_for(request.node.nodeid)
    fake._start()
    try:
        yield fake
    finally:
        fake._stop()
    if fake.unfaked and not request.node.stash.get(_CALL_FAILED, False):
        listing = "\n".join(f"  {refused.method} {refused.url}" for refused in fake.unfaked)
        pytest.fail(
            "pytest-account-links: the test sent requests to Stripe URLs that are not faked "
            "(each was stopped with UnfakedRequestError, nothing reached Stripe):\n"
            f"{listing}\nOnly POST https://api.stripe.com/v2/core/account_links is faked. "
            "If the test means to provoke this, clear account_links.unfaked before it ends.",
            pytrace=False,
        )


@pytest.fixture
def stripe_faker(request: pytest.FixtureRequest) -> Faker:
    """A Faker (en_US) with Stripe-style values (stripe_account_id(), ...), seeded per test."""
    return request.config.stash[_STATE].fakes().user_faker_for(request.node.nodeid)


@pytest.fixture
def stripe_api_key(stripe_faker: Faker) -> str:
    """A fabricated test-mode secret key (sk_test_...), stable for the test."""
    key: str = stripe_faker.stripe_api_key()
    return key


@pytest.fixture
def stripe_client(account_links: AccountLinksFake, stripe_api_key: str) -> stripe.StripeClient:
    """A stripe.StripeClient with a test key, answered by the account_links fake."""
    sdk = pytest.importorskip(
        "stripe",
        reason="pytest-account-links: the stripe_client fixture needs the official SDK: "
        "pip install 'pytest-account-links[stripe]'",
    )
    client: stripe.StripeClient = sdk.StripeClient(stripe_api_key)
    return client
