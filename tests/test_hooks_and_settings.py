"""The plugin's hooks, its settings and their precedence, per-test overrides, the failure
report and the summary line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_suite

HEADER = """
import pytest
import requests
import stripe

URL = "https://api.stripe.com/v2/core/account_links"
KEY = "sk_test_BQokikJOvBiI2HlWgH4olfQ2"

def params(account="acct_1Nv0FGQ9RKHgCVdK", return_url="https://example.com/return"):
    return {"account": account, "use_case": {"type": "account_onboarding",
            "account_onboarding": {"refresh_url": "https://example.com/refresh",
                                   "return_url": return_url}}}

def post(body=None, **headers):
    return requests.post(URL, json=body or params(),
                         headers={"Authorization": "Bearer " + KEY, **headers})
"""


def _run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    return run_suite(pytester, HEADER, body, *args, **outcomes)


# -- hooks -----------------------------------------------------------------------------


def test_exchange_hook_observes_every_exchange(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        SEEN = []

        def pytest_account_links_exchange(call, fake):
            SEEN.append((call.status, call.error_code, fake.seed))
        """
    )
    _run(
        pytester,
        """
from conftest import SEEN

def test_seen(account_links):
    post()
    account_links.fail_next("not_found")
    post()
    assert SEEN == [(200, None, account_links.seed), (404, "not_found", account_links.seed)]
""",
        passed=1,
    )


def test_response_hook_changes_or_defers(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_account_links_response(body, params, api_version, fake):
            if params.account == "acct_branded":
                return {**body, "url": "https://connect.example.com/onboard"}
            return None  # the plugin's own implementation answers
        """
    )
    _run(
        pytester,
        """
def test_changed(account_links):
    body = post(params("acct_branded")).json()
    assert body["url"] == "https://connect.example.com/onboard"

def test_deferred(account_links):
    assert post().json()["url"].startswith("https://accounts.stripe.com/r/")

def test_invalid_requests_never_reach_the_hook(account_links):
    assert post({"account": "acct_branded"}).status_code == 400
""",
        passed=3,
    )


def test_validate_hook_adds_checks(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        pytest_plugins = ["team_checks"]

        def pytest_account_links_validate(params, api_version, fake):
            url = params.use_case.options.return_url or ""
            if not url.startswith("https://example.com/"):
                return "use_case.account_onboarding.return_url: must be on example.com"
            return None
        """
    )
    pytester.makepyfile(
        team_checks="""
        def pytest_account_links_validate(params, api_version, fake):
            if params.account.endswith("X"):
                return ["account: test accounts end in a digit", "account: really"]
            return None
        """
    )
    _run(
        pytester,
        """
def test_rejected(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v2.core.account_links.create(params(return_url="https://evil.example/"))
    assert raised.value.error.code == "invalid_fields"
    assert str(raised.value).endswith("use_case.account_onboarding.return_url: must be on "
                                      "example.com")

def test_list_of_problems(account_links):
    body = post(params("acct_1X")).json()
    assert body["error"]["message"] == "account: test accounts end in a digit; account: really"

def test_accepted(account_links):
    assert post().status_code == 200
""",
        passed=3,
    )


def test_account_hook_supplies_fabricated_details(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_account_links_account(account_id, faker, fake):
            return {"display_name": "ACME test " + account_id[-4:], "country": "NL"}
        """
    )
    _run(
        pytester,
        """
def test_declared(account_links):
    account = account_links.accounts.add("acct_1234")
    assert account.display_name == "ACME test 1234"
    assert account.country == "NL"
    assert "@" in account.contact_email  # the plugin's own value for what the hook left out

def test_met(account_links):
    post(params("acct_9876"))
    assert account_links.accounts.get("acct_9876").display_name == "ACME test 9876"

def test_explicit_details_still_win(account_links):
    assert account_links.accounts.add("acct_1", display_name="Mine").display_name == "Mine"
""",
        passed=3,
    )


def test_hookspecs_are_documented_and_prefixed() -> None:
    import inspect

    from pytest_account_links import hooks

    specs = [name for name, _ in inspect.getmembers(hooks, inspect.isfunction)]
    assert specs == [
        "pytest_account_links_account",
        "pytest_account_links_exchange",
        "pytest_account_links_response",
        "pytest_account_links_validate",
    ]
    for name in specs:
        assert (getattr(hooks, name).__doc__ or "").strip()


# -- settings --------------------------------------------------------------------------


SETTINGS_PROBE = """
from datetime import datetime, timezone

def test_probe(account_links, stripe_api_key):
    account_links.clock.freeze(datetime(2025, 1, 1, tzinfo=timezone.utc))
    response = requests.post(URL, json=params(),
                             headers={"Authorization": "Bearer " + stripe_api_key})
    print("PROBE", account_links.settings.seed, response.json()["expires_at"],
          response.headers["Stripe-Version"], stripe_api_key[:8])
"""


def _probe(pytester: pytest.Pytester, *args: str) -> list[str]:
    result = _run(pytester, SETTINGS_PROBE, "-s", *args, passed=1)
    line = next(x for x in result.stdout.lines if "PROBE" in x)
    return line.split("PROBE ", 1)[1].split()


def test_settings_from_ini_command_line_and_marker(pytester: pytest.Pytester) -> None:
    assert _probe(pytester) == ["0", "2025-01-01T00:10:00.000Z", "2026-10-28.endive", "sk_test_"]

    pytester.makeini(
        "[pytest]\n"
        "account_links_seed = 5\n"
        "account_links_link_lifetime = 5m\n"
        "account_links_api_version = 2026-09-30.endive\n"
        "account_links_mode = live\n"
    )
    with_ini = _probe(pytester)
    assert with_ini == ["5", "2025-01-01T00:05:00.000Z", "2026-09-30.endive", "sk_live_"]

    with_cli = _probe(
        pytester,
        "--account-links-seed=6",
        "--account-links-link-lifetime=90s",
        "--account-links-api-version=2026-10-28.preview",
        "--account-links-mode=test",
    )
    assert with_cli == ["6", "2025-01-01T00:01:30.000Z", "2026-10-28.preview", "sk_test_"]


def test_marker_wins_over_command_line_and_ini(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\naccount_links_link_lifetime = 5m\n")
    _run(
        pytester,
        """
from datetime import timedelta

pytestmark = pytest.mark.account_links(link_lifetime=120, seed=1)

@pytest.mark.account_links(link_lifetime=timedelta(seconds=30))
def test_closest_marker(account_links):
    assert account_links.link_lifetime == timedelta(seconds=30)
    assert account_links.settings.seed == 1  # from the module's marker

def test_module_marker(account_links):
    assert account_links.link_lifetime == timedelta(minutes=2)
""",
        "--account-links-link-lifetime=1h",
        passed=2,
    )


@pytest.mark.parametrize(
    ("args", "ini", "message"),
    [
        (["--account-links-seed=abc"], "", "--account-links-seed must be an integer"),
        (
            ["--account-links-link-lifetime=soon"],
            "",
            "--account-links-link-lifetime must be a duration between 1 second and 365 days: "
            "seconds (600), or 90s, 10m, 1h, or a timedelta; got 'soon'",
        ),
        (
            ["--account-links-link-lifetime=0"],
            "",
            "--account-links-link-lifetime must be between 1 second and 365 days",
        ),
        (
            ["--account-links-api-version=2099-01-01"],
            "",
            "--account-links-api-version Invalid Stripe API version: 2099-01-01",
        ),
        (
            ["--account-links-mode=prod"],
            "",
            "--account-links-mode must be one of test, live, got 'prod'",
        ),
        (
            ["--account-links-unfaked=ignore"],
            "",
            "--account-links-unfaked must be one of fail, raise, got 'ignore'",
        ),
        (
            [],
            "account_links_other_hosts = deny",
            "the account_links_other_hosts ini key must be one of allow, block, got 'deny'",
        ),
        (
            [],
            "account_links_real_retry_sleeps = maybe",
            "the account_links_real_retry_sleeps ini key must be true or false, got 'maybe'",
        ),
    ],
)
def test_bad_values_are_usage_errors(
    pytester: pytest.Pytester, args: list[str], ini: str, message: str
) -> None:
    pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_nothing(): pass")

    result = pytester.runpytest(*args)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: pytest-account-links: {message}*"])


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            "account_links(sed=1)",
            "unexpected argument 'sed' (did you mean 'seed'?); accepted: "
            "seed, link_lifetime, api_version, extra_api_versions, mode, unknown_accounts, "
            "unfaked, other_hosts, real_retry_sleeps, assert_all_used",
        ),
        ("account_links(summary=True)", "unexpected argument 'summary'"),
        ('account_links(mode="prod")', "mode must be one of test, live, got 'prod'"),
        ("account_links(1)", "takes keyword arguments only"),
    ],
)
def test_bad_marker_values_error_the_test(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    pytester.makepyfile(f"import pytest\n@pytest.mark.{marker}\ndef test_x():\n    pass\n")

    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*pytest-account-links: @pytest.mark.account_links*{message}*"])


def test_unfaked_raise_policy_and_blocking_other_hosts(
    pytester: pytest.Pytester, local_server: str
) -> None:
    _run(
        pytester,
        f"""
from pytest_account_links import UnfakedRequestError

@pytest.mark.account_links(unfaked="raise")
def test_swallowed_on_purpose(account_links):
    try:
        requests.get("https://api.stripe.com/v1/balance")
    except UnfakedRequestError:
        pass

@pytest.mark.account_links(other_hosts="block")
def test_other_hosts_blocked(account_links):
    with pytest.raises(UnfakedRequestError, match="is blocked: requests to hosts that are not"):
        requests.get({local_server!r})
    assert post().status_code == 200
    account_links.unfaked.clear()

def test_other_hosts_allowed_by_default(account_links):
    assert requests.get({local_server!r}).text == "real server"
""",
        passed=3,
    )


# -- per-test overrides ----------------------------------------------------------------


def test_override_next(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
from datetime import datetime, timezone

def test_fields_for_the_next_answer(account_links):
    account_links.override_next(url="https://accounts.stripe.com/r/acct_1Nv0FGQ9RKHgCVdK#alu_test_fixed",
                                expires_at=datetime(2030, 1, 1, tzinfo=timezone.utc))
    first, second = post().json(), post().json()
    assert first["url"].endswith("#alu_test_fixed")
    assert first["expires_at"] == "2030-01-01T00:00:00.000Z"
    assert not second["url"].endswith("#alu_test_fixed")
    assert account_links.visit(first["url"]) == "https://example.com/return"

def test_a_function_for_every_answer(account_links):
    account_links.override_next(lambda body: {**body, "livemode": True}, times=None)
    assert [post().json()["livemode"] for _ in range(3)] == [True, True, True]

def test_validation_is_kept(account_links):
    account_links.override_next(url="https://x.test/")
    assert post({"account": "acct_1"}).status_code == 400
    assert post().json()["url"] == "https://x.test/"

def test_misuse(account_links):
    with pytest.raises(ValueError, match="unknown field 'link'; the answer has account, created, "):
        account_links.override_next(link="x")
    with pytest.raises(ValueError, match="times must be an integer >= 1 or None, got 0"):
        account_links.override_next(url="x", times=0)
    with pytest.raises(ValueError, match="must be a function of the body"):
        account_links.override_next("not callable")
""",
        passed=4,
    )


# -- the failure report and the summary ------------------------------------------------


REPORT_SUITE = """
@pytest.mark.stripe_error("not_found", after=1, times=1)
def test_fails(account_links):
    post(**{"Idempotency-Key": "key-1", "Stripe-Version": "2026-10-28.endive"})
    post(**{"Idempotency-Key": "key-2", "Stripe-Version": "2026-09-30.endive"})
    post({"account": "acct_1"}, **{"Idempotency-Key": "key-3"})
    account_links.outage("connection_refused", times=1)
    with pytest.raises(requests.ConnectionError):
        post(**{"Idempotency-Key": "key-4"})
    try:
        requests.get("https://api.stripe.com/v1/balance")
    except Exception:
        pass
    assert False, "the application did not handle it"

@pytest.mark.stripe_rate_limit(1, per="total")
def test_passes(account_links):
    account_links.clock.freeze()
    post()
    post()
    account_links.outage(503, times=1)
    post()
"""


def test_a_failed_test_reports_its_exchanges(pytester: pytest.Pytester) -> None:
    result = _run(pytester, REPORT_SUITE, failed=1, passed=1)

    golden = [
        "*- account-links: 4 calls (seed 0) -*",
        "#  endpoint                      path                    version            "
        "idempotency key  status              error                      account"
        "                key",
        "1  v2.core.account_links.create  /v2/core/account_links  2026-10-28.endive  key-1"
        "            200                 -                          acct_1Nv0FGQ9RKHgCVdK"
        "  sk_test_...lfQ2",
        "2  v2.core.account_links.create  /v2/core/account_links  2026-09-30.endive  key-2"
        "            404                 not_found (@stripe_error)  acct_1Nv0FGQ9RKHgCVdK"
        "  sk_test_...lfQ2",
        "3  v2.core.account_links.create  /v2/core/account_links  2026-10-28.endive  key-3"
        "            400                 invalid_fields             acct_1"
        "                 sk_test_...lfQ2",
        "4  v2.core.account_links.create  /v2/core/account_links  2026-10-28.endive  key-4"
        "            connection_refused  - (outage)                 acct_1Nv0FGQ9RKHgCVdK"
        "  sk_test_...lfQ2",
        "refused (not faked): GET https://api.stripe.com/v1/balance",
    ]
    result.stdout.fnmatch_lines(golden, consecutive=True)
    # The docs show this very report.
    documented = (Path(__file__).parent.parent / "docs" / "report.md").read_text()
    for line in golden[1:]:
        assert line in documented
    assert result.stdout.str().count("account-links: ") == 1  # not for the passing test
    assert "BQokikJOvBiI2HlWgH4olfQ2" not in result.stdout.str()


def test_summary_line_with_verbose_option_and_under_xdist(pytester: pytest.Pytester) -> None:
    summary = (
        "account-links: 7 calls faked; errors injected: not_found x1; outages: 2; rate-limited: 1"
    )
    quiet = _run(pytester, REPORT_SUITE, failed=1, passed=1)
    assert "calls faked" not in quiet.stdout.str()

    _run(pytester, REPORT_SUITE, "-v", failed=1, passed=1).stdout.fnmatch_lines([summary])
    _run(
        pytester, REPORT_SUITE, "--account-links-summary", failed=1, passed=1
    ).stdout.fnmatch_lines([summary])
    parallel = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", "-v")
    parallel.assert_outcomes(failed=1, passed=1)
    parallel.stdout.fnmatch_lines([summary])


def test_summary_counts_injected_errors_by_code(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
@pytest.mark.stripe_error("not_found", times=2)
def test_one(account_links):
    post(); post(); post()

def test_two(account_links):
    account_links.script("accounts_v2_access_blocked")
    post()
""",
        "-v",
        passed=2,
    ).stdout.fnmatch_lines(
        [
            "account-links: 4 calls faked; errors injected: accounts_v2_access_blocked x1, "
            "not_found x2; outages: 0; rate-limited: 0"
        ]
    )


# -- pytest's own conventions ------------------------------------------------------------


def test_help_golden(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")

    result.stdout.fnmatch_lines(
        [
            "pytest-account-links (an offline fake of Stripe's Connect onboarding endpoints):",
            "  --account-links-seed=INT",
            "*base seed of every fabricated value*",
            "  --account-links-link-lifetime=DURATION",
            "  --account-links-api-version=VERSION",
            "  --account-links-mode=MODE",
            "  --account-links-unfaked=POLICY",
            "  --account-links-other-hosts=POLICY",
            "  --account-links-real-retry-sleeps",
            "  --account-links-summary",
        ]
    )
    for key in (
        "seed",
        "link_lifetime",
        "api_version",
        "mode",
        "unfaked",
        "other_hosts",
        "real_retry_sleeps",
        "summary",
    ):
        result.stdout.fnmatch_lines([f"  account_links_{key} (string):*"])


def test_settings_marker_is_listed(pytester: pytest.Pytester) -> None:
    pytester.runpytest("--markers").stdout.fnmatch_lines(
        [
            "@pytest.mark.stripe_accounts(*accounts, v2_enabled=True, "
            "platform_country=None): declare*",
            "@pytest.mark.account_links(*, seed=None, link_lifetime=None, api_version=None, "
            "extra_api_versions=None, mode=None, unknown_accounts=None, unfaked=None, "
            "other_hosts=None, real_retry_sleeps=None, assert_all_used=None): the plugin's "
            "settings*",
        ]
    )


def test_hooks_may_read_the_fake_while_it_answers(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        def pytest_account_links_response(body, params, api_version, fake):
            return {**body, "url": body["url"] + "?links=%d" % len(fake.links)}

        def pytest_account_links_account(account_id, faker, fake):
            return {"display_name": "seen %d" % len(fake.links)}
        """
    )
    _run(
        pytester,
        """
import threading

def test_no_deadlock(account_links):
    answers = []
    worker = threading.Thread(target=lambda: answers.append(post().json()), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "the fake deadlocked on a hook that reads it"
    assert answers[0]["url"].endswith("?links=0")
    # Details are fabricated when first read: here, after the link was made.
    assert account_links.accounts.get("acct_1Nv0FGQ9RKHgCVdK").display_name == "seen 1"
""",
        passed=1,
    )
