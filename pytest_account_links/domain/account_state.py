"""An account's ``v2.core.account`` state: a new account's, an update merged in, the
state as Stripe answers it (with ``include``), and the events an update delivers.

Sources: Stripe's OpenAPI spec (``shared/spec/accounts-v2.openapi.json``, extracted to
``schemas.json`` by ``scripts/extract_schemas.py``) for the ``v2.core.account`` object;
docs.stripe.com/api-includable-response-values for ``include``: a field that depends on
it is answered ``null`` unless included, and each configuration is included on its own.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pytest_account_links.core.clock import rfc3339
from pytest_account_links.domain import onboarding as _onboarding

if TYPE_CHECKING:
    from datetime import datetime


class ConnectedAccount(Protocol):
    """What :func:`announce` asks of an account (:class:`.accounts.ConnectedAccount`,
    which reads this module: the account imports the state's rules, not the other way)."""

    def notify(self, event: str, data: dict[str, Any] | None = None) -> None: ...


#: The fields answered ``null`` unless the request includes them (``include``).
INCLUDABLE = ("defaults", "future_requirements", "identity", "requirements")


CONFIGURATIONS = ("customer", "merchant", "recipient")


@functools.cache
def schemas() -> dict[str, Any]:
    """The spec's schemas the fake reads (``schemas.json``)."""
    loaded: dict[str, Any] = json.loads((Path(__file__).parent / "schemas.json").read_text())
    return loaded


@functools.cache
def capability_schema(configuration: str) -> dict[str, Any]:
    """Each capability of a configuration in the answer's schema, by its dotted name
    (``card_payments``, ``stripe_balance.stripe_transfers``), with its schema."""
    account = schemas()["objects"]["v2.core.account"]["properties"]
    settings = account["configuration"]["properties"][configuration]["properties"]
    found: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for name, child in node.get("properties", {}).items():
            if "status" in child.get("properties", {}):
                found[prefix + name] = child
            else:
                walk(child, f"{prefix}{name}.")

    walk(settings.get("capabilities", {}), "")
    return found


def new_state(
    id: str, request: dict[str, Any], *, livemode: bool, created: datetime | None
) -> dict[str, Any]:
    """The ``v2.core.account`` of a new account: what was sent, and what Stripe fills in.

    Takes ``request`` over (a validated body is a fresh object): copy it to keep it.
    """
    sent = dict(request)
    configuration = sent.pop("configuration", None) or {}
    identity = sent.pop("identity", None) or {}
    defaults = _defaults(
        sent.pop("defaults", None) or {}, _onboarding.country({"identity": identity})
    )
    state: dict[str, Any] = {
        "id": id,
        "object": "v2.core.account",
        "applied_configurations": [c for c in CONFIGURATIONS if c in configuration],
        "closed": False,
        "contact_email": sent.get("contact_email"),
        "contact_phone": sent.get("contact_phone"),
        "created": rfc3339(created) if created is not None else None,
        "dashboard": sent.get("dashboard") or _dashboard(defaults["responsibilities"]),
        "display_name": sent.get("display_name"),
        "livemode": livemode,
        "metadata": sent.get("metadata") or {},
        "configuration": {
            name: {"applied": True, **(settings or {})} for name, settings in configuration.items()
        },
        "defaults": defaults,
        "identity": identity,
        "future_requirements": {"entries": [], "summary": {}},
    }
    _onboarding.refresh(state)
    return state


def _defaults(sent: dict[str, Any], country: str) -> dict[str, Any]:
    """``defaults`` as sent, with Stripe's where not: the country's currency and locale, and
    Stripe collecting fees and losses (the fake's choice where the request says nothing)."""
    responsibilities = sent.get("responsibilities") or {
        "fees_collector": "stripe",
        "losses_collector": "stripe",
    }
    locale = _locale(country)
    return {
        **sent,
        "currency": sent.get("currency") or _onboarding.CURRENCIES.get(country, "eur"),
        "locales": sent.get("locales") or [locale],
        "profile": sent.get("profile") or {},
        "responsibilities": {**responsibilities, "requirements_collector": "stripe"},
    }


def _locale(country: str) -> str:
    """The country's locale among those Stripe takes (``de-DE``, else ``de``, else ``en-US``)."""
    taken = schemas()["objects"]["v2.core.account"]["properties"]["defaults"]["properties"][
        "locales"
    ]["items"]["enum"]
    language = _onboarding.LOCALES.get(country, "en_US").split("_")[0].replace("no", "nb")
    for candidate in (f"{language}-{country}", language, "en-US"):
        if candidate in taken:
            return str(candidate)
    return "en-US"  # pragma: no cover - en-US is in the enum


def _dashboard(responsibilities: dict[str, Any]) -> str:
    """The fake's choice where the request sends none: a Stripe-liable account gets the
    full Dashboard, a platform-liable one none."""
    return "full" if responsibilities.get("losses_collector") == "stripe" else "none"


def merge(state: dict[str, Any], request: dict[str, Any]) -> list[str]:
    """Apply an update to the state (``null`` metadata values unset keys); the sections
    that changed (``identity``, ``configuration.merchant``, ``defaults``; ``""`` for the
    top-level fields)."""
    changed: list[str] = []
    for name, value in request.items():
        if name == "include":
            continue
        if name == "configuration":
            changed += _merge_configuration(state, value or {})
        elif name == "metadata":
            if _merge_metadata(state.setdefault("metadata", {}), value or {}):
                changed.append("")
        elif isinstance(value, dict) and isinstance(state.get(name), dict):
            if _deep_merge(state[name], value):
                changed.append(name)
        elif state.get(name) != value:
            state[name] = value
            changed.append(name if name in ("identity", "defaults") else "")
    return changed


def _merge_configuration(state: dict[str, Any], sent: dict[str, Any]) -> list[str]:
    changed = []
    for name, settings in sent.items():
        target = state.setdefault("configuration", {}).setdefault(name, {"applied": True})
        if _deep_merge(target, settings or {}):
            changed.append(f"configuration.{name}")
    state["applied_configurations"] = [
        c for c in CONFIGURATIONS if state["configuration"].get(c, {}).get("applied")
    ]
    return changed


def _merge_metadata(metadata: dict[str, Any], sent: dict[str, Any]) -> bool:
    before = dict(metadata)
    for key, item in sent.items():
        if item is None:
            metadata.pop(key, None)
        else:
            metadata[key] = item
    return metadata != before


def _deep_merge(target: dict[str, Any], update: dict[str, Any]) -> bool:
    changed = False
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            changed = _deep_merge(target[key], value) or changed
        elif target.get(key) != value:
            target[key] = copy.deepcopy(value)
            changed = True
    return changed


def render(state: dict[str, Any], include: list[str] | None = None) -> dict[str, Any]:
    """The ``v2.core.account`` as Stripe answers it: the spec's fields only, and ``null``
    for what the request did not include (only what is included is read)."""
    included = set(include or ())
    properties = schemas()["objects"]["v2.core.account"]["properties"]
    answer = _plain_fields(state, included, properties)
    for name in properties:  # every field is there, null where there is nothing
        if name not in answer or (name in INCLUDABLE and name not in included):
            answer[name] = None
    answer["configuration"] = _configuration(state, included, properties["configuration"])
    if "requirements" in included:
        answer["requirements"] = _onboarding.requirements(state)
    individual = (answer.get("identity") or {}).get("individual")
    if individual is not None:
        _person(individual, state)
    return dict(sorted(answer.items()))


def _plain_fields(
    state: dict[str, Any], included: set[str], properties: dict[str, Any]
) -> dict[str, Any]:
    """The fields the answer takes from the state as they are (cut to the spec's schema):
    all but ``configuration`` and ``requirements``, includable ones only if included."""
    answer: dict[str, Any] = {}
    for name, value in state.items():
        if name not in properties or value is None or name in ("configuration", "requirements"):
            continue
        if name in INCLUDABLE and name not in included:
            continue
        kept = _prune(value, properties[name])
        if kept is not _DROP:
            answer[name] = kept
    return answer


def touch_person(state: dict[str, Any], now: datetime) -> None:
    """``identity.individual.updated`` is now (it was just changed)."""
    individual = (state.get("identity") or {}).get("individual")
    if isinstance(individual, dict):
        individual.setdefault("created", rfc3339(now))
        individual["updated"] = rfc3339(now)


def _configuration(
    state: dict[str, Any], included: set[str], schema: dict[str, Any]
) -> dict[str, Any] | None:
    """Each configuration the request included (the others ``null``), or ``null``."""
    wanted = [c for c in CONFIGURATIONS if f"configuration.{c}" in included]
    if not wanted:
        return None
    held = state.get("configuration") or {}
    found: dict[str, Any] = {}
    for name in CONFIGURATIONS:
        value = held.get(name) if name in wanted else None
        kept = _prune(value, schema["properties"][name]) if value is not None else None
        found[name] = None if kept is _DROP else kept
    return found


def _person(individual: dict[str, Any], state: dict[str, Any]) -> None:
    """The fields Stripe answers on ``identity.individual`` (a ``v2.core.account_person``):
    its ``id`` (the fake derives it from the account's), ``object``, ``account``,
    ``created`` and ``updated``."""
    import hashlib

    digest = hashlib.blake2b(f"person\0{state['id']}".encode(), digest_size=12).hexdigest()
    individual.setdefault("id", f"person_{digest}")
    individual.setdefault("object", "v2.core.account_person")
    individual.setdefault("account", state["id"])
    individual.setdefault("created", state.get("created"))
    individual.setdefault("updated", individual["created"])


def _prune(value: Any, schema: dict[str, Any]) -> Any:
    """``value`` cut to what the schema has (write-only and internal fields dropped)."""
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            return _DROP
        return _prune_object(value, schema)
    if kind == "array":
        if not isinstance(value, list):
            return _DROP
        items = schema.get("items", {})
        return [kept for item in value if (kept := _prune(item, items)) is not _DROP]
    if kind == "string" and not isinstance(value, str):
        return _DROP
    return value


def _prune_object(value: dict[str, Any], schema: dict[str, Any]) -> Any:
    """An object cut to the schema's properties; dropped when none of what the spec's
    object must have is left (a capability asked for with ``requested: false`` has no
    status: it is not answered at all)."""
    properties = schema.get("properties")
    if properties is None:  # a map (metadata) or a free object (event data)
        return copy.deepcopy(value)
    pruned = {}
    for name, item in value.items():
        if name in properties and item is not None:
            kept = _prune(item, properties[name])
            if kept is not _DROP:
                pruned[name] = kept
    if not pruned and schema.get("required"):
        return _DROP
    return pruned


_DROP = object()


def prune(value: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``value`` cut to the object ``schema`` has (empty when nothing of it is left)."""
    kept = _prune(value, schema)
    return kept if isinstance(kept, dict) else {}


#: What each changed section of an update is announced as.
_SECTION_EVENTS = {
    "identity": "v2.core.account[identity].updated",
    "defaults": "v2.core.account[defaults].updated",
    **{
        f"configuration.{name}": f"v2.core.account[configuration.{name}].updated"
        for name in CONFIGURATIONS
    },
}


def sections(state: dict[str, Any]) -> dict[str, Any]:
    """The state by the sections its events name (``""`` for the top-level fields), copied."""
    found: dict[str, Any] = {
        "": {
            name: value
            for name, value in state.items()
            if name not in ("identity", "defaults", "configuration") and not name.startswith("_")
        },
        "identity": state.get("identity"),
        "defaults": state.get("defaults"),
    }
    for name in CONFIGURATIONS:
        found[f"configuration.{name}"] = (state.get("configuration") or {}).get(name)
    return copy.deepcopy(found)


def changed_sections(before: dict[str, Any], state: dict[str, Any]) -> list[str]:
    """The sections that differ between ``before`` (:func:`sections`) and ``state``."""
    after = sections(state)
    return [name for name in after if after[name] != before.get(name)]


def announce(account: ConnectedAccount, sections: list[str]) -> None:
    """The events of an update that changed ``sections`` (``""`` for top-level fields):
    ``v2.core.account.updated``, then one ``v2.core.account[<section>].updated`` each."""
    if not sections:
        return
    account.notify("v2.core.account.updated")
    for section in dict.fromkeys(sections):
        if section in _SECTION_EVENTS:
            account.notify(_SECTION_EVENTS[section])
