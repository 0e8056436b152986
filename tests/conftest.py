from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

pytest_plugins = ["pytester"]


_REAL_GETADDRINFO = socket.getaddrinfo


def _offline(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name not in ("localhost", "127.0.0.1", "::1"):
        raise socket.gaierror(
            socket.EAI_NONAME, f"the project's tests never reach the network (looked up {name})"
        )
    return _REAL_GETADDRINFO(host, *args, **kwargs)


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    """No test of the suite can reach the network: no name but the loopback's resolves."""
    socket.getaddrinfo = _offline
    try:
        yield
    finally:
        socket.getaddrinfo = _REAL_GETADDRINFO


def routing() -> str:
    """What routes requests right now: ``"fake"`` (a test's), ``"guard"``, or ``"nothing"``."""
    from pytest_account_links.transports import interception as _interception
    from pytest_account_links.transports.driver import Driver
    from pytest_account_links.transports.session_guard import Guard

    router = _interception.active()
    if isinstance(router, Driver):
        return "fake"
    return "guard" if isinstance(router, Guard) else "nothing"


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
    """pytester, with hypothesis' pytest plugin off in the inner runs, and the framework
    plugins of the examples as they were before they were installed.

    In-process runs restore ``sys.modules`` afterwards, so that plugin re-imports
    part of hypothesis at every run's summary (about two seconds); no inner run
    uses it. pytest-django is off (it does nothing without ``DJANGO_SETTINGS_MODULE``,
    and no inner run sets it); pytest-asyncio stays in its strict mode (only a test
    marked ``asyncio`` runs in its loop) with its loop scope set, which it otherwise
    warns about in every inner run.
    """
    monkeypatch.setenv(
        "PYTEST_ADDOPTS",
        "-p no:hypothesispytest -p no:django -o asyncio_default_fixture_loop_scope=function",
    )
    return pytester


def run_suite(
    pytester: pytest.Pytester, header: str, body: str, *args: str, **outcomes: int
) -> pytest.RunResult:
    """Write ``header + body`` as a test module, run it with ``args``, check ``outcomes``."""
    pytester.makepyfile(header + body)
    result = pytester.runpytest(*args)
    result.assert_outcomes(**outcomes)
    return result


#: A conftest for inner runs: no host name but the loopback's may be looked up, so
#: nothing can reach the network; each lookup tried is recorded and fails the test.
OFFLINE_CONFTEST = """
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

LOOKUPS = []
_real_getaddrinfo = socket.getaddrinfo


def _offline(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name not in ("localhost", "127.0.0.1", "::1"):
        LOOKUPS.append(name)
        raise socket.gaierror(socket.EAI_NONAME, f"offline: no lookup of {name}")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def offline(request):
    socket.getaddrinfo = _offline
    try:
        yield LOOKUPS
    finally:
        socket.getaddrinfo = _real_getaddrinfo
    tried, LOOKUPS[:] = list(LOOKUPS), []
    if tried and not request.node.get_closest_marker("may_look_up"):
        pytest.fail(f"the test looked up {tried}: it tried to reach the network")


def pytest_configure(config):
    config.addinivalue_line("markers", "may_look_up: the test may try a DNS lookup")


class _Echo(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "11")
        self.end_headers()
        self.wfile.write(b"real server")

    def log_message(self, format, *args):
        pass


@pytest.fixture
def local_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
"""


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


class Webhooks:
    """An application's webhook endpoint on 127.0.0.1: what it received, what it answers."""

    def __init__(self) -> None:
        self.url = ""
        #: Each POST: its body and its ``Stripe-Signature`` header.
        self.received: list[tuple[str, str]] = []
        self.status = 200


@pytest.fixture
def webhooks() -> Iterator[Webhooks]:
    """A webhook endpoint on 127.0.0.1 that records what it receives; stopped after the test."""
    endpoint = Webhooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            endpoint.received.append((body, self.headers["Stripe-Signature"]))
            self.send_response(endpoint.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}/webhooks"
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


#: Set, to the test's node ID, in a run inside the test's own network namespace.
_OWN_NETWORK = "PYTEST_ACCOUNT_LINKS_OWN_NETWORK"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run a test marked ``own_network`` again, whole, in a network namespace of its own.

    Such a test makes the served fake listen on every interface (``--host 0.0.0.0``);
    in a namespace of its own (``unshare --net``) the only interface is a loopback of
    its own, so nothing it serves is reachable from beyond the test, as the suite's
    rule wants of every server. The test passes when that run passes.
    """
    if pyfuncitem.get_closest_marker("own_network") is None:
        return None
    if os.environ.get(_OWN_NETWORK) == pyfuncitem.nodeid:
        return None  # inside its namespace: run the test itself
    unshare = shutil.which("unshare")
    if unshare is None or shutil.which("ip") is None:
        pytest.skip(
            "listens on 0.0.0.0, so it runs in a network namespace of its own: needs "
            "unshare (util-linux) and ip (iproute2)"
        )
    namespace = [unshare, "--net"] if os.geteuid() == 0 else [unshare, "--map-root-user", "--net"]
    script = 'ip link set lo up && exec "$0" -m pytest -q -p no:cacheprovider -p no:xdist "$1"'
    inner = subprocess.run(
        [*namespace, "sh", "-c", script, sys.executable, pyfuncitem.nodeid],
        cwd=pyfuncitem.config.rootpath,
        env={**os.environ, _OWN_NETWORK: pyfuncitem.nodeid, "PYTEST_ADDOPTS": ""},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    passed = inner.returncode == 0 and re.search(r"^1 passed in ", inner.stdout, re.M)
    if not passed:  # a skip inside would exit 0 too: only the one test passing counts
        pytest.fail(
            f"the run in its own network namespace failed ({inner.returncode}):\n"
            f"{inner.stdout}{inner.stderr}",
            pytrace=False,
        )
    return True
