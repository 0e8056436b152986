"""Benchmarks of pytest-account-links, printed as a table.

    python bench/run.py            # every benchmark
    python bench/run.py startup    # one of: startup, fixture, retries

Each figure is the median of several runs, with the spread (min-max) beside it.
Run by hand, never in CI: timings on a busy machine are not test results.
"""

from __future__ import annotations

import json
import os
import platform
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
    samples = [
        float(subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True).stdout)
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
        env={**os.environ, "BENCH_OUT": str(out), "PYTHONPATH": str(folder)},
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

    from pytest_account_links._fake import FakeFactory

    params: Any = {
        "account": "acct_1Nv0FGQ9RKHgCVdK",
        "use_case": {
            "type": "account_onboarding",
            "account_onboarding": {"refresh_url": "https://example.com/reauth"},
        },
    }
    factory = FakeFactory(0)
    samples = []
    for n in range(runs):
        fake = factory.fake_for(f"bench::retries[{n}]")
        fake.outage(503, times=3)
        fake._start()
        try:
            client = stripe.StripeClient("sk_test_bench", max_network_retries=3)
            start = time.perf_counter()
            client.v2.core.account_links.create(params)
            samples.append((time.perf_counter() - start) * 1000)
        finally:
            fake._stop()
    _report("create() through 3 retries (sleeps skipped)", samples, "ms", "< 100 ms")


BENCHES: dict[str, Callable[[], None]] = {
    "startup": bench_startup,
    "fixture": bench_fixture,
    "retries": bench_retries,
}


def main(argv: list[str]) -> None:
    chosen = argv or list(BENCHES)
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


if __name__ == "__main__":
    main(sys.argv[1:])
