"""``GET /v2/core/accounts/{account_id}/persons/{id}``: retrieve a Person
(``client.v2.core.accounts.persons.retrieve``).

Any person of the account, however it was made (v1 or v2, or the representative a
completed link filled in). What ``EventNotification.fetch_related_object()`` calls for a
``v2.core.account_person.*`` event. An unknown account or person is ``not_found``.

Source: ``tests/data/persons-v2.openapi.json`` (``GetV2CoreAccountsAccountIdPersonsId``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _persons
from pytest_account_links.api.endpoints import _v2_accounts as accounts
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented
from pytest_account_links.domain import persons

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v2.core.accounts.persons.retrieve"


def _respond(x: Exchange) -> Answer:
    return x.ok(persons.v2_person(x.found.account.state, x.found.record))


ENDPOINT = Endpoint(
    name=NAME,
    method="GET",
    path="/v2/core/accounts/{account_id}/persons/{id}",
    generation=V2,
    summary="Retrieve a Person of an Account.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.query_model(NAME),
    check=_persons.v2_person,
    account=_persons.v2_account_path,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=persons.ANSWER_FIELDS,
)
