"""Benchmarks of pytest-account-links, printed as a table.

    python bench/run.py            # every benchmark
    python bench/run.py startup    # one of the names in BENCHES (startup, fixture, per_call, ...)
    python bench/run.py goals      # the per-call goal alone: the four ratios, side by side

Each figure is the median of several runs, with the spread (min-max) beside it.
Run by hand, never in CI: timings on a busy machine are not test results.
"""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

PY = sys.executable
# Measure as users run: with bytecode caches (some environments switch them off).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ROWS: list[tuple[str, str, str]] = []


def _report(name: str, samples: list[float], unit: str, goal: str) -> None:
    median = statistics.median(samples)
    spread = f"({min(samples):.3f}-{max(samples):.3f}, n={len(samples)})"
    ROWS.append((name, f"{median:.3f} {unit} {spread}", goal))


def bench_startup(runs: int = 40) -> None:
    """``import pytest_account_links.plugin`` after ``import pytest``, in a fresh interpreter."""
    code = (
        "import time, pytest\n"
        "t = time.perf_counter()\n"
        "import pytest_account_links.plugin\n"
        "print((time.perf_counter() - t) * 1000)\n"
    )
    subprocess.run([PY, "-c", code], capture_output=True, check=True, env=ENV)  # warm caches
    samples = [
        float(
            subprocess.run(
                [PY, "-c", code], capture_output=True, text=True, check=True, env=ENV
            ).stdout
        )
        for _ in range(runs)
    ]
    _report("import plugin after pytest", samples, "ms", "< 10 ms")


_TIMING_PLUGIN = textwrap.dedent(
    """
    import json, os, time
    import pytest

    _spent = []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(item):
        start = time.perf_counter()
        try:
            return (yield)
        finally:
            item._bench_start = time.perf_counter() - start

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_teardown(item, nextitem):
        start = time.perf_counter()
        try:
            return (yield)
        finally:
            _spent.append(item._bench_start + time.perf_counter() - start)

    def pytest_sessionfinish(session):
        with open(os.environ["BENCH_OUT"], "w") as out:
            json.dump(_spent, out)
    """
)


def bench_startup_run(runs: int = 41) -> None:
    """A pytest run of a one-test project: the plugin installed but unused, against
    ``-p no:account_links``, alternating so both see the same machine.

    Both runs load plugins as usual (entry points scanned, as every pytest run
    does); the other installed plugins (Faker's, hypothesis', ...) are switched
    off in both with ``-p no:<name>``: they cost the same either way and only
    add noise.
    """
    from importlib.metadata import entry_points

    others = sorted({ep.name for ep in entry_points(group="pytest11")} - {"account_links"})
    quiet = [arg for name in others for arg in ("-p", f"no:{name}")]
    arms: dict[str, list[str]] = {"with": [], "without": ["-p", "no:account_links"]}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "test_one.py").write_text("def test_one():\n    assert True\n")
        base = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", *quiet, "test_one.py"]
        timings: dict[str, list[float]] = {"with": [], "without": []}
        for extra in arms.values():  # warm the caches
            subprocess.run([*base, *extra], cwd=tmp, capture_output=True, check=True, env=ENV)
        for _ in range(runs):
            for name, extra in arms.items():
                start = time.perf_counter()
                subprocess.run([*base, *extra], cwd=tmp, capture_output=True, check=True, env=ENV)
                timings[name].append((time.perf_counter() - start) * 1000)
    _report("pytest run, plugin installed, unused", timings["with"], "ms", "")
    _report("pytest run, -p no:account_links", timings["without"], "ms", "")
    gained = [w - wo for w, wo in zip(timings["with"], timings["without"], strict=True)]
    _report("pytest run: cost of the unused plugin", gained, "ms", "< 10 ms")
    share = [g / wo * 100 for g, wo in zip(gained, timings["without"], strict=True)]
    _report("pytest run: cost of the unused plugin", share, "%", "< 5%")


def bench_guard(tests: int = 2000, runs: int = 11) -> None:
    """What the plugin (its guard, its report hooks) costs each test that never touches
    Stripe: a run of ``tests`` trivial tests, plugin on against ``-p no:account_links``."""
    from importlib.metadata import entry_points

    others = sorted({ep.name for ep in entry_points(group="pytest11")} - {"account_links"})
    quiet = [arg for name in others for arg in ("-p", f"no:{name}")]
    body = "import requests\n\n" + "".join(
        f"def test_{n}():\n    assert True\n" for n in range(tests)
    )
    arms: dict[str, list[str]] = {"on": [], "off": ["-p", "no:account_links"]}
    timings: dict[str, list[float]] = {"on": [], "off": []}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "test_many.py").write_text(body)
        base = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", *quiet, "test_many.py"]
        for extra in arms.values():  # warm the caches
            subprocess.run([*base, *extra], cwd=tmp, capture_output=True, check=True, env=ENV)
        for _ in range(runs):
            for name, extra in arms.items():
                start = time.perf_counter()
                subprocess.run([*base, *extra], cwd=tmp, capture_output=True, check=True, env=ENV)
                timings[name].append((time.perf_counter() - start) * 1000)
    _report(f"{tests} tests without the fake, plugin on", timings["on"], "ms", "")
    _report(f"{tests} tests without the fake, -p no:account_links", timings["off"], "ms", "")
    per_test = [(on - off) / tests for on, off in zip(timings["on"], timings["off"], strict=True)]
    _report("the plugin's cost per test that does not use the fake", per_test, "ms", "< 0.02 ms")


def bench_first_use(runs: int = 20) -> None:
    """The cost of the first test that uses the fake, in a run that already imports stripe.

    A one-test project whose module imports ``stripe``; the test takes the
    ``account_links`` fixture, or nothing. Whole pytest runs, alternating, with
    the other installed plugins off in both.
    """
    from importlib.metadata import entry_points

    others = sorted({ep.name for ep in entry_points(group="pytest11")} - {"account_links"})
    quiet = [arg for name in others for arg in ("-p", f"no:{name}")]
    bodies = {
        "used": "import stripe\n\ndef test_one(account_links):\n    assert True\n",
        "unused": "import stripe\n\ndef test_one():\n    assert True\n",
    }
    timings: dict[str, list[float]] = {"used": [], "unused": []}
    with tempfile.TemporaryDirectory() as tmp:
        for name, body in bodies.items():
            (Path(tmp) / f"test_{name}.py").write_text(body)
        base = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", *quiet]
        for name in bodies:  # warm the caches
            subprocess.run([*base, f"test_{name}.py"], cwd=tmp, capture_output=True, env=ENV)
        for _ in range(runs):
            for name in bodies:
                start = time.perf_counter()
                subprocess.run(
                    [*base, f"test_{name}.py"], cwd=tmp, capture_output=True, check=True, env=ENV
                )
                timings[name].append((time.perf_counter() - start) * 1000)
    _report("one-test run importing stripe, fake used", timings["used"], "ms", "")
    _report("one-test run importing stripe, fake unused", timings["unused"], "ms", "")
    cost = [u - n for u, n in zip(timings["used"], timings["unused"], strict=True)]
    _report("first use of the fake in a session", cost, "ms", "< 150 ms")


def bench_first_call(runs: int = 20) -> None:
    """In a fresh interpreter that imported stripe: a fake built, started, and its first
    create() answered (validation models and all), stopped."""
    code = textwrap.dedent(
        """
        import time, stripe
        start = time.perf_counter()
        from pytest_account_links.harness.fake import FakeFactory
        fake = FakeFactory().fake_for("bench::first_call")
        fake._driver.start()
        client = stripe.StripeClient("sk_test_bench")
        client.v2.core.account_links.create({"account": "acct_1", "use_case": {
            "type": "account_onboarding",
            "account_onboarding": {"refresh_url": "https://example.com/r"}}})
        fake._driver.stop()
        print((time.perf_counter() - start) * 1000)
        """
    )
    samples = [
        float(
            subprocess.run(
                [PY, "-c", code], capture_output=True, text=True, check=True, env=ENV
            ).stdout.strip()
        )
        for _ in range(runs)
    ]
    _report("first call through a fresh fake (in-process, stripe imported)", samples, "ms", "")


FIXTURE_SUITES = {
    "none": ("", "def test_{n}():\n    pass\n"),
    "responses": (
        textwrap.dedent(
            """
            import pytest
            import responses

            @pytest.fixture
            def bare():
                mock = responses.RequestsMock(assert_all_requests_are_fired=False)
                mock.start()
                try:
                    yield mock
                finally:
                    mock.stop(allow_assert=False)
                    mock.reset()
            """
        ),
        "def test_{n}(bare):\n    pass\n",
    ),
    "account_links": ("", "def test_{n}(account_links):\n    pass\n"),
}


def _setup_teardown_times(folder: Path) -> list[float]:
    """Seconds spent in set-up plus tear-down of each test of one run, in order."""
    out = folder / "times.json"
    subprocess.run(
        [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "timing", str(folder)],
        capture_output=True,
        check=True,
        cwd=folder,
        env={**ENV, "BENCH_OUT": str(out), "PYTHONPATH": str(folder)},
    )
    times: list[float] = json.loads(out.read_text())
    return times


def bench_fixture(tests: int = 1000, runs: int = 5) -> None:
    """Set-up and tear-down of the fixture per test, beside a bare ``responses`` fixture.

    Timed inside pytest around each test's set-up and tear-down, so collection and
    other plugins' work cancel out; the first test of each run, which pays the
    once-per-session work (building the Faker instances), is reported apart.
    """
    with tempfile.TemporaryDirectory() as tmp:
        per_test: dict[str, list[float]] = {}
        first: dict[str, list[float]] = {}
        for name, (conftest, template) in FIXTURE_SUITES.items():
            folder = Path(tmp) / name
            folder.mkdir()
            (folder / "timing.py").write_text(_TIMING_PLUGIN)
            (folder / "conftest.py").write_text(conftest)
            (folder / "test_many.py").write_text(
                "\n".join(template.format(n=n) for n in range(tests))
            )
            per_test[name], first[name] = [], []
            for _ in range(runs):
                times = _setup_teardown_times(folder)
                first[name].append(times[0] * 1000)
                per_test[name].append(statistics.mean(times[1:]) * 1000)
        base = statistics.median(per_test["none"])
        for name in ("responses", "account_links"):
            goal = "< 0.5 ms" if name == "account_links" else "(reference)"
            _report(
                f"fixture {name}: set-up + tear-down a test (mean of {tests})",
                [t - base for t in per_test[name]],
                "ms",
                goal,
            )
        _report(
            "fixture account_links: first test of a session",
            first["account_links"],
            "ms",
            "(once per session)",
        )


def bench_retries(runs: int = 30) -> None:
    """A create() through a 3-call outage with max_network_retries=3, sleeps skipped."""
    import stripe

    from pytest_account_links.harness.fake import FakeFactory

    params: Any = {
        "account": "acct_1Nv0FGQ9RKHgCVdK",
        "use_case": {
            "type": "account_onboarding",
            "account_onboarding": {"refresh_url": "https://example.com/reauth"},
        },
    }
    factory = FakeFactory()
    samples = []
    for n in range(runs):
        fake = factory.fake_for(f"bench::retries[{n}]")
        fake.outage(503, times=3)
        fake._driver.start()
        try:
            client = stripe.StripeClient("sk_test_bench", max_network_retries=3)
            start = time.perf_counter()
            client.v2.core.account_links.create(params)
            samples.append((time.perf_counter() - start) * 1000)
        finally:
            fake._driver.stop()
    _report("create() through 3 retries (sleeps skipped)", samples, "ms", "< 100 ms")


def bench_accounts(calls: int = 10_000, rounds: int = 5) -> None:
    """``calls`` calls in one test, each for a new account, beside as many for one account.

    Through the fake's dispatch (no HTTP library), so the figure is the fake's own
    per-call work: it must not grow with the number of accounts met.
    """
    from pytest_account_links.core.wire import WireRequest
    from pytest_account_links.harness.fake import FakeFactory

    headers = {"authorization": "Bearer sk_test_bench", "content-type": "application/json"}

    def one_test(distinct: bool, n: int) -> float:
        fake = FakeFactory().fake_for(f"bench::accounts[{distinct}-{n}]")
        bodies = [
            json.dumps({**PARAMS, "account": f"acct_{i if distinct else 0:016d}"}).encode()
            for i in range(calls)
        ]
        start = time.perf_counter()
        for body in bodies:
            fake._driver.dispatch(WireRequest("POST", LINK_URL, headers, body))
        return (time.perf_counter() - start) / calls * 1e6

    many, one = [], []
    for n in range(rounds):
        one.append(one_test(False, n))
        many.append(one_test(True, n))
    _report(f"per call, {calls} calls for one account", one, "us", "")
    _report(f"per call, {calls} calls over {calls} accounts", many, "us", "")
    ratio = [m / o for m, o in zip(many, one, strict=True)]
    _report("many accounts / one account", ratio, "x", "<= 1.2x")


PARAMS: Any = {
    "account": "acct_1Nv0FGQ9RKHgCVdK",
    "use_case": {
        "type": "account_onboarding",
        "account_onboarding": {
            "refresh_url": "https://example.com/reauth",
            "return_url": "https://example.com/return",
        },
    },
}
LINK_PATH = "/v2/core/account_links"
LINK_URL = "https://api.stripe.com" + LINK_PATH
ACCOUNTS_URL = "https://api.stripe.com/v2/core/accounts"
FIXED_LINK: Any = {
    "object": "v2.core.account_link",
    "account": "acct_1Nv0FGQ9RKHgCVdK",
    "created": "2025-03-27T17:15:18.000Z",
    "expires_at": "2025-03-27T17:25:18.000Z",
    "livemode": False,
    "url": "https://accounts.stripe.com/r/acct_1Nv0FGQ9RKHgCVdK#alu_test_" + "x" * 48,
    "use_case": PARAMS["use_case"],
}
FIXED_HEADERS = {"Content-Type": "application/json", "Request-Id": "req_fixedfixedfixe"}


def _time_creates(client: Any, calls: int) -> list[float]:
    """Microseconds of each of ``calls`` sync create() calls through ``client``."""
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        client.v2.core.account_links.create(PARAMS)
        samples.append((time.perf_counter() - start) * 1e6)
    return samples


def _per_call(library: str, calls: int) -> list[float]:
    """Microseconds of each of ``calls`` create() calls through ``library``."""
    import asyncio

    import stripe

    if library in ("requests", "httpx"):
        sync_http = (
            stripe.RequestsClient()
            if library == "requests"
            else stripe.HTTPXClient(allow_sync_methods=True)
        )
        return _time_creates(stripe.StripeClient("sk_test_bench", http_client=sync_http), calls)

    async def run() -> list[float]:
        http = stripe.HTTPXClient() if library == "httpx_async" else stripe.AIOHTTPClient()
        links = stripe.StripeClient("sk_test_bench", http_client=http).v2.core.account_links
        samples = []
        try:
            for _ in range(calls):
                start = time.perf_counter()
                await links.create_async(PARAMS)
                samples.append((time.perf_counter() - start) * 1e6)
        finally:
            await http.close_async()  # type: ignore[no-untyped-call]
        return samples

    return asyncio.run(run())


def _with_fake(library: str, calls: int) -> list[float]:
    from pytest_account_links.harness.fake import FakeFactory

    fake = FakeFactory().fake_for(f"bench::{library}")
    fake._driver.start()
    try:
        return _per_call(library, calls)
    finally:
        fake._driver.stop()


def _loopback_client(library: str, url: str) -> Any:
    """An SDK client on ``library`` whose API base is ``url`` (a server on 127.0.0.1)."""
    import stripe

    http = (
        stripe.RequestsClient()
        if library == "requests"
        else stripe.HTTPXClient(allow_sync_methods=True)
    )
    return stripe.StripeClient("sk_test_bench", http_client=http, base_addresses={"api": url})


class _Canned:
    """A bare loopback server in the style of stripe-mock / localstripe: a fixed body."""

    def __init__(self) -> None:
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        body = json.dumps(FIXED_LINK).encode()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # as real servers do; else delayed ACKs add 40 ms

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                for name, value in FIXED_HEADERS.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            # As the served fake: the default backlog (5) resets clients connecting at once.
            request_queue_size = 128

        self.server = Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}
        )
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class _Served:
    """The served fake (``account_links_server``'s server) with one fake attached."""

    def __init__(self, name: str) -> None:
        from pytest_account_links.harness.fake import FakeFactory
        from pytest_account_links.served.server import FakeServer
        from pytest_account_links.served.serving import Serving
        from pytest_account_links.transports.driver import Driver

        store = FakeFactory().store_for(f"bench::served::{name}")
        self.server = FakeServer()
        self.url = self.server.start()
        store.hosted_base = self.url
        self.server.attach(Serving(Driver(store)))
        self.store = store

    def stop(self) -> None:
        self.server.stop()


def _with_loopback_server(library: str, calls: int) -> list[float]:
    """The SDK over a real socket to a bare server on 127.0.0.1 answering a fixed body."""
    canned = _Canned()
    try:
        return _time_creates(_loopback_client(library, canned.url), calls)
    finally:
        canned.stop()


def _with_memory_stub(library: str, calls: int) -> list[float]:
    """An SDK http_client that answers in memory: the SDK's own cost, the floor."""
    import stripe

    body = json.dumps(FIXED_LINK).encode()

    class MemoryClient(stripe.HTTPClient):
        name = "memory"

        def request(self, *args: Any, **kwargs: Any) -> Any:
            return body, 200, FIXED_HEADERS

        async def request_async(self, *args: Any, **kwargs: Any) -> Any:
            return body, 200, FIXED_HEADERS

        def close(self) -> None:
            pass

    return _time_creates(stripe.StripeClient("sk_test_bench", http_client=MemoryClient()), calls)


#: The goal of every per-call ratio: the fake over a bare stub, and served over bare.
GOAL = 1.10
#: The ratios measured against :data:`GOAL` in this run, in order: (what, ratios).
GOALS: list[tuple[str, list[float]]] = []


def _goal(name: str, ratios: list[float]) -> None:
    _report(name, ratios, "x", f"<= {GOAL:.2f}x")
    GOALS.append((name, ratios))


class _Toggle:
    """A started fake whose router is pushed for one call and popped for the next, so
    the same client meets the fake, then the bare stub under it, in turn."""

    def __init__(self, name: str) -> None:
        from pytest_account_links.harness.fake import FakeFactory
        from pytest_account_links.transports import interception as _interception

        self._stack = _interception
        self.fake = FakeFactory().fake_for(f"bench::{name}")
        self.driver = self.fake._driver
        self.driver.start()  # installs the patches and pushes the router
        self.off()

    def on(self) -> None:
        self._stack.push(self.driver)

    def off(self) -> None:
        self._stack.pop(self.driver)

    def stop(self) -> None:
        self.on()  # as stop() expects: its router on the stack
        self.driver.stop()


def _bare_stub(library: str) -> Any:
    """A started bare static stub for ``library`` (responses, or respx for httpx), answering
    a fixed link at the fake's own URL: no validation, no fabrication, no record."""
    if library == "requests":
        import responses

        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock.add(responses.POST, LINK_URL, json=FIXED_LINK, headers=FIXED_HEADERS)
        mock.start()
        return mock
    import httpx
    import respx

    router = respx.mock(assert_all_called=False)
    router.post(LINK_URL).mock(
        return_value=httpx.Response(200, json=FIXED_LINK, headers=FIXED_HEADERS)
    )
    router.start()
    return router


def _paired_sync(client: Any, toggle: _Toggle, calls: int) -> tuple[list[float], list[float]]:
    """Microseconds of ``calls`` create() calls through the fake and as many through the
    bare stub, the same client, in turn (who goes first alternates)."""
    links = client.v2.core.account_links
    fake: list[float] = []
    bare: list[float] = []
    for n in range(calls):
        for through_fake in (True, False) if n % 2 else (False, True):
            if through_fake:
                toggle.on()
            start = time.perf_counter()
            links.create(PARAMS)
            spent = (time.perf_counter() - start) * 1e6
            if through_fake:
                toggle.off()
            (fake if through_fake else bare).append(spent)
    return fake, bare


def _paired_async(toggle: _Toggle, calls: int) -> tuple[list[float], list[float]]:
    """:func:`_paired_sync` for ``create_async`` on httpx's ``AsyncClient``."""
    import asyncio

    import stripe

    async def run() -> tuple[list[float], list[float]]:
        http = stripe.HTTPXClient()
        links = stripe.StripeClient("sk_test_bench", http_client=http).v2.core.account_links
        fake: list[float] = []
        bare: list[float] = []
        try:
            for n in range(calls):
                for through_fake in (True, False) if n % 2 else (False, True):
                    if through_fake:
                        toggle.on()
                    start = time.perf_counter()
                    await links.create_async(PARAMS)
                    spent = (time.perf_counter() - start) * 1e6
                    if through_fake:
                        toggle.off()
                    (fake if through_fake else bare).append(spent)
        finally:
            await http.close_async()  # type: ignore[no-untyped-call]
        return fake, bare

    return asyncio.run(run())


def _paired(library: str, calls: int, n: int) -> tuple[float, float]:
    """One round: median microseconds through the fake and through the bare stub."""
    import stripe

    toggle = _Toggle(f"{library}[{n}]")
    stub = _bare_stub(library)
    try:
        if library == "httpx_async":
            fake, bare = _paired_async(toggle, calls)
        else:
            http = (
                stripe.RequestsClient()
                if library == "requests"
                else stripe.HTTPXClient(allow_sync_methods=True)
            )
            client = stripe.StripeClient("sk_test_bench", http_client=http)
            fake, bare = _paired_sync(client, toggle, calls)
    finally:
        stub.stop()
        toggle.stop()
    assert len(toggle.fake.calls) == calls, "a call did not reach the fake"
    return statistics.median(fake), statistics.median(bare)


#: The libraries the per-call goal is measured on (through the SDK).
PAIRED = ("requests", "httpx", "httpx_async")


def bench_per_call(calls: int = 1000, rounds: int = 5) -> None:
    """create() through the fake against a bare static stub on the same transport.

    Each round times ``calls`` calls through the fake and as many through a bare stub
    (``responses``, ``respx``), one each in turn on the same SDK client; the figure is
    the median of the round medians, the spread their min-max. Then aiohttp (no bare
    stub works on this aiohttp) and a loopback server, in rounds of their own.
    """
    floor = [statistics.median(_with_memory_stub("requests", calls)) for _ in range(rounds)]
    _report("create(): in-memory http_client (the floor)", floor, "us", "(floor)")
    fakes: dict[str, list[float]] = {}
    for library in PAIRED:
        found = [_paired(library, calls, n) for n in range(rounds)]
        fakes[library] = [f for f, _ in found]
        _report(f"create() on {library}: through the fake", fakes[library], "us", "")
        _report(f"create() on {library}: bare static stub", [b for _, b in found], "us", "")
        _goal(f"create() on {library}: fake / bare stub", [f / b for f, b in found])
    aiohttp = [statistics.median(_with_fake("aiohttp", calls)) for _ in range(rounds)]
    _report("create() on aiohttp: through the fake", aiohttp, "us", "(no bare stub)")
    for library in ("requests", "httpx"):
        server = [statistics.median(_with_loopback_server(library, calls)) for _ in range(rounds)]
        _report(f"create() on {library}: loopback HTTP server", server, "us", "")
        speedup = [s / f for s, f in zip(server, fakes[library], strict=True)]
        _report(f"create() on {library}: server / fake (speed-up)", speedup, "x", ">= 1.5x")


def bench_goals(calls: int = 1000, rounds: int = 5) -> None:
    """The per-call goal alone, side by side in one run: the fake over a bare stub through
    the SDK on requests, httpx and httpx async, and the served fake over a bare loopback
    server (requests, httpx)."""
    for library in PAIRED:
        found = [_paired(library, calls, n) for n in range(rounds)]
        _report(f"create() on {library}: through the fake", [f for f, _ in found], "us", "")
        _report(f"create() on {library}: bare static stub", [b for _, b in found], "us", "")
        _goal(f"create() on {library}: fake / bare stub", [f / b for f, b in found])
    for library in ("requests", "httpx"):
        served, bare = _served_rounds(library, calls, rounds)
        _report(f"create() on {library}: served fake", served, "us", "")
        _report(f"create() on {library}: bare loopback server", bare, "us", "")
        _goal(
            f"create() on {library}: served / bare server",
            [s / b for s, b in zip(served, bare, strict=True)],
        )


ACCOUNT: Any = {
    "display_name": "Kunstwerk",
    "contact_email": "hallo@kunstwerk.example",
    "identity": {"country": "de", "entity_type": "individual"},
    "configuration": {
        "recipient": {"capabilities": {"stripe_balance": {"stripe_transfers": {"requested": True}}}}
    },
    "include": ["requirements", "configuration.recipient"],
}


def _timed(call: Callable[[], Any], calls: int) -> float:
    """The median microseconds of ``calls`` calls of ``call``, each timed alone."""
    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1e6)
    return statistics.median(samples)


def _account_round(n: int, calls: int) -> dict[str, float]:
    """One round: each call through the fake, by plain requests and by the SDK; and the
    SDK's calls through a bare ``responses`` stub answering the fake's own bodies."""
    import requests
    import responses
    import stripe

    from pytest_account_links.harness.fake import FakeFactory

    fake = FakeFactory().fake_for(f"bench::account_calls[{n}]")
    headers = {"Authorization": "Bearer sk_test_bench", "Stripe-Version": "2026-10-28.endive"}
    include: Any = {"include": ["requirements", "configuration.recipient"]}
    query = {"include[0]": "requirements", "include[1]": "configuration.recipient"}
    session = requests.Session()
    client = stripe.StripeClient("sk_test_bench", http_client=stripe.RequestsClient())
    accounts = client.v2.core.accounts
    found: dict[str, float] = {}
    made: list[str] = []
    fake._driver.start()
    try:
        found["plain link"] = _timed(
            lambda: session.post(LINK_URL, json=PARAMS, headers=headers).json(), calls
        )
        # Links first: once accounts are created, the fake knows only those.
        found["sdk link"] = statistics.median(_time_creates(client, calls))
        found["plain create"] = _timed(
            lambda: made.append(
                session.post(ACCOUNTS_URL, json=ACCOUNT, headers=headers).json()["id"]
            ),
            calls,
        )
        ids = iter(made)
        found["plain retrieve"] = _timed(
            lambda: session.get(
                f"{ACCOUNTS_URL}/{next(ids)}", params=query, headers=headers
            ).json(),
            calls,
        )
        found["sdk create"] = _timed(lambda: accounts.create(ACCOUNT), calls)
        ids = iter(made)
        found["sdk retrieve"] = _timed(lambda: accounts.retrieve(next(ids), include), calls)
        created = fake.calls_to("v2.core.accounts.create").last.response
        retrieved = fake.calls_to("v2.core.accounts.retrieve").last.response
    finally:
        fake._driver.stop()
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, ACCOUNTS_URL, json=created)
        mock.add(responses.GET, re.compile(f"{ACCOUNTS_URL}/acct_.*"), json=retrieved)
        found["bare create"] = _timed(lambda: accounts.create(ACCOUNT), calls)
        found["bare retrieve"] = _timed(lambda: accounts.retrieve(made[0], include), calls)
    return found


def bench_account_calls(calls: int = 1000, rounds: int = 5) -> None:
    """accounts.create() and accounts.retrieve() beside account_links.create() through the
    fake on requests: a realistic body (a recipient in Germany), a retrieve that includes
    requirements and the configuration. By plain requests, the fake's cost; by the SDK,
    which spends most of a call turning the account's larger answer into objects, also
    beside a bare ``responses`` stub answering the same bodies."""
    rounds_ = [_account_round(n, calls) for n in range(rounds)]

    def column(name: str) -> list[float]:
        return [found[name] for found in rounds_]

    def ratio(top: str, bottom: str) -> list[float]:
        return [found[top] / found[bottom] for found in rounds_]

    for how in ("plain", "sdk"):
        shown = "requests" if how == "plain" else "the SDK on requests"
        for what in ("link", "create", "retrieve"):
            _report(f"{what} by {shown}", column(f"{how} {what}"), "us", "")
    _report(
        "accounts create / link create, requests",
        ratio("plain create", "plain link"),
        "x",
        "<= 1.5x",
    )
    _report(
        "accounts retrieve / link create, requests",
        ratio("plain retrieve", "plain link"),
        "x",
        "<= 1.5x",
    )
    _report(
        "accounts create / link create, SDK", ratio("sdk create", "sdk link"), "x", "(SDK-bound)"
    )
    _report(
        "accounts retrieve / link create, SDK",
        ratio("sdk retrieve", "sdk link"),
        "x",
        "(SDK-bound)",
    )
    for what in ("create", "retrieve"):
        _report(f"{what} by the SDK: bare stub, same body", column(f"bare {what}"), "us", "")
        _report(
            f"{what} by the SDK: fake / bare stub", ratio(f"sdk {what}", f"bare {what}"), "x", ""
        )


def _served_rounds(library: str, calls: int, rounds: int) -> tuple[list[float], list[float]]:
    """Median microseconds per round through the served fake and the bare server, the same
    SDK client calling each in turn."""
    served: list[float] = []
    bare: list[float] = []
    for _ in range(rounds):
        fake, canned = _Served(library), _Canned()
        try:
            timings = _in_turn(
                {
                    "served": _loopback_client(library, fake.url),
                    "bare": _loopback_client(library, canned.url),
                },
                calls,
            )
        finally:
            fake.stop()
            canned.stop()
        served.append(statistics.median(timings["served"]))
        bare.append(statistics.median(timings["bare"]))
    return served, bare


def bench_served(calls: int = 1000, rounds: int = 5) -> None:
    """create() through the served fake against a bare loopback server with a canned body:
    the same SDK client on the same transport, call by call in turn (so both see the same
    machine); then 16 clients x 100 calls at once, every one answered and recorded."""
    for library in ("requests", "httpx"):
        served, bare = _served_rounds(library, calls, rounds)
        _report(f"create() on {library}: served fake (HTTP, 127.0.0.1)", served, "us", "")
        _report(f"create() on {library}: bare loopback server, canned body", bare, "us", "")
        ratios = [s / b for s, b in zip(served, bare, strict=True)]
        _goal(f"create() on {library}: served / bare server", ratios)
    served_runs = _concurrent(lambda: _Served("concurrent"))
    _report("16 clients x 100 calls at once: served fake", served_runs, "s", "")
    _report("16 clients x 100 calls at once: bare server", _concurrent(_Canned), "s", "")


def _in_turn(clients: dict[str, Any], calls: int) -> dict[str, list[float]]:
    """Microseconds of ``calls`` create() calls through each client, one each in turn."""
    timings: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(calls):
        for name, client in clients.items():
            start = time.perf_counter()
            client.v2.core.account_links.create(PARAMS)
            timings[name].append((time.perf_counter() - start) * 1e6)
    return timings


def _concurrent(start: Callable[[], Any], clients: int = 16, each: int = 100) -> list[float]:
    """Wall time of ``clients`` threads x ``each`` POSTs (a requests Session each), per run;
    every call must be answered (and, by the served fake, recorded)."""
    samples = []
    for _ in range(3):
        server = start()
        try:
            samples.append(_one_concurrent_run(server.url, clients, each))
            store = getattr(server, "store", None)
            if store is not None:
                assert len(store.calls.every) == clients * each, "a call was not recorded"
        finally:
            server.stop()
    return samples


def _one_concurrent_run(url: str, clients: int, each: int) -> float:
    import threading

    import requests

    body = json.dumps(PARAMS)
    headers = {"Authorization": "Bearer sk_test_bench", "Content-Type": "application/json"}
    answered: list[int] = []
    barrier = threading.Barrier(clients + 1)

    def client() -> None:
        with requests.Session() as session:
            barrier.wait()
            for _ in range(each):
                reply = session.post(url + LINK_PATH, data=body, headers=headers)
                answered.append(reply.status_code)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    assert answered == [200] * clients * each, "a call was lost"
    return elapsed


V1_LINK_URL = "https://api.stripe.com/v1/account_links"
V1_PARAMS: Any = {
    "account": "acct_1Nv0FGQ9RKHgCVdK",
    "type": "account_onboarding",
    "refresh_url": "https://example.com/reauth",
    "return_url": "https://example.com/return",
}
#: The API reference's example answer (docs.stripe.com/api/account_links/object).
FIXED_V1_LINK: Any = {
    "object": "account_link",
    "created": 1680577733,
    "expires_at": 1680578033,
    "url": "https://connect.stripe.com/setup/c/acct_1Mt0CORHFI4mz9Rw/TqckGNUHg2mG",
}


def _v1_creates(calls: int, *, global_style: bool) -> list[float]:
    """Microseconds of each of ``calls`` v1 link creates through the SDK on requests."""
    import stripe

    if global_style:

        def create() -> Any:
            return stripe.AccountLink.create(api_key="sk_test_bench", **V1_PARAMS)

    else:
        client = stripe.StripeClient("sk_test_bench", http_client=stripe.RequestsClient())

        def create() -> Any:
            return client.v1.account_links.create(V1_PARAMS)

    samples = []
    for _ in range(calls):
        start = time.perf_counter()
        create()
        samples.append((time.perf_counter() - start) * 1e6)
    return samples


def _v1_round(n: int, calls: int, global_style: bool) -> tuple[float, float]:
    """One round: the fake, then a bare ``responses`` stub answering a fixed link."""
    import responses

    from pytest_account_links.harness.fake import FakeFactory

    fake = FakeFactory().fake_for(f"bench::v1[{n}]")
    fake._driver.start()
    try:
        through_fake = statistics.median(_v1_creates(calls, global_style=global_style))
    finally:
        fake._driver.stop()
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, V1_LINK_URL, json=FIXED_V1_LINK, headers=FIXED_HEADERS)
        bare = statistics.median(_v1_creates(calls, global_style=global_style))
    return through_fake, bare


def bench_v1(calls: int = 1000, rounds: int = 5) -> None:
    """``v1.account_links.create`` through the fake against a bare ``responses`` stub on the
    same transport (requests, through the SDK), for ``StripeClient`` and the global style.
    Each round times ``calls`` calls one by one, the fake's then the stub's, alternating."""
    for style, global_style in (("client.v1", False), ("global", True)):
        found = [_v1_round(n, calls, global_style) for n in range(rounds)]
        fake = [f for f, _ in found]
        bare = [b for _, b in found]
        _report(f"v1 link create ({style}, requests): through the fake", fake, "us", "")
        _report(f"v1 link create ({style}, requests): bare responses stub", bare, "us", "")
        ratios = [f / b for f, b in found]
        _report(f"v1 link create ({style}, requests): fake / bare stub", ratios, "x", "<= 1.2x")


def bench_suite(tests: int = 1000, runs: int = 3) -> None:
    """A suite of ``tests`` tests with one create() call each, serially and under -n 2."""
    body = textwrap.dedent(
        """
        import pytest, requests

        PARAMS = {"account": "acct_1", "use_case": {"type": "account_update",
                  "account_update": {"refresh_url": "https://example.com/r"}}}

        @pytest.mark.parametrize("n", range(TESTS))
        def test_call(account_links, n):
            response = requests.post("https://api.stripe.com/v2/core/account_links",
                                     json=PARAMS, headers={"Authorization": "Bearer sk_test_1"})
            assert response.status_code == 200
        """
    ).replace("TESTS", str(tests))
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "test_suite.py").write_text(body)
        timings: dict[str, list[float]] = {"serial": [], "xdist": []}
        for _ in range(runs):
            for name, extra in (("serial", []), ("xdist", ["-n", "2"])):
                start = time.perf_counter()
                subprocess.run(
                    [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra],
                    cwd=tmp,
                    capture_output=True,
                    check=True,
                    env=ENV,
                )
                timings[name].append(time.perf_counter() - start)
    _report(f"suite of {tests} tests, one call each: serial", timings["serial"], "s", "")
    _report(f"suite of {tests} tests, one call each: -n 2", timings["xdist"], "s", "")
    speedup = [s / x for s, x in zip(timings["serial"], timings["xdist"], strict=True)]
    _report(f"suite of {tests} tests: serial / -n 2", speedup, "x", "")


BENCHES: dict[str, Callable[[], None]] = {
    "startup": bench_startup,
    "startup_run": bench_startup_run,
    "fixture": bench_fixture,
    "first_use": bench_first_use,
    "guard": bench_guard,
    "first_call": bench_first_call,
    "retries": bench_retries,
    "per_call": bench_per_call,
    "served": bench_served,
    "goals": bench_goals,
    "accounts": bench_accounts,
    "account_calls": bench_account_calls,
    "v1": bench_v1,
    "suite": bench_suite,
}


def _load() -> str:
    """The machine's load averages (1, 5, 15 minutes) and its cores."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load: unknown"
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def _print_goals() -> None:
    """The ratios the per-call goal is about, side by side, each with its goal."""
    if not GOALS:
        return
    width = max(len(name) for name, _ in GOALS)
    print(f"\nper-call goal (<= {GOAL:.2f}x), measured side by side in this run:")
    for name, ratios in GOALS:
        median = statistics.median(ratios)
        verdict = "met" if median <= GOAL else "NOT MET"
        spread = f"({min(ratios):.3f}-{max(ratios):.3f}, n={len(ratios)})"
        print(f"  {name:<{width}}  {median:.3f}x {spread}  <= {GOAL:.2f}x  {verdict}")


def main(argv: list[str]) -> None:
    chosen = [name for name in argv or list(BENCHES) if argv or name != "goals"]
    began = _load()
    for name in chosen:
        if name not in BENCHES:
            raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
        BENCHES[name]()
    width = max(len(row[0]) for row in ROWS)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )
    print(f"{'benchmark':<{width}}  median (min-max, n)                goal")
    for name, figure, goal in ROWS:
        print(f"{name:<{width}}  {figure:<35}  {goal}")
    _print_goals()
    print(f"\nbefore: {began}; after: {_load()}")


if __name__ == "__main__":
    main(sys.argv[1:])
