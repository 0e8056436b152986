"""The served fake against hostile or careless clients: slow ones, other sites' pages
(DNS rebinding, cross-site posts), and many connections and tests at once."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import threading
import time
from typing import TYPE_CHECKING, Any

import pytest
import requests

from pytest_account_links.harness.fake import FakeFactory
from tests.conftest import ONBOARDING
from tests.test_served_webhooks import WEBHOOK_CONFTEST

if TYPE_CHECKING:
    from collections.abc import Iterator

    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake
    from pytest_account_links.served.server import FakeServer

PARAMS: Any = ONBOARDING
EVIL = "https://evil.example"


@pytest.fixture
def server() -> Iterator[FakeServer]:
    """A served fake of its own (not the session's), serving one fake; stopped after."""
    from pytest_account_links.served.server import FakeServer
    from pytest_account_links.served.serving import Serving
    from pytest_account_links.transports.driver import Driver

    served = FakeServer()
    served.read_timeout = 0.5
    served.start()
    serving = served.attach(Serving(Driver(FakeFactory().store_for("tests::hardening"))))
    try:
        yield served
    finally:
        served.detach(serving)
        served.stop()


def _port(server: FakeServer) -> int:
    return int(server.url.rsplit(":", 1)[1])


def _connection_threads() -> int:
    return sum(t.name == "account-links-served-connection" for t in threading.enumerate())


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


# -- slow clients ------------------------------------------------------------------------


def test_a_body_shorter_than_its_content_length_is_answered_408_not_held(
    server: FakeServer,
) -> None:
    """A client that announces more than it sends gets 408 once ``read_timeout`` passes,
    and the connection (and its thread) ends: it no longer waits until the client closes."""
    before = _connection_threads()  # (the session's served fake may have some)
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=5) as sock:
        sock.sendall(
            b"POST /v2/core/account_links HTTP/1.1\r\nHost: 127.0.0.1:"
            + str(_port(server)).encode()
            + b"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
        )
        started = time.monotonic()
        answer = _read_all(sock)  # to the end: the server closes the connection
    assert time.monotonic() - started < 3
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 ")
    assert b"Connection: close" in head
    assert json.loads(body)["error"] == {
        "code": "request_timeout",
        "message": "pytest-account-links: the request's body did not arrive within 0.5 s "
        "(is its Content-Length larger than the body sent?)",
    }
    deadline = time.monotonic() + 5
    while _connection_threads() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _connection_threads() <= before


def test_an_idle_connection_is_closed_after_the_read_timeout(server: FakeServer) -> None:
    with socket.create_connection(("127.0.0.1", _port(server)), timeout=5) as sock:
        started = time.monotonic()
        assert _read_all(sock) == b""
    assert time.monotonic() - started < 3


# -- DNS rebinding: the Host header ------------------------------------------------------


def _as(served: ServedFake, host: str, path: str) -> requests.Response:
    return requests.get(served.url + path, headers={"Host": host}, timeout=10)


@pytest.mark.parametrize(
    "path",
    [
        "/_account_links/health",
        "/_account_links/calls",
        "/_account_links/links/alu_anything",
        "/r/acct_1Nv0FGQ9RKHgCVdK",
        "/v2/core/events",
    ],
)
def test_a_request_addressed_to_another_name_is_refused(
    path: str, account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    """DNS rebinding: a page on evil.example that resolves its name to 127.0.0.1 reaches
    the server with ``Host: evil.example``, and must not read the webhook secret, the
    recorded calls or the page's state."""
    served = account_links_server
    port = served.url.rsplit(":", 1)[1]
    refused = _as(served, "evil.example", path)

    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "application/json"
    assert refused.json() == {
        "error": {
            "code": "host_not_allowed",
            "message": "pytest-account-links: the served fake answers only requests addressed "
            f"to itself (Host 127.0.0.1:{port}, localhost:{port}, [::1]:{port}), got Host "
            "'evil.example': a page whose name resolves to 127.0.0.1 (DNS rebinding) may not "
            "read or drive it",
        }
    }
    assert account_links.webhook_secret not in refused.text
    assert _as(served, f"evil.example:{port}", path).status_code == 403
    assert _as(served, "127.0.0.1:1", path).status_code == 403  # another port: another server
    assert len(account_links.all_calls) == 0


def test_the_servers_own_names_are_answered(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    served = account_links_server
    port = served.url.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"LOCALHOST:{port}"):
        health = _as(served, host, "/_account_links/health")
        assert health.status_code == 200, host
        assert health.json()["webhook_secret"] == account_links.webhook_secret


def test_an_absolute_target_naming_another_host_is_refused(
    account_links_server: ServedFake,
) -> None:
    port = int(account_links_server.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "http://evil.example/_account_links/health")
        answer = connection.getresponse()
        assert answer.status == 403
        assert json.loads(answer.read())["error"]["code"] == "host_not_allowed"
    finally:
        connection.close()


# -- cross-site requests: Origin, Referer, Content-Type, the page's form token -----------


def _post(served: ServedFake, path: str, **kwargs: Any) -> requests.Response:
    return requests.post(
        served.url + "/_account_links/" + path, allow_redirects=False, timeout=10, **kwargs
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Origin": "null"},  # a sandboxed frame, a no-referrer page
        {"Referer": EVIL + "/page.html"},
        {"Origin": "http://127.0.0.1:1"},  # another server on this machine
    ],
)
@pytest.mark.parametrize("path", ["fail_next", "outage", "reset", "visit", "accounts"])
def test_a_post_from_another_site_drives_nothing(
    path: str,
    headers: dict[str, str],
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
) -> None:
    """What any web page may send without a CORS preflight: a ``text/plain`` POST."""
    served = account_links_server
    link = served.client.v2.core.account_links.create(PARAMS)
    body = {
        "visit": json.dumps({"url": link.url}),
        "accounts": '["acct_1Foreign"]',
    }.get(path, '{"code": "not_found"}')

    refused = _post(served, path, data=body, headers={"Content-Type": "text/plain", **headers})

    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "cross_site_request"
    assert error["message"].startswith("pytest-account-links: POST came from another site (")
    assert "answer only the served fake's own pages" in error["message"]
    # Nothing was injected, nothing visited: the next request is answered as usual.
    assert account_links.visits == []
    assert "acct_1Foreign" not in account_links.accounts
    served.client.v2.core.account_links.create(PARAMS)
    assert [call.status for call in account_links.all_calls] == [200, 200]


def test_the_servers_own_pages_and_scripts_may_post(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    served = account_links_server
    own = {"Origin": served.url, "Content-Type": "application/json"}
    injected = _post(served, "fail_next", data='{"code": "not_found"}', headers=own)
    assert injected.status_code == 200
    script = _post(served, "outage", json={"kind": 503, "times": 1})  # no Origin: a script
    assert script.status_code == 200
    auth = {"Authorization": f"Bearer {served.api_key}"}
    for _ in range(2):  # the outage first (before anything is read), then the error
        requests.post(served.url + "/v2/core/account_links", json=PARAMS, headers=auth)
    assert [call.status for call in account_links.all_calls] == [503, 404]


@pytest.mark.parametrize("path", ["fail_next", "outage"])
@pytest.mark.parametrize(
    "content_type", [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_the_json_control_endpoints_take_json_only(
    path: str, content_type: str | None, account_links_server: ServedFake
) -> None:
    """The media types a cross-site form or ``fetch`` may send without a preflight are
    refused, with what to send instead."""
    headers = {} if content_type is None else {"Content-Type": content_type}
    refused = _post(account_links_server, path, data=b'{"code": "not_found"}', headers=headers)
    if content_type is None:
        refused = requests.post(account_links_server.url + f"/_account_links/{path}", timeout=10)
    assert refused.status_code == 415
    error = refused.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert (
        f"POST /_account_links/{path} takes a JSON object of account_links.{path}()"
        in (error["message"])
    )
    assert "Content-Type: application/json" in error["message"]


def test_the_pages_form_needs_its_per_link_token(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    """A form posted to ``/visit`` is the hosted page's only with the form token the page
    got for its link: without it, with another link's or a tampered one, it is refused."""
    served = account_links_server
    link = served.client.v2.core.account_links.create(PARAMS)
    other = served.client.v2.core.account_links.create(PARAMS)
    token = link.url.rsplit("#", 1)[1]

    def about(of: Any) -> dict[str, Any]:
        return dict(requests.get(f"{served.url}/_account_links/links/{of}", timeout=10).json())

    real = about(token)["form_token"]
    form = {"account": link.account, "token": token, "outcome": "completed"}
    for forged in ("", real[:-1] + ("0" if real[-1] != "0" else "1"), about(other.url[-44:])):
        posted = {**form, "form_token": forged} if isinstance(forged, str) else form
        refused = _post(served, "visit", data=posted)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "invalid_form_token"
    as_page = _post(served, "visit", data=form, headers={"Accept": "text/html"})
    assert as_page.status_code == 403
    assert as_page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "its form_token is missing or is not the link&#x27;s" in as_page.text
    plain = _post(
        served, "visit", data=b"outcome=completed", headers={"Content-Type": "text/plain"}
    )
    assert plain.status_code == 415
    assert account_links.visits == []

    done = _post(served, "visit", data={**form, "form_token": real})
    assert done.status_code == 303
    assert done.headers["Location"] == "https://example.com/return"
    assert [visit.outcome for visit in account_links.visits] == ["completed"]


# -- the adversarial pass: state and keys over HTTP --------------------------------------


def test_an_idempotency_key_reused_at_another_endpoint_says_so(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    """Stripe's answer names the two endpoints ("can only be used for the same endpoint
    they were first used for ('/v1/subscriptions' vs '/v1/subscriptions/sub_...')"), not
    the parameters: the fake said "the same parameters" whatever the endpoint."""
    served = account_links_server
    headers = {
        "Authorization": f"Bearer {served.api_key}",
        "Idempotency-Key": "order-42",
        "Content-Type": "application/json",
    }
    made = requests.post(served.url + "/v2/core/accounts", json={}, headers=headers, timeout=10)
    assert made.status_code == 200
    account = made.json()["id"]

    for path, body in (
        (f"/v2/core/accounts/{account}", {}),
        ("/v2/core/account_links", {**PARAMS, "account": account}),
    ):
        reused = requests.post(served.url + path, json=body, headers=headers, timeout=10)
        assert reused.status_code == 400
        assert reused.json()["error"]["type"] == "idempotency_error"
        assert reused.json()["error"]["message"] == (
            "Keys for idempotent requests can only be used for the same endpoint they were "
            f"first used for ('/v2/core/accounts' vs '{path}'). Try using a key other than "
            "'order-42' if you meant to execute a different request."
        )
    again = requests.post(served.url + "/v2/core/accounts", json={}, headers=headers, timeout=10)
    assert again.headers["Idempotent-Replayed"] == "true"
    changed = requests.post(
        served.url + "/v2/core/accounts", json={"display_name": "Other"}, headers=headers
    )
    assert "only be used with the same parameters" in changed.json()["error"]["message"]


def test_a_link_of_an_account_closed_since_changes_nothing(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    """The Accounts endpoints refuse to update a closed account; the hosted page used to
    complete its onboarding anyway, filling in its details and announcing updates."""
    client = account_links_server.client
    account = client.v2.core.accounts.create(
        {"configuration": {"merchant": {}}, "include": ["configuration.merchant"]}
    )
    params: Any = {**PARAMS, "account": account.id}
    link = client.v2.core.account_links.create(params)
    client.v2.core.accounts.close(account.id, {"applied_configurations": ["merchant"]})
    made = len(account_links.events)
    before = client.v2.core.accounts.retrieve(account.id, {"include": ["requirements"]})

    done = requests.post(
        account_links_server.url + "/_account_links/visit",
        json={"url": link.url},
        allow_redirects=False,
        timeout=10,
    )

    assert done.status_code == 303
    assert done.headers["Location"] == "https://example.com/reauth"  # refresh_url
    assert [visit.outcome for visit in account_links.visits] == ["account_closed"]
    assert len(account_links.events) == made
    after = client.v2.core.accounts.retrieve(account.id, {"include": ["requirements"]})
    assert after.to_dict() == before.to_dict()
    assert account_links.visit(link) == "https://example.com/reauth"  # in-process too


# -- the adversarial pass: many connections, many tests ----------------------------------


def _resources() -> tuple[int, int, int]:
    """Threads, open file descriptors and sockets of this process."""
    fds = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # (the listing's own descriptor is gone)
            fds.append(os.readlink(f"/proc/self/fd/{fd}"))
    return threading.active_count(), len(fds), sum(f.startswith("socket:") for f in fds)


def test_two_hundred_keep_alive_connections_at_once(server: FakeServer) -> None:
    """Each is answered, twice on the same connection, and once they close every thread,
    socket and descriptor the server opened for them is gone."""
    server.read_timeout = 30  # (the connections idle between their two requests)
    before = _resources()
    connections = [
        http.client.HTTPConnection("127.0.0.1", _port(server), timeout=30) for _ in range(200)
    ]
    statuses: list[int] = []
    lock = threading.Lock()

    def ask(connection: http.client.HTTPConnection) -> None:
        connection.request("GET", "/_account_links/health")
        answer = connection.getresponse()
        answer.read()
        with lock:
            statuses.append(answer.status)

    try:
        for _ in range(2):
            askers = [threading.Thread(target=ask, args=(c,)) for c in connections]
            for asker in askers:
                asker.start()
            for asker in askers:
                asker.join(60)
            assert _connection_threads() >= 200  # all open at once, kept alive
    finally:
        for connection in connections:
            connection.close()

    assert statuses == [200] * 400
    # Nothing grew (the session's own served fake may close idle connections meanwhile).
    deadline = time.monotonic() + 10
    while not _within(before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _within(before), (before, _resources())


def _within(before: tuple[int, int, int]) -> bool:
    return all(now <= then for now, then in zip(_resources(), before, strict=True))


def test_two_hundred_tests_using_the_served_fake_leave_nothing_behind(
    pytester: pytest.Pytester,
) -> None:
    """Threads, descriptors and sockets are the same after 200 tests as after the first
    few: each test's connections, webhook sender and keep-alive threads end with it."""
    pytester.makeconftest(WEBHOOK_CONFTEST)
    pytester.makepyfile(
        """
import contextlib
import os
import threading

import pytest

SEEN = []


def resources():
    fds = []
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            fds.append(os.readlink(f"/proc/self/fd/{fd}"))
    return threading.active_count(), len(fds), sum(f.startswith("socket:") for f in fds)


@pytest.mark.parametrize("n", range(200))
def test_one(n, account_links_server, hook):
    if n % 5 == 0:
        account_links_server.webhook_url = hook.url
    account_links_server.client.v2.core.accounts.create({"display_name": f"Seller {n}"})
    if n % 10 == 0:
        assert all(d.ok for d in account_links_server.wait_for_deliveries())
    SEEN.append(resources())


def test_nothing_grew():
    assert SEEN[-1] == SEEN[4], (SEEN[4], SEEN[-1])
    assert all(now <= then + 2 for seen in SEEN[4:] for now, then in zip(seen, SEEN[4]))
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-q")
    result.assert_outcomes(passed=201)


@pytest.mark.parametrize(
    ("bound", "host", "answered"),
    [
        ("127.0.0.1", "127.0.0.1:12111", True),
        ("127.0.0.1", "[::1]:12111", True),
        ("127.0.0.1", "stripe-fake:12111", False),  # loopback only: its own names only
        ("127.0.0.1", "10.0.0.5:12111", False),
        ("0.0.0.0", "stripe-fake:12111", True),  # serve --host 0.0.0.0 in docker-compose
        ("0.0.0.0", "10.0.0.5:12111", True),
        ("0.0.0.0", "[fd00::5]:12111", True),
        ("0.0.0.0", "localhost:12111", True),
        ("0.0.0.0", "evil.example:12111", False),  # a rebinding site's name has dots
        ("0.0.0.0", "stripe-fake:80", False),  # another port: another server
        ("192.168.1.7", "192.168.1.7:12111", True),
        ("192.168.1.7", "fake.corp.example:12111", False),
    ],
)
def test_which_hosts_a_server_answers(bound: str, host: str, answered: bool) -> None:
    """``serve --host`` (another address, which needs ``--api-key``) is reached from
    other machines by their names for it; a name with dots stays refused."""
    from pytest_account_links.served.origins import host_problem

    problem = host_problem("/_account_links/health", {"host": host}, (bound, 12111))
    assert (problem is None) is answered, problem
