"""``POST /v2/core/accounts/{account_id}/person_tokens``: create a person token
(``client.v2.core.accounts.person_tokens.create``).

The body (a person's details: names, address, date of birth, documents, relationship,
``additional_terms_of_service``, ...) is validated against the spec's own schema and kept
in the token, for that account only, for ten minutes (:mod:`...domain.tokens`). The
operation lists no ``not_found``: the fake makes the token whatever the account (its
choice), and the token then serves that account alone. A live key is refused as on
``POST /v2/core/account_tokens`` (``token_must_be_created_with_publishable_key``).

Source: ``tests/data/account-tokens-v2.openapi.json``
(``PostV2CoreAccountsAccountIdPersonTokens``).
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

NAME = "v2.core.accounts.person_tokens.create"


def _respond(x: Exchange) -> Answer:
    assert x.key is not None
    token = tokens.create(
        x.store,
        tokens.PERSON,
        x.params,
        livemode=x.key.livemode,
        user_agent=x.request.headers.get("user-agent", ""),
        account=x.path["account_id"],
    )
    return x.ok(tokens.render(token))


def path_account(x: Exchange) -> str | None:
    """The account a path names (per-account rate limits)."""
    return x.path.get("account_id")


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v2/core/accounts/{account_id}/person_tokens",
    generation=V2,
    summary="Create a person token: a person's details kept for one person create or update.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.body_model(NAME),
    check=_v2_tokens.secret_key_in_live_mode,
    account=path_account,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=_v2_tokens.FIELDS,
)
