"""``POST /v1/accounts/{account}/persons``: create a person (API v1).

The SDK's ``client.v1.accounts.persons.create`` and ``stripe.Account.create_person``.
The body is validated against the SDK's ``AccountPersonCreateParams`` (generated from
Stripe's spec); what it sends is written, by its v2 names, into the one person state
(:mod:`...domain.persons`, :func:`...domain.v1_state.person_fields`), so a person made
through v1 reads back through v2. The representative (``relationship[representative]``)
of a company, and an individual's person, is the account's ``identity.individual``:
its fields meet the account's requirements. Delivers ``person.created`` (``data.object``
the ``person``), then ``account.updated`` when the account's v1 view changed
(:mod:`...domain.person_changes`).

Refused: an account the key cannot reach (403 ``account_invalid``), a closed one
(``account_closed``), and what the persons' rules refuse (``person_not_allowed``: a second
person of an individual, a second representative, an owner at 0%, more than 100% owned, a
duplicate; codes and messages the fake's choice, as Stripe's v1 sources show none).

Source: ``tests/data/persons-v1.openapi.json`` (``PostAccountsAccountPersons``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _persons
from pytest_account_links.api.endpoints import _v1_accounts as accounts
from pytest_account_links.api.generations.v1 import V1
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.domain import person_changes, persons
from pytest_account_links.domain.v1_view import v1_person

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v1.accounts.persons.create"

#: The top-level fields of an answered ``person`` (what ``override_next`` may set).
FIELDS = (
    "account",
    "additional_tos_acceptances",
    "address",
    "created",
    "dob",
    "email",
    "first_name",
    "future_requirements",
    "gender",
    "id",
    "id_number_provided",
    "last_name",
    "metadata",
    "nationality",
    "object",
    "phone",
    "political_exposure",
    "relationship",
    "requirements",
    "ssn_last_4_provided",
    "verification",
)


def _respond(x: Exchange) -> Answer:
    account = x.found.account
    record = persons.create(account.state, x.store.seed, _persons.v1_fields(x), _persons.now(x))
    person_changes.announce(x.store, account, record, "created")
    return x.ok(v1_person(account.state, record))


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v1/accounts/{account}/persons",
    generation=V1,
    summary="Create a person of a connected account (API v1): one state with v2's.",
    respond=_respond,
    errors=(),  # the spec documents none for v1 operations (only the generic error)
    params=accounts.model(NAME, "POST"),
    check=_persons.v1_create,
    account=accounts.path_account,
    fields=FIELDS,
)
