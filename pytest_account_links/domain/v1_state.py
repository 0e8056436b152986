"""What a v1 request does to an account's one state: a new account's controller, an
update written in, an external account added, and the v1 events of its changes.

A v1 account is the same :class:`~.accounts.ConnectedAccount` as any other (one
registry): its state is a ``v2.core.account``, what only v1 has sits beside it
(:mod:`.v1_view`), and :func:`.v1_view.render` answers it.

**A new account** (``POST /v1/accounts``) gets the ``controller`` its ``type`` stands
for (docs.stripe.com/connect/migrate-to-controller-properties;
docs.stripe.com/connect/direct-charges-fee-payer-behavior: ``type=express`` pays as
``application_express``, ``custom`` as ``application_custom``, ``standard`` as
``account``), or the ``controller`` sent, each property defaulting as the SDK's
request types say (``fees.payer`` ``account``, ``losses.payments`` ``stripe``,
``requirement_collection`` ``stripe``, ``stripe_dashboard.type`` ``full``).

**Events.** Once a v1 request has named an account (created it, retrieved it,
linked it), the account's changes are delivered as v1 events, whichever API or
test helper made them: one ``account.updated`` per request (or visit, or helper
call) that changed the v1 view, with ``data.previous_attributes`` (the changed
fields' values before, whole arrays for changed arrays, as the API reference
says). A new account also delivers ``account.application.authorized`` ("Occurs
whenever a user authorizes an application": the platform's application, whose
account it now is; the fake's choice of moment).
"""

from __future__ import annotations

import base64
import copy
import hashlib
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

from pytest_account_links.core.clock import rfc3339
from pytest_account_links.domain import onboarding as _onboarding
from pytest_account_links.domain.accounts import CONFIGURATIONS
from pytest_account_links.domain.v1_view import (
    CAPABILITIES,
    MIRRORED,
    V1_KEY,
    lookup,
    render,
    v1_part,
)

if TYPE_CHECKING:
    from pytest_account_links.core.clock import Clock
    from pytest_account_links.core.ids import Ids
    from pytest_account_links.domain.accounts import ConnectedAccount
    from pytest_account_links.domain.events import DeliveredEvent


class Store(Protocol):
    """What a v1 write and a v1 event read of the test's store (:class:`.store.Store`,
    which calls :func:`announce`: the store imports this module, not the other way)."""

    seed: int
    ids: Ids
    clock: Clock
    events: list[DeliveredEvent]
    default_api_version: str

    @property
    def webhook_secret(self) -> str: ...

    @property
    def cause(self) -> tuple[str, str | None] | None: ...


#: What each account ``type`` stands for (the controller properties Stripe sets for it).
TYPES: dict[str, dict[str, Any]] = {
    "express": {
        "fees": {"payer": "application_express"},
        "losses": {"payments": "application"},
        "requirement_collection": "stripe",
        "stripe_dashboard": {"type": "express"},
    },
    "custom": {
        "fees": {"payer": "application_custom"},
        "losses": {"payments": "application"},
        "requirement_collection": "application",
        "stripe_dashboard": {"type": "none"},
    },
    "standard": {
        "fees": {"payer": "account"},
        "losses": {"payments": "stripe"},
        "requirement_collection": "stripe",
        "stripe_dashboard": {"type": "full"},
    },
}


#: The parameters a v1 create or update does not keep as sent.
_NOT_KEPT = ("expand", "account_token", "metadata", "capabilities", "external_account")


def controller_of(params: dict[str, Any]) -> dict[str, Any]:
    """The controller properties of a new account: its ``type``'s, then those sent."""
    chosen = copy.deepcopy(TYPES.get(str(params.get("type")), TYPES["standard"]))
    for name, value in (params.get("controller") or {}).items():
        if isinstance(value, dict):
            chosen.setdefault(name, {}).update(value)
        else:
            chosen[name] = value
    return chosen


def application(store: Store) -> dict[str, Any]:
    """The platform's Connect application (``ca_`` and 32 characters, seeded)."""
    digest = hashlib.blake2b(f"application\0{store.seed}".encode(), digest_size=16).hexdigest()
    return {"id": f"ca_{digest}", "object": "application", "name": None}


def write(store: Store, state: dict[str, Any], params: dict[str, Any]) -> None:
    """Apply a v1 create or update: the fields both APIs have into the v2 state, the rest
    into ``_v1`` (an empty value unsets a field, as in every v1 request)."""
    for v1_path, v2_path in MIRRORED:
        value = lookup(params, v1_path)
        if value is not None:
            _set(state, v2_path, value.lower() if v1_path == "country" else value)
    for name, wanted in (params.get("capabilities") or {}).items():
        if isinstance(wanted, dict) and isinstance(wanted.get("requested"), bool):
            _request(state, name, wanted["requested"])
    _write_special(state, params)  # after the capabilities: the MCC is the merchant's
    if "metadata" in params:
        _merge_metadata(state, params["metadata"])
    if params.get("external_account"):
        add_external_account(store, state, params["external_account"])
    sent = {name: value for name, value in params.items() if name not in _NOT_KEPT}
    _merge(v1_part(state).setdefault("sent", {}), sent)


def _write_special(state: dict[str, Any], params: dict[str, Any]) -> None:
    """The fields that are not the same value in both APIs: the terms' date (a Unix time
    in v1), the MCC (the merchant configuration's), tax IDs (``id_numbers`` in v2)."""
    date = lookup(params, "tos_acceptance.date")
    if isinstance(date, int):
        moment = datetime.fromtimestamp(date, timezone.utc)
        _set(state, "identity.attestations.terms_of_service.account.date", rfc3339(moment))
    mcc = lookup(params, "business_profile.mcc")
    if mcc is not None and isinstance((state.get("configuration") or {}).get("merchant"), dict):
        _set(state, "configuration.merchant.mcc", mcc)
    us = _onboarding.country(state) == "US"
    if lookup(params, "company.tax_id"):
        _set(state, "identity.business_details.id_numbers", [{"type": "us_ein"}] if us else [])
    if lookup(params, "individual.ssn_last_4") or lookup(params, "individual.id_number"):
        _set(state, "identity.individual.id_numbers", [{"type": "us_ssn_last_4"}] if us else [])


def _set(state: dict[str, Any], path: str, value: Any) -> None:
    """Set (or, with ``""``, unset) the value at a dotted path of the state."""
    *parents, last = path.split(".")
    target = state
    for part in parents:
        nested = target.get(part)
        if not isinstance(nested, dict):
            if value == "":
                return
            nested = target[part] = {}
        target = nested
    if value == "":
        target.pop(last, None)
    else:
        target[last] = copy.deepcopy(value)


def _merge(target: dict[str, Any], sent: dict[str, Any]) -> None:
    for name, value in sent.items():
        if value == "":
            target.pop(name, None)
        elif isinstance(value, dict) and isinstance(target.get(name), dict):
            _merge(target[name], value)
        else:
            target[name] = copy.deepcopy(value)


def _merge_metadata(state: dict[str, Any], sent: Any) -> None:
    """``metadata=`` unsets every key, ``metadata[k]=`` one key (the SDK's docs)."""
    metadata = state.setdefault("metadata", {})
    if sent == "":
        metadata.clear()
        return
    for key, value in sent.items():
        if value == "":
            metadata.pop(key, None)
        else:
            metadata[key] = value


def _request(state: dict[str, Any], name: str, requested: bool) -> None:
    """Ask for (or give up) a capability: the onboarding ones in the v2 configuration,
    the others noted for the v1 view."""
    configuration = CAPABILITIES.get(name)
    if configuration is None:
        v1_part(state).setdefault("capabilities", {})[name] = {"requested": requested}
        return
    settings = state.setdefault("configuration", {}).setdefault(configuration, {})
    settings.setdefault("applied", True)
    target = settings.setdefault("capabilities", {})
    *parents, last = _onboarding.CAPABILITY[configuration][1]
    for part in parents:
        target = target.setdefault(part, {})
    target.setdefault(last, {})["requested"] = requested
    state["applied_configurations"] = [
        c for c in CONFIGURATIONS if (state["configuration"].get(c) or {}).get("applied")
    ]


def add_external_account(store: Store, state: dict[str, Any], sent: Any) -> dict[str, Any]:
    """The external account a request (a token or the details) or a completed onboarding
    adds, as the account's default for its currency (Stripe's test bank: routing
    ``110000000``, ``STRIPE TEST BANK``, from docs.stripe.com/connect/testing)."""
    details = sent if isinstance(sent, dict) else {}
    card = details.get("object") == "card" or (isinstance(sent, str) and sent.startswith("tok_"))
    country = str(details.get("country") or _onboarding.country(state)).upper()
    found: dict[str, Any] = {
        "account": state["id"],
        "country": country,
        "currency": str(
            details.get("currency") or lookup(state, "defaults.currency") or "usd"
        ).lower(),
        "default_for_currency": True,
        "fingerprint": _derived(store, state["id"], -1)[:16],
        "metadata": {},
    }
    number = str(details.get("number") or details.get("account_number") or "")
    held = v1_part(state).setdefault("external_accounts", [])
    token = _derived(store, state["id"], len(held))
    if card:
        found.update(
            id=f"card_1{token}",
            object="card",
            brand="Visa",
            last4=number[-4:] or "4242",
        )
    else:
        found.update(
            id=f"ba_1{token}",
            object="bank_account",
            account_holder_name=details.get("account_holder_name"),
            account_holder_type=details.get("account_holder_type"),
            bank_name="STRIPE TEST BANK",
            last4=number[-4:] or "6789",
            routing_number=details.get("routing_number") or "110000000",
            status="new",
        )
    for other in held:
        if other.get("currency") == found["currency"]:
            other["default_for_currency"] = False
    held.append(dict(sorted(found.items())))
    return found


def _derived(store: Store, account_id: str, n: int) -> str:
    """23 letters and digits derived from the seed, the account and ``n`` (not drawn from the
    test's stream of IDs, so adding a bank account to any account moves no other value)."""
    digest = hashlib.blake2b(f"{store.seed}\0bank\0{account_id}\0{n}".encode(), digest_size=24)
    return base64.b32encode(digest.digest()).decode().lower()[:23]


def speaks_v1(state: dict[str, Any]) -> bool:
    """True once a v1 request named the account: its changes are v1 events."""
    part = state.get(V1_KEY)
    return isinstance(part, dict) and "announced" in part


def speak(account: ConnectedAccount) -> None:
    """From now on, deliver the account's changes as v1 events (as it is now, announced)."""
    part = v1_part(account.state)
    if "announced" not in part:
        part["announced"] = copy.deepcopy(render(account))


def announce(store: Store, account: ConnectedAccount) -> None:
    """``account.updated`` with what changed since the last announcement, if anything did
    (called once per request or visit: ``Store.one_change``)."""
    part = v1_part(account.state)
    now = render(account)
    before = part.get("announced")
    if before is not None and before != now:
        emit(
            store,
            "account.updated",
            account,
            {"object": now, "previous_attributes": previous(before, now)},
        )
    part["announced"] = copy.deepcopy(now)


def previous(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """``previous_attributes``: each changed field's value before (nested objects by their
    changed fields; an array whole; ``null`` for a field that was not there)."""
    found: dict[str, Any] = {}
    for name, old in before.items():
        new = after.get(name)
        if old == new:
            continue
        found[name] = previous(old, new) if isinstance(old, dict) and isinstance(new, dict) else old
    for name in after:
        if name not in before:
            found[name] = None
    return found


def emit(store: Store, type: str, account: ConnectedAccount, data: dict[str, Any]) -> None:
    """Deliver the v1 event ``type`` about ``account`` (added to ``store.events``)."""
    from pytest_account_links.domain.events import v1_event

    store.events.append(
        v1_event(
            type,
            event_id=f"evt_1{store.ids.token(23)}",
            account_id=account.id,
            now=store.clock.now(),
            livemode=bool(account.state.get("livemode")),
            secret=store.webhook_secret,
            data=copy.deepcopy(data),
            cause=store.cause,
            api_version=store.default_api_version,
        )
    )


# -- a person, as a v1 request sends it --------------------------------------------------

#: A v1 person's field and the v2 person's (dotted) that holds it.
PERSON_FIELDS: tuple[tuple[str, str], ...] = (
    ("first_name", "given_name"),
    ("last_name", "surname"),
    ("email", "email"),
    ("phone", "phone"),
    ("gender", "legal_gender"),
    ("political_exposure", "political_exposure"),
    ("first_name_kana", "script_names.kana.given_name"),
    ("last_name_kana", "script_names.kana.surname"),
    ("first_name_kanji", "script_names.kanji.given_name"),
    ("last_name_kanji", "script_names.kanji.surname"),
)
#: What a v1 person request sends that the fake does not keep.
_PERSON_NOT_KEPT = ("expand", "person_token")


def person_fields(params: dict[str, Any], country: str) -> dict[str, Any]:
    """The v2 person fields a v1 person create or update sends (:func:`.persons.apply`
    writes them): each field by its v2 name, ``dob`` as ``date_of_birth``, ``nationality``
    as ``nationalities``, ``id_number`` / ``ssn_last_4`` as the ID number's type, the
    terms' Unix time as RFC 3339; an empty value unsets. What v2 has no field for
    (``us_cfpb_data``, ``verification``, ...) is kept as sent, under ``_v1``."""
    fields: dict[str, Any] = {}
    for mine, theirs in PERSON_FIELDS:
        if mine in params:
            _set_field(fields, theirs, params[mine] if params[mine] != "" else None)
    _person_values(fields, params)
    _person_special(fields, params, country)
    extras = {
        name: value
        for name, value in params.items()
        if name not in _PERSON_SPECIAL
        and name not in _PERSON_NOT_KEPT
        and name not in dict(PERSON_FIELDS)
    }
    if extras:
        fields["_v1"] = extras
    return fields


#: The v1 person fields written by their own rule.
_PERSON_SPECIAL = frozenset(
    {"dob", "address", "address_kana", "address_kanji", "nationality", "metadata"}
    | {"relationship", "id_number", "ssn_last_4", "additional_tos_acceptances"}
)


def _person_values(fields: dict[str, Any], params: dict[str, Any]) -> None:
    """The birth date, addresses, nationality and metadata, by their v2 names."""
    if "dob" in params:
        fields["date_of_birth"] = params["dob"] or None
    for mine, theirs in (
        ("address", "address"),
        ("address_kana", "script_addresses.kana"),
        ("address_kanji", "script_addresses.kanji"),
    ):
        if isinstance(params.get(mine), dict):
            _set_field(fields, theirs, {k: v or None for k, v in params[mine].items()})
    if "nationality" in params:
        fields["nationalities"] = [params["nationality"]] if params["nationality"] else []
    if "metadata" in params:
        sent = params["metadata"]
        fields["metadata"] = {k: v or None for k, v in sent.items()} if sent else {}


def _person_special(fields: dict[str, Any], params: dict[str, Any], country: str) -> None:
    """The fields whose value is not the same in both APIs: the relationship's share (a
    number in v1, a decimal string in v2), the ID numbers, the terms' date."""
    relationship = params.get("relationship")
    if isinstance(relationship, dict):
        sent = dict(relationship)
        if "percent_ownership" in sent:
            share = sent["percent_ownership"]
            sent["percent_ownership"] = None if share in ("", None) else format(share, "g")
        fields["relationship"] = sent
    _person_numbers(fields, params, country)
    tos = (params.get("additional_tos_acceptances") or {}).get("account")
    if isinstance(tos, dict):
        account = {k: v for k, v in tos.items() if k != "date"}
        if isinstance(tos.get("date"), int):
            account["date"] = rfc3339(datetime.fromtimestamp(tos["date"], timezone.utc))
        fields["additional_terms_of_service"] = {"account": account}


def _person_numbers(fields: dict[str, Any], params: dict[str, Any], country: str) -> None:
    """An ID number by its type (the fake knows the types of US numbers only)."""
    us = country == "US"
    if params.get("id_number"):
        fields["id_numbers"] = [{"type": "us_ssn" if us else "id_number"}]
    elif params.get("ssn_last_4"):
        fields["id_numbers"] = [{"type": "us_ssn_last_4"}]
    if fields.get("id_numbers") and not us:
        fields["id_numbers"] = []


def _set_field(fields: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = fields
    for part in parents:
        target = target.setdefault(part, {})
    target[last] = value
