"""``GET /v2/core/accounts/{account_id}/persons``: list Persons
(``client.v2.core.accounts.persons.list``).

The account's persons, newest first (the fake's choice, as v1 lists them), in the v2 list
envelope and pages (:mod:`._v2_lists`): the representative a completed link filled in
among them. An individual's account lists its individual.

Source: ``tests/data/persons-v2.openapi.json`` (``GetV2CoreAccountsAccountIdPersons``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _persons
from pytest_account_links.api.endpoints import _v2_accounts as accounts
from pytest_account_links.api.endpoints import _v2_lists as lists
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented
from pytest_account_links.domain import persons

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v2.core.accounts.persons.list"


def _refused(x: Exchange) -> Answer | None:
    refused = _persons.v2_account(x)
    if refused is not None:
        return refused
    problem = lists.page_problem(x.params)
    return x.error("invalid_fields", problem) if problem is not None else None


def _respond(x: Exchange) -> Answer:
    state = x.found.account.state
    found = [persons.v2_person(state, record) for record in persons.listed(state)]
    return lists.answer(x, f"/v2/core/accounts/{state['id']}/persons", found, [])


ENDPOINT = Endpoint(
    name=NAME,
    method="GET",
    path="/v2/core/accounts/{account_id}/persons",
    generation=V2,
    summary="List the Persons of an Account, newest first, in pages.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.query_model(NAME),
    check=_refused,
    account=_persons.v2_account_path,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=("data", "next_page_url", "previous_page_url"),
)
