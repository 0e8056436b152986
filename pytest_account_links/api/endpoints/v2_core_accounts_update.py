"""``POST /v2/core/accounts/{id}``: update an Account (``client.v2.core.accounts.update``).

What is sent is merged into the account (a ``null`` metadata value unsets
the key; ``configuration.<name>.applied: false`` takes a configuration off),
its requirements and capabilities are recomputed, and the events of the
change are delivered: ``v2.core.account.updated``, one
``v2.core.account[<section>].updated`` per section changed, and
``[requirements].updated`` / ``capability_status_updated`` where those moved.
A closed account is refused (``account_closed``, the fake's choice).

``account_token`` applies an account token's fields as if they were sent, through the
same merge, and the token is then used (its refusals: :mod:`...domain.tokens`).

Source: ``shared/spec/accounts-v2.openapi.json`` (``PostV2CoreAccountsId``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _v2_accounts as accounts
from pytest_account_links.api.endpoints import _v2_tokens
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented
from pytest_account_links.domain import account_state, tokens

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v2.core.accounts.update"


def _respond(x: Exchange) -> Answer:
    account = x.found
    token = _v2_tokens.named(x, tokens.ACCOUNT)
    request = _v2_tokens.request(x, tokens.ACCOUNT, token)
    sections = account_state.merge(account.state, request)
    if token is not None:
        tokens.use(token)
    if "individual" in (request.get("identity") or {}):
        account_state.touch_person(account.state, x.store.clock.now())
    account_state.announce(account, sections)
    account.refresh()
    return accounts.answer(x, account, accounts.include_of(x))


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v2/core/accounts/{id}",
    generation=V2,
    summary="Update an Account: merged in, requirements recomputed, events delivered.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.body_model(NAME),
    check=lambda x: accounts.find_open(x) or _v2_tokens.check(x, tokens.ACCOUNT),
    account=accounts.path_account,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=accounts.FIELDS,
)
