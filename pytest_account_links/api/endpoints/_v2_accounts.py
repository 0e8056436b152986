"""What the ``v2.core.accounts`` endpoints share: their request schemas, the account a
path names, and answering it as Stripe does (the state itself: :mod:`...domain.account_state`).

Sources: Stripe's OpenAPI spec (``shared/spec/accounts-v2.openapi.json``, extracted to
``schemas.json`` by ``scripts/extract_schemas.py``) for the request bodies and the query
parameters.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from pytest_account_links.api.generations.schema import Schema
from pytest_account_links.domain.account_state import render, schemas

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange
    from pytest_account_links.core.versions import ApiVersion
    from pytest_account_links.domain.accounts import ConnectedAccount

#: Accounts v2 (and Account Links v2) became generally available with this release.
AVAILABLE_FROM = "2025-12-15.clover"
PREVIEW_FROM = "2025-07-30.preview"


def body_schema(name: str) -> Any:
    """The request body of endpoint ``name``, as a model the generation validates with."""
    return _schema(name, "body")


def query_schema(name: str) -> Any:
    """The query parameters of endpoint ``name``, as a model."""
    return _schema(name, "query")


@functools.cache
def _schema(name: str, part: str) -> Schema:
    return Schema(schemas()["endpoints"][name][part], query=part == "query")


def body_model(name: str) -> Any:
    """``Endpoint.params`` for a body endpoint: the spec's schema whatever the version."""

    def params(version: ApiVersion) -> Any:
        return body_schema(name)

    return params


def query_model(name: str) -> Any:
    """``Endpoint.params`` for a GET endpoint: its query parameters."""

    def params(version: ApiVersion) -> Any:
        return query_schema(name)

    return params


def include_of(x: Exchange) -> list[str]:
    """What the request asked to include (body or query)."""
    params = x.params if isinstance(x.params, dict) else {}
    found = params.get("include") or []
    return [str(item) for item in found]


def find(x: Exchange, *, open_only: bool = False) -> Answer | None:
    """``Endpoint.check`` for ``/v2/core/accounts/{id}``: the account (into ``x.found``),
    or the answer refusing it: ``accounts_v2_access_blocked``, ``not_found`` (as the
    Account Link does), and with ``open_only`` ``account_closed``."""
    refused = blocked(x)
    if refused is not None:
        return refused
    id = x.path["id"]
    account = x.named_account(id)
    if account is None:
        return x.error("not_found", f"No such account: '{id}'")
    if open_only and account.closed:
        return x.error("account_closed", f"The account {id} is closed.")
    x.found = account
    return None


def find_open(x: Exchange) -> Answer | None:
    """:func:`find`, refusing a closed account too (an update)."""
    return find(x, open_only=True)


def blocked(x: Exchange) -> Answer | None:
    """``accounts_v2_access_blocked`` while Accounts v2 is off for the platform."""
    return None if x.store.accounts.v2_enabled else x.error("accounts_v2_access_blocked")


def answer(x: Exchange, account: ConnectedAccount, include: list[str] | None = None) -> Answer:
    """The account as the endpoint answers it."""
    return x.ok(render(account.state, include))


#: The top-level fields of an answered account (what ``override_next`` may set).
FIELDS = (
    "applied_configurations",
    "closed",
    "configuration",
    "contact_email",
    "contact_phone",
    "created",
    "dashboard",
    "defaults",
    "display_name",
    "future_requirements",
    "id",
    "identity",
    "livemode",
    "metadata",
    "object",
    "requirements",
)


def path_account(x: Exchange) -> str | None:
    """The account a path names (per-account rate limits)."""
    return x.path.get("id")
