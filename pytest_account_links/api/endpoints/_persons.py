"""What the persons endpoints (v1 and v2) share: the account and the person a path names,
and the refusals of a create or an update (the rules: :mod:`...domain.persons`).

Sources: ``tests/data/persons-v2.openapi.json`` and ``persons-v1.openapi.json`` (the
operations and their errors). An unknown account is ``not_found`` on v2 ("No such
account: '...'", as the Accounts endpoints answer) and 403 ``account_invalid`` on v1 (as
every ``/v1/accounts/{account}`` endpoint answers: :mod:`._v1_accounts`); an unknown
person ``not_found`` "No such person: '...'" on v2 and ``resource_missing`` with
``param`` ``id`` on v1 (Stripe's wording for a missing object); a change to a closed
account ``account_closed``, and the rules' refusals on v1 ``person_not_allowed`` (all
three the fake's choice).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from pytest_account_links.api.endpoints import _v1_accounts, _v2_accounts, _v2_tokens
from pytest_account_links.core.clock import rfc3339
from pytest_account_links.domain import persons, tokens

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange
    from pytest_account_links.domain.accounts import ConnectedAccount


class Found(NamedTuple):
    """The account a path names, and its person (None for a create or a list)."""

    account: ConnectedAccount
    record: dict[str, Any] | None


def _v2_account(x: Exchange, *, open_only: bool) -> Answer | None:
    refused = _v2_accounts.blocked(x)
    if refused is not None:
        return refused
    id = x.path["account_id"]
    account = x.named_account(id)
    if account is None:
        return x.error("not_found", f"No such account: '{id}'")
    if open_only and account.closed:
        return x.error("account_closed", f"The account {id} is closed.")
    x.found = Found(account, None)
    return None


def v2_account(x: Exchange) -> Answer | None:
    """``check`` of a v2 list: the account, or why not."""
    return _v2_account(x, open_only=False)


def _v2_person(x: Exchange, *, open_only: bool) -> Answer | None:
    refused = _v2_account(x, open_only=open_only)
    if refused is not None:
        return refused
    account = x.found.account
    record = persons.find(account.state, x.path["id"])
    if record is None:
        return x.error("not_found", f"No such person: '{x.path['id']}'")
    x.found = Found(account, record)
    return None


def v2_person(x: Exchange) -> Answer | None:
    """``check`` of a v2 retrieve: the account and its person, or why not."""
    return _v2_person(x, open_only=False)


def v2_open_person(x: Exchange) -> Answer | None:
    """``check`` of a v2 delete: as :func:`v2_person`, an open account's."""
    return _v2_person(x, open_only=True)


def v2_create(x: Exchange) -> Answer | None:
    """``check`` of a v2 create: an open account, its ``person_token``, and the rules'
    refusals."""
    return _v2_account(x, open_only=True) or _v2_person_token(x) or _v2_rules(x)


def v2_update(x: Exchange) -> Answer | None:
    """``check`` of a v2 update: an open account's person, its ``person_token``, and the
    rules' refusals."""
    return _v2_person(x, open_only=True) or _v2_person_token(x) or _v2_rules(x)


def _v2_person_token(x: Exchange) -> Answer | None:
    """The refusals of a ``person_token`` (:mod:`...domain.tokens`): one of this account."""
    return _v2_tokens.check(x, tokens.PERSON, account=x.path["account_id"])


def _v2_rules(x: Exchange) -> Answer | None:
    found = x.found
    refused = persons.refusal(found.account.state, found.record, v2_fields(x))
    if refused is None:
        return None
    code, message, extras = refused
    return x.error(code, message, **extras)


def v2_fields(x: Exchange) -> dict[str, Any]:
    """The person fields a v2 create or update sent: a ``person_token``'s as if sent."""
    sent = {name: value for name, value in (x.params or {}).items() if name != "person_token"}
    token = _v2_tokens.named(x, tokens.PERSON)
    return sent if token is None else tokens.applied(token, sent)


def _v1_account(x: Exchange, *, open_only: bool) -> Answer | None:
    refused = _v1_accounts.find(x, open_only=open_only)
    if refused is not None:
        return refused
    x.found = Found(x.found, None)
    return None


def v1_account(x: Exchange) -> Answer | None:
    """``check`` of a v1 list: the account (speaking v1 from now on), or why not."""
    return _v1_account(x, open_only=False)


def _v1_person(x: Exchange, *, open_only: bool) -> Answer | None:
    refused = _v1_account(x, open_only=open_only)
    if refused is not None:
        return refused
    account = x.found.account
    record = persons.find(account.state, x.path["person"])
    if record is None:
        return x.error("resource_missing", f"No such person: '{x.path['person']}'", param="id")
    x.found = Found(account, record)
    return None


def v1_person(x: Exchange) -> Answer | None:
    """``check`` of a v1 retrieve."""
    return _v1_person(x, open_only=False)


def v1_create(x: Exchange) -> Answer | None:
    """``check`` of a v1 create: an open account, and the rules' refusals."""
    return _v1_account(x, open_only=True) or _v1_rules(x)


def v1_update(x: Exchange) -> Answer | None:
    """``check`` of a v1 update: an open account's person, and the rules' refusals."""
    return _v1_person(x, open_only=True) or _v1_rules(x)


def v1_delete(x: Exchange) -> Answer | None:
    """``check`` of a v1 delete: an open account's person, not its representative ("Any
    person with a relationship for an account can be deleted through the API, except if
    the person is the representative")."""
    refused = _v1_person(x, open_only=True)
    if refused is not None:
        return refused
    found = x.found
    own = persons.representative(found.account.state)
    if own is not None and found.record is not None and own["id"] == found.record["id"]:
        return x.error(
            "person_not_allowed",
            f"The person {own['id']} is the representative of {found.account.id}: it cannot "
            "be deleted (make another person the representative first).",
        )
    return None


def _v1_rules(x: Exchange) -> Answer | None:
    found = x.found
    refused = persons.refusal(found.account.state, found.record, v1_fields(x))
    return None if refused is None else x.error("person_not_allowed", refused[1])


def v1_fields(x: Exchange) -> dict[str, Any]:
    """The person fields (v2) a v1 create or update sent."""
    from pytest_account_links.domain.onboarding import country
    from pytest_account_links.domain.v1_state import person_fields

    return person_fields(x.params or {}, country(x.found.account.state))


def now(x: Exchange) -> str:
    """The time of the change, as the state keeps times."""
    return rfc3339(x.store.clock.now())


def v2_account_path(x: Exchange) -> str | None:
    """The account a v2 path names (per-account rate limits)."""
    return x.path.get("account_id")
