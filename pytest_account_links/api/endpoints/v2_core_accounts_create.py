"""``POST /v2/core/accounts``: create an Account (``client.v2.core.accounts.create``).

The body is validated against the spec's own schema (``_v2_accounts``). The new
account echoes what was sent; Stripe fills in the rest: its ``id``,
``created``, ``livemode`` (from the key), ``applied_configurations`` (the
configurations sent), ``dashboard`` and ``defaults`` where not sent, its
``requirements`` and the status of each requested capability
(:mod:`.._onboarding`). It joins the test's accounts (``account_links.accounts``)
and delivers ``v2.core.account.created``.

``account_token`` applies an account token's fields as if they were sent (the same
state as sending them), and the token is then used; its refusals (a used, expired,
unknown or v1 token, a person token, a field sent beside it, a French platform's
live-mode identity sent without one) are :mod:`...domain.tokens`'.

Source: ``shared/spec/accounts-v2.openapi.json`` (``PostV2CoreAccounts``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _v2_accounts as accounts
from pytest_account_links.api.endpoints import _v2_tokens
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented
from pytest_account_links.domain import account_state, tokens
from pytest_account_links.domain.accounts import ConnectedAccount

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v2.core.accounts.create"


def _respond(x: Exchange) -> Answer:
    assert x.key is not None
    store = x.store
    token = _v2_tokens.named(x, tokens.ACCOUNT)
    request = _v2_tokens.request(x, tokens.ACCOUNT, token)
    account_id = store.ids.account_id()
    state = account_state.new_state(
        account_id, request, livemode=x.key.livemode, created=store.clock.now()
    )
    account = ConnectedAccount(
        account_id, tuple(state["applied_configurations"]), declared=True, state=state
    )
    store.accounts.keep(account)
    if token is not None:
        tokens.use(token)
    account.notify("v2.core.account.created")
    return accounts.answer(x, account, accounts.include_of(x))


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v2/core/accounts",
    generation=V2,
    summary="Create an Account: what was sent, with Stripe's defaults, requirements due.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.body_model(NAME),
    check=lambda x: accounts.blocked(x) or _v2_tokens.check(x, tokens.ACCOUNT),
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=accounts.FIELDS,
)
