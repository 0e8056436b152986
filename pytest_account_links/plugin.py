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

#: The markers, with the signature and the one-line description ``pytest --markers`` shows.
MARKERS = {
    "stripe_error": (
        "stripe_error(code, *, message=None, user_message=None, applied_configurations=None, "
        "times=None, after=0, should_retry=None)",
        "answer valid account-link requests with Stripe error `code` (all calls, or `times` "
        "calls after the first `after`); uses the account_links fake.",
    ),
    "stripe_outage": (
        "stripe_outage(kind=503, *, times=None, after=0, should_retry=None)",
        "fail account-link calls with a 500/502/503/504 answer or a 'connection_refused' / "
        "'read_timeout' transport error; uses the account_links fake.",
    ),
    "stripe_rate_limit": (
        "stripe_rate_limit(limit, *, window=1.0, per='account', should_retry=None)",
        "answer 429 account_rate_limit_exceeded past `limit` calls within `window` seconds of "
        "the fake's clock, per account or in total; uses the account_links fake.",
    ),
    "stripe_accounts": (
        "stripe_accounts(*accounts, v2_enabled=True)",
        "declare the platform's connected accounts (IDs, or dicts with id, configurations, "
        "...); the fake then answers from them. v2_enabled=False blocks Accounts v2.",
    ),
}

_SEED_HELP = (
    "Base seed of every value the fake fabricates (account IDs, link tokens, request IDs); "
    "each test derives its own from it and its node ID. Default: 0."
)


_SLEEPS_HELP = (
    "Let the stripe SDK really sleep between retries while the fake is active "
    "(by default its back-off sleeps are recorded in account_links.retry_sleeps and skipped)."
)


@dataclass
class _PluginState:
    seed: int
    real_retry_sleeps: bool = False
    factory: FakeFactory | None = None

    def fakes(self) -> FakeFactory:
        if self.factory is None:
            from pytest_account_links._fake import FakeFactory

            self.factory = FakeFactory(self.seed, real_retry_sleeps=self.real_retry_sleeps)
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
    group.addoption(
        "--account-links-real-retry-sleeps",
        dest="account_links_real_retry_sleeps",
        action="store_true",
        default=None,
        help=_SLEEPS_HELP + " Overrides the account_links_real_retry_sleeps ini key.",
    )
    parser.addini("account_links_real_retry_sleeps", help=_SLEEPS_HELP, type="bool", default=False)


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
    for signature, description in MARKERS.values():
        config.addinivalue_line("markers", f"{signature}: {description}")
    real_sleeps = config.getoption("account_links_real_retry_sleeps")
    if real_sleeps is None:
        real_sleeps = config.getini("account_links_real_retry_sleeps")
    config.stash[_STATE] = _PluginState(
        seed=_read_seed(config), real_retry_sleeps=bool(real_sleeps)
    )


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


def _marker_problem(node: pytest.Item) -> str | None:
    """A marker named like one of ours but misspelt (``stripe_eror``)."""
    import difflib

    for mark in node.iter_markers():
        if mark.name.startswith("stripe_") and mark.name not in MARKERS:
            close = difflib.get_close_matches(mark.name, list(MARKERS), n=1, cutoff=0.75)
            if close:
                return (
                    f"pytest-account-links: unknown marker @pytest.mark.{mark.name}; "
                    f"did you mean @pytest.mark.{close[0]}? Markers: {', '.join(MARKERS)}"
                )
    return None


def _apply_markers(fake: AccountLinksFake, node: pytest.Item) -> None:
    """Turn the test's markers, closest first, into the fake's rules; fail on misuse."""
    from pytest_account_links._markers import MarkerError, parse

    problem = _marker_problem(node)
    for name in MARKERS:
        for mark in node.iter_markers(name):
            try:
                options = parse(name, mark.args, mark.kwargs, shown=f"@pytest.mark.{name}")
            except MarkerError as error:
                problem = problem or str(error)
                continue
            fake._add_marker(name, options)
    if problem is not None:
        pytest.fail(problem, pytrace=False)


@pytest.fixture(autouse=True)
def _account_links_for_markers(request: pytest.FixtureRequest) -> None:
    """Give a test that carries one of the plugin's markers the account_links fake."""
    for mark in request.node.iter_markers():
        if mark.name.startswith("stripe_"):
            request.getfixturevalue("account_links")
            return


@pytest.fixture
def account_links(request: pytest.FixtureRequest) -> Iterator[AccountLinksFake]:
    """Fake Stripe's POST /v2/core/account_links offline; refuse every other Stripe URL."""
    fake = request.config.stash[_STATE].fakes().fake_for(request.node.nodeid)
    _apply_markers(fake, request.node)
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
