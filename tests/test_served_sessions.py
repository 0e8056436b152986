"""Embedded onboarding over HTTP: Account Sessions through the served fake, the Connect.js
stand-in's endpoints (a component's load, its controls), and the stand-in in Chromium with
``@stripe/connect-js``'s loader pattern and a load error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.openapi import check_answer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser

    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake
    from tests.conftest import Webhooks

EXPRESS: Any = {
    "type": "express",
    "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
}
ONBOARDING: Any = {"account_onboarding": {"enabled": True}}


def _session(served: ServedFake) -> Any:
    account = served.client.v1.accounts.create(EXPRESS)
    return served.client.v1.account_sessions.create(
        {"account": account.id, "components": ONBOARDING}
    )


def _post(served: ServedFake, path: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(
        f"{served.url}/_account_links/{path}",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "Origin": served.url},
        timeout=10,
    )


def test_sessions_over_http_answer_as_the_spec_says(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    served = account_links_server
    session = _session(served)
    check_answer(
        account_links.all_calls[-1].response, "account-sessions-v1", "/v1/account_sessions", "post"
    )
    assert session.client_secret.startswith("accs_secret__")
    plain = requests.post(
        f"{served.url}/v1/account_sessions",
        headers={"Authorization": f"Bearer {served.api_key}"},
        data={"account": session.account, "components[payouts][enabled]": "true"},
        timeout=10,
    )
    assert plain.status_code == 200
    check_answer(plain.json(), "account-sessions-v1", "/v1/account_sessions", "post")
    assert plain.json()["components"]["payouts"]["enabled"] is True
    assert len(account_links.sessions) == 2


def test_a_component_loads_once_and_its_controls_onboard(
    account_links: AccountLinksFake, account_links_server: ServedFake, webhooks: Webhooks
) -> None:
    served = account_links_server
    served.webhook_url = webhooks.url
    session = _session(served)
    secret = session.client_secret
    loaded = _post(served, "sessions", {"client_secret": secret, "component": "account_onboarding"})
    assert loaded.status_code == 200
    token = loaded.json()["token"]
    assert loaded.json()["account"] == session.account
    assert "identity.attestations.terms_of_service.account" in loaded.json()["due"]

    again = _post(served, "sessions", {"client_secret": secret, "component": "account_onboarding"})
    assert again.status_code == 400
    assert again.json()["error"]["type"] == "authentication_error"
    assert again.json()["error"]["code"] == "used"

    forged = _post(served, "visit", {"client_secret": secret, "token": "x", "outcome": "completed"})
    assert forged.status_code == 403
    assert account_links.sessions[0].outcome is None

    done = _post(served, "visit", {"client_secret": secret, "token": token, "outcome": "completed"})
    assert done.status_code == 200
    assert done.json() == {"outcome": "completed"}
    account = account_links.accounts[session.account]
    assert account.requirements == []
    assert account.capability("merchant", "card_payments") == "active"
    # The events go to the webhook (in the background, as the hosted page's do).
    served.wait_for_deliveries()
    received = [json.loads(body)["type"] for body, _ in webhooks.received]
    assert received[-1] == "account.updated"
    assert len(received) == len(account_links.events)

    twice = _post(served, "visit", {"client_secret": secret, "token": token, "outcome": "exited"})
    assert twice.status_code == 400


def test_the_stand_in_and_its_page_are_served(account_links_server: ServedFake) -> None:
    served = account_links_server
    script = requests.get(f"{served.url}/_account_links/connect.js", timeout=10)
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert json.dumps(served.url) in script.text
    assert script.text == served.connect_js
    page = requests.get(f"{served.url}/_account_links/embedded/account-onboarding", timeout=10)
    assert page.status_code == 200
    assert "frame-ancestors" not in page.headers["Content-Security-Policy"]
    unknown = requests.get(f"{served.url}/_account_links/embedded/onboarding", timeout=10)
    assert unknown.status_code == 404
    assert "account-onboarding" in unknown.json()["error"]["message"]


# -- in Chromium --------------------------------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: ``@stripe/connect-js``'s loader, as its ``src/shared.ts`` does it: inject the script
#: tag, wait for ``window.StripeConnect.init``, call ``fetchClientSecret`` eagerly and hand
#: the promise over, then ``create()`` the element and ``setConnector`` it.
_NPM_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<div id="container"></div><p id="error"></p><p id="exit"></p>
<script>
const secrets = SECRETS;
let fetched = 0;
const fetchClientSecret = async () => secrets[Math.min(fetched++, secrets.length - 1)];
const script = document.createElement("script");
script.src = "https://connect-js.stripe.com/v1.0/connect.js";
const eager = fetchClientSecret();
script.addEventListener("load", () => {
  const instance = window.StripeConnect.init({publishableKey: "pk_test_demo",
    fetchClientSecret, metaOptions: {eagerClientSecretPromise: eager}});
  const element = document.createElement("stripe-connect-account-onboarding");
  element.setOnExitInternalOnly(() => { document.getElementById("exit").textContent = "exit"; });
  element.setOnLoadErrorInternalOnly(({error, elementTagName}) => {
    document.getElementById("error").textContent = `${elementTagName} ${error.type}`;
  });
  document.getElementById("container").appendChild(element);
  element.setConnector(instance.connect);
  window.fetched = () => fetched;
});
document.head.appendChild(script);
</script></body></html>"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"the browser tests drive {CHROMIUM}: apt-get install chromium", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def app_page() -> Iterator[dict[str, str]]:
    """The application's page on a server of its own on 127.0.0.1 (a page from a public
    address may not frame 127.0.0.1: Chromium's local network access checks); the test
    sets what it serves. Stopped after the test."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    served = {"body": ""}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = served["body"].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    served["url"] = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _open(chromium: Browser, served: ServedFake, app: dict[str, str], secrets: list[str]) -> Any:
    app["body"] = _NPM_PAGE.replace("SECRETS", json.dumps(secrets))
    context = chromium.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    served.route_connect_js(page)
    page.goto(app["url"])
    return context, page


@pytest.mark.browser
def test_the_npm_loader_pattern_completes_and_a_used_secret_is_a_load_error(
    chromium: Browser,
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
    app_page: dict[str, str],
) -> None:
    from playwright.sync_api import expect

    served = account_links_server
    session = _session(served)
    context, page = _open(chromium, served, app_page, [session.client_secret])
    try:
        frame = page.frame_locator("stripe-connect-account-onboarding iframe")
        frame.get_by_role("button", name="Complete onboarding").click()
        expect(page.locator("#exit")).to_have_text("exit")
        assert page.evaluate("window.fetched()") == 1  # once, eagerly, as the loader does
        assert account_links.accounts[session.account].requirements == []
        blocked = page.evaluate(
            "fetch('https://js.stripe.com/v3/').then(() => 'reached', () => 'refused')"
        )
        assert blocked == "refused"  # nothing else of Stripe's is reachable
    finally:
        context.close()
    context, page = _open(
        chromium, served, app_page, [session.client_secret]
    )  # the same secret again
    try:
        expect(page.locator("#error")).to_have_text(
            "stripe-connect-account-onboarding authentication_error"
        )
        assert account_links.sessions[0].refused == [("account_onboarding", "used")]
    finally:
        context.close()


@pytest.mark.browser
def test_an_expired_secret_is_fetched_again(
    chromium: Browser,
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
    app_page: dict[str, str],
) -> None:
    from playwright.sync_api import expect

    served = account_links_server
    first = _session(served)
    account_links.clock.advance(minutes=31)
    fresh = served.client.v1.account_sessions.create(
        {"account": first.account, "components": ONBOARDING}
    )
    context, page = _open(chromium, served, app_page, [first.client_secret, fresh.client_secret])
    try:
        frame = page.frame_locator("stripe-connect-account-onboarding iframe")
        frame.get_by_role("button", name="Leave without finishing").click()
        expect(page.locator("#exit")).to_have_text("exit")
        assert page.evaluate("window.fetched()") == 2
        assert [s.outcome for s in account_links.sessions] == [None, "exited"]
    finally:
        context.close()
