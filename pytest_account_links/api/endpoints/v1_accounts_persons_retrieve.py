"""``GET /v1/accounts/{account}/persons/{person}``: retrieve a person (API v1).

The SDK's ``client.v1.accounts.persons.retrieve`` and ``stripe.Account.retrieve_person``:
any person of the account as v1 shows it, however it was made. An unknown person is
``resource_missing`` ("No such person: '...'"); ``expand`` is taken and changes nothing.

Source: ``tests/data/persons-v1.openapi.json`` (``GetAccountsAccountPersonsPerson``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _persons
from pytest_account_links.api.endpoints import _v1_accounts as accounts
from pytest_account_links.api.endpoints.v1_accounts_persons_create import FIELDS
from pytest_account_links.api.generations.v1 import V1
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.domain.v1_view import v1_person

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v1.accounts.persons.retrieve"


def _respond(x: Exchange) -> Answer:
    return x.ok(v1_person(x.found.account.state, x.found.record))


ENDPOINT = Endpoint(
    name=NAME,
    method="GET",
    path="/v1/accounts/{account}/persons/{person}",
    generation=V1,
    summary="Retrieve a person of a connected account (API v1).",
    respond=_respond,
    errors=(),  # the spec documents none for v1 operations (only the generic error)
    params=accounts.model(NAME, "GET"),
    check=_persons.v1_person,
    account=accounts.path_account,
    fields=FIELDS,
)
