"""``GET /v2/core/accounts``: list Accounts (``client.v2.core.accounts.list``).

Newest first. ``applied_configurations`` keeps the accounts that have all of
them; ``closed`` (omitted: only open accounts) filters by whether they are
closed; ``limit`` and ``page`` page through them (:mod:`._v2_lists`). Every
account the test knows is listed: declared, created, or met in a request.

Source: ``shared/spec/accounts-v2.openapi.json`` (``GetV2CoreAccounts``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _v2_accounts as accounts
from pytest_account_links.api.endpoints import _v2_lists as lists
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented
from pytest_account_links.domain import account_state

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v2.core.accounts.list"


def _refused(x: Exchange) -> Answer | None:
    blocked = accounts.blocked(x)
    if blocked is not None:
        return blocked
    problem = lists.page_problem(x.params)
    return x.error("invalid_fields", problem) if problem is not None else None


def _respond(x: Exchange) -> Answer:
    params = x.params
    wanted = set(params.get("applied_configurations") or ())
    closed = bool(params.get("closed", False))
    found = [
        account_state.render(account.state)
        for account in reversed(list(x.store.accounts))
        if account.closed == closed and wanted <= set(account.configurations)
    ]
    filters = lists.listed("applied_configurations", params.get("applied_configurations") or [])
    if "closed" in params:
        filters.append(("closed", "true" if closed else "false"))
    return lists.answer(x, "/v2/core/accounts", found, filters)


ENDPOINT = Endpoint(
    name=NAME,
    method="GET",
    path="/v2/core/accounts",
    generation=V2,
    summary="List Accounts, newest first, by configurations and closed, in pages.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.query_model(NAME),
    check=_refused,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=("data", "next_page_url", "previous_page_url"),
)
