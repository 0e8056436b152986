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
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        first = self.line()
        found = re.fullmatch(r"pytest-account-links: serving the fake on (http://\S+)", first)
        assert found is not None, first
        self.url = found[1]

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def line(self) -> str:
        return self.lines.get(timeout=30)

    def stop(self, how: int) -> tuple[int, str]:
        """Send ``how`` (SIGTERM, SIGINT); the exit status and the rest of its output."""
        self.process.send_signal(how)
        status = self.process.wait(timeout=30)
        self._reader.join(timeout=10)
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
