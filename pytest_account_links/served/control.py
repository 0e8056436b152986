"""The served fake's control endpoints, under ``/_account_links/``.

For an application or a frontend in another language that cannot reach the
fake's Python objects: inspect what it saw, inject a failure, start afresh,
and the hosted page's own two endpoints.

=======  ================================  ==============================================
method   path                              what it does
=======  ================================  ==============================================
GET      ``/_account_links/health``        ``{"url", "serving", "webhook_secret",
                                           "destinations"}``: up, whether a fake is
                                           attached, each event destination's secret
GET      ``/_account_links/calls``         every exchange recorded, oldest first (keys
                                           masked, as ``account_links.all_calls``)
POST     ``/_account_links/fail_next``     ``account_links.fail_next(**body)``: a JSON
                                           object, ``{"code": "not_found", ...}``
POST     ``/_account_links/outage``        ``account_links.outage(**body)``:
                                           ``{"kind": 503, "times": 1}``
POST     ``/_account_links/accounts``      declare accounts, as ``@stripe_accounts``
                                           does: ``{"accounts": ["acct_1", {...}]}``
                                           (:mod:`.accounts`)
POST     ``/_account_links/reset``         a fresh fake (the standalone server only)
GET      ``/_account_links/links/<token>`` what the hosted page shows of a link
POST     ``/_account_links/visit``         the hosted page's controls: ``visit()``, then
                                           303 to where it sends the browser; with a
                                           ``client_secret``, the embedded onboarding
                                           component's controls
GET      ``/_account_links/connect.js``    the stand-in for Connect.js (:mod:`.connect_js`)
GET      ``/_account_links/embedded/<c>``  the page the stand-in frames for component ``c``
POST     ``/_account_links/sessions``      a component loads: uses an Account Session's
                                           client secret up
=======  ================================  ==============================================
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from pytest_account_links.core.clock import rfc3339
from pytest_account_links.served.origins import form_token, form_token_ok, is_json, origin_problem
from pytest_account_links.served.serving import CONTROL, Reply, path_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from pytest_account_links.core.calls import Call
    from pytest_account_links.domain.store import Store
    from pytest_account_links.served.serving import Listening, Serving

    Handler = Callable[[Listening, Serving, str, dict[str, str], bytes], Reply]

#: What the hosted page's controls may submit: ``visit()``'s outcomes, and ``expired``
#: (the link is treated as expired: the browser goes to ``refresh_url``).
VISIT_OUTCOMES = ("completed", "abandoned", "closed", "expired")
#: The longest a visit waits for its events to be delivered before it sends the browser
#: on, in seconds (they go on being delivered in the background after that).
VISIT_WAIT = 2.0


def answer(
    server: Listening,
    serving: Serving | None,
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes,
) -> Reply:
    """The reply of the control endpoint ``target`` names."""
    name, _, rest = path_of(target).removeprefix(CONTROL).partition("/")
    if name == "health" and method == "GET":
        health: dict[str, Any] = {"url": server.url, "serving": serving is not None}
        if serving is not None:
            health["webhook_secret"] = serving.store.webhook_secret
            health["destinations"] = [each.describe() for each in serving.destinations]
        return Reply.json(HTTPStatus.OK, health)
    handler = _ROUTES.get((method, name))
    refused = origin_problem(method, headers, server.address, server.extra_hosts)
    if handler is not None and refused is not None:
        return _reply(
            headers, HTTPStatus.FORBIDDEN, "cross_site_request", f"pytest-account-links: {refused}"
        )
    if handler is None:
        listing = ", ".join(f"{m} {CONTROL}{n}" for m, n in (*_ROUTES, ("GET", "health")))
        return Reply.error(
            HTTPStatus.NOT_FOUND,
            "not_found",
            f"pytest-account-links: {method} {path_of(target)} is no control endpoint; they "
            f"are: {listing}",
        )
    if serving is None:
        return _reply(
            headers,
            HTTPStatus.SERVICE_UNAVAILABLE,
            "account_links_not_in_use",
            "pytest-account-links: no test is using the served fake now (it answers during a "
            "test that requests the account_links_server fixture)",
        )
    return handler(server, serving, rest, headers, body)


# -- state -------------------------------------------------------------------------------


def call_json(call: Call) -> dict[str, Any]:
    """One recorded exchange as JSON (every key in it masked already)."""
    return {
        "endpoint": call.endpoint,
        "method": call.method,
        "url": call.url,
        "status": call.status,
        "outcome": call.outcome,
        "error_code": call.error_code,
        "fault": call.fault,
        "injected": call.injected,
        "replayed": call.replayed,
        "api_version": call.api_version,
        "request_id": call.request_id,
        "account": call.account,
        "idempotency_key": call.idempotency_key,
        "headers": call.headers,
        "body": call.body,
        "response": call.response,
        "response_headers": call.response_headers,
    }


def _calls(server: Listening, serving: Serving, rest: str, headers: Any, body: bytes) -> Reply:
    store = serving.store
    with store.lock:
        calls = list(store.calls.every)
    return Reply.json(HTTPStatus.OK, [call_json(call) for call in calls])


def _not_json(method: str, headers: dict[str, str], takes: str) -> Reply:
    got = headers.get("content-type")
    return Reply.error(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        f"pytest-account-links: POST {CONTROL}{method} takes {takes} with Content-Type: "
        f"application/json, got {'no Content-Type' if got is None else repr(got[:100])} "
        "(curl: -H 'Content-Type: application/json')",
    )


def _reset(server: Listening, serving: Serving, rest: str, headers: Any, body: bytes) -> Reply:
    if (body or "content-type" in headers) and not is_json(headers):
        return _not_json("reset", headers, "no body, or a JSON one,")
    if not serving.resettable:
        return Reply.error(
            HTTPStatus.CONFLICT,
            "reset_not_available",
            "pytest-account-links: each test gets a fresh fake already; reset is for the "
            "standalone server (python -m pytest_account_links serve)",
        )
    serving.reset()
    return Reply.json(HTTPStatus.OK, {"ok": True})


def _accounts(server: Listening, serving: Serving, rest: str, headers: Any, body: bytes) -> Reply:
    from pytest_account_links.served.accounts import control

    if not is_json(headers):
        return _not_json("accounts", headers, "a JSON list of accounts, or an object")
    return control(server, serving, rest, headers, body)


def _injector(method: str) -> Handler:
    """A control endpoint that calls ``AccountLinksFake.<method>(**body)``."""

    def inject(server: Listening, serving: Serving, rest: str, headers: Any, body: bytes) -> Reply:
        if not is_json(headers):
            return _not_json(
                method, headers, f"a JSON object of account_links.{method}()'s arguments"
            )
        try:
            arguments = json.loads(body or b"{}")
        except ValueError:
            arguments = None
        if not isinstance(arguments, dict):
            return Reply.error(
                HTTPStatus.BAD_REQUEST,
                "invalid_request",
                f"pytest-account-links: POST {CONTROL}{method} takes a JSON object of "
                f"account_links.{method}()'s arguments, got {body[:200]!r}",
            )
        from pytest_account_links.harness.fake import AccountLinksFake

        fake = AccountLinksFake(serving.store, serving.driver)
        try:
            getattr(fake, method)(**arguments)
        except (TypeError, ValueError) as problem:
            message = str(problem)
            if not message.startswith("pytest-account-links"):
                message = f"pytest-account-links: account_links.{method}(): {message}"
            return Reply.error(HTTPStatus.BAD_REQUEST, "invalid_request", message)
        return Reply.json(HTTPStatus.OK, {"ok": True, method: arguments})

    return inject


# -- the hosted page's endpoints ----------------------------------------------------------


def link_state(store: Store, token: str) -> dict[str, Any] | None:
    """What the hosted page shows of the link ``token`` (None for an unknown token)."""
    with store.lock:
        link = store.links.get(token)
        if link is None:
            return None
        if link.used:
            state = "used"
        elif store.clock.now() >= link.expires_at:
            state = "expired"
        else:
            state = "valid"
        return {
            "state": state,
            "account": link.account,
            "use_case": link.use_case,
            "expires_at": rfc3339(link.expires_at),
            "livemode": link.livemode,
            "return_url": link.return_url,
            "refresh_url": link.refresh_url,
        }


def _link(server: Listening, serving: Serving, rest: str, headers: Any, body: bytes) -> Reply:
    from urllib.parse import unquote

    token = unquote(rest)
    # The page's form posts it back with the link's token (a cross-site page cannot read it).
    secured = {"form_token": form_token(server.form_secret, token)}
    state = link_state(serving.store, token)
    if state is None:
        return Reply.json(HTTPStatus.NOT_FOUND, {"state": "unknown", **secured})
    return Reply.json(HTTPStatus.OK, {**state, **secured})


#: The media type of the hosted page's form.
FORM = "application/x-www-form-urlencoded"


def _fields(server: Listening, headers: dict[str, str], body: bytes) -> dict[str, str] | Reply:
    """A JSON object's fields (a script's), or the page's form's, whose ``form_token``
    must be the link's (:func:`.origins.form_token`); a refusal otherwise."""
    text = body.decode("utf-8", "replace")
    if is_json(headers):
        try:
            loaded = json.loads(text or "{}")
        except ValueError:
            return {}
        return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}
    if headers.get("content-type", "").split(";", 1)[0].strip().lower() != FORM:
        return _reply(
            headers,
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            f"pytest-account-links: POST {CONTROL}visit takes the hosted page's form ({FORM}) "
            "or a JSON object (application/json), got "
            f"{headers.get('content-type', 'no Content-Type')[:100]!r}",
        )
    fields = {name: values[0] for name, values in parse_qs(text).items()}
    if not form_token_ok(server.form_secret, fields.get("token", ""), fields.get("form_token", "")):
        return _reply(
            headers,
            HTTPStatus.FORBIDDEN,
            "invalid_form_token",
            "pytest-account-links: this form was not the hosted page's: its form_token is "
            "missing or is not the link's (the page gets it from GET "
            f"{CONTROL}links/<token>); a script posts JSON instead: "
            '{"url": <the link\'s URL>, "outcome": "completed"}',
        )
    return fields


def _visit(server: Listening, serving: Serving, rest: str, headers: Any, body: bytes) -> Reply:
    """What one of the page's controls does: ``visit()``, the events posted, the redirect."""
    from pytest_account_links.domain.visit import visit

    fields = _fields(server, headers, body)
    if isinstance(fields, Reply):
        return fields
    if "client_secret" in fields:  # the embedded onboarding component's controls
        from pytest_account_links.served.connect_js import use_control

        return use_control(serving, fields, VISIT_WAIT)
    outcome = fields.get("outcome", "completed")
    if outcome not in VISIT_OUTCOMES:
        return _reply(
            headers,
            HTTPStatus.BAD_REQUEST,
            "invalid_request",
            f"pytest-account-links: outcome must be one of {', '.join(VISIT_OUTCOMES)}, got "
            f"{outcome!r}",
        )
    store = serving.store
    known = store.links.get(fields.get("token", ""))
    url = fields.get("url") or (
        known.url  # the link's own URL: API v2's (#<token>) or v1's (/<token>)
        if known is not None
        else f"{store.hosted_base}/r/{fields.get('account', '')}#{fields.get('token', '')}"
    )
    with store.lock:
        if outcome == "expired":
            _expire(store, _token_of(url))
        try:
            redirect = visit(store, url, outcome="completed" if outcome == "expired" else outcome)
        except ValueError as problem:
            return _reply(headers, HTTPStatus.NOT_FOUND, "not_found", str(problem))
        record = store.visits[-1]
    # Queued before the browser is sent back, which waits for them a little (not for a
    # handler that hangs), so the application knows by the time it arrives.
    batch = serving.queue_new_events()
    if batch is not None:
        batch.done.wait(VISIT_WAIT)
    if redirect is None:
        return _reply(
            headers,
            HTTPStatus.OK,
            None,
            "Nothing to go back to: "
            + (
                "the tab was closed."
                if record.outcome == "closed"
                else "the link has no return_url."
            ),
            outcome=record.outcome,
        )
    return Reply.redirect(redirect, {"outcome": record.outcome, "redirect": redirect})


def _token_of(url: str) -> str:
    """A link's token: after the ``#`` of an API v2 link, the last part of a v1 link's path."""
    return url.rpartition("#")[2] if "#" in url else url.rstrip("/").rpartition("/")[2]


def _expire(store: Store, token: str) -> None:
    """The link ``token`` expires now (if it is still valid)."""
    link = store.links.get(token)
    if link is not None and not link.used:
        link.expires_at = min(link.expires_at, store.clock.now())


def _reply(
    headers: dict[str, str], status: int, code: str | None, message: str, **extra: Any
) -> Reply:
    """A message as a page for a browser, as JSON for anything else."""
    if "text/html" in headers.get("accept", ""):
        from pytest_account_links.served.page import message_page

        title = "Done" if code is None else "The served fake cannot do this"
        return Reply.html(status, message_page(title, message))
    if code is None:
        return Reply.json(status, {"message": message, **extra})
    return Reply.error(status, code, message)


def _connect_js(
    name: str, server: Listening, serving: Serving, rest: str, headers: Any, body: bytes
) -> Reply:
    """The Connect.js stand-in's endpoints (:mod:`.connect_js`), imported when first used."""
    from pytest_account_links.served import connect_js

    handler: Handler = getattr(connect_js, name)
    return handler(server, serving, rest, headers, body)


_ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "calls"): _calls,
    ("POST", "fail_next"): _injector("fail_next"),
    ("POST", "outage"): _injector("outage"),
    ("POST", "accounts"): _accounts,
    ("POST", "reset"): _reset,
    ("GET", "links"): _link,
    ("POST", "visit"): _visit,
    ("GET", "connect.js"): lambda *args: _connect_js("serve_script", *args),
    ("GET", "embedded"): lambda *args: _connect_js("serve_page", *args),
    ("POST", "sessions"): lambda *args: _connect_js("load_component", *args),
}
