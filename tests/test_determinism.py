"""Fabricated values are seeded: the same per test on every run, serial or under xdist."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

SUITE = """
import json
import requests

BODY = {"account": "acct_1", "use_case": {"type": "account_update",
        "account_update": {"refresh_url": "https://example.com/r"}}}

def _record(name, account_links, stripe_faker, pytestconfig):
    response = requests.post("https://api.stripe.com/v2/core/account_links", json=BODY,
                             headers={"Authorization": "Bearer sk_test_1"})
    values = {"url": response.json()["url"], "request_id": response.headers["Request-Id"],
              "faker_account": stripe_faker.stripe_account_id(), "name": stripe_faker.name()}
    out = pytestconfig.rootpath / "values"
    out.mkdir(exist_ok=True)
    (out / (name + ".json")).write_text(json.dumps(values))

def test_one(account_links, stripe_faker, pytestconfig):
    _record("one", account_links, stripe_faker, pytestconfig)

def test_two(account_links, stripe_faker, pytestconfig):
    _record("two", account_links, stripe_faker, pytestconfig)

def test_three(account_links, stripe_faker, pytestconfig):
    _record("three", account_links, stripe_faker, pytestconfig)
"""


def _values(result: pytest.RunResult, expect: int = 3) -> dict[str, dict[str, str]]:
    """The values each test of the run wrote, read back (and removed for the next run)."""
    result.assert_outcomes(passed=expect)
    out = Path.cwd() / "values"
    found = {path.stem: json.loads(path.read_text()) for path in out.glob("*.json")}
    shutil.rmtree(out)
    assert len(found) == expect
    return found


@pytest.fixture
def suite(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_values=SUITE)
    return pytester


def test_same_values_on_every_run(suite: pytest.Pytester) -> None:
    first = _values(suite.runpytest())
    second = _values(suite.runpytest())

    assert first == second


def test_values_differ_between_tests(suite: pytest.Pytester) -> None:
    values = _values(suite.runpytest())

    urls = {v["url"] for v in values.values()}
    accounts = {v["faker_account"] for v in values.values()}
    assert len(urls) == 3
    assert len(accounts) == 3


def test_a_test_run_alone_gets_the_values_it_gets_in_the_suite(suite: pytest.Pytester) -> None:
    together = _values(suite.runpytest())
    alone = _values(suite.runpytest("test_values.py::test_two"), expect=1)

    assert alone == {"two": together["two"]}


def test_same_values_under_xdist(suite: pytest.Pytester) -> None:
    serial = _values(suite.runpytest_subprocess())
    parallel = _values(suite.runpytest_subprocess("-p", "xdist", "-n", "2"))

    assert parallel == serial


def test_seed_option_changes_every_value(suite: pytest.Pytester) -> None:
    default = _values(suite.runpytest())
    seeded = _values(suite.runpytest("--account-links-seed", "1234"))
    again = _values(suite.runpytest("--account-links-seed=1234"))

    assert seeded == again
    for name in default:
        for field in default[name]:
            assert default[name][field] != seeded[name][field], (name, field)


def test_ini_key_sets_the_seed_and_the_option_wins(suite: pytest.Pytester) -> None:
    by_option = _values(suite.runpytest("--account-links-seed", "99"))
    suite.makeini("[pytest]\naccount_links_seed = 99\n")
    by_ini = _values(suite.runpytest())
    overridden = _values(suite.runpytest("--account-links-seed", "0"))
    suite.makeini("[pytest]\n")
    default = _values(suite.runpytest())

    assert by_ini == by_option
    assert overridden == default
    assert by_ini != default


@pytest.mark.parametrize(
    ("args", "ini", "named"),
    [
        (["--account-links-seed", "abc"], "", "--account-links-seed"),
        (["--account-links-seed="], "", "--account-links-seed"),
        ([], "account_links_seed = 1.5", "the account_links_seed ini key"),
    ],
)
def test_a_bad_seed_is_a_usage_error(
    pytester: pytest.Pytester, args: list[str], ini: str, named: str
) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_nothing(): pass")

    result = pytester.runpytest(*args)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*pytest-account-links: {named} must be an integer*got*"])


def test_seed_shows_in_the_header_when_verbose(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_nothing(): pass")

    result = pytester.runpytest("-v", "--account-links-seed", "7")

    result.stdout.fnmatch_lines(["account-links: seed 7 (--account-links-seed to change)"])


def test_stripe_faker_has_the_stripe_provider(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import re

        def test_values(stripe_faker, stripe_api_key):
            assert re.fullmatch(r"acct_[A-Za-z0-9]{16}", stripe_faker.stripe_account_id())
            assert re.fullmatch(r"req_[A-Za-z0-9]{14}", stripe_faker.stripe_request_id())
            assert re.fullmatch(r"alu_test_[A-Za-z0-9]{44}",
                                stripe_faker.stripe_account_link_token())
            assert re.fullmatch(r"alu_live_[A-Za-z0-9]{44}",
                                stripe_faker.stripe_account_link_token(livemode=True))
            assert re.fullmatch(r"https://accounts\\.stripe\\.com/r/acct_9#alu_test_[A-Za-z0-9]{44}",
                                stripe_faker.stripe_account_link_url("acct_9"))
            assert re.fullmatch(r"sk_test_[A-Za-z0-9]{99}", stripe_api_key)
            assert stripe_faker.email()
        """
    )

    pytester.runpytest().assert_outcomes(passed=1)
