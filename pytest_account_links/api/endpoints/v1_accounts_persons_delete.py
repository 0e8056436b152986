"""``DELETE /v1/accounts/{account}/persons/{person}``: delete a person (API v1).

The SDK's ``client.v1.accounts.persons.delete`` and ``stripe.Account.delete_person``.
Answers the spec's ``deleted_person`` (``{"deleted": true, "id": ..., "object":
"person"}``, as Stripe's fixtures show it) and delivers ``person.deleted``
(``data.object`` the person as it was). "Any person with a relationship for an account
can be deleted through the API, except if the person is the representative" (the API
reference): the representative is refused (``person_not_allowed``, the fake's code and
message).

Source: ``tests/data/persons-v1.openapi.json`` (``DeleteAccountsAccountPersonsPerson``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _persons
from pytest_account_links.api.endpoints import _v1_accounts as accounts
from pytest_account_links.api.generations.v1 import V1
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.domain import person_changes, persons

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v1.accounts.persons.delete"


def _respond(x: Exchange) -> Answer:
    account, record = x.found
    before = person_changes.v1_before(account, record)
    persons.delete(account.state, record)
    person_changes.announce(x.store, account, record, "deleted", before)
    return x.ok({"deleted": True, "id": record["id"], "object": "person"})


ENDPOINT = Endpoint(
    name=NAME,
    method="DELETE",
    path="/v1/accounts/{account}/persons/{person}",
    generation=V1,
    summary="Delete a person of a connected account (API v1), not its representative.",
    respond=_respond,
    errors=(),  # the spec documents none for v1 operations (only the generic error)
    params=accounts.model(NAME, "DELETE"),
    check=_persons.v1_delete,
    account=accounts.path_account,
    fields=("deleted", "id", "object"),
)
