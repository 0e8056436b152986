"""Every failure the plugin reports at a test's teardown fails the run: pytest exits 1.

A CI job reads pytest's exit status, not its summary line: a run that prints
``1 passed, 1 error`` and exits 0 goes green. Each case below is one teardown
failure the plugin raises, run serially and under ``-n 2``, and each checks the
exit status itself (``result.ret``) as well as the outcome printed.
"""

from __future__ import annotations

import pytest

from tests.conftest import OFFLINE_CONFTEST

#: Each teardown failure the plugin raises: (test module, a line its report shows).
CASES = {
    # A test without the fake whose request the guard stopped; the application swallowed
    # the SDK's error, so only the guard's teardown report can fail the test.
    "guard": (
        """
import stripe

def test_leak():
    client = stripe.StripeClient("sk_test_" + "x" * 24, max_network_retries=0)
    try:
        client.v1.account_links.create(
            {"account": "acct_1", "type": "account_onboarding",
             "refresh_url": "https://example.com/r", "return_url": "https://example.com/b"}
        )
    except stripe.APIConnectionError:
        pass  # as an application would
""",
        "*the test sent requests to Stripe without the fake*",
    ),
    # A test with the fake that sent a request the fake does not serve, and swallowed it.
    "unfaked": (
        """
import requests

def test_unfaked(account_links):
    try:
        requests.get("https://api.stripe.com/v1/balance", timeout=5)
    except Exception:
        pass
""",
        "*the test sent requests that are not faked*",
    ),
    # A failure asked for and never used.
    "unused": (
        """
import pytest

@pytest.mark.stripe_error("not_found")
def test_unused(account_links):
    pass
""",
        "*were not used as often as asked*",
    ),
    # The served fake failed to answer (a user's hook broke): it answered 500.
    "served": (
        """
import requests

def test_served(account_links_server):
    requests.post(
        account_links_server.url + "/v2/core/account_links",
        json={"account": "acct_1", "use_case": {"type": "account_update",
              "account_update": {"refresh_url": "https://example.com/r"}}},
        headers={"Authorization": "Bearer " + account_links_server.api_key},
        timeout=10,
    )
""",
        "*the served fake failed to answer a request (it answered 500)*",
    ),
}
#: What a case adds to the conftest (where pytest finds hooks): the served fake's 500
#: comes from a hook that breaks.
CONFTESTS = {
    "served": """
def pytest_account_links_response(body, params, api_version, endpoint, fake):
    raise RuntimeError("the hook broke")
""",
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("xdist", [False, True], ids=["serial", "xdist"])
def test_a_teardown_failure_fails_the_run(
    pytester: pytest.Pytester, case: str, xdist: bool
) -> None:
    module, shown = CASES[case]
    pytester.makeconftest(OFFLINE_CONFTEST + CONFTESTS.get(case, ""))
    pytester.makepyfile(**{f"test_{case}": module})
    args = ["-p", "xdist", "-n", "2"] if xdist else []
    result = pytester.runpytest_subprocess(*args)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([shown])
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_run_without_failures_still_exits_0(pytester: pytest.Pytester) -> None:
    """The other side: the guard's bookkeeping does not fail a clean run."""
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(
        """
def test_plain():
    assert True

def test_faked(stripe_client, account_links):
    stripe_client.v2.core.accounts.create({"display_name": "Kunstwerk"})
"""
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.OK


WIDER_SCOPE = """
import pytest
import stripe

LINK = {"account": "acct_1", "type": "account_onboarding",
        "refresh_url": "https://example.com/r", "return_url": "https://example.com/b"}


@pytest.fixture(scope="{scope}")
def onboarded():
    client = stripe.StripeClient("sk_test_" + "x" * 24, max_network_retries=0)
    {body}
    yield
    {after}


def test_uses_the_fake(onboarded, account_links):
    pass
"""


@pytest.mark.parametrize("scope", ["session", "module"])
def test_a_wider_fixture_calling_stripe_is_told_it_ran_before_the_fake(
    pytester: pytest.Pytester, scope: str
) -> None:
    """The test requests account_links: the message must not tell it to."""
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(
        WIDER_SCOPE.replace("{scope}", scope)
        .replace("{body}", "client.v1.account_links.create(LINK)")
        .replace("{after}", "pass")
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*test_uses_the_fake*before its account_links fake started: a fixture set up "
            "ahead of the fake made it (a session-, package-, module- or class-scoped*",
        ]
    )
    result.stdout.no_fnmatch_line("*Request the account_links fixture*")
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_swallowed_call_from_a_wider_fixture_fails_the_teardown_saying_why(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(
        WIDER_SCOPE.replace("{scope}", "session")
        .replace(
            "{body}",
            "try:\n        client.v1.account_links.create(LINK)\n"
            "    except stripe.APIConnectionError:\n        pass",
        )
        .replace("{after}", "pass")
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*requests were sent to Stripe outside the test's fake*",
            "*POST https://api.stripe.com/v1/account_links",
            "*before its account_links fake started*Make that fixture function-scoped and "
            "have it request account_links (or account_links_server)*",
        ]
    )
    result.stdout.no_fnmatch_line("*Request the account_links fixture*")
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_a_wider_fixture_calling_stripe_at_teardown_is_told_it_ran_after_the_fake(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(
        WIDER_SCOPE.replace("{scope}", "module")
        .replace("{body}", "pass")
        .replace("{after}", "client.v1.account_links.create(LINK)")
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*after its account_links fake stopped*function-scoped*"])
    result.stdout.no_fnmatch_line("*Request the account_links fixture*")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
