"""What an account needs before its capabilities work, and what completing onboarding does.

An account's state is the ``v2.core.account`` object the fake answers with (a
dict, kept in :class:`~._accounts.ConnectedAccount`). This module decides its
``requirements`` and the status of each requested capability from what the
account holds, and fills in what Stripe's hosted onboarding collects when a
link is completed.

**Which requirements: the fake's choice.** Stripe publishes no list of the
requirement descriptions a v2 account gets. The table :data:`NEEDS` is the v2
paths (``identity.individual.given_name``, ...) of the fields Stripe's v1
country specs and freshly created Express accounts list as currently due, for
each configuration (merchant: ``card_payments``; recipient:
``stripe_balance.stripe_transfers``) and kind of entity, with a ``state`` in
addresses where the country has states and a tax ID in the US. Each entry is
shaped as Stripe's own example is (``past_due``, ``routine_onboarding``,
restricting the capabilities that need it), and a capability with a
requirement due is ``restricted`` (``requirements_past_due``,
``provide_info``); with none, ``active``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from faker import Faker

#: Where each configuration's onboarding capability lives, and its name in requirements.
CAPABILITY = {
    "merchant": ("card_payments", ("card_payments",)),
    "recipient": ("stripe_balance.stripe_transfers", ("stripe_balance", "stripe_transfers")),
}

_BUSINESS_ADDRESS = ("line1", "city", "postal_code")
_INDIVIDUAL = (
    "identity.individual.given_name",
    "identity.individual.surname",
    "identity.individual.date_of_birth.day",
    "identity.individual.date_of_birth.month",
    "identity.individual.date_of_birth.year",
)
_TOS = "identity.attestations.terms_of_service.account"

#: The requirements of a configuration's capability, by kind of entity (the fake's choice:
#: see the module's docstring).
NEEDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("merchant", "company"): (
        "configuration.merchant.mcc",
        "defaults.profile.business_url",
        "identity.business_details.registered_name",
        *(f"identity.business_details.address.{part}" for part in _BUSINESS_ADDRESS),
        "identity.business_details.phone",
        *_INDIVIDUAL,
        "identity.individual.email",
        _TOS,
    ),
    ("merchant", "individual"): (
        "configuration.merchant.mcc",
        "defaults.profile.business_url",
        *_INDIVIDUAL,
        "identity.individual.email",
        "identity.individual.phone",
        *(f"identity.individual.address.{part}" for part in _BUSINESS_ADDRESS),
        _TOS,
    ),
    ("recipient", "company"): (
        "identity.business_details.registered_name",
        *(f"identity.business_details.address.{part}" for part in _BUSINESS_ADDRESS),
        _TOS,
    ),
    ("recipient", "individual"): (
        *_INDIVIDUAL,
        *(f"identity.individual.address.{part}" for part in _BUSINESS_ADDRESS),
        _TOS,
    ),
}

#: Countries whose addresses have a state (and so need one).
STATE_COUNTRIES = frozenset({"US", "AU", "CA", "MX", "BR", "IN", "JP", "MY"})

#: The default currency of an account in a country (``defaults.currency``).
CURRENCIES = {
    "US": "usd", "GB": "gbp", "CA": "cad", "AU": "aud", "JP": "jpy", "CH": "chf", "SE": "sek",
    "DK": "dkk", "NO": "nok", "PL": "pln", "NZ": "nzd", "MX": "mxn", "BR": "brl", "IN": "inr",
    "SG": "sgd", "HK": "hkd",
}  # fmt: skip

#: The Faker locale of a country, so an account's details look like its country's.
LOCALES = {
    "US": "en_US", "GB": "en_GB", "IE": "en_IE", "CA": "en_CA", "AU": "en_AU", "NZ": "en_NZ",
    "IN": "en_IN", "DE": "de_DE", "AT": "de_AT", "CH": "de_CH", "FR": "fr_FR", "BE": "nl_BE",
    "NL": "nl_NL", "ES": "es_ES", "MX": "es_MX", "IT": "it_IT", "PT": "pt_PT", "BR": "pt_BR",
    "SE": "sv_SE", "DK": "da_DK", "NO": "no_NO", "FI": "fi_FI", "PL": "pl_PL", "JP": "ja_JP",
}  # fmt: skip


def entity_kind(state: dict[str, Any]) -> str:
    """``individual``, or ``company`` for every other kind of entity."""
    entity = (state.get("identity") or {}).get("entity_type")
    return "individual" if entity == "individual" else "company"


def country(state: dict[str, Any]) -> str:
    return str((state.get("identity") or {}).get("country") or "US").upper()


def lookup(state: dict[str, Any], path: str) -> Any:
    """The value at a dotted path of the state, or None."""
    value: Any = state
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def requested(state: dict[str, Any]) -> list[tuple[str, str]]:
    """(configuration, capability) of each requested onboarding capability."""
    found = []
    for configuration, (name, path) in CAPABILITY.items():
        settings = (state.get("configuration") or {}).get(configuration)
        if not settings or not settings.get("applied", True):
            continue
        capability = _capability(settings, path)
        if capability is not None and capability.get("requested", True):
            found.append((configuration, name))
    return found


def _capability(settings: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any] | None:
    value: Any = settings.get("capabilities") or {}
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value if isinstance(value, dict) else None


Impacts = dict[str, list[tuple[str, str]]]


def due(state: dict[str, Any], required: Impacts | None = None) -> Impacts:
    """Each requirement still due, with the (configuration, capability) it restricts:
    those of :data:`NEEDS` the state does not hold, and those the test ``required``."""
    kind, where = entity_kind(state), country(state)
    found: Impacts = {
        description: list(impacts) for description, impacts in (required or {}).items()
    }
    for configuration, capability in requested(state):
        needs = list(NEEDS[(configuration, kind)])
        if where in STATE_COUNTRIES:
            needs += [
                p.replace(".postal_code", ".state") for p in needs if p.endswith(".postal_code")
            ]
        if where == "US":
            needs.append(
                "identity.business_details.id_numbers"
                if kind == "company"
                else "identity.individual.id_numbers"
            )
        for need in needs:
            if lookup(state, need) in (None, "", [], {}):
                found.setdefault(need, []).append((configuration, capability))
    return found


#: Where the state keeps the requirements due (description -> the capabilities each
#: restricts); the ``requirements`` object is built from it when an answer includes it.
DUE = "_due"


def refresh(
    state: dict[str, Any],
    required: Impacts | None = None,
    pinned: set[tuple[str, str]] | None = None,
) -> list[tuple[str, str]]:
    """Recompute the requirements due and capability statuses (but those ``pinned``: a
    status the test set); the capabilities that changed."""
    pending = due(state, required)
    state[DUE] = pending
    restricted = {impact for impacts in pending.values() for impact in impacts}
    changed = []
    for configuration, name in requested(state):
        if pinned and (configuration, name) in pinned:
            continue
        settings = state["configuration"][configuration]
        capability = _capability(settings, CAPABILITY[configuration][1])
        assert capability is not None
        status = "restricted" if (configuration, name) in restricted else "active"
        if capability.get("status") != status:
            changed.append((configuration, name))
        capability["status"] = status
        capability["status_details"] = (
            [{"code": "requirements_past_due", "resolution": "provide_info"}]
            if status == "restricted"
            else []
        )
    return changed


def requirements(state: dict[str, Any]) -> dict[str, Any]:
    """The account's ``requirements`` object, as Stripe's example shapes it: each entry
    ``past_due`` for ``routine_onboarding``, restricting the capabilities that need it."""
    pending: Impacts = state.get(DUE) or {}
    built = state.get(_BUILT)
    if built is None or built[0] is not pending:  # built once for each refresh
        entries = [_entry(description, impacts) for description, impacts in pending.items()]
        built = state[_BUILT] = (pending, entries)
    return {
        "entries": list(built[1]),
        "summary": {"minimum_deadline": {"status": "past_due"}} if pending else {},
    }


#: Where the state keeps the entries last built from :data:`DUE`.
_BUILT = "_due_entries"


def _entry(description: str, impacts: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "awaiting_action_from": "user",
        "description": description,
        "errors": [],
        "impact": {
            "restricts_capabilities": [
                {
                    "capability": capability,
                    "configuration": configuration,
                    "deadline": {"status": "past_due"},
                }
                for configuration, capability in impacts
            ]
        },
        "minimum_deadline": {"status": "past_due"},
        "requested_reasons": [{"code": "routine_onboarding"}],
    }


def collect(state: dict[str, Any], required: Impacts, faker: Faker, now: datetime) -> None:
    """Fill every requirement still due, as the account holder would on Stripe's page
    (the test's own ``required`` ones too, which are then no longer due).

    ``faker`` is seeded for the account and speaks its country's locale, so a
    German account gets a German name and address.
    """
    from pytest_account_links.core.clock import rfc3339

    identity = state.setdefault("identity", {})
    if not identity.get("entity_type"):
        identity["entity_type"] = entity_kind(state)
    stamp = rfc3339(now)
    values = _collected(state, faker, stamp)
    for need in due(state, required):
        _set(state, need, values.get(need.rsplit(".", 1)[-1], values.get(need, "provided")))
    required.clear()
    for holder in ("individual", "business_details"):
        address = (identity.get(holder) or {}).get("address")
        if isinstance(address, dict) and "line1" in address:
            address.setdefault("country", identity.get("country") or country(state))
    individual = identity.get("individual")
    if isinstance(individual, dict):
        individual.setdefault("created", stamp)
        individual["updated"] = stamp


def _collected(state: dict[str, Any], faker: Faker, now: str) -> dict[str, Any]:
    birth = faker.date_of_birth(minimum_age=21, maximum_age=70)
    where = country(state)
    return {
        "configuration.merchant.mcc": "5734",
        "defaults.profile.business_url": f"https://{faker.domain_name()}",
        "registered_name": faker.company(),
        "line1": faker.street_address(),
        "city": faker.city(),
        "postal_code": faker.postcode(),
        "state": _state_of(faker),
        "phone": faker.phone_number(),
        "given_name": faker.first_name(),
        "surname": faker.last_name(),
        "email": faker.email(),
        "day": birth.day,
        "month": birth.month,
        "year": birth.year,
        "id_numbers": [{"type": "us_ein" if entity_kind(state) == "company" else "us_ssn_last_4"}]
        if where == "US"
        else [],
        "account": {
            "date": now,
            "ip": "203.0.113.7",
            "user_agent": "Mozilla/5.0 (hosted onboarding)",
        },
    }


def _state_of(faker: Faker) -> str:
    for name in ("state_abbr", "province_abbr", "administrative_unit"):
        method = getattr(faker, name, None)
        if method is not None:
            try:
                return str(method())
            except AttributeError:
                continue
    return ""


def _set(state: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    target = state
    for part in parents:
        nested = target.get(part)
        if not isinstance(nested, dict):
            nested = target[part] = {}
        target = nested
    target[last] = value
