"""Which calls fail: times/after, several markers, programmatic rules and scripts, scopes."""

from __future__ import annotations

import pytest

from tests.conftest import run_suite

HEADER = """
import pytest
import requests
import stripe

URL = "https://api.stripe.com/v2/core/account_links"
PARAMS = {
    "account": "acct_1Nv0FGQ9RKHgCVdK",
    "use_case": {"type": "account_update",
                 "account_update": {"refresh_url": "https://example.com/reauth"}},
}

def outcomes(n, **params):
    got = []
    for _ in range(n):
        response = requests.post(URL, json={**PARAMS, **params},
                                 headers={"Authorization": "Bearer sk_test_1"})
        got.append(response.json().get("error", {}).get("code", response.status_code))
    return got
"""


def _run(pytester: pytest.Pytester, body: str, **outcomes: int) -> pytest.RunResult:
    return run_suite(pytester, HEADER, body, **outcomes)


def test_times_and_after(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
@pytest.mark.stripe_error("not_found")
def test_every_call(account_links):
    assert outcomes(3) == ["not_found"] * 3

@pytest.mark.stripe_error("not_found", times=2)
def test_first_two(account_links):
    assert outcomes(4) == ["not_found", "not_found", 200, 200]

@pytest.mark.stripe_error("not_found", after=2)
def test_after_two(account_links):
    assert outcomes(4) == [200, 200, "not_found", "not_found"]

@pytest.mark.stripe_error("not_found", after=1, times=1)
def test_only_the_second(account_links):
    assert outcomes(3) == [200, "not_found", 200]
""",
        passed=4,
    )


def test_several_markers_compose(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
@pytest.mark.stripe_error("not_found", times=1)
@pytest.mark.stripe_error("accounts_v2_access_blocked", after=1, times=1)
def test_sequence(account_links):
    assert outcomes(3) == ["not_found", "accounts_v2_access_blocked", 200]

@pytest.mark.account_links(assert_all_used=False)  # the farther rule is shadowed once
@pytest.mark.stripe_error("accounts_v2_access_blocked", times=2)
@pytest.mark.stripe_error("not_found", times=1)
def test_overlap_nearest_the_def_wins(account_links):
    assert outcomes(3) == ["not_found", "accounts_v2_access_blocked", 200]

@pytest.mark.stripe_error("not_found", times=1)
@pytest.mark.stripe_outage(503, times=1)
def test_outages_come_before_errors(account_links):
    assert outcomes(3) == ["service_unavailable", "not_found", 200]

@pytest.mark.stripe_error("not_found", times=1)
def test_rules_count_only_the_calls_that_reach_them(account_links):
    # The invalid call is answered by validation; the error waits for a valid one.
    assert outcomes(1, use_case="bad") == ["invalid_fields"]
    assert outcomes(2) == ["not_found", 200]
""",
        passed=4,
    )


def test_fail_next_script_and_clear(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
def test_fail_next(account_links):
    assert outcomes(1) == [200]
    account_links.fail_next("not_found")
    assert outcomes(2) == ["not_found", 200]
    account_links.fail_next("account_rate_limit_exceeded", times=2, message="slow down")
    assert outcomes(3) == ["account_rate_limit_exceeded"] * 2 + [200]
    assert account_links.calls[-2].response["error"]["message"] == "slow down"

@pytest.mark.stripe_error("not_found")
def test_fail_next_takes_precedence_over_markers(account_links):
    account_links.fail_next("accounts_v2_access_blocked")
    assert outcomes(2) == ["accounts_v2_access_blocked", "not_found"]

def test_script(account_links):
    account_links.script(503, "ok", "not_found", "connection_refused")
    assert outcomes(3) == ["service_unavailable", 200, "not_found"]
    with pytest.raises(requests.ConnectionError, match="connection refused"):
        outcomes(1)
    assert outcomes(1) == [200]
    assert [c.injected for c in account_links.calls] == [
        "script", None, "script", "script", None]

@pytest.mark.stripe_error("not_found")
def test_scripted_ok_overrides_markers(account_links):
    account_links.script("ok")
    assert outcomes(2) == [200, "not_found"]

def test_outage_and_rate_limit_methods(account_links):
    account_links.outage(502, times=1)
    account_links.rate_limit(1, per="total")
    assert outcomes(3) == ["bad_gateway", 200, "account_rate_limit_exceeded"]

@pytest.mark.stripe_error("not_found")
def test_clear_failures(account_links):
    account_links.clear_failures()
    assert outcomes(1) == [200]

def test_calls_record_what_injected_the_failure(account_links):
    account_links.fail_next("not_found")
    outcomes(1)
    assert account_links.calls.last.injected == "fail_next"
    assert account_links.calls.last.error_code == "not_found"
""",
        passed=7,
    )


def test_programmatic_misuse_raises_at_once(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
import re

from pytest_account_links.harness.marker_options import MarkerError

def test_fail_next_unknown_code(account_links):
    expected = "fail_next(): unknown code 'not_fond' (did you mean 'not_found'?)"
    with pytest.raises(ValueError, match=re.escape(expected)):
        account_links.fail_next("not_fond")

def test_fail_next_bad_times(account_links):
    with pytest.raises(ValueError, match="times must be an integer >= 1, got 0"):
        account_links.fail_next("not_found", times=0)

def test_script_unknown_outcome(account_links):
    with pytest.raises(ValueError, match="outcome 2 is 'oops'; accepted: 'ok', "):
        account_links.script("ok", "oops")

def test_script_rejects_booleans(account_links):
    with pytest.raises(ValueError, match="outcome 1 is True"):
        account_links.script(True)

def test_outage_unknown_kind(account_links):
    with pytest.raises(MarkerError, match="kind: got 418"):
        account_links.outage(418)
""",
        passed=5,
    )


def test_scopes_closest_wins(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        def pytest_collection_modifyitems(items):
            for item in items:
                if "from_conftest" in item.name:
                    item.add_marker(pytest.mark.stripe_error("accounts_v2_access_blocked"))
        """
    )
    _run(
        pytester,
        """
# The closer markers shadow the module's: unused by design.
pytestmark = [
    pytest.mark.stripe_error("not_found"),
    pytest.mark.account_links(assert_all_used=False),
]

def test_module_marker(account_links):
    assert outcomes(1) == ["not_found"]

@pytest.mark.stripe_error("account_rate_limit_exceeded")
def test_own_marker_beats_module(account_links):
    assert outcomes(1) == ["account_rate_limit_exceeded"]

@pytest.mark.stripe_error("account_rate_limit_exceeded", times=1)
def test_farther_marker_applies_past_the_closer_window(account_links):
    assert outcomes(2) == ["account_rate_limit_exceeded", "not_found"]

def test_from_conftest(account_links):
    assert outcomes(1) == ["accounts_v2_access_blocked"]

@pytest.mark.stripe_error("idempotency_key_in_use")
class TestClass:
    def test_class_marker_beats_module(self, account_links):
        assert outcomes(1) == ["idempotency_key_in_use"]

    @pytest.mark.stripe_error("insufficient_permissions")
    def test_method_marker_beats_class(self, account_links):
        assert outcomes(1) == ["insufficient_permissions"]
""",
        passed=6,
    )


def test_a_marker_brings_the_fake_without_the_fixture(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
@pytest.mark.stripe_error("not_found")
def test_no_fixture_requested():
    assert outcomes(1) == ["not_found"]

@pytest.mark.stripe_outage("connection_refused")
def test_sdk_without_fixture(stripe_api_key):
    with pytest.raises(stripe.APIConnectionError, match="connection refused"):
        stripe.StripeClient(stripe_api_key).v2.core.account_links.create(PARAMS)
""",
        passed=2,
    )


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            'stripe_error("not_fond")',
            "*@pytest.mark.stripe_error: unknown code 'not_fond' (did you mean 'not_found'?); "
            "known codes: accounts_v2_access_blocked, configs_must_match_to_use_account_links, "
            "not_found, account_rate_limit_exceeded, *",
        ),
        ("stripe_error()", "*@pytest.mark.stripe_error: missing required argument 'code'"),
        (
            'stripe_error("not_found", tims=2)',
            "*@pytest.mark.stripe_error: unexpected argument 'tims' (did you mean 'times'?); "
            "accepted: code, message, user_message, applied_configurations, times, after, "
            "should_retry, endpoint",
        ),
        (
            'stripe_error("not_found", times=-1)',
            "*@pytest.mark.stripe_error: times must be an integer >= 1, got -1",
        ),
        (
            'stripe_error("not_found", times="2")',
            "*@pytest.mark.stripe_error: times: input should be a valid integer, got '2' (str)",
        ),
        (
            'stripe_error("not_found", after=-1)',
            "*@pytest.mark.stripe_error: after must be an integer >= 0, got -1",
        ),
        (
            'stripe_error("not_found", applied_configurations=["merchant"])',
            "*applied_configurations only applies to configs_must_match_to_use_account_links, "
            "not to 'not_found'",
        ),
        (
            'stripe_error("not_found", "twice")',
            "*takes at most 1 positional argument (code), got 2: 'not_found', 'twice'",
        ),
        (
            "stripe_outage(505)",
            "*@pytest.mark.stripe_outage: kind: got 505, expected 500, 502, 503, 504, "
            "'connection_refused' or 'read_timeout'",
        ),
        (
            'stripe_outage(should_retry="yes")',
            "*should_retry: input should be a valid boolean, got 'yes' (str)",
        ),
        (
            "stripe_rate_limit()",
            "*@pytest.mark.stripe_rate_limit: missing required argument 'limit'",
        ),
        ("stripe_rate_limit(0)", "*limit must be an integer >= 1, got 0"),
        (
            "stripe_rate_limit(2, window=-5)",
            "*window: must be between 0 and 31536000 seconds (more than 0), got -5*",
        ),
        ('stripe_rate_limit(2, per="acct")', "*per: got 'acct', expected 'account' or 'total'"),
        (
            'stripe_eror("not_found")',
            "*unknown marker @pytest.mark.stripe_eror (did you mean @pytest.mark.stripe_error?)*",
        ),
        (
            'stripe_error("not_found", endpoint="v2.core.acount_links.create")',
            "*@pytest.mark.stripe_error: endpoint: unknown endpoint 'v2.core.acount_links.create' "
            "(did you mean 'v2.core.account_links.create'?); faked endpoints: "
            "v2.core.account_links.create, v2.core.accounts.create, *, or '*' for all",
        ),
        (
            "stripe_outage(503, endpoint=[])",
            "*@pytest.mark.stripe_outage: endpoint: names no endpoint; give a name, or '*'",
        ),
        (
            "stripe_rate_limit(1, endpoint=3)",
            "*endpoint: expected an endpoint name, a list of them, or '*', got 3",
        ),
    ],
)
def test_misuse_errors_at_setup_naming_marker_problem_and_accepted(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    pytester.makepyfile(
        f"""
        import pytest

        @pytest.mark.{marker}
        def test_misused():
            raise AssertionError("the test must not run")
        """
    )

    result = pytester.runpytest("-W", "ignore::pytest.PytestUnknownMarkWarning")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ERROR at setup of test_misused*", message])
    result.stdout.no_fnmatch_line("*Traceback*")
    result.stdout.no_fnmatch_line("*the test must not run*")


def test_markers_are_listed_with_signature_and_description(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")

    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.stripe_error(code, *, message=None, user_message=None, "
            "applied_configurations=None, times=None, after=0, should_retry=None, "
            "endpoint='v2.core.account_links.create'): answer valid requests to `endpoint`*",
            "@pytest.mark.stripe_outage(kind=503, *, times=None, after=0, should_retry=None, "
            "endpoint='v2.core.account_links.create'): fail calls to `endpoint`*",
            "@pytest.mark.stripe_rate_limit(limit, *, window=1.0, per='account', "
            "should_retry=None, endpoint='v2.core.account_links.create'): answer 429*",
            "@pytest.mark.stripe_accounts(*accounts, v2_enabled=True, "
            "platform_country=None): declare*",
        ]
    )


def test_markers_work_under_strict_markers(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
@pytest.mark.stripe_error("not_found")
@pytest.mark.stripe_outage(503, times=1)
@pytest.mark.stripe_rate_limit(5)
@pytest.mark.account_links(assert_all_used=False)  # two calls never reach the limit
def test_strict(account_links):
    assert outcomes(2) == ["service_unavailable", "not_found"]
""",
        passed=1,
    )
