"""The pytest entry point (``pytest11``): options, markers, hooks, fixtures and reports.

Loaded by every pytest run of every project that installs the plugin, used or
not, so this module imports nothing but pytest and the standard library at
start-up (and the plugin's own light modules): Faker, pydantic, responses and
the HTTP libraries are imported when a test first asks for the fake.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest

from pytest_account_links.core.settings import OPTIONS, PER_TEST, Settings
from pytest_account_links.harness.markers import BY_NAME as MARKERS
from pytest_account_links.harness.markers import LIVE_MARKER, OURS, SETTINGS_MARKER
from pytest_account_links.harness.markers import MARKERS as MARKER_TABLE
from pytest_account_links.harness.masking import mask_logging, mask_report
from pytest_account_links.transports import interception as _interception
from pytest_account_links.transports.session_guard import Guard, Unguarded

if TYPE_CHECKING:
    from collections.abc import Generator, Iterator

    import stripe
    from faker import Faker

    from pytest_account_links.core.calls import Call
    from pytest_account_links.domain.store import Store
    from pytest_account_links.harness.fake import AccountLinksFake, FakeFactory
    from pytest_account_links.served.fixture import ServedFake
    from pytest_account_links.served.server import FakeServer


class _Totals:
    """The run's totals, for the summary line."""

    def __init__(self) -> None:
        self.calls = 0
        self.errors: Counter[str] = Counter()
        self.outages = 0
        self.rate_limited = 0

    def add(self, totals: dict[str, Any]) -> None:
        self.calls += totals["calls"]
        self.errors.update(totals["errors"])
        self.outages += totals["outages"]
        self.rate_limited += totals["rate_limited"]

    def line(self) -> str:
        errors = ", ".join(f"{code} x{n}" for code, n in sorted(self.errors.items())) or "none"
        return (
            f"account-links: {self.calls} calls faked; errors injected: {errors}; "
            f"outages: {self.outages}; rate-limited: {self.rate_limited}"
        )


class _PluginState:
    """The session's settings, its factory of fakes and its totals (in config.stash)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.factory: FakeFactory | None = None
        self.totals = _Totals()
        #: The marker names registered in the session (markers ini lines), read once.
        self.registered: frozenset[str] | None = None
        #: The fake of the test running now, for the report hooks.
        self.running: _Running | None = None
        #: The session this one runs inside (pytester), restored when this one ends.
        self.outer: _PluginState | None = None
        #: The guard of tests that do not use the fake (one that lets all through when off).
        self.guard: Guard = Guard() if settings.guard else Unguarded()
        #: The served fake (account_links_server): one per process, started on first use.
        self.server: FakeServer | None = None

    def served(self) -> FakeServer:
        if self.server is None:
            from pytest_account_links.served.server import FakeServer

            self.server = FakeServer()
        self.server.start()
        return self.server

    def fakes(self) -> FakeFactory:
        if self.factory is None:
            from pytest_account_links.harness.fake import FakeFactory

            self.factory = FakeFactory()
        return self.factory


class _Running:
    """The fake of one run of one test, as the report hooks need it."""

    def __init__(self, nodeid: str, store: Store) -> None:
        self.nodeid = nodeid
        self.store = store
        #: Set when the test's call phase failed (then an unfaked request is not reported
        #: again at teardown). Per run: a rerun gets a new one.
        self.call_failed = False


_STATE = pytest.StashKey[_PluginState]()


class _Current:
    """The state of the innermost session running (a pytester run nests one in another)."""

    state: _PluginState | None = None


_PLUGIN = _Current()
_TEST_SETTINGS = pytest.StashKey[Settings]()


# -- start-up ------------------------------------------------------------------------


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_account_links import hooks

    pluginmanager.add_hookspecs(hooks)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup(
        "account_links",
        "pytest-account-links (an offline fake of Stripe's Connect onboarding endpoints)",
    )
    for option in OPTIONS:
        overrides = f" Overrides the {option.ini} ini key."
        if option.metavar is None:
            group.addoption(
                option.flag,
                dest=option.ini,
                action="store_true",
                default=None,
                help=option.help + overrides,
            )
        else:
            group.addoption(
                option.flag,
                dest=option.ini,
                metavar=option.metavar,
                default=None,
                help=option.help + overrides,
            )
        parser.addini(option.ini, help=option.help, default=None)


def _session_settings(config: pytest.Config) -> Settings:
    """Defaults, then the ini file, then the command line; a bad value is a usage error."""
    ini: dict[str, Any] = {}
    cli: dict[str, Any] = {}
    for option in OPTIONS:
        from_ini = config.getini(option.ini)
        if from_ini not in (None, "", []):
            ini[option.name] = from_ini
        from_cli = config.getoption(option.ini)
        if from_cli is not None:
            cli[option.name] = from_cli
    try:
        settings = Settings().updated(ini, source=lambda o: f"the {o.ini} ini key")
        return settings.updated(cli, source=lambda o: o.flag)
    except ValueError as problem:
        raise pytest.UsageError(f"pytest-account-links: {problem}") from None


def _settings_signature() -> str:
    return f"{SETTINGS_MARKER}(*, {', '.join(f'{name}=None' for name in PER_TEST)})"


@pytest.hookimpl(trylast=True)  # after the logging plugin made its handlers
def pytest_configure(config: pytest.Config) -> None:
    for marker in MARKER_TABLE:
        config.addinivalue_line("markers", f"{marker.signature}: {marker.description}")
    config.addinivalue_line(
        "markers",
        f"{_settings_signature()}: the plugin's settings for these tests; wins over the "
        "command line and the ini file.",
    )
    config.addinivalue_line("markers", f"{LIVE_MARKER[1]}: {LIVE_MARKER[2]}")
    state = _PluginState(settings=_session_settings(config))
    config.stash[_STATE] = state
    state.outer = _PLUGIN.state
    _PLUGIN.state = state
    config.pluginmanager.register(_Summary(state, config), "account_links_summary")
    _interception.install()
    _interception.push(state.guard)
    mask_logging(config)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is not None:
        if state.server is not None:
            state.server.stop()
        _interception.pop(state.guard)
        _interception.uninstall()
        if _PLUGIN.state is state:
            _PLUGIN.state = state.outer


def pytest_report_header(config: pytest.Config) -> str | None:
    if config.get_verbosity() > 0:
        seed = config.stash[_STATE].settings.seed
        return f"account-links: seed {seed} (--account-links-seed to change)"
    return None


# -- the plugin's own implementations of its firstresult hooks -----------------------


@pytest.hookimpl(trylast=True)
def pytest_account_links_response(
    body: dict[str, Any], params: Any, api_version: str, endpoint: str, fake: AccountLinksFake
) -> dict[str, Any]:
    return body


@pytest.hookimpl(trylast=True)
def pytest_account_links_account(
    account_id: str, faker: Faker, fake: AccountLinksFake
) -> dict[str, Any]:
    from pytest_account_links.domain.accounts import fabricated_details

    return fabricated_details(faker)


class _PytestExtensions:
    """The fake's extension points, answered by the plugin's hooks."""

    def __init__(self, config: pytest.Config) -> None:
        self._hook = config.hook
        self.fake: AccountLinksFake | None = None

    def exchange(self, call: Call) -> None:
        self._hook.pytest_account_links_exchange(call=call, fake=self.fake)

    def response(self, body: dict[str, Any], params: Any, api_version: str, endpoint: str) -> Any:
        return self._hook.pytest_account_links_response(
            body=body, params=params, api_version=api_version, endpoint=endpoint, fake=self.fake
        )

    def validate(self, params: Any, api_version: str, endpoint: str) -> list[str]:
        problems: list[str] = []
        for result in self._hook.pytest_account_links_validate(
            params=params, api_version=api_version, endpoint=endpoint, fake=self.fake
        ):
            if isinstance(result, str):
                problems.append(result)
            elif result:
                problems.extend(str(problem) for problem in result)
        return problems

    def account(self, account_id: str, faker: Faker) -> dict[str, Any]:
        result: dict[str, Any] | None = self._hook.pytest_account_links_account(
            account_id=account_id, faker=faker, fake=self.fake
        )
        return result or {}


# -- markers -------------------------------------------------------------------------


def _test_settings(item: pytest.Item) -> Settings:
    """The session's settings under the test's ``account_links`` markers, closest first."""
    if _TEST_SETTINGS in item.stash:
        return item.stash[_TEST_SETTINGS]
    settings = item.config.stash[_STATE].settings
    values: dict[str, Any] = {}
    for mark in item.iter_markers(SETTINGS_MARKER):
        if mark.args:
            pytest.fail(
                "pytest-account-links: @pytest.mark.account_links takes keyword arguments "
                f"only ({', '.join(PER_TEST)}), got {', '.join(map(repr, mark.args))}",
                pytrace=False,
            )
        for name, value in mark.kwargs.items():
            values.setdefault(name, value)
    if values:
        problem = None
        try:
            settings = settings.updated(values, source=lambda o: f"{o.name}", accepted=PER_TEST)
        except ValueError as invalid:
            problem = str(invalid)
        if problem is not None:
            pytest.fail(
                f"pytest-account-links: @pytest.mark.account_links: {problem}", pytrace=False
            )
    item.stash[_TEST_SETTINGS] = settings
    return settings


def _registered(node: pytest.Item, name: str) -> bool:
    """True when the project registered marker ``name`` itself (then it is not a typo)."""
    state = node.config.stash[_STATE]
    if state.registered is None:
        state.registered = frozenset(
            line.split(":", 1)[0].split("(", 1)[0].strip() for line in node.config.getini("markers")
        )
    return name in state.registered


def _apply_markers(store: Store, node: pytest.Item) -> None:
    """Turn the test's markers, closest first, into the fake's rules; fail on misuse.

    One pass over the markers: a misspelt one (``stripe_eror``) that nobody
    registered is reported with the marker it was probably meant to be.
    """
    problem: str | None = None
    for mark in node.iter_markers():
        name = mark.name
        if name in MARKERS:
            from pytest_account_links.harness.marker_options import MarkerError, parse

            try:
                options = parse(name, mark.args, mark.kwargs, shown=f"@pytest.mark.{name}")
            except MarkerError as error:
                problem = problem or str(error)
                continue
            options.apply(store, f"@{name}")
        elif name.startswith("stripe_") and problem is None and not _registered(node, name):
            from pytest_account_links.core.hints import did_you_mean

            hint = did_you_mean(name, OURS, shown="@pytest.mark.{}")
            if hint:
                problem = (
                    f"pytest-account-links: unknown marker @pytest.mark.{name}{hint}; "
                    f"markers: {', '.join(OURS)}"
                )
    if problem is not None:
        pytest.fail(problem, pytrace=False)


# -- fixtures ------------------------------------------------------------------------


def _wants_the_fake(item: pytest.Item) -> bool:
    """True when a test carries one of the plugin's markers (or a misspelt ``stripe_*``)."""
    for mark in item.iter_markers():
        name = mark.name
        if name in OURS or (
            name.startswith("stripe_") and name != LIVE_MARKER[0] and not _registered(item, name)
        ):
            return True
    return False


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Give a test that carries one of the plugin's markers the account_links fake.

    Only the plugin's own markers: a project's ``stripe_integration`` is its own. A
    ``stripe_*`` marker nobody registered is checked for a typo by the fake. Done at
    collection, so a test without them pays nothing when it runs.
    """
    guard = _PLUGIN.state.guard if _PLUGIN.state is not None else None
    live = guard.live if guard is not None else set()
    faked = guard.faked if guard is not None else set()
    for item in items:
        if item.get_closest_marker(LIVE_MARKER[0]) is not None:
            live.add(item.nodeid)
        names = getattr(item, "fixturenames", None)
        if isinstance(names, list) and "account_links" not in names and _wants_the_fake(item):
            names.append("account_links")
        if isinstance(names, list) and "account_links" in names:
            faked.add(item.nodeid)


@pytest.fixture
def account_links(request: pytest.FixtureRequest) -> Iterator[AccountLinksFake]:
    """Fake Stripe's Connect onboarding endpoints offline; refuse every other Stripe URL."""
    from pytest_account_links.harness.fake import AccountLinksFake
    from pytest_account_links.transports.driver import Driver

    item = request.node
    if item.get_closest_marker(LIVE_MARKER[0]) is not None:
        pytest.fail(
            "pytest-account-links: a test marked @pytest.mark.stripe_live talks to Stripe; it "
            "cannot also use the account_links fake (or its markers). Drop one of the two.",
            pytrace=False,
        )
    settings = _test_settings(item)
    extensions = _PytestExtensions(request.config)
    store = request.config.stash[_STATE].fakes().store_for(item.nodeid, settings, extensions)
    driver = Driver(store)
    fake = AccountLinksFake(store, driver)
    extensions.fake = fake
    _apply_markers(store, item)
    running = _Running(item.nodeid, store)
    request.config.stash[_STATE].running = running
    driver.start()
    try:
        yield fake
    finally:
        driver.stop()
    if running.call_failed:
        return  # the test failed already: its report says why
    problems = []
    if store.unfaked and settings.unfaked == "fail":
        listing = "\n".join(f"  {refused.method} {refused.url}" for refused in store.unfaked)
        problems.append(
            "the test sent requests that are not faked (each was stopped with "
            f"UnfakedRequestError, nothing was sent):\n{listing}\nIf the test means to "
            "provoke this, clear account_links.unfaked before it ends."
        )
    unused = store.scenario.unused() if settings.assert_all_used else []
    if unused:
        listing = "\n".join(f"  {line}" for line in unused)
        problems.append(
            "failures and answers the test asked for were not used as often as asked:\n"
            f"{listing}\nEvery call they were meant for was made? Or turn this check off "
            "with @pytest.mark.account_links(assert_all_used=False) (or the "
            "account_links_assert_all_used ini key)."
        )
    if problems:
        pytest.fail("pytest-account-links: " + "\n".join(problems), pytrace=False)


@pytest.fixture
def account_links_server(
    request: pytest.FixtureRequest, account_links: AccountLinksFake, stripe_api_key: str
) -> Iterator[ServedFake]:
    """The account_links fake over HTTP on 127.0.0.1 (.url, .client, .env), with a hosted page."""
    from pytest_account_links.served.fixture import ServedFake

    state = request.config.stash[_STATE]
    served = ServedFake._attach(state.served(), account_links._driver, stripe_api_key)
    try:
        yield served
    finally:
        errors = served._detach()
    running = state.running
    if errors and not (running is not None and running.call_failed):
        pytest.fail(
            "pytest-account-links: the served fake failed to answer a request (it answered "
            f"500):\n{errors[0]}",
            pytrace=False,
        )


@pytest.fixture
def stripe_faker(request: pytest.FixtureRequest) -> Faker:
    """A Faker (en_US) with Stripe-style values (stripe_account_id(), ...), seeded per test."""
    seed = _test_settings(request.node).seed
    return request.config.stash[_STATE].fakes().user_faker_for(request.node.nodeid, seed)


@pytest.fixture
def stripe_api_key(request: pytest.FixtureRequest, stripe_faker: Faker) -> str:
    """A fabricated secret key (sk_test_..., or sk_live_... in live mode), stable for the test."""
    key: str = stripe_faker.stripe_api_key(livemode=_test_settings(request.node).livemode)
    return key


@pytest.fixture
def stripe_client(account_links: AccountLinksFake, stripe_api_key: str) -> stripe.StripeClient:
    """A stripe.StripeClient with the stripe_api_key key, answered by the account_links fake."""
    sdk = pytest.importorskip(
        "stripe",
        reason="pytest-account-links: the stripe_client fixture needs the official SDK: "
        "pip install 'pytest-account-links[stripe]'",
    )
    client: stripe.StripeClient = sdk.StripeClient(stripe_api_key)
    return client


# -- the guard -----------------------------------------------------------------------


def _guarded(report: pytest.TestReport, guard: Guard) -> None:
    """Fail the teardown of a test whose requests to Stripe the guard refused (even if the
    application swallowed the error), unless the test failed already."""
    refused, guard.refused = guard.refused, []
    if report.failed or guard.call_failed:
        return
    listing = "\n".join(f"  {request.method} {request.url}" for request in refused)
    report.outcome = "failed"
    if report.nodeid in guard.faked:
        from pytest_account_links.transports.session_guard import outside_the_fake

        report.longrepr = (
            "pytest-account-links: requests were sent to Stripe outside the test's fake (each "
            f"was stopped with UnfakedRequestError):\n{listing}\nThey were sent "
            + outside_the_fake(guard.refused_in)
        )
        return
    report.longrepr = (
        "pytest-account-links: the test sent requests to Stripe without the fake (each was "
        f"stopped with UnfakedRequestError, nothing was sent):\n{listing}\nRequest the "
        "account_links fixture, or mark the test @pytest.mark.stripe_live if it means to "
        "talk to Stripe."
    )


# -- reports -------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Note a failed call as it happens, and fail a teardown the guard must fail.

    Both happen here, as the report is made: a rerun plugin may log the reports only
    after the test's teardown (where the fixture needs to know the call failed), and
    the session counts a failure for pytest's exit status when the report is logged,
    before any later change to the report could count.
    """
    report = yield
    state = _PLUGIN.state
    if state is not None:
        guard = state.guard
        if (call.when == "call" and call.excinfo is not None) or (
            call.when == "setup" and report.failed
        ):
            guard.call_failed = True
            if state.running is not None and state.running.nodeid == item.nodeid:
                state.running.call_failed = True
        elif call.when == "teardown" and (guard.refused or guard.call_failed):
            _guarded(report, guard)
            guard.call_failed = False
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Before any reporter (terminal, junitxml, xdist) reads a test's report: add the fake's
    section to a failure, and mask every key.

    A plain hook on the report: a test that never touches Stripe pays one function call
    a phase.
    """
    state = _PLUGIN.state
    if state is not None:
        running = state.running
        if running is not None and running.nodeid == report.nodeid:
            _report_the_fake(report, running, state)
    mask_report(report)


def _report_the_fake(report: pytest.TestReport, running: _Running, state: _PluginState) -> None:
    if report.failed or report.outcome == "rerun":  # type: ignore[comparison-overlap]
        from pytest_account_links.harness.report import render_safely

        report.sections.append(render_safely(running.store))
    if report.when == "teardown":
        from pytest_account_links.harness.report import totals

        report.account_links_totals = totals(running.store)  # type: ignore[attr-defined]
        state.running = None


@pytest.hookimpl(tryfirst=True)
def pytest_collectreport(report: pytest.CollectReport) -> None:
    mask_report(report)


class _Summary:
    """Adds up the totals of each test's teardown report (from xdist workers too) and
    closes the terminal summary with them."""

    def __init__(self, state: _PluginState, config: pytest.Config) -> None:
        self._state = state
        self._config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        totals = getattr(report, "account_links_totals", None)
        if totals is not None:
            self._state.totals.add(totals)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        totals = self._state.totals
        if totals.calls and (self._config.get_verbosity() > 0 or self._state.settings.summary):
            terminalreporter.write_line(totals.line())
