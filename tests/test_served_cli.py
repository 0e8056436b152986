"""``python -m pytest_account_links serve``: the standalone server, as a frontend meets it."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest
import requests
import stripe

from pytest_account_links.domain.events import sign
from pytest_account_links.served.cli import main
from tests.conftest import ONBOARDING, Webhooks

if TYPE_CHECKING:
    from collections.abc import Iterator

PARAMS: Any = ONBOARDING
KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
SELLER = "acct_1Nv0FGQ9RKHgCVdK"


class Served:
    """The standalone server, running in a process of its own."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: queue.Queue[str] = queue.Queue()
        #: What it wrote to stderr, line by line (a warning, ...).
        self.errors: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._error_reader = threading.Thread(target=self._read_errors, daemon=True)
        self._error_reader.start()
        first = self.line()
        found = re.fullmatch(r"pytest-account-links: serving the fake on (http://\S+)", first)
        assert found is not None, first
        self.url = found[1]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def _read_errors(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.errors.append(line.rstrip("\n"))

    def line(self) -> str:
        return self.lines.get(timeout=30)

    def stop(self, how: int) -> tuple[int, str]:
        """Send ``how`` (SIGTERM, SIGINT); the exit status and the rest of its output."""
        self.process.send_signal(how)
        status = self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        self._error_reader.join(timeout=10)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return status, "\n".join(rest)


@pytest.fixture
def serve() -> Iterator[Any]:
    """Start ``python -m pytest_account_links serve <args>``; every one is killed after."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str) -> Served:
        process = subprocess.Popen(
            [sys.executable, "-m", "pytest_account_links", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        started.append(process)
        return Served(process)

    try:
        yield start
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


def test_the_standalone_server(serve: Any, webhooks: Webhooks) -> None:
    served = serve("--seed", "7", "--link-lifetime", "90s", "--webhook-url", webhooks.url)
    assert served.url.startswith("http://127.0.0.1:")
    control = served.url + "/_account_links"
    client = stripe.StripeClient(KEY, base_addresses={"api": served.url})

    link = client.v2.core.account_links.create(PARAMS)

    assert link.url.startswith(f"{served.url}/r/{SELLER}#alu_test_")
    lifetime = datetime.fromisoformat(link.expires_at) - datetime.fromisoformat(link.created)
    assert lifetime.total_seconds() == 90
    (call,) = requests.get(control + "/calls").json()
    assert (call["endpoint"], call["status"]) == ("v2.core.account_links.create", 200)
    assert call["headers"]["authorization"] == "Bearer sk_test_...p7dc"
    assert KEY not in json.dumps(call)
    # The hosted page, and its control: the event is posted to the webhook URL.
    page = requests.get(link.url)
    assert page.status_code == 200
    assert SELLER in page.text
    visited = requests.post(
        control + "/visit", json={"url": link.url, "outcome": "completed"}, allow_redirects=False
    )
    assert visited.headers["Location"] == "https://example.com/return"
    # The account's changes, then the link's own event, in order.
    payload, signature = webhooks.received[-1]
    assert '"type": "v2.core.account_link.returned"' in payload
    assert '"type": "v2.core.account.updated"' in webhooks.received[0][0]
    secret = requests.get(control + "/health").json()["webhook_secret"]
    timestamp = int(signature.split(",")[0].removeprefix("t="))
    assert signature == sign(payload, secret, timestamp)
    # A failure on demand.
    assert requests.post(control + "/fail_next", json={"code": "not_found"}).ok
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v2.core.account_links.create(PARAMS)
    assert raised.value.http_status == 404
    # Reset: a fresh fake, from the same seed.
    assert requests.post(control + "/reset").json() == {"ok": True}
    assert requests.get(control + "/calls").json() == []
    assert client.v2.core.account_links.create(PARAMS).url == link.url

    status, rest = served.stop(signal.SIGTERM)

    assert status == 0
    assert rest.endswith("pytest-account-links: stopped")
    assert "GET " + control + "/calls" in rest
    assert f"  events signed with {secret}, posted to {webhooks.url}" in rest


def test_sigint_stops_it_on_the_port_given(serve: Any) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    served = serve("--port", str(port))
    assert served.url == f"http://127.0.0.1:{port}"
    assert requests.get(served.url + "/_account_links/health").json()["serving"] is True

    status, rest = served.stop(signal.SIGINT)

    assert (status, rest.splitlines()[-1]) == (0, "pytest-account-links: stopped")
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "x"], "--seed must be an integer from 0 to 18446744073709551615"),
        (["--link-lifetime", "0"], "--link-lifetime must be between 1 second and 365 days"),
        (["--api-version", "2020-01-01"], "--api-version"),
        (["--webhook-url", "nowhere"], "webhook_url must be an http(s) URL"),
    ],
)
def test_bad_options_say_what_is_accepted(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["serve", *args]) == 2
    error = capsys.readouterr().err
    assert error.startswith("python -m pytest_account_links serve: error: ")
    assert message in error


def test_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    assert f"cannot listen on 127.0.0.1:{port}" in capsys.readouterr().err


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "serve" in capsys.readouterr().err


# -- declared accounts ------------------------------------------------------------------

ACCOUNTS_TOML = """
v2_enabled = true

[[accounts]]
id = "acct_1Seller"
configurations = ["merchant"]
display_name = "Seller Ltd"
country = "FR"

[[accounts]]
id = "acct_2Recipient"
"""
ACCOUNTS_JSON = {
    "v2_enabled": True,
    "accounts": [
        {
            "id": "acct_1Seller",
            "configurations": ["merchant"],
            "display_name": "Seller Ltd",
            "country": "FR",
        },
        "acct_2Recipient",
    ],
}
#: A stripe-mock fixture ID: what a suite written for stripe-mock names without creating it.
MOCK_ID = "acct_xxxxxxxxxxxxx"


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_accounts_declared_in_a_file(serve: Any, tmp_path: Any, suffix: str) -> None:
    path = tmp_path / f"accounts{suffix}"
    path.write_text(ACCOUNTS_TOML if suffix == ".toml" else json.dumps(ACCOUNTS_JSON))
    served = serve("--accounts", str(path))
    banner = [served.line() for _ in range(2)]
    assert banner[1] == f"  accounts: 2 declared (--accounts {path}); any other is not_found"
    client = stripe.StripeClient(KEY, base_addresses={"api": served.url})

    seller = client.v2.core.accounts.retrieve("acct_1Seller", {"include": ["identity"]})
    assert (seller.display_name, seller.applied_configurations) == ("Seller Ltd", ["merchant"])
    assert seller.identity is not None
    assert seller.identity.country == "FR"
    assert client.v1.accounts.retrieve("acct_2Recipient").id == "acct_2Recipient"
    params: Any = dict(PARAMS, account="acct_2Recipient")
    link = client.v2.core.account_links.create(params)
    assert link.url.startswith(f"{served.url}/r/acct_2Recipient#")
    # Any other account is refused, as Stripe refuses it, with a pointer to the flag.
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v2.core.accounts.retrieve(MOCK_ID)
    assert (missing.value.http_status, missing.value.code) == (404, "not_found")
    assert str(missing.value.user_message).startswith(f"No such account: '{MOCK_ID}' ")
    assert "--any-account-exists" in str(missing.value.user_message)
    with pytest.raises(stripe.PermissionError) as invalid:
        client.v1.accounts.retrieve(MOCK_ID)
    assert invalid.value.http_status == 403
    assert "--any-account-exists" in str(invalid.value.user_message)
    # A reset goes back to the file's accounts, and only those.
    client.v2.core.accounts.create({"display_name": "Made"})
    assert len(client.v2.core.accounts.list().data) == 3
    assert requests.post(served.url + "/_account_links/reset").ok
    listed = sorted(account.id for account in client.v2.core.accounts.list().data)
    assert listed == ["acct_1Seller", "acct_2Recipient"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.json", None, "cannot read it: No such file or directory"),
        ("bad.json", '[{"id": "acct_1"', "not valid JSON: Expecting ',' delimiter: line 1"),
        ("bad.toml", "[[accounts]\nid = 1", "not valid TOML: "),
        ("text.json", '"acct_1"', "expected a list of accounts, or an object of accounts"),
        (
            "extra.toml",
            '[[accounts]]\nid = "acct_1"\n[[accounts]]\nid = "acct_2"\ncolour = "red"',
            "accounts.1: unexpected argument 'colour'; accepted: id, configurations, "
            "display_name, contact_email, country",
        ),
        (
            "id.json",
            '["acct_1", "acct-2"]',
            "accounts.1.id: invalid account ID 'acct-2': expected 'acct_' followed by letters "
            "and digits",
        ),
        (
            "configuration.json",
            '[{"id": "acct_1", "configurations": ["seller"]}]',
            "accounts.0.configurations.0: got 'seller', expected 'customer', 'merchant' or "
            "'recipient'",
        ),
        ("top.json", '{"accounts": [], "v2": false}', "unexpected argument 'v2'"),
        ("twice.json", '["acct_1", {"id": "acct_1"}]', "the account acct_1 is named twice"),
        ("accounts.yaml", "- acct_1", "a .json or a .toml file, got .yaml suffix"),
    ],
)
def test_a_bad_accounts_file_is_named_with_what_is_wrong(
    capsys: pytest.CaptureFixture[str], tmp_path: Any, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)

    assert main(["serve", "--accounts", str(path)]) == 2

    error = capsys.readouterr().err
    assert error.startswith(f"python -m pytest_account_links serve: error: --accounts {path}: ")
    assert message in error
    assert "Traceback" not in error
    assert len(error.splitlines()) == 1


def test_accounts_declared_through_the_control_endpoint(serve: Any) -> None:
    served = serve()
    endpoint = served.url + "/_account_links/accounts"
    client = stripe.StripeClient(KEY, base_addresses={"api": served.url})

    posted = requests.post(
        endpoint,
        json={"accounts": ["acct_1Posted", {"id": "acct_2Posted", "configurations": ["customer"]}]},
    )

    assert posted.status_code == 200
    answer = posted.json()
    assert [(a["id"], a["configurations"]) for a in answer["accounts"]] == [
        ("acct_1Posted", ["recipient"]),
        ("acct_2Posted", ["customer"]),
    ]
    assert answer["accounts"][0]["display_name"]  # fabricated, as for a marker's account
    assert answer["v2_enabled"] is True
    assert client.v2.core.accounts.retrieve("acct_2Posted").applied_configurations == ["customer"]
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v2.core.accounts.retrieve(MOCK_ID)
    assert missing.value.code == "not_found"
    # Declared twice; a field the marker has not; not JSON: Stripe's error envelope.
    again = requests.post(endpoint, json=["acct_1Posted"])
    assert again.status_code == 400
    assert again.json()["error"]["type"] == "invalid_request_error"
    assert again.json()["error"]["code"] == "resource_already_exists"
    assert "acct_1Posted exists already" in again.json()["error"]["message"]
    unknown = requests.post(endpoint, json={"accounts": [{"idd": "acct_3"}]})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["message"] == (
        "pytest-account-links: POST /_account_links/accounts: accounts.0: unexpected argument "
        "'idd' (did you mean 'id'?); accepted: id, configurations, display_name, "
        "contact_email, country"
    )
    garbled = requests.post(endpoint, data=b"acct_3", headers={"Content-Type": "application/json"})
    assert (garbled.status_code, garbled.json()["error"]["code"]) == (400, "invalid_request")
    as_form = requests.post(endpoint, data=b"acct_3")  # what another site's form may send
    assert (as_form.status_code, as_form.json()["error"]["code"]) == (
        415,
        "unsupported_media_type",
    )
    # v2_enabled, as the marker's.
    off = requests.post(endpoint, json={"v2_enabled": False})
    assert off.json() == {"accounts": [], "v2_enabled": False}
    with pytest.raises(stripe.InvalidRequestError) as blocked:
        client.v2.core.accounts.retrieve("acct_1Posted")
    assert blocked.value.code == "accounts_v2_access_blocked"


def test_the_served_fixture_declares_accounts_as_the_marker_does(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest
        import requests
        import stripe

        @pytest.mark.stripe_accounts("acct_1Marked")
        def test_declared(account_links_server, account_links):
            client = account_links_server.client
            assert client.v2.core.accounts.retrieve("acct_1Marked").id == "acct_1Marked"
            account_links_server.accounts.add("acct_2Added", configurations=["merchant"])
            added = client.v2.core.accounts.retrieve("acct_2Added")
            assert added.applied_configurations == ["merchant"]
            posted = requests.post(
                account_links_server.url + "/_account_links/accounts", json=["acct_3Posted"]
            )
            assert posted.json()["accounts"][0]["id"] == "acct_3Posted"
            assert account_links.accounts["acct_3Posted"].declared
            with pytest.raises(stripe.InvalidRequestError) as missing:
                client.v2.core.accounts.retrieve("acct_4Other")
            assert missing.value.code == "not_found"
            # The hint is the standalone server's; a test's fake answers Stripe's words.
            assert missing.value.user_message == "No such account: 'acct_4Other'"

        def test_nothing_is_left_over(account_links_server, account_links):
            assert "acct_3Posted" not in account_links.accounts
            assert account_links_server.client.v2.core.accounts.retrieve("acct_4Other")
        """
    )

    result = pytester.runpytest()

    result.assert_outcomes(passed=2)


# -- a suite written for stripe-mock ------------------------------------------------------

#: Written as stripe-python's own stripe-mock tests are: fixed IDs, never created.
STRIPE_MOCK_CONFTEST = """
import os

import pytest
import stripe


@pytest.fixture(autouse=True)
def setup_stripe(monkeypatch):
    monkeypatch.setattr(stripe, "api_base", os.environ["STRIPE_MOCK_BASE"])
    monkeypatch.setattr(stripe, "api_key", "sk_test_123")
"""
STRIPE_MOCK_SUITE = """
import stripe

TEST_RESOURCE_ID = "acct_123"


class TestAccount:
    def test_is_creatable(self):
        resource = stripe.Account.create(country="US", type="express")
        assert isinstance(resource, stripe.Account)

    def test_is_listable(self):
        resources = stripe.Account.list()
        assert isinstance(resources.data, list)

    def test_is_retrievable(self):
        resource = stripe.Account.retrieve(TEST_RESOURCE_ID)
        assert isinstance(resource, stripe.Account)
        assert resource.id == TEST_RESOURCE_ID

    def test_is_modifiable(self):
        resource = stripe.Account.modify(TEST_RESOURCE_ID, metadata={"key": "value"})
        assert resource.metadata["key"] == "value"


class TestAccountLink:
    def test_is_creatable(self):
        resource = stripe.AccountLink.create(
            account="acct_xxxxxxxxxxxxx",
            refresh_url="https://stripe.com/refresh",
            return_url="https://stripe.com/return",
            type="account_onboarding",
        )
        assert isinstance(resource, stripe.AccountLink)


class TestV2:
    def client(self):
        return stripe.StripeClient("sk_test_123", base_addresses={"api": stripe.api_base})

    def test_account_is_retrievable(self):
        account = self.client().v2.core.accounts.retrieve("acct_xxxxxxxxxxxxx")
        assert account.id == "acct_xxxxxxxxxxxxx"

    def test_account_link_is_creatable(self):
        link = self.client().v2.core.account_links.create(
            {
                "account": "acct_xxxxxxxxxxxxx",
                "use_case": {
                    "type": "account_onboarding",
                    "account_onboarding": {"refresh_url": "https://stripe.com/refresh"},
                },
            }
        )
        assert link.account == "acct_xxxxxxxxxxxxx"
"""


@pytest.mark.parametrize("migrating", [True, False], ids=["any-account-exists", "without"])
def test_a_stripe_mock_suite_runs_unchanged_with_any_account_exists(
    serve: Any, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, migrating: bool
) -> None:
    served = serve(*(["--any-account-exists"] if migrating else []))
    accounts = [served.line() for _ in range(2)][1]
    assert accounts == (
        "  accounts: any well-formed account ID exists (--any-account-exists)"
        if migrating
        else "  accounts: any well-formed ID until one is created; then only those"
    )
    monkeypatch.setenv("STRIPE_MOCK_BASE", served.url)
    pytester.makeconftest(STRIPE_MOCK_CONFTEST)
    pytester.makepyfile(test_account=STRIPE_MOCK_SUITE)

    result = pytester.runpytest("-p", "no:cacheprovider")

    if migrating:
        result.assert_outcomes(passed=7)
    else:  # the account created first makes every other ID unknown, as on Stripe
        result.assert_outcomes(passed=2, failed=5)
        result.stdout.fnmatch_lines(
            [
                "*PermissionError: *does not have access to account 'acct_123'*"
                "--any-account-exists*",
                "*InvalidRequestError: *No such account: 'acct_xxxxxxxxxxxxx'*"
                "--any-account-exists*",
            ],
            consecutive=False,
        )


# -- another address, one key -------------------------------------------------------------

OTHER_KEY = "sk_test_51OtherKeyOfSomeoneElse00000000ab"


def _wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.own_network
def test_a_test_that_listens_everywhere_runs_in_a_network_of_its_own() -> None:
    """0.0.0.0 reaches nothing but the test's own loopback (tests/conftest.py)."""
    assert [name for _, name in socket.if_nameindex()] == ["lo"]


@pytest.mark.own_network
def test_every_interface_takes_one_key_and_warns(serve: Any) -> None:
    served = serve("--host", "0.0.0.0", "--api-key", KEY)
    banner = [served.line() for _ in range(2)]
    assert served.url.startswith("http://127.0.0.1:")  # reached through the loopback
    port = served.url.rpartition(":")[2]
    assert banner[
        0
    ] == f"  Stripe's API: base_addresses={{'api': '{served.url}'}}, only the key " + (
        "sk_test_...p7dc"
    )
    _wait_for(lambda: served.errors)
    assert served.errors[0].startswith(
        f"pytest-account-links: warning: listening on 0.0.0.0 port {port}, beyond this machine"
    )
    right = stripe.StripeClient(KEY, base_addresses={"api": served.url})
    wrong = stripe.StripeClient(
        OTHER_KEY, base_addresses={"api": served.url}, max_network_retries=0
    )

    assert right.v2.core.account_links.create(PARAMS).account == SELLER
    with pytest.raises(stripe.AuthenticationError) as refused:
        wrong.v2.core.account_links.create(PARAMS)
    assert refused.value.http_status == 401
    v2 = requests.post(
        served.url + "/v2/core/account_links",
        json=PARAMS,
        headers={"Authorization": f"Bearer {OTHER_KEY}"},
    )
    assert v2.status_code == 401
    assert v2.json()["error"]["type"] == "invalid_request_error"
    assert v2.json()["error"]["code"] == "api_key_invalid"  # the fake's malformed-key code
    assert v2.json()["error"]["message"] == (
        "Invalid API Key provided: sk_test_" + "*" * 29 + "00ab"
    )
    v1 = requests.get(served.url + "/v1/accounts/" + SELLER, auth=(OTHER_KEY, ""))
    assert v1.status_code == 401
    assert v1.json()["error"] == {
        "type": "invalid_request_error",
        "message": "Invalid API Key provided: sk_test_" + "*" * 29 + "00ab",
        "request_log_url": v1.json()["error"]["request_log_url"],
    }
    assert right.v1.accounts.retrieve(SELLER).id == SELLER
    health = requests.get(served.url + "/_account_links/health").text
    calls = requests.get(served.url + "/_account_links/calls").text

    status, rest = served.stop(signal.SIGTERM)

    assert status == 0
    shown = "\n".join([*banner, rest, *served.errors, health, calls])
    assert KEY not in shown
    assert OTHER_KEY not in shown


def test_the_key_on_loopback_too(serve: Any) -> None:
    served = serve("--api-key", KEY)
    banner = served.line()
    assert banner.endswith(", only the key sk_test_...p7dc")
    wrong = stripe.StripeClient(
        OTHER_KEY, base_addresses={"api": served.url}, max_network_retries=0
    )

    with pytest.raises(stripe.AuthenticationError):
        wrong.v1.accounts.retrieve(SELLER)
    assert requests.get(served.url + "/v1/accounts/" + SELLER, auth=(KEY, "")).ok

    served.stop(signal.SIGTERM)
    assert served.errors == []  # no warning on loopback


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", "0.0.0.0"], "--host 0.0.0.0 listens beyond this machine: give --api-key KEY"),
        (["--host", "::"], "--host :: listens beyond this machine"),
        (["--host", "stripe-fake"], "argument --host: an IP address to listen on"),
        (["--api-key", "pk_test_1234567890abcdefgh"], "--api-key must be a secret key"),
        (["--api-key", "sk_test_123 4"], "--api-key must be a secret key"),
    ],
)
def test_a_host_or_key_refused(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    try:
        status = main(["serve", *args])
    except SystemExit as exited:  # argparse's own refusals
        status = int(str(exited.code))
    assert status == 2
    error = capsys.readouterr().err
    assert message in error
    assert "Traceback" not in error


def test_ipv6_loopback_with_declared_accounts_and_any_account(serve: Any, tmp_path: Any) -> None:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps([{"id": "acct_1Seller", "configurations": ["merchant"]}]))
    served = serve("--host", "::1", "--accounts", str(path), "--any-account-exists")
    assert re.fullmatch(r"http://\[::1\]:\d+", served.url)
    accounts = [served.line() for _ in range(2)][1]
    assert accounts == (
        f"  accounts: 1 declared (--accounts {path}); any well-formed account ID exists "
        "(--any-account-exists)"
    )
    client = stripe.StripeClient(KEY, base_addresses={"api": served.url})

    assert client.v2.core.accounts.retrieve("acct_1Seller").applied_configurations == ["merchant"]
    assert client.v2.core.accounts.retrieve(MOCK_ID).applied_configurations == ["recipient"]
    assert client.v1.accounts.retrieve("acct_123").id == "acct_123"

    served.stop(signal.SIGTERM)
    assert served.errors == []  # loopback: no key needed, no warning
