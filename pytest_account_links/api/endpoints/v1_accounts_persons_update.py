"""``POST /v1/accounts/{account}/persons/{person}``: update a person (API v1).

The SDK's ``client.v1.accounts.persons.update`` and ``stripe.Account.modify_person``.
What is sent is merged into the one person state (an empty value unsets a field,
``metadata[key]=`` one key), the account's requirements and capabilities are
recomputed, and ``person.updated`` (with ``previous_attributes``) is delivered, then
``account.updated`` when the account's v1 view changed. Refused as a create is, and an
unknown person ``resource_missing``.

Source: ``tests/data/persons-v1.openapi.json`` (``PostAccountsAccountPersonsPerson``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _persons
from pytest_account_links.api.endpoints import _v1_accounts as accounts
from pytest_account_links.api.endpoints.v1_accounts_persons_create import FIELDS
from pytest_account_links.api.generations.v1 import V1
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.domain import person_changes, persons
from pytest_account_links.domain.v1_view import v1_person

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v1.accounts.persons.update"


def _respond(x: Exchange) -> Answer:
    account, record = x.found
    before = person_changes.v1_before(account, record)
    persons.update(account.state, record, _persons.v1_fields(x), _persons.now(x))
    person_changes.announce(x.store, account, record, "updated", before)
    return x.ok(v1_person(account.state, record))


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v1/accounts/{account}/persons/{person}",
    generation=V1,
    summary="Update a person of a connected account (API v1): person.updated delivered.",
    respond=_respond,
    errors=(),  # the spec documents none for v1 operations (only the generic error)
    params=accounts.model(NAME, "POST"),
    check=_persons.v1_update,
    account=accounts.path_account,
    fields=FIELDS,
)
