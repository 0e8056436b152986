"""``POST /v2/core/accounts/{account_id}/persons/{id}``: update a Person
(``client.v2.core.accounts.persons.update``).

What is sent is merged into the person (a ``null`` metadata value unsets its key);
made the representative, the person becomes the account's ``identity.individual``
(and stops being it when no longer). Delivers ``v2.core.account_person.updated``, then
the account's requirements and capability events. Refused as a create is (but a second
person of an individual), and an unknown person ``not_found``.

``person_token`` applies a person token of this account as if its fields were sent (the
token is then used); its refusals (used, expired, unknown, another account's, v1, an
account token, a field beside it, a French platform's live-mode person sent without one)
are :mod:`...domain.tokens`'.

Source: ``tests/data/persons-v2.openapi.json`` (``PostV2CoreAccountsAccountIdPersonsId``).
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

NAME = "v2.core.accounts.persons.update"


def _respond(x: Exchange) -> Answer:
    account, record = x.found
    before = person_changes.v1_before(account, record)
    persons.update(account.state, record, _persons.v2_fields(x), _persons.now(x))
    _v2_tokens.use_named(x, tokens.PERSON)
    person_changes.announce(x.store, account, record, "updated", before)
    return x.ok(persons.v2_person(account.state, record))


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v2/core/accounts/{account_id}/persons/{id}",
    generation=V2,
    summary="Update a Person of an Account: merged in, requirements recomputed.",
    respond=_respond,
    errors=documented(NAME),
    params=accounts.body_model(NAME),
    check=_persons.v2_update,
    account=_persons.v2_account_path,
    available_from=accounts.AVAILABLE_FROM,
    preview_from=accounts.PREVIEW_FROM,
    fields=persons.ANSWER_FIELDS,
)
