"""A connected account as API v1 shows it: the ``account`` object, read from the one state.

Every account the fake knows holds one ``v2.core.account`` state
(:mod:`.._accounts`); API v1 is a view of it. What the two APIs share is kept once,
in the v2 state (:data:`MIRRORED`: ``individual[first_name]`` is
``identity.individual.given_name``, ``business_profile[url]`` is
``defaults.profile.business_url``, ...), so a v2 retrieve of an account made
through v1 shows what v1 sent, and the other way round. What only v1 has
(``type``, ``settings``, external accounts, ...) is kept beside it, under the
state's private key ``_v1``.

**Requirements.** ``requirements.currently_due`` is the account's requirements
due (:mod:`.._onboarding`) by their v1 names (:func:`v1_names`: the people's
fields are ``individual.*`` for an individual, ``representative.*`` otherwise,
the terms of service ``tos_acceptance.date`` and ``tos_acceptance.ip``), and, as a
freshly created Express account lists them (a real answer, ``API version
2025-03-31.basil``), ``business_type`` until it is known (``company.*`` wait for
it) and ``external_account`` until one is added. ``eventually_due`` and
``past_due`` are the same list and ``disabled_reason`` is ``requirements.past_due``
while anything is due, as on that account.

**Capabilities.** ``card_payments`` is the ``merchant`` configuration's, ``transfers``
the ``recipient``'s ``stripe_balance.stripe_transfers``; v1 statuses are
``active``, ``inactive`` or ``pending`` (the API reference), so ``restricted``,
``rejected`` and ``unsupported`` read ``inactive``, and so does every capability
while a v1-only requirement is due. Other capabilities a v1 request asked for are
``active`` once nothing is due. The fake's choice, where Stripe's sources are
silent: ``details_submitted`` once an onboarding link was completed (or the terms
accepted with nothing due); ``charges_enabled`` with it and ``card_payments``
active; ``payouts_enabled`` with it, an external account and nothing due.
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pytest_account_links.domain import onboarding as _onboarding
from pytest_account_links.domain import persons as _persons

if TYPE_CHECKING:
    from pytest_account_links.domain.accounts import ConnectedAccount

#: Where the state keeps what only API v1 has.
V1_KEY = "_v1"

_ADDRESS = ("city", "country", "line1", "line2", "postal_code", "state")

#: The fields both APIs have: (v1 path, v2 path), dotted. The v2 state holds them.
MIRRORED: tuple[tuple[str, str], ...] = (
    ("email", "contact_email"),
    ("country", "identity.country"),
    ("business_type", "identity.entity_type"),
    ("default_currency", "defaults.currency"),
    ("settings.dashboard.display_name", "display_name"),
    ("business_profile.url", "defaults.profile.business_url"),
    ("business_profile.name", "defaults.profile.doing_business_as"),
    ("business_profile.product_description", "defaults.profile.product_description"),
    ("company.name", "identity.business_details.registered_name"),
    ("company.phone", "identity.business_details.phone"),
    *((f"company.address.{p}", f"identity.business_details.address.{p}") for p in _ADDRESS),
    ("individual.first_name", "identity.individual.given_name"),
    ("individual.last_name", "identity.individual.surname"),
    ("individual.email", "identity.individual.email"),
    ("individual.phone", "identity.individual.phone"),
    *(
        (f"individual.dob.{p}", f"identity.individual.date_of_birth.{p}")
        for p in ("day", "month", "year")
    ),
    *((f"individual.address.{p}", f"identity.individual.address.{p}") for p in _ADDRESS),
    ("tos_acceptance.ip", "identity.attestations.terms_of_service.account.ip"),
    ("tos_acceptance.user_agent", "identity.attestations.terms_of_service.account.user_agent"),
)
_TOS_DATE = "identity.attestations.terms_of_service.account.date"

#: A requirement's v2 description (prefix) and its v1 name; ``{person}`` is ``individual``
#: for an individual's account, ``representative`` otherwise.
_RENAMED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("configuration.merchant.mcc", ("business_profile.mcc",)),
    ("defaults.profile.business_url", ("business_profile.url",)),
    ("identity.business_details.registered_name", ("company.name",)),
    ("identity.business_details.phone", ("company.phone",)),
    ("identity.business_details.id_numbers", ("company.tax_id",)),
    ("identity.business_details.address", ("company.address",)),
    ("identity.individual.given_name", ("{person}.first_name",)),
    ("identity.individual.surname", ("{person}.last_name",)),
    ("identity.individual.date_of_birth", ("{person}.dob",)),
    ("identity.individual.email", ("{person}.email",)),
    ("identity.individual.phone", ("{person}.phone",)),
    ("identity.individual.address", ("{person}.address",)),
    ("identity.individual.id_numbers", ("{person}.ssn_last_4",)),
    (
        "identity.attestations.terms_of_service.account",
        ("tos_acceptance.date", "tos_acceptance.ip"),
    ),
)

#: Each v1 onboarding capability: its configuration and where its v2 status is.
CAPABILITIES = {"card_payments": "merchant", "transfers": "recipient"}
_V1_STATUS = {"active": "active", "pending": "pending"}


def lookup(value: Any, path: str) -> Any:
    """The value at a dotted path (``identity.individual.given_name``), or None."""
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def v1_part(state: dict[str, Any]) -> dict[str, Any]:
    """What only v1 has of this account (made empty on first need)."""
    found: dict[str, Any] = state.setdefault(V1_KEY, {})
    return found


def v1_names(description: str, individual: bool) -> list[str]:
    """The v1 names of a requirement due (its own name when it has no v2 one)."""
    person = "individual" if individual else "representative"
    for prefix, names in _RENAMED:
        if description == prefix or description.startswith(prefix + "."):
            rest = description[len(prefix) :]
            return [name.format(person=person) + rest for name in names]
    return [description]


def v1_only_due(state: dict[str, Any]) -> list[str]:
    """What v1 lists due that v2 has no requirement for: ``business_type`` until it is
    known, ``external_account`` until one is added (for an account that requested a
    capability)."""
    if not _onboarding.requested(state) and not (v1_part(state).get("capabilities") or {}):
        return []
    found = []
    if not lookup(state, "identity.entity_type"):
        found.append("business_type")
    if not v1_part(state).get("external_accounts"):
        found.append("external_account")
    return found


def currently_due(state: dict[str, Any]) -> list[str]:
    """The account's requirements due, by their v1 names, sorted as Stripe lists them."""
    individual = lookup(state, "identity.entity_type") == "individual"
    known = bool(lookup(state, "identity.entity_type"))
    names: set[str] = set(v1_only_due(state))
    for description in state.get(_onboarding.DUE) or ():
        names.update(v1_names(description, individual))
    if not known:  # Stripe asks for business_type before the company's details
        names = {name for name in names if not name.startswith("company.")}
    return sorted(names)


def capabilities(state: dict[str, Any], due: list[str]) -> dict[str, str]:
    """Each requested capability's v1 status."""
    blocked = bool(v1_only_due(state))
    found: dict[str, str] = {}
    for name, configuration in CAPABILITIES.items():
        path = _onboarding.CAPABILITY[configuration][1]
        settings = (state.get("configuration") or {}).get(configuration) or {}
        capability = lookup(settings.get("capabilities") or {}, ".".join(path))
        if not isinstance(capability, dict) or not settings.get("applied", True):
            continue
        if capability.get("requested", True):
            status = _V1_STATUS.get(str(capability.get("status")), "inactive")
            found[name] = "inactive" if blocked else status
    for name, wanted in sorted((v1_part(state).get("capabilities") or {}).items()):
        if name not in found and (wanted or {}).get("requested") is True:
            found[name] = "inactive" if due else "active"
    return dict(sorted(found.items()))


def unix(value: Any) -> int | None:
    """A v2 state's time (RFC 3339) as v1 writes it (seconds since the Unix epoch)."""
    if not isinstance(value, str):
        return value if isinstance(value, int) else None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return int(moment.replace(tzinfo=moment.tzinfo or timezone.utc).timestamp())


def controller(state: dict[str, Any]) -> dict[str, Any]:
    """``controller``, from the v2 state's dashboard and responsibilities."""
    responsibilities = lookup(state, "defaults.responsibilities") or {}
    fees = responsibilities.get("fees_collector") or "stripe"
    return {
        "fees": {"payer": "account" if fees == "stripe" else fees},
        "is_controller": True,
        "losses": {"payments": responsibilities.get("losses_collector") or "stripe"},
        "requirement_collection": responsibilities.get("requirements_collector") or "stripe",
        "stripe_dashboard": {"type": state.get("dashboard") or "full"},
        "type": "application",
    }


def _read(state: dict[str, Any], v1_path: str) -> Any:
    """A v1 field: from the v2 state where both APIs have it, else from ``_v1``."""
    for mine, theirs in MIRRORED:
        if mine == v1_path:
            return lookup(state, theirs)
    return lookup(v1_part(state).get("sent") or {}, v1_path)


def _address(state: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {part: _read(state, f"{prefix}.{part}") for part in _ADDRESS}


def _business_profile(state: dict[str, Any]) -> dict[str, Any]:
    sent = (v1_part(state).get("sent") or {}).get("business_profile") or {}
    profile = {
        name: sent.get(name)
        for name in (
            "annual_revenue",
            "estimated_worker_count",
            "minority_owned_business_designation",
            "support_address",
            "support_email",
            "support_phone",
            "support_url",
        )
    }
    merchant_mcc = lookup(state, "configuration.merchant.mcc")
    profile["mcc"] = merchant_mcc if merchant_mcc is not None else sent.get("mcc")
    for name in ("name", "product_description", "url"):
        profile[name] = _read(state, f"business_profile.{name}")
    return dict(sorted(profile.items()))


def _requirements(due: list[str], state: dict[str, Any]) -> dict[str, Any]:
    rejected = _rejected(state.get("configuration"))
    reason = "rejected.other" if rejected else "requirements.past_due" if due else None
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due),
        "disabled_reason": reason,
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due),
        "pending_verification": [],
    }


def _rejected(value: Any) -> bool:
    """True when a capability anywhere below ``value`` is ``rejected``."""
    if isinstance(value, dict):
        return value.get("status") == "rejected" or any(_rejected(v) for v in value.values())
    return False


def _future_requirements() -> dict[str, Any]:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": [],
        "disabled_reason": None,
        "errors": [],
        "eventually_due": [],
        "past_due": [],
        "pending_verification": [],
    }


def _settings(state: dict[str, Any]) -> dict[str, Any]:
    """``settings`` as a new account has them (a real Express account's, 2025), with what
    was sent over them; payouts are daily after 2 days in the US and Australia, 7
    elsewhere (the same source's US, AU, DE and GB accounts)."""
    country = _onboarding.country(state)
    settings: dict[str, Any] = {
        "bacs_debit_payments": {"display_name": None, "service_user_number": None},
        "branding": {"icon": None, "logo": None, "primary_color": None, "secondary_color": None},
        "card_issuing": {"tos_acceptance": {"date": None, "ip": None}},
        "card_payments": {
            "decline_on": {"avs_failure": False, "cvc_failure": False},
            "statement_descriptor_prefix": None,
            "statement_descriptor_prefix_kana": None,
            "statement_descriptor_prefix_kanji": None,
        },
        "dashboard": {"display_name": state.get("display_name"), "timezone": "Etc/UTC"},
        "invoices": {"default_account_tax_ids": None, "hosted_payment_method_save": "always"},
        "payments": {
            "statement_descriptor": None,
            "statement_descriptor_kana": None,
            "statement_descriptor_kanji": None,
        },
        "payouts": {
            "debit_negative_balances": True,
            "schedule": {"delay_days": 2 if country in ("US", "AU") else 7, "interval": "daily"},
            "statement_descriptor": None,
        },
        "sepa_debit_payments": {},
    }
    _overlay(settings, (v1_part(state).get("sent") or {}).get("settings") or {})
    return settings


def _overlay(target: dict[str, Any], sent: dict[str, Any]) -> None:
    for name, value in sent.items():
        if isinstance(value, dict) and isinstance(target.get(name), dict):
            _overlay(target[name], value)
        elif name in target:
            target[name] = copy.deepcopy(value)


def person_id(account_id: str) -> str:
    """The ID of the account's person (the same as the v2 view's ``identity.individual``)."""
    return _persons.person_id(account_id)


def _individual(state: dict[str, Any]) -> dict[str, Any]:
    """``individual``: the account's own person, as v1 shows a person."""
    records = _persons.records(state)
    own = next((record for record in records if record.get(_persons.INDIVIDUAL)), None)
    return v1_person(state, own or {"id": person_id(state["id"]), _persons.INDIVIDUAL: True})


_NO_ADDRESS = dict.fromkeys(_ADDRESS)
_V1_RELATIONSHIP = ("director", "executive", "legal_guardian", "owner", "representative")


def _v1_relationship(sent: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {name: bool(sent.get(name)) for name in _V1_RELATIONSHIP}
    share = _persons.percent(sent.get("percent_ownership"))
    found.update(
        authorizer=sent.get("authorizer"),
        percent_ownership=float(share) if share is not None else None,
        title=sent.get("title"),
    )
    return dict(sorted(found.items()))


def _person_due(state: dict[str, Any], record: dict[str, Any]) -> list[str]:
    """What the account still needs of this person, by its v1 names (``first_name``,
    ``dob.day``, ...): the account's own person's requirements; none for the others."""
    if not record.get(_persons.INDIVIDUAL):
        return []
    found = []
    for description in state.get(_onboarding.DUE) or ():
        if description.startswith("identity.individual."):
            for name in v1_names(description, individual=True):
                found.append(name.removeprefix("individual."))
    return sorted(set(found))


def _person_requirements(due: list[str]) -> dict[str, Any]:
    return {
        "alternatives": [],
        "currently_due": list(due),
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due),
        "pending_verification": [],
    }


def _script(held: dict[str, Any], kind: str) -> dict[str, Any]:
    names = lookup(held, f"script_names.{kind}") or {}
    return {
        f"first_name_{kind}": names.get("given_name"),
        f"last_name_{kind}": names.get("surname"),
    }


def v1_person(state: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """A person as API v1 answers it (``person``), read from its v2 state (see
    :mod:`.persons`; what only v1 has, as it was sent)."""
    own = (state.get("identity") or {}).get("individual") or {}
    held = own if record.get(_persons.INDIVIDUAL) else record
    due = _person_due(state, record)
    numbers = [item.get("type") for item in held.get("id_numbers") or ()]
    body: dict[str, Any] = {
        **_person_basics(state, held),
        "email": held.get("email"),
        "first_name": held.get("given_name"),
        **_script(held, "kana"),
        **_script(held, "kanji"),
        "future_requirements": _person_requirements([]),
        "gender": held.get("legal_gender"),
        "id": record["id"],
        "id_number_provided": bool(numbers),
        "last_name": held.get("surname"),
        "metadata": dict(held.get("metadata") or {}),
        "object": "person",
        "phone": held.get("phone"),
        "relationship": _v1_relationship(held.get("relationship") or {}),
        "requirements": _person_requirements(due),
        "ssn_last_4_provided": any(kind in ("us_ssn", "us_ssn_last_4") for kind in numbers),
        "verification": _verification(verified=not due and bool(held.get("given_name"))),
    }
    if held.get("political_exposure"):
        body["political_exposure"] = held["political_exposure"]
    for name, value in (held.get("_v1") or {}).items():
        body.setdefault(name, copy.deepcopy(value))
    return dict(sorted(body.items()))


def _person_basics(state: dict[str, Any], held: dict[str, Any]) -> dict[str, Any]:
    """``account``, the terms, ``address``, ``created``, ``dob``, ``nationality``."""
    dob = held.get("date_of_birth") or {}
    return {
        "account": state["id"],
        "additional_tos_acceptances": _tos(held),
        "address": {**_NO_ADDRESS, **_cut(held.get("address") or {}, _ADDRESS)},
        "created": unix(held.get("created") or state.get("created")),
        "dob": {part: dob.get(part) for part in ("day", "month", "year")},
        "nationality": (held.get("nationalities") or [None])[0],
    }


def _tos(held: dict[str, Any]) -> dict[str, Any]:
    tos = lookup(held, "additional_terms_of_service.account") or {}
    return {
        "account": {
            "date": unix(tos.get("date")),
            "ip": tos.get("ip"),
            "user_agent": tos.get("user_agent"),
        }
    }


def _verification(*, verified: bool) -> dict[str, Any]:
    document = {"back": None, "details": None, "details_code": None, "front": None}
    return {
        "additional_document": dict(document),
        "details": None,
        "details_code": None,
        "document": dict(document),
        "status": "verified" if verified else "unverified",
    }


def _cut(value: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: value.get(name) for name in names if name in value}


def _company(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "address": _address(state, "company.address"),
        "directors_provided": False,
        "executives_provided": False,
        "name": _read(state, "company.name"),
        "owners_provided": False,
        "phone": _read(state, "company.phone"),
        "tax_id_provided": bool(lookup(state, "identity.business_details.id_numbers")),
    }


def _type(state: dict[str, Any]) -> str:
    """``type``: as created (``express``, ...); ``none`` for an account made with
    ``controller`` (or through API v2), as the spec's enum allows."""
    return str(v1_part(state).get("type") or "none")


#: The letter of a v1 Account Link's path (``/setup/<letter>/<account>/<token>``) by the
#: account's ``type``. Stripe documents the URL only as "The URL for the account link";
#: its API reference's example (``/setup/c/acct_1Mt0CORHFI4mz9Rw/TqckGNUHg2mG``) and the
#: links platforms publish show ``/setup/s/`` for Standard accounts, ``/setup/e/`` for
#: Express and ``/setup/c/`` for Custom.
LINK_KINDS = {"standard": "s", "express": "e", "custom": "c"}
#: The same for an account made with ``controller`` (or API v2), by its Dashboard:
#: ``full`` as Standard, ``express`` as Express, ``none`` as Custom (the fake's reading).
_LINK_KINDS_BY_DASHBOARD = {"full": "s", "express": "e", "none": "c"}


def link_kind(state: dict[str, Any]) -> str:
    """The letter of a v1 Account Link's path for this account (:data:`LINK_KINDS`)."""
    kind = LINK_KINDS.get(_type(state))
    if kind is not None:
        return kind
    return _LINK_KINDS_BY_DASHBOARD.get(str(state.get("dashboard") or "full"), "c")


def enabled(account: ConnectedAccount, due: list[str], caps: dict[str, str]) -> dict[str, bool]:
    """``details_submitted``, ``charges_enabled``, ``payouts_enabled`` (see the module)."""
    state = account.state
    accepted = lookup(state, _TOS_DATE) is not None
    submitted = "account_onboarding" in account.completed or (accepted and not due and bool(caps))
    has_external = bool(v1_part(state).get("external_accounts"))
    return {
        "charges_enabled": submitted and caps.get("card_payments") == "active",
        "details_submitted": submitted,
        "payouts_enabled": submitted and has_external and not due and "active" in caps.values(),
    }


def render(account: ConnectedAccount) -> dict[str, Any]:
    """The v1 ``account`` object (``id`` and ``object`` first, then alphabetical)."""
    state = account.state
    due = currently_due(state)
    caps = capabilities(state, due)
    created = unix(state.get("created"))
    business_type = lookup(state, "identity.entity_type")
    country = lookup(state, "identity.country")
    body: dict[str, Any] = {
        "business_profile": _business_profile(state),
        "business_type": business_type,
        "capabilities": caps,
        "controller": controller(state),
        "country": str(country).upper() if country else None,
        "created": created,
        "default_currency": lookup(state, "defaults.currency"),
        "email": state.get("contact_email"),
        "external_accounts": external_accounts(state),
        "future_requirements": _future_requirements(),
        "metadata": dict(state.get("metadata") or {}),
        "requirements": _requirements(due, state),
        "settings": _settings(state),
        "tos_acceptance": {
            "date": unix(lookup(state, _TOS_DATE)),
            "ip": _read(state, "tos_acceptance.ip"),
            "user_agent": _read(state, "tos_acceptance.user_agent"),
        },
        "type": _type(state),
        **enabled(account, due, caps),
    }
    if business_type == "individual":
        body["individual"] = _individual(state)
    elif business_type:
        body["company"] = _company(state)
    return {"id": account.id, "object": "account", **dict(sorted(body.items()))}


def external_accounts(state: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(v1_part(state).get("external_accounts") or [])
    return {
        "object": "list",
        "data": data,
        "has_more": False,
        "total_count": len(data),
        "url": f"/v1/accounts/{state['id']}/external_accounts",
    }
