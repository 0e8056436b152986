"""``POST /v2/core/accounts/{id}/close``: close an Account (``client.v2.core.accounts.close``).

"All configurations on the Account must be passed in for this request to
succeed" (the spec): otherwise ``configs_must_match_to_close``, with the
account's ``applied_configurations``. A closed account answers ``closed:
true``, delivers ``v2.core.account.closed``, is listed only with
``closed=true``, and takes no more links or updates. Closing it again answers
it as it is (the fake's choice).

Source: ``shared/spec/accounts-v2.openapi.json`` (``PostV2CoreAccountsIdClose``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _v2_accounts as accounts
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v2.core.accounts.close"


def _refused(x: Exchange) -> Answer | None:
    refused = accounts.find(x)
    if refused is not None:
        return refused
    applied = list(x.found.configurations)
    sent = x.params.get("applied_configurations") or []
    if sorted(set(sent)) != sorted(applied):
        return x.error(
            "configs_must_match_to_close",
            f"Account {x.found.id} has the configurations {', '.join(applied) or 'none'}; "
            f"the request passed {', '.join(sent) or 'none'}.",
            applied_configurations=applied,
        )
    return None


def _respond(x: Exchange) -> Answer:
    account = x.found
    if not account.closed:
        account.state["closed"] = True
        account.notify("v2.core.account.closed")
    return accounts.answer(x, account)


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v2/core/accounts/{id}/close",
    generation=V2,
    summary="Close an Account: every applied configuration must be passed.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.body_model(NAME),
    check=_refused,
    account=accounts.path_account,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=accounts.FIELDS,
)
