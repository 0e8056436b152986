"""No full API key in any output: reports, exceptions, reprs, tracebacks, logs, junitxml.

A live-looking key is sent every way a test or an application might send one (the
Authorization header, a URL's userinfo, the body, an idempotency key), to a faked
endpoint and to URLs the fake refuses; every channel pytest writes to is rendered
and searched for the key and for any long run of its secret part.
"""

from __future__ import annotations

import base64
import textwrap
from typing import TYPE_CHECKING

import pytest

from tests.conftest import OFFLINE_CONFTEST, ONBOARDING

if TYPE_CHECKING:
    from pathlib import Path

SECRET = "Zq8" + "x7Kp2Lm9Qw4Rt6Yu1Io3Pa5Sd8Fg0Hj2Kl4Zx6Cv8Bn1Mq3We5Rt7Yu9Ip2As4Df6Gh8Jk0Lz"
LIVE_KEY = f"sk_live_{SECRET}"
RESTRICTED = f"rk_test_{SECRET[::-1]}"

INNER = f"""
import json
import logging

import pytest
import requests
import stripe

from pytest_account_links import UnfakedRequestError

LIVE_KEY = {LIVE_KEY!r}
RESTRICTED = {RESTRICTED!r}
URL = "https://api.stripe.com/v2/core/account_links"
USERINFO_URL = "https://" + LIVE_KEY + ":@api.stripe.com/v2/core/account_links"
ONBOARDING = {ONBOARDING!r}


def test_unfaked_url_with_the_key_in_the_header(account_links):
    requests.get("https://api.stripe.com/v1/balance",
                 headers={{"Authorization": "Bearer " + LIVE_KEY}})


def test_unfaked_url_with_the_key_in_the_userinfo(account_links):
    requests.get("https://" + LIVE_KEY + ":@api.stripe.com/v1/balance")


def test_swallowed_unfaked_request_fails_at_teardown(account_links):
    try:
        requests.get("https://" + LIVE_KEY + ":@api.stripe.com/v1/customers")
    except UnfakedRequestError as refused:
        print("refused:", refused, repr(refused))


def test_key_in_the_userinfo_of_a_faked_call(account_links):
    response = requests.post(USERINFO_URL, json=ONBOARDING)
    assert response.status_code == 200
    print("call:", repr(account_links.calls.last), account_links.calls.last.url)
    print("headers:", account_links.calls.last.headers)
    account_links.calls.assert_called_once_with(account="acct_other")


def test_key_in_the_body(account_links):
    body = dict(ONBOARDING, account=LIVE_KEY)
    response = requests.post(URL, json=body, headers={{"Authorization": "Bearer " + RESTRICTED}})
    print("answer:", response.text)
    print("call:", account_links.calls.last, account_links.calls.last.body)
    logging.getLogger("app").warning("the app logs %s", response.json())
    assert response.status_code == 200


def test_key_as_the_idempotency_key(account_links):
    headers = {{"Authorization": "Bearer " + RESTRICTED, "Idempotency-Key": LIVE_KEY}}
    response = requests.post(URL, json=ONBOARDING, headers=headers)
    print("echo:", response.headers.get("Idempotency-Key"))
    print("recorded:", account_links.calls.last.idempotency_key)
    assert False, "fails, so the report is written"


def test_sdk_error_with_the_key(account_links):
    client = stripe.StripeClient(LIVE_KEY)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v2.core.account_links.create({{"account": LIVE_KEY}})
    print("sdk:", raised.value, repr(raised.value))
    raise raised.value
"""


def _leaks(text: str) -> list[str]:
    """Every way a key could show in ``text``: whole, or a long run of its secret."""
    found = []
    for key in (LIVE_KEY, RESTRICTED):
        secret = key[8:]
        if key in text:
            found.append(key)
        for start in range(len(secret) - 12):
            if secret[start : start + 12] in text:
                found.append(f"{key[:8]}...{secret[start : start + 12]}...")
                break
        encoded = base64.b64encode(f"{key}:".encode()).decode()
        if encoded[:20] in text:
            found.append(f"base64 of {key[:8]}...")
    return found


@pytest.mark.parametrize(
    "options",
    [
        pytest.param((), id="default"),
        pytest.param(("-v", "-rA"), id="verbose"),
        pytest.param(("-l",), id="showlocals"),
        pytest.param(("--tb=short",), id="tb-short"),
        pytest.param(("--log-level=DEBUG",), id="logs"),
    ],
)
def test_no_output_channel_shows_a_key(
    pytester: pytest.Pytester, tmp_path: Path, options: tuple[str, ...]
) -> None:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(textwrap.dedent(INNER))
    junit = tmp_path / "junit.xml"

    result = pytester.runpytest(*options, f"--junitxml={junit}", "-o", "junit_logging=all")

    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 6
    assert outcomes["passed"] == 1
    assert outcomes["errors"] == 1  # the swallowed request, at teardown
    output = result.stdout.str() + result.stderr.str()
    # The channels were written, with the masked keys in them.
    assert "sk_live_..." in output
    assert "account-links:" in output
    written = junit.read_text()
    assert "sk_live_..." in written
    assert _leaks(output) == []
    assert _leaks(written) == []


def test_the_plugins_own_frames_are_hidden_from_tracebacks(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(textwrap.dedent(INNER))

    result = pytester.runpytest("--tb=long", "-k", "unfaked_url_with_the_key_in_the_header")

    output = result.stdout.str()
    assert "pytest_account_links/" not in output.replace("pytest_account_links/errors.py", "")
    assert "WireRequest" not in output
    assert "UnfakedRequestError: pytest-account-links: GET https://api.stripe.com/v1/balance" in (
        output
    )


def test_a_basic_credential_is_masked_in_shown_locals_and_junitxml(
    pytester: pytest.Pytester,
) -> None:
    """``requests.get(url, auth=(key, ""))`` sends the key base64-encoded: the frames
    pytest shows with ``--showlocals`` (and junitxml) hold that credential."""
    import base64

    key = "sk_test_" + "Basic0Credential0Key0Z9q"
    credential = base64.b64encode(f"{key}:".encode()).decode()
    pytester.makepyfile(
        f"""
import requests

def test_timeout(account_links, account_links_server):
    account_links.outage("read_timeout", endpoint="v1.accounts.list")
    requests.get(account_links_server.url + "/v1/accounts", auth=({key!r}, ""), timeout=1)
"""
    )
    result = pytester.runpytest_subprocess("--showlocals", "--junitxml=report.xml")
    result.assert_outcomes(failed=1)
    shown = result.stdout.str() + (pytester.path / "report.xml").read_text()
    assert "ReadTimeout" in shown
    assert credential not in shown
    assert key not in shown
    assert "Basic sk_test_...Z9q" in shown or "sk_test_...0Z9q" in shown


def test_a_logged_exception_is_masked_in_live_logs_and_the_log_file(
    pytester: pytest.Pytester,
) -> None:
    key = "sk_test_" + "LoggedTraceback0Key0Z9qA"
    pytester.makepyfile(
        f"""
import logging

def test_logs(account_links):
    try:
        raise RuntimeError("bad key {key}")
    except RuntimeError:
        logging.getLogger("app").exception("the call failed")
"""
    )
    result = pytester.runpytest_subprocess("--log-cli-level=ERROR", "--log-file=run.log")
    result.assert_outcomes(passed=1)
    assert "the call failed" in result.stdout.str()
    assert "RuntimeError: bad key sk_test_...Z9qA" in (pytester.path / "run.log").read_text()
    assert key not in result.stdout.str() + (pytester.path / "run.log").read_text()
