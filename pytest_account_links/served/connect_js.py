"""A stand-in for Connect.js, served by the fake: the part an onboarding page uses.

An application's page loads Connect.js from ``https://connect-js.stripe.com/v1.0/connect.js``
(with a ``<script>`` tag, or through ``@stripe/connect-js``'s ``loadConnectAndInitialize``,
which injects that same tag and calls ``window.StripeConnect.init``). In a test, that URL
is answered with :func:`script` instead (``ServedFake.route_connect_js(page)`` does it in
Playwright), so the page is tested unchanged. What the stand-in does is what the real
script does for onboarding (``@stripe/connect-js``'s ``src/shared.ts``):

* it defines ``window.StripeConnect.init({publishableKey, fetchClientSecret})`` and,
  for the script-tag integration, calls ``StripeConnect.onLoad`` once it is loaded;
* ``init`` calls ``fetchClientSecret`` at once (the npm loader hands the promise of that
  eager call over as ``metaOptions.eagerClientSecretPromise``, which is used instead);
  an expired session's secret is fetched again once, as the real script refreshes;
* ``create("account-onboarding")`` (and every other component's name) returns the
  ``<stripe-connect-account-onboarding>`` element, with ``setOnExit`` and
  ``setOnLoadError`` (and the ``...InternalOnly`` forms the npm loader calls, and
  ``setConnector``);
* the element renders, as Stripe's does, an iframe of the fake's own page
  (``/_account_links/embedded/<component>#<client secret>``): its load uses the secret
  up (``POST /_account_links/sessions``), and its controls (complete / leave) post to
  the hosted page's control path (``POST /_account_links/visit``) with the token the
  load gave, same-origin, as the hosted page posts. The iframe tells the element through
  ``postMessage``; the element calls the page's ``onExit`` listener, or its
  ``onLoadError`` listener with ``{error: {type, message}, elementTagName}`` (a used or
  expired secret: ``authentication_error``; a component the session does not enable:
  ``invalid_request_error``; the fake's choice of types among those Stripe documents).

The fake's choices: one component loads per session (Stripe's secrets are single use;
a page showing two components creates a session for each); only
``account-onboarding`` has controls (every other component renders a placeholder).
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from pytest_account_links.domain.sessions import TAGS, SessionRefused, find, finish, load
from pytest_account_links.served.serving import CONTROL, Reply

if TYPE_CHECKING:
    from pytest_account_links.served.serving import Listening, Serving

#: Where the fake serves the stand-in, and where the real script lives.
SCRIPT_PATH = f"{CONTROL}connect.js"
REAL_SCRIPT = "https://connect-js.stripe.com/v1.0/connect.js"
EMBEDDED_PATH = f"{CONTROL}embedded/"

#: Each control of the onboarding component: the outcome, its label, its ``data-testid``.
CONTROLS: tuple[tuple[str, str, str], ...] = (
    ("completed", "Complete onboarding", "account-links-embedded-complete"),
    ("exited", "Leave without finishing", "account-links-embedded-leave"),
)

_STAND_IN = r"""
(function () {
  "use strict";
  var BASE = __BASE__;
  var TAGS = __TAGS__;
  var existing = window.StripeConnect;
  if (existing && typeof existing.init === "function") { return; }
  var pending = existing && typeof existing === "object" ? existing : {};
  var PREFIX = "pytest-account-links (Connect.js stand-in): ";

  function fetched(params) {
    return Promise.resolve().then(function () { return params.fetchClientSecret(); });
  }

  function Instance(params) {
    if (!params || typeof params.publishableKey !== "string" ||
        !/^pk_(test|live)_/.test(params.publishableKey)) {
      throw new Error(PREFIX + "init() needs publishableKey, a pk_test_... key");
    }
    if (typeof params.fetchClientSecret !== "function") {
      throw new Error(PREFIX + "init() needs fetchClientSecret, a function that returns " +
                      "a Promise of the Account Session's client_secret");
    }
    var eager = params.metaOptions && params.metaOptions.eagerClientSecretPromise;
    var secret = eager ? Promise.resolve(eager) : fetched(params);
    var instance = this;
    this.connect = {
      secret: function () { return secret; },
      refresh: function () { secret = fetched(params); return secret; }
    };
    this.create = function (tag) {
      var element = document.createElement("stripe-connect-" + tag);
      if (typeof element.setConnector !== "function") {
        throw new Error(PREFIX + "there is no component " + JSON.stringify(tag));
      }
      element.setConnector(instance.connect);
      return element;
    };
    this.update = function () {};
    this.logout = function () { return Promise.resolve(); };
  }

  function define(tag) {
    var name = "stripe-connect-" + tag;
    if (window.customElements.get(name)) { return; }
    function Component() {
      var self = Reflect.construct(HTMLElement, [], Component);
      self._connector = null;
      self._onExit = null;
      self._onLoadError = null;
      self._started = false;
      return self;
    }
    Component.prototype = Object.create(HTMLElement.prototype);
    Component.prototype.constructor = Component;
    Object.setPrototypeOf(Component, HTMLElement);
    var methods = {
      setConnector: function (connector) { this._connector = connector; this._start(); },
      connectedCallback: function () { this._start(); },
      setOnExit: function (listener) { this._onExit = listener; },
      setOnExitInternalOnly: function (listener) { this._onExit = listener; },
      setOnLoadError: function (listener) { this._onLoadError = listener; },
      setOnLoadErrorInternalOnly: function (listener) { this._onLoadError = listener; },
      setOnLoaderStart: function () {},
      setOnLoaderStartInternalOnly: function () {},
      _start: function () {
        if (this._started || !this._connector || !this.isConnected) { return; }
        this._started = true;
        var self = this;
        this._connector.secret().then(function (secret) { self._frame(secret, true); },
          function (error) {
            self._failed("api_connection_error", "fetchClientSecret failed: " + error);
          });
      },
      _frame: function (secret, mayRefresh) {
        var self = this;
        var frame = document.createElement("iframe");
        frame.src = BASE + "/_account_links/embedded/" + tag + "#" +
          encodeURIComponent(String(secret));
        frame.title = "Stripe Connect " + tag + " (simulated by pytest-account-links)";
        frame.setAttribute("data-testid", "account-links-embedded-frame");
        frame.style.cssText = "width:100%;min-height:22rem;border:0";
        function heard(event) {
          if (event.source !== frame.contentWindow) { return; }
          var message = event.data || {};
          if (message.type === "exit") {
            self.setAttribute("data-exited", message.outcome || "exited");
            if (typeof self._onExit === "function") { self._onExit(); }
          } else if (message.type === "load_error") {
            window.removeEventListener("message", heard);
            var error = message.error || {};
            if (error.reason === "expired" && mayRefresh) {
              self.removeChild(frame);
              self._connector.refresh().then(function (fresh) { self._frame(fresh, false); },
                function (problem) {
                  self._failed("api_connection_error", "fetchClientSecret failed: " + problem);
                });
              return;
            }
            self._failed(error.type || "api_error", error.message || "");
          }
        }
        window.addEventListener("message", heard);
        this.appendChild(frame);
      },
      _failed: function (type, message) {
        this.setAttribute("data-load-error", type);
        if (typeof this._onLoadError === "function") {
          this._onLoadError({error: {type: type, message: message}, elementTagName: name});
        } else if (window.console) {
          window.console.error(PREFIX + name + ": " + message);
        }
      }
    };
    Object.keys(methods).forEach(function (method) {
      Component.prototype[method] = methods[method];
    });
    window.customElements.define(name, Component);
  }

  Object.keys(TAGS).forEach(define);
  pending.init = function (params) { return new Instance(params); };
  window.StripeConnect = pending;
  if (typeof pending.onLoad === "function") { pending.onLoad(); }
})();
"""


def script(base: str) -> str:
    """The stand-in for Connect.js, speaking to the served fake at ``base``."""
    return _STAND_IN.replace("__BASE__", json.dumps(base.rstrip("/"))).replace(
        "__TAGS__", json.dumps(TAGS, sort_keys=True)
    )


_STYLE = """
:root { color-scheme: light; font-family: system-ui, sans-serif; color: #1a1a1a; }
body { margin: 0; padding: 1rem; background: #fff; }
.banner { margin: 0 0 1rem; padding: .5rem .75rem; background: #fff8c5;
          border: 1px solid #d4a72c; border-radius: 6px; }
.controls { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: 1rem; }
button { font: inherit; padding: .5rem 1rem; border-radius: 6px; border: 1px solid #1f2328;
         background: #fff; color: #1a1a1a; cursor: pointer; }
button.primary { background: #0a5c36; border-color: #0a5c36; color: #fff; }
button:disabled { opacity: .6; cursor: not-allowed; }
button:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
"""

_PAGE_SCRIPT = """
(function () {
  var secret = decodeURIComponent(location.hash.slice(1));
  var component = document.body.getAttribute("data-component");
  var status = document.getElementById("status");
  var due = document.getElementById("due");
  var buttons = document.querySelectorAll("button[data-outcome]");
  var token = null;
  function settle(state) { document.body.setAttribute("data-state", state); }
  function tell(message) { window.parent.postMessage(message, "*"); }
  function post(path, body) {
    return fetch(path, {method: "POST", body: JSON.stringify(body),
                        headers: {"Content-Type": "application/json",
                                  Accept: "application/json"}})
      .then(function (answer) {
        return answer.json().then(function (json) { return [answer.ok, json]; });
      });
  }
  post("/_account_links/sessions", {client_secret: secret, component: component})
    .then(function (got) {
      var body = got[1];
      if (!got[0]) {
        var error = body.error || {};
        status.textContent = error.message || "The component could not load.";
        settle("load_error");
        tell({type: "load_error",
              error: {type: error.type, message: error.message, reason: error.code}});
        return;
      }
      token = body.token;
      document.getElementById("name").textContent = body.display_name || body.account;
      due.textContent = "";
      (body.due.length ? body.due : ["Nothing is currently due."]).forEach(function (line) {
        var item = document.createElement("li");
        item.textContent = line;
        item.setAttribute("data-testid", "account-links-due-item");
        due.appendChild(item);
      });
      status.textContent = "Loaded for " + body.account + ".";
      buttons.forEach(function (b) { b.disabled = component !== "account_onboarding"; });
      settle("ready");
    })
    .catch(function () { status.textContent = "The served fake could not be reached."; });
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      buttons.forEach(function (b) { b.disabled = true; });
      var outcome = button.getAttribute("data-outcome");
      post("/_account_links/visit", {client_secret: secret, token: token, outcome: outcome})
        .then(function (got) {
          if (!got[0]) {
            status.textContent = (got[1].error || {}).message || "Refused.";
            settle("error");
            return;
          }
          status.textContent = outcome === "completed" ? "Onboarding complete." : "You left.";
          settle(outcome);
          tell({type: "exit", outcome: outcome});
        });
    });
  });
})();
"""


def answer_route(route: Any, stand_in: str) -> None:
    """Playwright's route handler: Connect.js's script (``/v1.0/connect.js``, and the
    ``/v0.1/`` one older loaders use) is the stand-in; anything else of Stripe's is refused."""
    from urllib.parse import urlsplit

    parts = urlsplit(route.request.url)
    if parts.hostname == "connect-js.stripe.com" and parts.path.endswith("/connect.js"):
        route.fulfill(
            status=200,
            content_type="text/javascript; charset=utf-8",
            body=stand_in,
            headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"},
        )
        return
    route.abort("blockedbyclient")


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


#: The page's own inline script and style, requests to its own origin; any page may frame
#: it (it is the application's page that embeds the component).
HEADERS = [
    (
        "Content-Security-Policy",
        f"default-src 'none'; script-src {_hash(_PAGE_SCRIPT)}; style-src {_hash(_STYLE)}; "
        "connect-src 'self'; img-src data:; base-uri 'none'",
    ),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
]


def page(component: str) -> str:
    """The component's page, framed by the stand-in's element."""
    buttons = "".join(
        f'<button type="button" data-outcome="{outcome}" data-testid="{testid}"'
        f"{' class=primary' if outcome == 'completed' else ''} disabled>{label}</button>"
        for outcome, label, testid in CONTROLS
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Embedded {escape(component)} (pytest-account-links)</title>
<link rel="icon" href="data:,">
<style>{_STYLE}</style>
</head>
<body data-state="loading" data-component="{escape(component)}">
<p class="banner" role="note">Simulated by pytest-account-links: this is not Stripe.</p>
<h1 id="name" data-testid="account-links-name">&hellip;</h1>
<p id="status" data-testid="account-links-status" role="status" aria-live="polite">
Loading&hellip;</p>
<h2 id="due-title">Currently due</h2>
<ul id="due" aria-labelledby="due-title" data-testid="account-links-due"></ul>
<div class="controls" data-testid="account-links-embedded-controls">{buttons}</div>
<script>{_PAGE_SCRIPT}</script>
</body>
</html>
"""


# -- the control endpoints ----------------------------------------------------------------


def serve_script(
    server: Listening, serving: Serving, rest: str, headers: Any, body: bytes
) -> Reply:
    """``GET /_account_links/connect.js``: the stand-in."""
    return Reply(
        HTTPStatus.OK,
        script(server.url).encode(),
        [("Content-Type", "text/javascript; charset=utf-8"), ("Cache-Control", "no-store")],
    )


def serve_page(server: Listening, serving: Serving, rest: str, headers: Any, body: bytes) -> Reply:
    """``GET /_account_links/embedded/<component>``: the component's framed page."""
    component = TAGS.get(rest.strip("/"))
    if component is None:
        return Reply.error(
            HTTPStatus.NOT_FOUND,
            "not_found",
            f"pytest-account-links: there is no embedded component {rest!r}; they are: "
            f"{', '.join(sorted(TAGS))}",
        )
    return Reply.html(HTTPStatus.OK, page(component), HEADERS)


def _json(body: bytes) -> dict[str, str]:
    try:
        loaded = json.loads(body or b"{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _refusal(problem: SessionRefused) -> Reply:
    return Reply.json(
        HTTPStatus.BAD_REQUEST,
        {"error": {"type": problem.kind, "code": problem.reason, "message": str(problem)}},
    )


def load_component(
    server: Listening, serving: Serving, rest: str, headers: Any, body: bytes
) -> Reply:
    """``POST /_account_links/sessions``: a component loads with a client secret (used up)."""
    from pytest_account_links.served.page import account_view

    fields = _json(body)
    store = serving.store
    with store.lock:
        try:
            session = load(store, fields.get("client_secret", ""), fields.get("component", ""))
        except SessionRefused as problem:
            return _refusal(problem)
        view = account_view(store, session.account)
        return Reply.json(
            HTTPStatus.OK,
            {
                "account": session.account,
                "component": session.loaded,
                "display_name": view.display_name,
                "due": list(view.due),
                "token": session.page_token,
            },
        )


def use_control(serving: Serving, fields: dict[str, str], wait: float) -> Reply:
    """The onboarding component's control (``POST /_account_links/visit`` with the
    session's ``client_secret`` and the load's ``token``): :func:`..domain.sessions.finish`,
    then the events queued for the webhook (waited for up to ``wait`` seconds), then the
    answer the component waits for."""
    store = serving.store
    with store.lock:
        session = find(store, fields.get("client_secret", ""))
        if session is None or session.page_token is None:
            return Reply.error(
                HTTPStatus.NOT_FOUND,
                "not_found",
                "pytest-account-links: no loaded embedded component has this client secret",
            )
        if fields.get("token") != session.page_token:
            return Reply.error(
                HTTPStatus.FORBIDDEN,
                "invalid_token",
                "pytest-account-links: this control's token is not the one its component "
                "was loaded with",
            )
        try:
            finish(store, session, fields.get("outcome", ""))
        except SessionRefused as problem:
            return _refusal(problem)
        except ValueError as problem:
            return Reply.error(HTTPStatus.BAD_REQUEST, "invalid_request", str(problem))
    # Queued before the component tells the page, which waits for them a little (as the
    # hosted page's controls do), so the application knows by the time onExit fires.
    batch = serving.queue_new_events()
    if batch is not None:
        batch.done.wait(wait)
    return Reply.json(HTTPStatus.OK, {"outcome": session.outcome})
