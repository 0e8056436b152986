"""``GET /v2/core/account_tokens/{id}``: retrieve an account token
(``client.v2.core.account_tokens.retrieve``).

The token as it is now (``used`` once an account took it). A token the test did not
create, or one made in the other mode, is ``not_found`` (the message is the fake's, in
the Accounts' words).

Source: ``tests/data/account-tokens-v2.openapi.json`` (``GetV2CoreAccountTokensId``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _v2_accounts as accounts
from pytest_account_links.api.endpoints import _v2_tokens
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented
from pytest_account_links.domain import tokens

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v2.core.account_tokens.retrieve"


def _check(x: Exchange) -> Answer | None:
    assert x.key is not None
    id = x.path["id"]
    x.found = tokens.find(x.store, id, tokens.ACCOUNT, livemode=x.key.livemode)
    return x.error("not_found", f"No such account token: '{id}'") if x.found is None else None


def _respond(x: Exchange) -> Answer:
    return x.ok(tokens.render(x.found))


ENDPOINT = Endpoint(
    name=NAME,
    method="GET",
    path="/v2/core/account_tokens/{id}",
    generation=V2,
    summary="Retrieve an account token: its expiry, and whether it was used.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.query_model(NAME),
    check=_check,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=_v2_tokens.FIELDS,
)
