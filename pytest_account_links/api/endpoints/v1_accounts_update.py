"""``POST /v1/accounts/{account}``: update a connected account (API v1).

The SDK's ``client.v1.accounts.update`` and ``stripe.Account.modify``. What is sent
is merged in (an empty value unsets a field, ``metadata[key]=`` one key), the
requirements and capabilities are recomputed, and the change is delivered as one
``account.updated`` with ``previous_attributes`` (:mod:`._v1_accounts`). The body is
validated against the SDK's ``AccountUpdateParams`` (generated from Stripe's
spec). A closed account is refused (``account_closed``, the fake's choice); an
unknown one is 403 ``account_invalid`` (as for a retrieve).

Not enforced (Stripe's docs): that some fields "can only be updated for accounts
where controller.requirement_collection is application" once a link exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _v1_accounts as accounts
from pytest_account_links.api.endpoints.v1_accounts_create import FIELDS
from pytest_account_links.api.generations.v1 import V1
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.domain import v1_state
from pytest_account_links.domain.v1_view import render

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v1.accounts.update"


def _respond(x: Exchange) -> Answer:
    account = x.found
    v1_state.write(x.store, account.state, x.params)
    account.refresh()
    account.notify("account.updated")  # announced once the request is answered
    return x.ok(render(account))


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v1/accounts/{account}",
    generation=V1,
    summary="Update a connected account (API v1): merged in, account.updated delivered.",
    respond=_respond,
    errors=(),  # the spec documents none for v1 operations (only the generic error)
    params=accounts.model(NAME, "POST"),
    check=accounts.find_open,
    account=accounts.path_account,
    fields=FIELDS,
)
