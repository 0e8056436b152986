"""The people of an account: one person state, shown as a ``v2.core.account_person`` (API
v2) and as a ``person`` (API v1).

Sources: Stripe's OpenAPI spec (``tests/data/persons-v2.openapi.json``:
``v2.core.account_person``, ``v2.deleted_object`` and the errors the persons operations
list; ``tests/data/persons-v1.openapi.json``: ``person``, ``deleted_person``), Stripe's
fixtures (``openapi/fixtures3.json``: a v1 ``person`` and its ID, ``person_1`` and 23
letters and digits) and the v1 API reference ("Any person with a relationship for an
account can be deleted through the API, except if the person is the representative";
"The people are returned sorted by creation date, with the most recent people appearing
first").

**One state.** Each person is kept in the account's state in the v2 shape, in creation
order, under the private key ``_persons``; the v1 ``person`` is a view of it
(:func:`v1_person`: ``first_name`` is ``given_name``, ``last_name`` ``surname``, ``dob``
``date_of_birth``, ``nationality`` the first of ``nationalities``, ...). What only v1 has
(``first_name_kana``, ``us_cfpb_data``, ...) is kept beside it, under the person's ``_v1``.

**The account's own person.** The company's representative (the person whose
``relationship.representative`` is true) and an individual's person are the account's
``identity.individual``: their fields are kept there, once, so the account's
requirements (:mod:`.onboarding`) see them, and whatever fills ``identity.individual``
in (an Accounts update, a completed link or embedded onboarding) is that person. Its ID
is the one ``identity.individual`` answers with (:func:`.v1_view.person_id`).

The fake's choices, where Stripe is silent: an individual's account lists its individual
as its one person; another person's ID is ``person_1`` and 23 letters and digits derived
from the seed and the account (as the fixtures' ID is shaped); both lists answer newest
first; two persons are duplicates when they have the same given name, surname and date of
birth; a v1 person's ``verification.status`` is ``verified`` once nothing is due of it;
its ``requirements`` are the account's requirements of it (``first_name``, ``dob.day``, ...).
"""

from __future__ import annotations

import base64
import copy
import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from pytest_account_links.domain import onboarding as _onboarding

#: Where the state keeps its persons (each a dict), in creation order.
KEY = "_persons"
#: How many persons were ever made for the account (the next ID's number).
_MADE = "_persons_made"
#: A person kept in ``identity.individual`` is listed under this marker.
INDIVIDUAL = "_individual"

#: The v2 fields a person holds (the answer's own fields besides).
FIELDS = (
    "additional_addresses",
    "additional_names",
    "additional_terms_of_service",
    "address",
    "date_of_birth",
    "documents",
    "email",
    "given_name",
    "id_numbers",
    "legal_gender",
    "metadata",
    "nationalities",
    "phone",
    "political_exposure",
    "relationship",
    "script_addresses",
    "script_names",
    "surname",
)


def person_id(account_id: str) -> str:
    """The ID of the account's own person (``identity.individual``)."""
    digest = hashlib.blake2b(f"person\0{account_id}".encode(), digest_size=12).hexdigest()
    return f"person_{digest}"


def _new_id(seed: int, state: dict[str, Any]) -> str:
    made = int(state.get(_MADE) or 0)
    state[_MADE] = made + 1
    digest = hashlib.blake2b(f"{seed}\0person\0{state['id']}\0{made}".encode(), digest_size=24)
    return "person_1" + base64.b32encode(digest.digest()).decode().lower()[:23]


# -- the persons of an account ----------------------------------------------------------


def individual(state: dict[str, Any]) -> dict[str, Any] | None:
    """``identity.individual`` when it holds a person (any field of one), else None."""
    held = (state.get("identity") or {}).get("individual")
    if isinstance(held, dict) and any(held.get(name) not in (None, {}, []) for name in FIELDS):
        return held
    return None


def records(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The persons of the account, oldest first (the account's own person, once it holds
    anything, by its marker; listed last when something other than a person filled it)."""
    kept: list[dict[str, Any]] = state.setdefault(KEY, [])
    own = individual(state)
    marked = any(record.get(INDIVIDUAL) for record in kept)
    if own is not None and not marked:
        own.setdefault("id", person_id(state["id"]))
        kept.append({"id": own["id"], INDIVIDUAL: True})
    elif own is None and marked:
        kept[:] = [record for record in kept if not record.get(INDIVIDUAL)]
    return kept


def fields_of(state: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """Where a person's fields are: ``identity.individual`` for the account's own."""
    if record.get(INDIVIDUAL):
        found: dict[str, Any] = state.setdefault("identity", {}).setdefault("individual", {})
        return found
    return record


def find(state: dict[str, Any], id: str) -> dict[str, Any] | None:
    """The person ``id`` of the account (its record), or None."""
    for record in records(state):
        if record["id"] == id:
            return record
    return None


def is_own(state: dict[str, Any], fields: dict[str, Any]) -> bool:
    """Whether a person with these fields is the account's own: an individual's person, or
    the company's representative."""
    if _onboarding.entity_kind(state) == "individual":
        return True
    return bool((fields.get("relationship") or {}).get("representative"))


def create(state: dict[str, Any], seed: int, fields: dict[str, Any], now: str) -> dict[str, Any]:
    """A new person of the account, with ``fields`` (v2) applied; its record."""
    kept = records(state)
    if is_own(state, fields):
        own = state.setdefault("identity", {}).setdefault("individual", {})
        own["id"] = own.get("id") or person_id(state["id"])
        record: dict[str, Any] = {"id": own["id"], INDIVIDUAL: True}
        target = own
    else:
        record = {"id": _new_id(seed, state)}
        target = record
    target["created"] = now
    apply(target, fields)
    target["updated"] = now
    kept[:] = [one for one in kept if one["id"] != record["id"]]
    kept.append(record)
    return record


def update(
    state: dict[str, Any], record: dict[str, Any], fields: dict[str, Any], now: str
) -> dict[str, Any]:
    """Apply ``fields`` (v2) to a person; its record (the account's own person moves into
    ``identity.individual`` when made the representative, and out when no longer)."""
    target = fields_of(state, record)
    apply(target, fields)
    target["updated"] = now
    own = is_own(state, target)
    if own and not record.get(INDIVIDUAL):
        _move_in(state, record)
    elif record.get(INDIVIDUAL) and not own:
        _move_out(state, record)
    return record


def _move_in(state: dict[str, Any], record: dict[str, Any]) -> None:
    identity = state.setdefault("identity", {})
    held = {name: value for name, value in record.items() if name != "id"}
    identity["individual"] = {"id": record["id"], **held}
    record.clear()
    record.update({"id": identity["individual"]["id"], INDIVIDUAL: True})


def _move_out(state: dict[str, Any], record: dict[str, Any]) -> None:
    identity = state.setdefault("identity", {})
    held = identity.pop("individual", None) or {}
    record.clear()
    record.update({**held, "id": held.get("id") or person_id(state["id"])})


def delete(state: dict[str, Any], record: dict[str, Any]) -> None:
    """Remove a person from the account (the account's own: ``identity.individual``)."""
    if record.get(INDIVIDUAL):
        (state.get("identity") or {}).pop("individual", None)
    state[KEY] = [one for one in records(state) if one["id"] != record["id"]]


# -- what a request sends ---------------------------------------------------------------


def apply(person: dict[str, Any], fields: dict[str, Any]) -> None:
    """Write what a create or update sends (the v2 fields, as ``person_token`` will hand
    them too) into a person: objects merged, a ``null`` metadata value unsetting its key,
    arrays and values replaced; ID numbers kept by their type only (Stripe never answers
    a number)."""
    for name, value in fields.items():
        if name not in FIELDS and name != "_v1":
            continue
        if name == "id_numbers":
            person[name] = [{"type": item["type"]} for item in value if "type" in item]
        elif name == "metadata":
            _merge(person.setdefault("metadata", {}), value or {})
        elif isinstance(value, dict) and isinstance(person.get(name), dict):
            _merge(person[name], value)
        else:
            person[name] = copy.deepcopy(value)


def _merge(target: dict[str, Any], sent: dict[str, Any]) -> None:
    for name, value in sent.items():
        if isinstance(value, dict) and isinstance(target.get(name), dict):
            _merge(target[name], value)
        elif value is None:
            target.pop(name, None)
        else:
            target[name] = copy.deepcopy(value)


def percent(value: Any) -> Decimal | None:
    """A ``percent_ownership`` as a number (v2 sends a decimal string, v1 a number)."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def ownership_problem(
    state: dict[str, Any], record: dict[str, Any] | None, fields: dict[str, Any]
) -> str | None:
    """``person_percent_ownership_invalid`` (an owner at 0%) or
    ``total_person_ownership_exceeded`` (more than 100% owned in all) for a person about
    to hold ``fields``; None when neither."""
    current = fields_of(state, record) if record is not None else {}
    relationship = {**(current.get("relationship") or {}), **(fields.get("relationship") or {})}
    share = percent(relationship.get("percent_ownership"))
    if relationship.get("owner") and share is not None and share <= 0:
        return "person_percent_ownership_invalid"
    total = (share or Decimal(0)) + _owned_by_others(state, record)
    return "total_person_ownership_exceeded" if total > 100 else None


def _owned_by_others(state: dict[str, Any], record: dict[str, Any] | None) -> Decimal:
    total = Decimal(0)
    for other in records(state):
        if record is None or other["id"] != record["id"]:
            held = fields_of(state, other).get("relationship") or {}
            total += percent(held.get("percent_ownership")) or Decimal(0)
    return total


def duplicate_of(
    state: dict[str, Any], record: dict[str, Any] | None, fields: dict[str, Any]
) -> str | None:
    """The ID of another person with the same given name, surname and date of birth as a
    person about to hold ``fields``, or None."""
    current = fields_of(state, record) if record is not None else {}
    wanted = {**current, **fields}
    key = tuple(wanted.get(name) for name in ("given_name", "surname", "date_of_birth"))
    if None in key:
        return None
    for other in records(state):
        if record is not None and other["id"] == record["id"]:
            continue
        held = fields_of(state, other)
        if tuple(held.get(name) for name in ("given_name", "surname", "date_of_birth")) == key:
            return str(other["id"])
    return None


def representative(state: dict[str, Any]) -> dict[str, Any] | None:
    """The company's representative's record, or None."""
    for record in records(state):
        if record.get(INDIVIDUAL) and _onboarding.entity_kind(state) != "individual":
            return record
    return None


# -- as API v2 answers it ---------------------------------------------------------------


def v2_person(state: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """The ``v2.core.account_person`` (the spec's fields only)."""
    from pytest_account_links.domain.account_state import prune, schemas

    held = fields_of(state, record)
    schema = schemas()["objects"]["v2.core.account_person"]
    body = {name: held[name] for name in FIELDS if held.get(name) not in (None, {}, [])}
    answer = prune(body, schema)
    created = held.get("created") or state.get("created")
    answer.update(
        id=record["id"],
        object="v2.core.account_person",
        account=state["id"],
        created=created,
        updated=held.get("updated") or created,
        livemode=bool(state.get("livemode")),
    )
    answer.setdefault("metadata", {})
    return dict(sorted(answer.items()))


def listed(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The persons newest first."""
    return list(reversed(records(state)))


def refusal(
    state: dict[str, Any], record: dict[str, Any] | None, fields: dict[str, Any]
) -> tuple[str, str, dict[str, Any]] | None:
    """Why a person cannot be created (``record`` None) or updated with ``fields``: the v2
    code (the spec's), the fake's message and the code's extra fields; None when it can.
    A second person of an individual, a second representative, an owner at 0%, more than
    100% owned, a duplicate (the checks and their order are the fake's choice)."""
    return _too_many(state, record, fields) or _bad_values(state, record, fields)


Refusal = tuple[str, str, dict[str, Any]]


def _too_many(
    state: dict[str, Any], record: dict[str, Any] | None, fields: dict[str, Any]
) -> Refusal | None:
    """A second person of an individual, or a second representative."""
    kept = [one for one in records(state) if record is None or one["id"] != record["id"]]
    individual_account = _onboarding.entity_kind(state) == "individual"
    if record is None and individual_account and kept:
        return (
            "individual_additional_person_not_allowed",
            f"The individual's account {state['id']} has its one person already ({kept[0]['id']}).",
            {},
        )
    other = representative(state)
    wants = (fields.get("relationship") or {}).get("representative")
    if wants and other is not None and (record is None or other["id"] != record["id"]):
        return (
            "additional_representative_not_allowed",
            f"The account {state['id']} has a representative already ({other['id']}); "
            "there can only be one.",
            {},
        )
    return None


def _bad_values(
    state: dict[str, Any], record: dict[str, Any] | None, fields: dict[str, Any]
) -> Refusal | None:
    """An owner at 0%, more than 100% owned in all, or a duplicate."""
    problem = ownership_problem(state, record, fields)
    if problem == "person_percent_ownership_invalid":
        return (problem, "An owner's relationship.percent_ownership must be more than 0.", {})
    if problem is not None:
        return (problem, f"The persons of {state['id']} would own more than 100% in all.", {})
    duplicate = duplicate_of(state, record, fields)
    if duplicate is not None:
        return (
            "duplicate_person_not_allowed",
            f"A person with the same given name, surname and date of birth exists already "
            f"({duplicate}).",
            {"duplicate_person_id": duplicate},
        )
    return None


#: The top-level fields of an answered ``v2.core.account_person``.
ANSWER_FIELDS = tuple(
    sorted((*FIELDS, "account", "created", "id", "livemode", "object", "updated"))
)
