"""The guard: a test that does not use the fake cannot reach Stripe, whatever it sends.

Each inner run points ``api.stripe.com`` at a server on 127.0.0.1 that counts the
requests it gets: a request the guard lets escape would hit it. None may, except
from a test marked ``stripe_live`` (or with the guard turned off).
"""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import OFFLINE_CONFTEST, ONBOARDING

STRIPE_HERE = '''
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

HITS = []


class _Counting(BaseHTTPRequestHandler):
    def _answer(self):
        HITS.append(self.path)
        body = b'{"object": "balance"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format, *args):
        pass


@pytest.fixture
def stripe_here(monkeypatch):
    """A server on 127.0.0.1 that api.stripe.com resolves to; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    resolve = socket.getaddrinfo

    def here(host, port, *args, **kwargs):
        if host == "api.stripe.com":
            return resolve("127.0.0.1", port, *args, **kwargs)
        return resolve(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", here)
    HITS.clear()
    try:
        yield f"http://api.stripe.com:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
'''

HEADER = f"""
import asyncio
import urllib.request

import aiohttp
import httpx
import pytest
import requests
import stripe

from conftest import HITS
from pytest_account_links import UnfakedRequestError

ONBOARDING = {ONBOARDING!r}
"""


def run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    pytester.makeconftest(OFFLINE_CONFTEST + STRIPE_HERE)
    pytester.makepyfile(HEADER + textwrap.dedent(body))
    result = pytester.runpytest(*args)
    result.assert_outcomes(**outcomes)
    return result


def test_a_test_without_the_fake_cannot_reach_stripe(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_own_client(stripe_api_key, stripe_here):
            client = stripe.StripeClient(stripe_api_key, base_addresses={"api": stripe_here})
            with pytest.raises(stripe.APIConnectionError) as refused:
                client.v2.core.account_links.create(ONBOARDING)
            message = " ".join(str(refused.value).split())
            assert "POST http://api.stripe.com:" in message
            test = "test_a_test_without_the_fake_cannot_reach_stripe.py::test_own_client"
            assert f"by the test {test}" in message
            assert "Request the account_links fixture" in message
            assert "mark the test @pytest.mark.stripe_live" in message
            assert HITS == []

        def test_every_library(stripe_here):
            url = stripe_here + "/v1/balance"
            with pytest.raises(UnfakedRequestError):
                requests.get(url)
            with pytest.raises(UnfakedRequestError):
                httpx.get(url)
            with pytest.raises(UnfakedRequestError):
                urllib.request.urlopen(url)

            async def get():
                async with aiohttp.ClientSession() as session:
                    await session.get(url)

            with pytest.raises(UnfakedRequestError):
                asyncio.run(get())
            assert HITS == []

        def test_the_app_swallows_it(stripe_here):
            try:
                requests.get(stripe_here + "/v1/customers")
            except Exception:
                pass
            assert HITS == []

        def test_other_hosts_are_not_its_business(local_server):
            assert requests.get(local_server).text == "real server"
        """,
        passed=4,
        errors=3,
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_own_client*",
            "*the test sent requests to Stripe without the fake*",
            "*POST http://api.stripe.com:*/v2/core/account_links*",
            "*mark the test @pytest.mark.stripe_live if it means to talk to Stripe.",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_the_app_swallows_it*", "  GET http://api.stripe.com:*"]
    )


def test_stripe_live_and_the_switch_let_requests_through(pytester: pytest.Pytester) -> None:
    body = """
        @pytest.mark.stripe_live
        def test_live(stripe_here):
            assert requests.get(stripe_here + "/v1/balance").json() == {"object": "balance"}
            assert HITS == ["/v1/balance"]

        def test_unmarked(stripe_here):
            requests.get(stripe_here + "/v1/balance")
            assert HITS == ["/v1/balance"]

        @pytest.mark.stripe_live
        def test_live_and_the_fake(account_links):
            pass
        """
    guarded = run(pytester, body, passed=1, failed=1, errors=1)
    guarded.stdout.fnmatch_lines(
        [
            "*a test marked @pytest.mark.stripe_live talks to Stripe; it cannot also use the "
            "account_links fake*"
        ]
    )
    run(pytester, body, "--account-links-guard=off", passed=2, errors=1)
    pytester.makeini("[pytest]\naccount_links_guard = off\n")
    run(pytester, body, passed=2, errors=1)


def test_the_guard_costs_nothing_to_load(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_nothing_heavy():
            assert not {"pydantic", "faker", "responses"} & set(sys.modules)
        """
    )

    pytester.runpytest_subprocess("-p", "no:faker", "-p", "no:randomly").assert_outcomes(passed=1)
