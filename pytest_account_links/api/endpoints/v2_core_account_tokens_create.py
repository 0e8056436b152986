"""``POST /v2/core/account_tokens``: create an account token
(``client.v2.core.account_tokens.create``).

The body (``contact_email``, ``contact_phone``, ``display_name``, ``identity``: no
country) is validated against the spec's own schema and kept in the token, which
``account_token`` on ``POST /v2/core/accounts`` (and ``/{id}``) then applies once, within
ten minutes (:mod:`...domain.tokens`, with the fake's choices). In live mode Stripe takes
a publishable key only; the fake takes secret keys only, so a live key is refused
(``token_must_be_created_with_publishable_key``, the spec's description as the message).

Source: ``tests/data/account-tokens-v2.openapi.json`` (``PostV2CoreAccountTokens``);
docs.stripe.com/api/v2/core/account-tokens/create.
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

NAME = "v2.core.account_tokens.create"


def _respond(x: Exchange) -> Answer:
    assert x.key is not None
    token = tokens.create(
        x.store,
        tokens.ACCOUNT,
        x.params,
        livemode=x.key.livemode,
        user_agent=x.request.headers.get("user-agent", ""),
    )
    return x.ok(tokens.render(token))


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v2/core/account_tokens",
    generation=V2,
    summary="Create an account token: identity data kept for one account create or update.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.body_model(NAME),
    check=_v2_tokens.secret_key_in_live_mode,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=_v2_tokens.FIELDS,
)
