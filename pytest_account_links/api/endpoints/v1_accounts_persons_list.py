"""``GET /v1/accounts/{account}/persons``: list the persons of an account (API v1).

The SDK's ``client.v1.accounts.persons.list`` and ``stripe.Account.list_persons``. "The
people are returned sorted by creation date, with the most recent people appearing
first" (the API reference), in the v1 list envelope (the spec's ``PersonList``, ``url``
the list's path); ``relationship[authorizer|director|executive|legal_guardian|owner|
representative]`` keep the persons whose relationship is (or is not) that; ``limit`` (1
to 100, 10 unless given), ``starting_after`` / ``ending_before`` (a person's ID) page
through them. The fake's choices: an unknown cursor is ``resource_missing`` ("No such
person: '...'", with its ``param``), a ``limit`` out of range worded as
:mod:`.v1_accounts_list` words it.

Source: ``tests/data/persons-v1.openapi.json`` (``GetAccountsAccountPersons``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_account_links.api.endpoints import _persons
from pytest_account_links.api.endpoints import _v1_accounts as accounts
from pytest_account_links.api.endpoints.v1_accounts_list import MAX_LIMIT, _page
from pytest_account_links.api.generations.v1 import V1
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.domain import persons
from pytest_account_links.domain.v1_view import v1_person

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v1.accounts.persons.list"


class _Listed:
    """A listed person, by the ID the pages read (``_page`` reads ``.id``)."""

    def __init__(self, view: dict[str, Any]) -> None:
        self.id = view["id"]
        self.view = view


def _refused(x: Exchange) -> Answer | None:
    refused = _persons.v1_account(x)
    if refused is not None:
        return refused
    limit = x.params.get("limit")
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        bound = "greater than or equal to 1" if limit < 1 else f"less than or equal to {MAX_LIMIT}"
        return x.error("parameter_invalid_integer", f"This value must be {bound}.", param="limit")
    ids = [record["id"] for record in persons.records(x.found.account.state)]
    for cursor in ("starting_after", "ending_before"):
        value = x.params.get(cursor)
        if value is not None and value not in ids:
            return x.error("resource_missing", f"No such person: '{value}'", param=cursor)
    return None


def _respond(x: Exchange) -> Answer:
    state = x.found.account.state
    wanted = x.params.get("relationship") or {}
    found = []
    for record in persons.listed(state):
        view = v1_person(state, record)
        if all(bool(view["relationship"].get(name)) == value for name, value in wanted.items()):
            found.append(_Listed(view))
    page, more = _page(x, found)
    return x.ok(
        {
            "object": "list",
            "data": [listed.view for listed in page],
            "has_more": more,
            "url": f"/v1/accounts/{state['id']}/persons",
        }
    )


ENDPOINT = Endpoint(
    name=NAME,
    method="GET",
    path="/v1/accounts/{account}/persons",
    generation=V1,
    summary="List the persons of a connected account (API v1), by relationship.",
    respond=_respond,
    errors=(),  # the spec documents none for v1 operations (only the generic error)
    params=accounts.model(NAME, "GET"),
    check=_refused,
    account=accounts.path_account,
    fields=("object", "data", "has_more", "url"),
)
