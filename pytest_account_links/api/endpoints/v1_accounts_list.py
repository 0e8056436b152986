"""``GET /v1/accounts``: list connected accounts (API v1).

The SDK's ``client.v1.accounts.list`` and ``stripe.Account.list``. Newest first, in
Stripe's v1 list envelope ``{"object": "list", "data", "has_more", "url":
"/v1/accounts"}`` (the spec's ``AccountList``); ``limit`` (1 to 100, 10 unless
given: the SDK's ``AccountListParams``), ``starting_after`` / ``ending_before``
(an account ID: the next or previous page, as the SDK's ``auto_paging_iter``
follows them) and ``created`` (a Unix time, or ``gt``, ``gte``, ``lt``, ``lte``).
Every open account of the registry is listed (closed ones are not).

The fake's choices, where Stripe's sources are silent: an unknown cursor is
``resource_missing`` ("No such account: '...'", with its ``param``); a ``limit``
out of range answers "This value must be greater than or equal to 1." (or "less
than or equal to 100.") with ``parameter_invalid_integer``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_account_links.api.endpoints import _v1_accounts as accounts
from pytest_account_links.api.generations.v1 import V1
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.domain.v1_view import render, unix

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange
    from pytest_account_links.domain.accounts import ConnectedAccount

NAME = "v1.accounts.list"
DEFAULT_LIMIT = 10
MAX_LIMIT = 100

_COMPARE = {
    "eq": lambda a, b: a == b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _listed(x: Exchange) -> list[ConnectedAccount]:
    """The open accounts the ``created`` filter keeps, newest first."""
    created = x.params.get("created")
    bounds = created if isinstance(created, dict) else {} if created is None else {"eq": created}
    found = []
    for account in reversed(list(x.store.accounts)):
        if account.closed:
            continue
        when = unix(account.state.get("created")) or 0
        if all(_COMPARE[name](when, bound) for name, bound in bounds.items()):
            found.append(account)
    return found


def _refused(x: Exchange) -> Answer | None:
    limit = x.params.get("limit")
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        bound = "greater than or equal to 1" if limit < 1 else f"less than or equal to {MAX_LIMIT}"
        return x.error("parameter_invalid_integer", f"This value must be {bound}.", param="limit")
    ids = [account.id for account in x.store.accounts]
    for cursor in ("starting_after", "ending_before"):
        value = x.params.get(cursor)
        if value is not None and value not in ids:
            return x.error("resource_missing", f"No such account: '{value}'", param=cursor)
    return None


def _page(x: Exchange, found: list[Any]) -> tuple[list[Any], bool]:
    limit = x.params.get("limit") or DEFAULT_LIMIT
    ids = [account.id for account in found]
    after, before = x.params.get("starting_after"), x.params.get("ending_before")
    if before is not None:
        end = ids.index(before) if before in ids else len(ids)
        start = max(end - limit, 0)
        return found[start:end], start > 0
    start = ids.index(after) + 1 if after in ids else 0
    return found[start : start + limit], start + limit < len(found)


def _respond(x: Exchange) -> Answer:
    page, more = _page(x, _listed(x))
    return x.ok(
        {
            "object": "list",
            "data": [render(account) for account in page],
            "has_more": more,
            "url": "/v1/accounts",
        }
    )


ENDPOINT = Endpoint(
    name=NAME,
    method="GET",
    path="/v1/accounts",
    generation=V1,
    summary="List connected accounts (API v1), newest first, with cursors and created.",
    respond=_respond,
    errors=(),  # the spec documents none for v1 operations (only the generic error)
    params=accounts.model(NAME, "GET"),
    check=_refused,
    fields=("object", "data", "has_more", "url"),
)
