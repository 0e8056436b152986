"""``POST /v2/core/accounts/{account_id}/persons``: create a Person
(``client.v2.core.accounts.persons.create``).

"Create a Person. Adds an individual to an Account's identity." The body is the spec's
(``PostV2CoreAccountsAccountIdPersons``); the person is kept in the account's state
(:mod:`...domain.persons`): the company's representative, or an individual's person, is the
account's ``identity.individual``, so its fields meet the account's requirements. Delivers
``v2.core.account_person.created``, then the account's requirements and capability events
(:mod:`...domain.person_changes`). Refused: an unknown account (``not_found``), a closed one
(``account_closed``), a second person of an individual
(``individual_additional_person_not_allowed``), a second representative
(``additional_representative_not_allowed``), an owner at 0%
(``person_percent_ownership_invalid``), more than 100% owned in all
(``total_person_ownership_exceeded``), a duplicate (``duplicate_person_not_allowed``);
the messages are the fake's choice.

``person_token`` applies a person token of this account as if its fields were sent (the
token is then used); its refusals (used, expired, unknown, another account's, v1, an
account token, a field beside it, a French platform's live-mode person sent without one)
are :mod:`...domain.tokens`'.

Source: ``tests/data/persons-v2.openapi.json`` (``PostV2CoreAccountsAccountIdPersons``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _persons, _v2_tokens
from pytest_account_links.api.endpoints import _v2_accounts as accounts
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented
from pytest_account_links.domain import person_changes, persons, tokens

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v2.core.accounts.persons.create"


def _respond(x: Exchange) -> Answer:
    account = x.found.account
    record = persons.create(account.state, x.store.seed, _persons.v2_fields(x), _persons.now(x))
    _v2_tokens.use_named(x, tokens.PERSON)
    person_changes.announce(x.store, account, record, "created")
    return x.ok(persons.v2_person(account.state, record))


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v2/core/accounts/{account_id}/persons",
    generation=V2,
    summary="Create a Person of an Account: the representative meets its requirements.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.body_model(NAME),
    check=_persons.v2_create,
    account=_persons.v2_account_path,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=persons.ANSWER_FIELDS,
)
