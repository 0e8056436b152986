"""``DELETE /v2/core/accounts/{account_id}/persons/{id}``: delete a Person
(``client.v2.core.accounts.persons.delete``).

Answers the spec's ``v2.deleted_object`` (``id``, and ``object``
``v2.core.account_person``), delivers ``v2.core.account_person.deleted``, then the
account's requirements and capability events (the representative deleted, its fields are
due again: the spec lists no refusal for it, so the fake takes it). An unknown account
or person is ``not_found``, a closed account ``account_closed``.

Source: ``tests/data/persons-v2.openapi.json`` (``DeleteV2CoreAccountsAccountIdPersonsId``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _persons
from pytest_account_links.api.endpoints import _v2_accounts as accounts
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented
from pytest_account_links.domain import person_changes, persons

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v2.core.accounts.persons.delete"


def _respond(x: Exchange) -> Answer:
    account, record = x.found
    before = person_changes.v1_before(account, record)
    persons.delete(account.state, record)
    person_changes.announce(x.store, account, record, "deleted", before)
    return x.ok({"id": record["id"], "object": "v2.core.account_person"})


ENDPOINT = Endpoint(
    name=NAME,
    method="DELETE",
    path="/v2/core/accounts/{account_id}/persons/{id}",
    generation=V2,
    summary="Delete a Person of an Account: the spec's deleted object.",
    respond=_respond,
    errors=documented(NAME),
    check=_persons.v2_open_person,
    account=_persons.v2_account_path,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=("id", "object"),
)
