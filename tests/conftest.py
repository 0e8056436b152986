from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import httpx
import pytest
import requests.adapters
import stripe._http_client

if TYPE_CHECKING:
    from collections.abc import Iterator

pytest_plugins = ["pytester"]

#: ``requests``' own send, as it is before any test patches it.
REAL_REQUESTS_SEND = requests.adapters.HTTPAdapter.send


def patchable() -> dict[str, object]:
    """Everything the fake replaces while a test uses it, as it is now."""
    return {
        "requests": requests.adapters.HTTPAdapter.__dict__["send"],
        "httpx": httpx.HTTPTransport.__dict__["handle_request"],
        "httpx_async": httpx.AsyncHTTPTransport.__dict__["handle_async_request"],
        "aiohttp": aiohttp.ClientSession.__dict__["_request"],
        "stripe_sleeps": stripe._http_client.HTTPClient.__dict__["_sleep_time_seconds"],
    }


#: The real ones, before any test ran.
REAL = patchable()

SPEC = json.loads((Path(__file__).parent / "data" / "account-links-v2.openapi.json").read_text())

ONBOARDING = {
    "account": "acct_1Nv0FGQ9RKHgCVdK",
    "use_case": {
        "type": "account_onboarding",
        "account_onboarding": {
            "refresh_url": "https://example.com/reauth",
            "return_url": "https://example.com/return",
        },
    },
}


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytester, with hypothesis' pytest plugin off in the inner runs.

    In-process runs restore ``sys.modules`` afterwards, so that plugin re-imports
    part of hypothesis at every run's summary (about two seconds); no inner run
    uses it.
    """
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest")
    return pytester


def run_suite(
    pytester: pytest.Pytester, header: str, body: str, *args: str, **outcomes: int
) -> pytest.RunResult:
    """Write ``header + body`` as a test module, run it with ``args``, check ``outcomes``."""
    pytester.makepyfile(header + body)
    result = pytester.runpytest(*args)
    result.assert_outcomes(**outcomes)
    return result


def schema(name: str) -> dict[str, Any]:
    """A schema from Stripe's OpenAPI extract."""
    found: dict[str, Any] = SPEC["components"]["schemas"][name]
    return found


class _Echo(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"real server"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1, stopped after the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
