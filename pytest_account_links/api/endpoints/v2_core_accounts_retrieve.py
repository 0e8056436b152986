"""``GET /v2/core/accounts/{id}``: retrieve an Account (``client.v2.core.accounts.retrieve``).

``include`` (a query array, ``include[0]=requirements``) says which of the
fields that depend on it are answered; the others are ``null``
(docs.stripe.com/api-includable-response-values). What
``EventNotification.fetch_related_object()`` calls for an account event.

Source: ``shared/spec/accounts-v2.openapi.json`` (``GetV2CoreAccountsId``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _v2_accounts as accounts
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v2.core.accounts.retrieve"


def _respond(x: Exchange) -> Answer:
    return accounts.answer(x, x.found, accounts.include_of(x))


ENDPOINT = Endpoint(
    name=NAME,
    method="GET",
    path="/v2/core/accounts/{id}",
    generation=V2,
    summary="Retrieve an Account: the fields include= names, the others null.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.query_model(NAME),
    check=accounts.find,
    account=accounts.path_account,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=accounts.FIELDS,
)
