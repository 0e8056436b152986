"""``POST /v1/account_links``: create an Account Link (API v1).

The SDK's ``client.v1.account_links.create`` and ``stripe.AccountLink.create``.

Sources: Stripe's OpenAPI spec (``shared/spec/account-links-v1.openapi.json``: the
form body, the ``account_link`` object, the ``error`` envelope); the API reference
(docs.stripe.com/api/account_links/create: ``refresh_url`` and ``return_url``
"Required"; the example ``{"object": "account_link", "created": 1680577733,
"expires_at": 1680578033, "url":
"https://connect.stripe.com/setup/c/acct_1Mt0CORHFI4mz9Rw/TqckGNUHg2mG"}``). Every
real answer seen lives 300 seconds (Stripe publishes no lifetime); the URL's token
is 12 letters and digits in every real URL.

Refusals, in order: a URL that is not absolute (``url_invalid``, "Not a valid
URL", as Stripe answers for Checkout's URLs); an account the test does not know
(``resource_missing``, "No such account: '...'", param ``account``: a real
answer); a closed account (``account_closed``, the fake's choice); an
``account_update`` link for an account that has a Stripe-hosted Dashboard or that
Stripe is liable for ("You can create Account Links of type ``account_update``
only for connected accounts where your platform is responsible for collecting
requirements ... You can't create them for accounts that have access to a
Stripe-hosted Dashboard": the spec's description of ``type``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pytest_account_links.api.endpoints import _v1_accounts as accounts
from pytest_account_links.api.generations.v1 import V1
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.domain import v1_state
from pytest_account_links.domain.links import Link
from pytest_account_links.domain.v1_view import lookup

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v1.account_links.create"
#: How long a v1 link lives: 300 seconds in every real answer (the API reference's too).
LIFETIME = timedelta(seconds=300)


def _bad_url(x: Exchange) -> Answer | None:
    for name in ("refresh_url", "return_url"):
        try:
            parts = urlsplit(str(x.params.get(name)))
            _ = parts.port  # a port out of range, or no number, is no URL either
        except ValueError:  # an unclosed IPv6 bracket, ...
            return x.error("url_invalid", "Not a valid URL", param=name)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return x.error("url_invalid", "Not a valid URL", param=name)
    return None


def _updatable(state: dict[str, Any]) -> bool:
    """True for an account whose platform collects its requirements and that has no
    Stripe-hosted Dashboard (a Custom account): the only ones ``account_update`` serves."""
    collector = lookup(state, "defaults.responsibilities.requirements_collector")
    return state.get("dashboard") == "none" and collector == "application"


def _refused(x: Exchange) -> Answer | None:
    bad = _bad_url(x)
    if bad is not None:
        return bad
    account_id = x.params["account"]
    account = x.named_account(account_id)
    if account is None:
        return x.error("resource_missing", f"No such account: '{account_id}'", param="account")
    if account.closed:
        return x.error("account_closed", f"The account {account_id} is closed.", param="account")
    if x.params["type"] == "account_update" and not _updatable(account.state):
        return x.error("account_update_not_allowed", param="type")
    x.found = account
    return None


def _respond(x: Exchange) -> Answer:
    v1_state.speak(x.found)
    created = x.store.clock.now()
    return x.ok(
        {
            "object": "account_link",
            "created": V1.timestamp(created),
            "expires_at": V1.timestamp(created + LIFETIME),
            "url": x.store.ids.v1_link_url(x.found.id, x.store.connect_base),
        }
    )


def _keep(x: Exchange, link: Any) -> None:
    """Keep the link as answered (after hooks and overrides), for ``visit()``."""
    assert x.key is not None
    url = str(link.get("url", ""))
    created = _time(link.get("created")) or x.store.clock.now()
    expires = _time(link.get("expires_at")) or created + LIFETIME
    x.store.links[url.rsplit("/", 1)[-1]] = Link(
        url=url,
        account=x.params["account"],
        use_case=x.params["type"],
        refresh_url=x.params["refresh_url"],
        return_url=x.params["return_url"],
        created=created,
        expires_at=expires,
        livemode=x.key.livemode,
        configurations=(),
        generation="v1",
    )


def _time(value: Any) -> datetime | None:
    """A Unix time of the answer (an override may have made it anything) as a datetime."""
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v1/account_links",
    generation=V1,
    summary="Create an Account Link (API v1): a single-use connect.stripe.com URL, 300 s.",
    respond=_respond,
    errors=(),  # the spec documents none for v1 operations (only the generic error)
    params=accounts.model(NAME, "POST"),
    check=_refused,
    keep=_keep,
    account=lambda x: x.body.field("account"),
    fields=("object", "created", "expires_at", "url"),
)
