"""The hosted onboarding page the served fake answers for ``/r/<account>#<token>``.

A small, self-contained page (no external asset: its script and style are
inline, allowed by hash in its Content-Security-Policy) that shows the account,
the link's use case and what is currently due, with one control for each thing
the account holder can do. As on Stripe's page, the token is in the URL's
fragment, which the browser never sends: the page's script reads it, asks the
server about the link (``GET /_account_links/links/<token>``) and puts it in the
form its controls submit (``POST /_account_links/visit``, :mod:`.control`).

A link that expired or was used already sends the browser on to ``refresh_url``
straight away, as Stripe's page does. The controls' labels and ``data-testid``
attributes are stable (documented in ``docs/end-to-end.md``).

:func:`account_view` is the one place the page reads the store's accounts.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import unquote

from pytest_account_links.served.serving import Reply

if TYPE_CHECKING:
    from pytest_account_links.domain.store import Store
    from pytest_account_links.served.serving import Serving

#: Each control of the page: the outcome it submits, its label, its ``data-testid``.
CONTROLS: tuple[tuple[str, str, str], ...] = (
    ("completed", "Complete onboarding", "account-links-complete"),
    ("abandoned", "Leave without finishing", "account-links-leave"),
    ("expired", "Simulate an expired link", "account-links-expire"),
)


@dataclass(frozen=True)
class AccountView:
    """What the hosted page shows of an account."""

    id: str
    #: False when the fake has not met the account (no link was created for it).
    known: bool
    display_name: str
    configurations: tuple[str, ...]
    #: The use cases completed through a link (``account_onboarding``, ...).
    completed: tuple[str, ...]
    #: What is currently due, one line each (empty: nothing).
    due: tuple[str, ...]


def account_view(store: Store, account_id: str) -> AccountView:
    """What the page shows of ``account_id``: the one place it reads the store's account.

    What is due is the account's own requirements (the descriptions of
    ``requirements.entries``), as ``v2.core.accounts.retrieve`` answers them.
    """
    with store.lock:
        account = store.accounts.get(account_id)
        if account is None:
            return AccountView(account_id, False, "", (), (), ())
        return AccountView(
            id=account_id,
            known=True,
            display_name=account.display_name,
            configurations=tuple(account.configurations),
            completed=tuple(account.completed),
            due=tuple(account.requirements),
        )


# -- the reply ---------------------------------------------------------------------------


def reply(serving: Serving | None, account: str) -> Reply:
    """The page for ``/r/<account>`` (API v2's links) or ``/setup/c/<account>/<token>``
    (API v1's: ``account`` is then the path after ``/setup/c/``)."""
    account = unquote(account)
    if account.count("/") == 1:  # a v1 link: <account>/<token>
        account = account.split("/", 1)[0]
    if serving is None:
        return Reply.html(
            HTTPStatus.SERVICE_UNAVAILABLE,
            message_page(
                "No test is using the fake",
                "This link was made by pytest-account-links' served fake, and no test is "
                "using it now: it answers during a test that requests the "
                "account_links_server fixture (or run: python -m pytest_account_links serve).",
            ),
        )
    if not account or "/" in account:
        return Reply.html(
            HTTPStatus.NOT_FOUND,
            message_page("Not an Account Link", "An Account Link's URL is /r/<account>#<token>."),
        )
    page = render(account_view(serving.store, account))
    return Reply.html(HTTPStatus.OK, page, HEADERS)


_STYLE = """
:root { color-scheme: light; font-family: system-ui, sans-serif; color: #1a1a1a; }
body { margin: 0; background: #f6f8fa; }
main { max-width: 36rem; margin: 2rem auto; padding: 1.5rem; background: #fff;
       border: 1px solid #d0d7de; border-radius: 8px; }
.banner { margin: 0 0 1rem; padding: .5rem .75rem; background: #fff8c5;
          border: 1px solid #d4a72c; border-radius: 6px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
.controls { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: 1rem; }
button { font: inherit; padding: .5rem 1rem; border-radius: 6px; border: 1px solid #1f2328;
         background: #fff; color: #1a1a1a; cursor: pointer; }
button.primary { background: #0a5c36; border-color: #0a5c36; color: #fff; }
button:disabled { opacity: .6; cursor: not-allowed; }
button:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
"""

_SCRIPT = """
(function () {
  var form = document.getElementById("controls");
  var status = document.getElementById("status");
  var useCase = document.getElementById("use-case");
  var names = {account_onboarding: "Onboarding (account_onboarding)",
               account_update: "Updating the account (account_update)"};
  var gone = {expired: "This link has expired.", used: "This link was used already.",
              unknown: "This link is not known."};
  // API v2 links carry the token in the fragment; v1 links (/setup/c/<acct>/<token>)
  // in the path.
  var v1 = location.pathname.match(new RegExp("^/setup/[a-z]/[^/]+/([A-Za-z0-9]+)$"));
  var token = decodeURIComponent(location.hash.slice(1)) || (v1 ? v1[1] : "");
  form.elements.token.value = token;
  function settle(state) { document.body.setAttribute("data-state", state); }
  var about = "/_account_links/links/" + encodeURIComponent(token);
  fetch(about, {headers: {Accept: "application/json"}})
    .then(function (answer) { return answer.json(); })
    .then(function (link) {
      form.elements.form_token.value = link.form_token || "";
      if (link.use_case) { useCase.textContent = names[link.use_case] || link.use_case; }
      if (link.state === "valid") {
        status.textContent = "Valid until " + link.expires_at;
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        settle("valid");
        return;
      }
      status.textContent = (gone[link.state] || "This link cannot be used.") +
        " Taking you back to the platform to get a new one\u2026";
      settle(link.state || "unknown");
      var expire = document.getElementById("account-links-expire");
      expire.disabled = false;
      form.requestSubmit(expire);
    })
    .catch(function () {
      status.textContent = "The served fake could not be reached.";
      settle("error");
    });
})();
"""


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


#: Nothing but the page's own inline script and style, and requests to its own origin.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; script-src {_hash(_SCRIPT)}; style-src {_hash(_STYLE)}; "
    "connect-src 'self'; img-src data:; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("Cache-Control", "no-store"),
    # Not no-referrer: with it the page's own posts would say Origin: null (Fetch's
    # "append a request Origin header"), which the control endpoints refuse.
    ("Referrer-Policy", "same-origin"),
]


def render(view: AccountView) -> str:
    """The hosted page for an account (the link's details are filled in by its script)."""
    name = view.display_name or "Connected account"
    due = (
        "".join(
            f'<li data-testid="account-links-due-item">{escape(line)}</li>' for line in view.due
        )
        or '<li data-testid="account-links-due-item">Nothing is currently due.</li>'
    )
    buttons = "".join(
        f'<button type="submit" name="outcome" value="{outcome}" id="{testid}"'
        f'{" class=primary" if outcome == "completed" else ""} data-testid="{testid}" '
        f"disabled>{label}</button>"
        for outcome, label, testid in CONTROLS
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Onboarding: {escape(name)} (pytest-account-links)</title>
<link rel="icon" href="data:,">
<style>{_STYLE}</style>
</head>
<body data-state="loading">
<main aria-labelledby="title">
<p class="banner" role="note">Simulated by pytest-account-links: this is not Stripe, and nothing
is sent anywhere but back to the platform.</p>
<h1 id="title" data-testid="account-links-name">{escape(name)}</h1>
<dl>
<dt>Account</dt><dd data-testid="account-links-account">{escape(view.id)}</dd>
<dt>Use case</dt><dd id="use-case" data-testid="account-links-use-case">&hellip;</dd>
<dt>Link</dt><dd id="status" data-testid="account-links-status" role="status"
aria-live="polite">Checking the link&hellip;</dd>
</dl>
<h2 id="due-title">Currently due</h2>
<ul aria-labelledby="due-title" data-testid="account-links-due">{due}</ul>
<form id="controls" method="post" action="/_account_links/visit"
aria-label="What the account holder does" data-testid="account-links-controls">
<input type="hidden" name="account" value="{escape(view.id)}">
<input type="hidden" name="token" value="">
<input type="hidden" name="form_token" value="">
<div class="controls">{buttons}</div>
</form>
<noscript><p>This page needs JavaScript: the link's token is in the URL's fragment, which only
the page's script can read (as on Stripe's hosted page).</p></noscript>
</main>
<script>{_SCRIPT}</script>
</body>
</html>
"""


def message_page(title: str, text: str) -> str:
    """A plain page with one message (an error, or "nothing to go back to")."""
    return f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{escape(title)} (pytest-account-links)</title>
<link rel="icon" href="data:,"></head>
<body><main><h1>{escape(title)}</h1><p data-testid="account-links-message">{escape(text)}</p>
</main></body>
</html>
"""
