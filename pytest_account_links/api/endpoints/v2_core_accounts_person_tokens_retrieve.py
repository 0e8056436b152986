"""``GET /v2/core/accounts/{account_id}/person_tokens/{id}``: retrieve a person token
(``client.v2.core.accounts.person_tokens.retrieve``).

The token as it is now. A token the test did not create, one of another account, or
one made in the other mode is ``not_found`` (the message is the fake's).

Source: ``tests/data/account-tokens-v2.openapi.json``
(``GetV2CoreAccountsAccountIdPersonTokensId``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _v2_accounts as accounts
from pytest_account_links.api.endpoints import _v2_tokens
from pytest_account_links.api.endpoints.v2_core_accounts_person_tokens_create import path_account
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented
from pytest_account_links.domain import tokens

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v2.core.accounts.person_tokens.retrieve"


def _check(x: Exchange) -> Answer | None:
    assert x.key is not None
    id = x.path["id"]
    x.found = tokens.find(
        x.store, id, tokens.PERSON, livemode=x.key.livemode, account=x.path["account_id"]
    )
    return x.error("not_found", f"No such person token: '{id}'") if x.found is None else None


def _respond(x: Exchange) -> Answer:
    return x.ok(tokens.render(x.found))


ENDPOINT = Endpoint(
    name=NAME,
    method="GET",
    path="/v2/core/accounts/{account_id}/person_tokens/{id}",
    generation=V2,
    summary="Retrieve a person token: its expiry, and whether it was used.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.query_model(NAME),
    check=_check,
    account=path_account,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=_v2_tokens.FIELDS,
)
