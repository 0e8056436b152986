"""The fake over HTTP: the account_links_server fixture, its server, its control endpoints."""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

import pytest
import requests
import stripe

from pytest_account_links.domain.events import sign
from pytest_account_links.harness.fake import FakeFactory
from tests.conftest import ONBOARDING, Webhooks, run_suite

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake

SELLER = "acct_1Nv0FGQ9RKHgCVdK"
PARAMS: Any = ONBOARDING
JSON = {"Content-Type": "application/json"}


def _auth(served: ServedFake) -> dict[str, str]:
    return {"Authorization": f"Bearer {served.api_key}", **JSON}


def _create(served: ServedFake, **options: str) -> Any:
    use_case: Any = {"refresh_url": "https://example.com/refresh", **options}
    return served.client.v2.core.account_links.create(
        {
            "account": SELLER,
            "use_case": {"type": "account_onboarding", "account_onboarding": use_case},
        }
    )


# -- the fixture, with the real SDK ---------------------------------------------------


def test_the_sdk_over_http_is_answered_by_the_tests_fake(
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
    stripe_client: stripe.StripeClient,
) -> None:
    served = account_links_server
    assert served.url.startswith("http://127.0.0.1:")
    assert served.base_addresses == {"api": served.url}

    link = _create(served, return_url="https://example.com/return")

    assert link.url.startswith(f"{served.url}/r/{SELLER}#alu_test_")
    (call,) = account_links.calls
    assert call.url == "https://api.stripe.com/v2/core/account_links"
    assert call.response["url"] == link.url
    assert call.headers["authorization"].startswith("Bearer sk_test_")
    assert account_links.links[-1].url == link.url
    # In-process interception works beside it, into the same fake.
    again = stripe_client.v2.core.account_links.create(PARAMS)
    assert again.url.startswith(f"{served.url}/r/")
    assert len(account_links.calls) == 2
    # The event endpoint too: everything the in-process fake answers.
    account_links.visit(link)
    event = served.client.v2.core.events.retrieve(account_links.events[-1].id)
    assert event.type == "v2.core.account_link.returned"


def test_a_subprocess_uses_the_fake_through_env(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    script = """
import json, os, urllib.request
request = urllib.request.Request(
    os.environ["STRIPE_API_BASE"] + "/v2/core/account_links",
    data=json.dumps(json.loads(os.environ["BODY"])).encode(),
    headers={"Authorization": "Bearer " + os.environ["STRIPE_API_KEY"],
             "Content-Type": "application/json", "Stripe-Version": "2026-10-28.endive"},
)
with urllib.request.urlopen(request, timeout=10) as answer:
    print(json.load(answer)["url"])
print(os.environ["STRIPE_WEBHOOK_SECRET"])
"""
    env = {"PATH": "", "BODY": json.dumps(ONBOARDING), **account_links_server.env}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    url, secret = done.stdout.split()
    assert secret == account_links.webhook_secret
    assert [call.response["url"] for call in account_links.calls] == [url]
    assert account_links_server.env["NO_PROXY"].endswith("127.0.0.1,localhost")


def test_sixteen_clients_lose_nothing(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    threads, per_thread = 16, 100
    url = account_links_server.url + "/v2/core/account_links"
    headers = _auth(account_links_server)
    body = json.dumps(ONBOARDING)
    replies: list[tuple[int, str]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def client() -> None:
        try:
            with requests.Session() as session:
                start.wait()
                for _ in range(per_thread):
                    answer = session.post(url, data=body, headers=headers, timeout=30)
                    with lock:
                        replies.append((answer.status_code, answer.json()["url"]))
        except BaseException as problem:
            errors.append(problem)

    workers = [threading.Thread(target=client) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    total = threads * per_thread
    assert Counter(status for status, _ in replies) == {200: total}
    assert len({link for _, link in replies}) == total
    assert len(account_links.calls) == total
    assert Counter(c.response["url"] for c in account_links.calls) == Counter(u for _, u in replies)


@pytest.mark.stripe_error("not_found", times=1)
@pytest.mark.account_links(other_hosts="block", seed=7)
def test_markers_and_settings_apply_over_http(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    with pytest.raises(stripe.InvalidRequestError) as raised:
        _create(account_links_server)
    assert raised.value.http_status == 404
    # other_hosts="block" never blocks the served fake itself.
    assert _create(account_links_server).account == SELLER
    assert [call.outcome for call in account_links.calls] == ["404 not_found", "200"]
    assert account_links.calls[0].injected == "@stripe_error"
    assert account_links.seed == 7


def test_injected_transport_faults(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    url = account_links_server.url + "/v2/core/account_links"
    headers = _auth(account_links_server)
    account_links.script("connection_refused", "read_timeout", "ok")

    with pytest.raises(requests.ConnectionError):
        requests.post(url, json=ONBOARDING, headers=headers, timeout=10)
    started = time.monotonic()
    with pytest.raises(requests.ReadTimeout):
        requests.post(url, json=ONBOARDING, headers=headers, timeout=0.3)
    assert time.monotonic() - started < 5
    assert requests.post(url, json=ONBOARDING, headers=headers, timeout=10).status_code == 200
    faults = [call.fault for call in account_links.calls]
    assert faults == ["connection_refused", "read_timeout", None]


def test_the_sdk_retries_a_dropped_connection_without_sleeping(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    account_links.outage("connection_refused", times=2)
    client = stripe.StripeClient(
        account_links_server.api_key,
        base_addresses=account_links_server.base_addresses,
        max_network_retries=2,
    )

    started = time.monotonic()
    link = client.v2.core.account_links.create(PARAMS)

    assert link.account == SELLER
    assert time.monotonic() - started < 1  # the SDK's back-off sleeps are skipped, as in-process
    assert len(account_links.retry_sleeps) == 2
    assert [call.outcome for call in account_links.calls] == [
        "connection_refused",
        "connection_refused",
        "200",
    ]


def test_a_request_the_fake_does_not_serve_fails_the_test(pytester: pytest.Pytester) -> None:
    result = run_suite(
        pytester,
        "import requests\n",
        """
def test_unfaked(account_links_server):
    answer = requests.get(account_links_server.url + "/v1/customers?limit=3",
                          headers={"Authorization": "Bearer " + account_links_server.api_key})
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "unfaked_request"
    assert "GET https://api.stripe.com/v1/customers?limit=3 is not faked" in answer.text

def test_not_the_api(account_links_server, account_links):
    answer = requests.get(account_links_server.url + "/favicon.ico")
    assert answer.status_code == 404
    assert "/v1/..., /v2/..." in answer.json()["error"]["message"]
    assert account_links.unfaked == []
""",
        passed=2,
        errors=1,
    )
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_unfaked*",
            "*the test sent requests that are not faked*",
            "  GET https://api.stripe.com/v1/customers?limit=3",
        ]
    )


def test_a_failing_test_shows_its_served_calls_in_the_report(pytester: pytest.Pytester) -> None:
    result = run_suite(
        pytester,
        "import stripe\n",
        """
@pytest.mark.stripe_error("not_found")
def test_fails(account_links_server):
    client = account_links_server.client
    client.v2.core.account_links.create({"account": "acct_1Nv0FGQ9RKHgCVdK", "use_case": {
        "type": "account_onboarding",
        "account_onboarding": {"refresh_url": "https://example.com/r"}}})
""".replace("@pytest", "import pytest\n\n@pytest"),
        failed=1,
    )
    result.stdout.fnmatch_lines(
        [
            "*- account-links: 1 call (seed 0) -*",
            "*v2.core.account_links.create*/v2/core/account_links*404*not_found (@stripe_error)*",
        ]
    )


def test_a_hook_that_fails_is_a_500_and_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
def pytest_account_links_response(body, params, api_version, endpoint, fake):
    raise RuntimeError("the hook broke")
"""
    )
    result = run_suite(
        pytester,
        "import requests\n",
        """
def test_broken_hook(account_links_server):
    answer = requests.post(
        account_links_server.url + "/v2/core/account_links",
        json={"account": "acct_1", "use_case": {"type": "account_update",
              "account_update": {"refresh_url": "https://example.com/r"}}},
        headers={"Authorization": "Bearer " + account_links_server.api_key})
    assert answer.status_code == 500
    assert answer.headers["Stripe-Should-Retry"] == "false"
    assert "RuntimeError: the hook broke" in answer.json()["error"]["message"]
""",
        passed=1,
        errors=1,
    )
    result.stdout.fnmatch_lines(
        [
            "*the served fake failed to answer a request (it answered 500)*",
            "*RuntimeError: the hook broke*",
        ]
    )


def test_one_server_per_session_stopped_at_its_end(pytester: pytest.Pytester) -> None:
    run_suite(
        pytester,
        "import json, pathlib, requests\nURLS = []\n",
        """
def test_first(account_links_server, account_links):
    URLS.append(account_links_server.url)
    pathlib.Path("url.txt").write_text(account_links_server.url)

def test_no_test_uses_it_now():
    answer = requests.post(URLS[0] + "/v2/core/account_links", json={})
    assert answer.status_code == 503
    assert answer.headers["Stripe-Should-Retry"] == "false"
    error = answer.json()["error"]
    assert error["code"] == "account_links_not_in_use"
    assert error["message"].startswith("pytest-account-links: POST /v2/core/account_links ")
    assert requests.get(URLS[0] + "/_account_links/health").json() == {
        "url": URLS[0], "serving": False}

def test_second(account_links_server):
    assert account_links_server.url == URLS[0]
""",
        passed=3,
    )
    port = int((pytester.path / "url.txt").read_text().rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port)):
        pass


# -- the control endpoints ------------------------------------------------------------


def test_control_endpoints_during_a_test(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    base = account_links_server.url + "/_account_links"
    assert requests.get(base + "/health").json() == {
        "url": account_links_server.url,
        "serving": True,
        "webhook_secret": account_links.webhook_secret,
        "destinations": [],  # none set (tests/test_served_destinations.py sets some)
    }
    injected = requests.post(base + "/fail_next", json={"code": "not_found", "times": 1})
    assert injected.json() == {"ok": True, "fail_next": {"code": "not_found", "times": 1}}
    with pytest.raises(stripe.InvalidRequestError):
        _create(account_links_server)

    calls = requests.get(base + "/calls").json()

    assert [call["outcome"] for call in calls] == ["404 not_found"]
    assert calls[0]["injected"] == "fail_next"
    assert calls[0]["headers"]["authorization"].startswith("Bearer sk_test_...")
    assert account_links_server.api_key not in json.dumps(calls)
    assert calls[0]["body"]["account"] == SELLER

    typo = requests.post(base + "/fail_next", json={"code": "not_fond"})
    assert typo.status_code == 400
    assert "did you mean 'not_found'" in typo.json()["error"]["message"]
    unknown = requests.post(base + "/outage", json={"kind": 503, "often": 2})
    assert unknown.status_code == 400
    assert "often" in unknown.json()["error"]["message"]
    assert requests.post(base + "/fail_next", data=b"[1]", headers=JSON).status_code == 400
    reset = requests.post(base + "/reset")
    assert reset.status_code == 409
    assert "each test gets a fresh fake already" in reset.json()["error"]["message"]
    nowhere = requests.get(base + "/nothing")
    assert nowhere.status_code == 404
    assert "GET /_account_links/calls" in nowhere.json()["error"]["message"]


def _form(served: ServedFake, account: str, token: str, outcome: str) -> dict[str, str]:
    """What the hosted page's form posts: its link's token, and the form token the page
    got for it from ``GET /_account_links/links/<token>``."""
    about = requests.get(f"{served.url}/_account_links/links/{token}", timeout=10).json()
    return {
        "account": account,
        "token": token,
        "form_token": about["form_token"],
        "outcome": outcome,
    }


def _visit(served: ServedFake, link: Any, outcome: str) -> requests.Response:
    return requests.post(
        served.url + "/_account_links/visit",
        data=_form(served, link.account, link.url.rsplit("#", 1)[1], outcome),
        allow_redirects=False,
        timeout=10,
    )


def test_the_page_controls_do_what_visit_does(
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
    webhooks: Webhooks,
) -> None:
    served = account_links_server
    served.webhook_url = webhooks.url
    received = webhooks.received
    link = _create(served, return_url="https://example.com/return")

    done = _visit(served, link, "completed")

    assert done.status_code == 303
    assert done.headers["Location"] == "https://example.com/return"
    assert done.json() == {"outcome": "completed", "redirect": "https://example.com/return"}
    # Every event of the visit, in order, ending with the link's own.
    events = account_links.events
    assert received == [(event.payload, event.headers["Stripe-Signature"]) for event in events]
    assert events[-1].type == "v2.core.account_link.returned"
    timestamp = int(received[-1][1].split(",")[0].removeprefix("t="))
    assert received[-1][1] == sign(events[-1].payload, account_links.webhook_secret, timestamp)
    assert [d.ok for d in served.deliveries] == [True] * len(events)
    account = account_links.accounts.get(SELLER)
    assert account is not None
    assert account.completed == ["account_onboarding"]
    # Single use: the same link again goes to refresh_url, and delivers nothing.
    delivered = len(received)
    again = _visit(served, link, "completed")
    assert again.headers["Location"] == "https://example.com/refresh"
    assert len(received) == delivered

    left = _create(served, return_url="https://example.com/return")
    assert _visit(served, left, "abandoned").headers["Location"] == "https://example.com/return"
    expired = _create(served, return_url="https://example.com/return")
    assert _visit(served, expired, "expired").headers["Location"] == "https://example.com/refresh"
    closed = _create(served, return_url="https://example.com/return")
    shut = _visit(served, closed, "closed")
    assert (shut.status_code, shut.json()["outcome"]) == (200, "closed")
    assert [v.outcome for v in account_links.visits] == [
        "completed",
        "used",
        "abandoned",
        "expired",
        "closed",
    ]
    assert len(account_links.events) == len(events)  # only the completed visit delivered


def test_the_visit_endpoint_takes_json_and_says_what_is_wrong(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    served = account_links_server
    visit = served.url + "/_account_links/visit"
    link = _create(served)  # no return_url

    finished = requests.post(visit, json={"url": link.url}, allow_redirects=False)
    assert finished.status_code == 200
    assert finished.json()["message"] == "Nothing to go back to: the link has no return_url."

    unknown = requests.post(visit, json={"url": f"{served.url}/r/acct_nobody#alu_x"})
    assert unknown.status_code == 404
    assert "no link was created for 'acct_nobody'" in unknown.json()["error"]["message"]
    as_page = requests.post(
        visit, json={"url": f"{served.url}/r/acct_nobody#x"}, headers={"Accept": "text/html"}
    )
    assert as_page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "no link was created for &#x27;acct_nobody&#x27;" in as_page.text
    wrong = requests.post(visit, json={"outcome": "finished"})
    assert wrong.status_code == 400
    assert "outcome must be one of completed, abandoned, closed, expired" in wrong.text
    assert requests.get(served.url + "/_account_links/links/alu_unknown").json()["state"] == (
        "unknown"
    )
    with pytest.raises(ValueError, match="webhook_url must be an http"):
        served.webhook_url = "ftp://example.com"


def test_the_events_of_api_requests_are_posted_in_order(
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
    webhooks: Webhooks,
) -> None:
    """An account created before the webhook URL is set is not posted (no endpoint yet);
    one created and updated after it is, each event once, in order, after the answer."""
    served = account_links_server
    served.client.v2.core.accounts.create({"display_name": "Before"})
    served.webhook_url = webhooks.url
    made = served.client.v2.core.accounts.create({"display_name": "After"})
    served.client.v2.core.accounts.update(made.id, {"display_name": "Renamed"})
    # Posted right after each answer, as Stripe does: not before the call returns.
    deadline = time.monotonic() + 10
    while len(served.deliveries) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)

    posted = [json.loads(payload) for payload, _ in webhooks.received]
    assert [(event["type"], event["related_object"]["id"]) for event in posted] == [
        ("v2.core.account.created", made.id),
        ("v2.core.account.updated", made.id),
    ]
    assert [d.event for d in served.deliveries] == [e.id for e in account_links.events[1:]]
    notification: Any = served.client.parse_event_notification(
        webhooks.received[0][0], webhooks.received[0][1], account_links.webhook_secret
    )
    assert notification.fetch_related_object().display_name == "Renamed"


def test_a_v1_link_opens_the_hosted_page_too(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    """API v1's links (``/setup/c/<acct>/<token>``, the token in the path) point at the
    served fake as v2's do, and its page and controls work for them."""
    served = account_links_server
    account = served.client.v1.accounts.create(
        {
            "type": "express",
            "country": "US",
            "capabilities": {
                "card_payments": {"requested": True},
                "transfers": {"requested": True},
            },
        }
    )
    link = served.client.v1.account_links.create(
        {
            "account": account.id,
            "type": "account_onboarding",
            "refresh_url": "https://example.com/refresh",
            "return_url": "https://example.com/return",
        }
    )
    assert link.url.startswith(f"{served.url}/setup/c/{account.id}/")

    page = requests.get(link.url)
    assert page.status_code == 200
    assert f'data-testid="account-links-account">{account.id}<' in page.text
    token = link.url.rsplit("/", 1)[1]
    about = requests.get(f"{served.url}/_account_links/links/{token}").json()
    assert about["state"] == "valid"
    done = requests.post(
        served.url + "/_account_links/visit",
        data=_form(served, account.id, token, "completed"),
        allow_redirects=False,
    )
    assert done.headers["Location"] == "https://example.com/return"
    assert served.client.v1.accounts.retrieve(account.id).charges_enabled is True


def test_a_webhook_endpoint_that_fails_is_reported_not_raised(
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
    webhooks: Webhooks,
) -> None:
    served = account_links_server
    served.webhook_url = webhooks.url
    webhooks.status = 500
    link = _create(served, return_url="https://example.com/return")
    assert _visit(served, link, "completed").status_code == 303
    assert served.deliveries
    for delivery in served.deliveries:
        assert (delivery.status, delivery.error) == (500, "the endpoint answered 500")


# -- the server itself ----------------------------------------------------------------


def test_the_server_stops_every_connection_and_thread() -> None:
    from pytest_account_links.harness.fake import AccountLinksFake
    from pytest_account_links.served.server import FakeServer
    from pytest_account_links.served.serving import Serving
    from pytest_account_links.transports.driver import Driver

    before = set(threading.enumerate())
    store = FakeFactory().store_for("tests::served")
    AccountLinksFake(store).outage("read_timeout")
    server = FakeServer(stall_limit=30)
    url = server.start()
    serving = server.attach(Serving(Driver(store)))
    idle = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=10)
    idle.request("GET", "/_account_links/health")
    assert json.loads(idle.getresponse().read())["serving"] is True  # kept alive, idle
    stalled: list[BaseException] = []

    def wait() -> None:
        try:
            requests.post(
                url + "/v2/core/account_links",
                json=ONBOARDING,
                headers={"Authorization": "Bearer sk_test_1"},
                timeout=60,
            )
        except BaseException as problem:
            stalled.append(problem)

    waiting = threading.Thread(target=wait)
    waiting.start()
    deadline = time.monotonic() + 10
    while not store.calls.every and time.monotonic() < deadline:
        time.sleep(0.01)

    started = time.monotonic()
    server.stop()
    waiting.join(10)

    assert time.monotonic() - started < 5
    assert not waiting.is_alive()
    assert isinstance(stalled[0], requests.ConnectionError)
    assert set(threading.enumerate()) - before == set()

    def ask_again() -> None:
        idle.request("GET", "/_account_links/health")
        idle.getresponse()

    with pytest.raises(OSError):
        ask_again()
    server.stop()  # idempotent
    server.detach(serving)
    assert repr(server) == "<FakeServer stopped>"
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))),
    ):
        pass


def test_a_stall_ends_when_the_test_does() -> None:
    from pytest_account_links.harness.fake import AccountLinksFake
    from pytest_account_links.served.server import FakeServer
    from pytest_account_links.served.serving import Serving
    from pytest_account_links.transports.driver import Driver

    store = FakeFactory().store_for("tests::stall")
    AccountLinksFake(store).outage("read_timeout")
    server = FakeServer()
    url = server.start()
    try:
        serving = server.attach(Serving(Driver(store)))
        threading.Timer(0.3, server.detach, args=(serving,)).start()
        started = time.monotonic()
        with pytest.raises(requests.ConnectionError):
            requests.post(
                url + "/v2/core/account_links",
                json=ONBOARDING,
                headers={"Authorization": "Bearer sk_test_1"},
                timeout=30,
            )
        assert time.monotonic() - started < 5
    finally:
        server.stop()


def test_chunked_and_malformed_bodies(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    body = json.dumps(ONBOARDING).encode()
    chunked = requests.post(
        account_links_server.url + "/v2/core/account_links",
        data=iter([body[:10], body[10:]]),
        headers=_auth(account_links_server),
    )
    assert chunked.status_code == 200
    assert account_links.calls[-1].body == ONBOARDING
    port = int(account_links_server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        raw.sendall(
            b"POST /v2/core/account_links HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"
        )
        answer = raw.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 400 Bad Request")
    assert "Connection: close" in answer


# -- the hosted page, without a browser (tests/test_browser.py drives it in Chromium) ---


def test_the_hosted_page_is_self_contained_and_labelled(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    from pytest_account_links.served.page import CONTROLS

    account_links.accounts.add(SELLER, display_name="Rocket <Rides>")
    link = _create(account_links_server)

    page = requests.get(link.url)

    assert page.status_code == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = page.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; script-src 'sha256-")
    assert "unsafe-inline" not in policy
    html = page.text
    assert '<html lang="en">' in html
    assert "Rocket &lt;Rides&gt;" in html
    assert "Rocket <Rides>" not in html
    assert f'data-testid="account-links-account">{SELLER}<' in html
    first_due = account_links.accounts[SELLER].requirements[0]
    assert f'data-testid="account-links-due-item">{first_due}<' in html
    for outcome, label, testid in CONTROLS:
        assert f'value="{outcome}" id="{testid}"' in html
        assert f">{label}</button>" in html
    # Nothing but its own origin: no external script, style, image, font or frame.
    linked = re.findall(r"""(?:src|href|action)=["']([^"']*)""", html)
    assert linked == ["data:,", "/_account_links/visit"]
    assert "http://" not in html.replace(account_links_server.url, "")
    assert "https://" not in html


def test_what_is_due_is_the_accounts_own_requirements() -> None:
    from pytest_account_links.domain.links import Link
    from pytest_account_links.domain.visit import visit
    from pytest_account_links.served.page import account_view

    store = FakeFactory().store_for("tests::due")
    account = store.accounts.add("acct_due", configurations=["recipient"])
    view = account_view(store, "acct_due")
    assert view.known
    assert view.due == tuple(account.requirements)
    assert "identity.attestations.terms_of_service.account" in view.due
    now = store.clock.now()
    store.links["tok"] = Link(
        url=f"{store.hosted_base}/r/acct_due#tok",
        account="acct_due",
        use_case="account_onboarding",
        refresh_url="https://example.com/refresh",
        return_url="https://example.com/return",
        created=now,
        expires_at=now + store.link_lifetime,
        livemode=False,
        configurations=(),
    )
    visit(store, f"{store.hosted_base}/r/acct_due#tok")
    assert account_view(store, "acct_due").due == ()
    account.require("identity.individual.id_numbers")
    assert account_view(store, "acct_due").due == ("identity.individual.id_numbers",)
    unknown = account_view(store, "acct_nobody")
    assert (unknown.known, unknown.due, unknown.display_name) == (False, (), "")


def test_the_page_without_a_test_or_an_account(account_links_server: ServedFake) -> None:
    from pytest_account_links.served.server import FakeServer

    server = FakeServer()
    url = server.start()
    try:
        idle = requests.get(url + "/r/acct_1#alu_x")
        assert idle.status_code == 503
        assert "No test is using the fake" in idle.text
    finally:
        server.stop()
    nameless = requests.get(account_links_server.url + "/r/")
    assert nameless.status_code == 404
    assert "/r/&lt;account&gt;#&lt;token&gt;" in nameless.text
