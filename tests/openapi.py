"""Stripe's OpenAPI extracts as JSON Schema, to hold every answer of the fake against them.

OpenAPI 3.0 is not quite JSON Schema: ``nullable: true`` becomes a ``null`` type, and
``$ref`` points into the spec's components. Two more rules make the check strict
where the spec is loose:

- a property the object does not require may be ``null``: the API reference marks
  those fields nullable ("closed nullable boolean", "configuration nullable
  object"), and an Accounts answer carries ``null`` for what it did not include;
- an object with ``properties`` and no ``additionalProperties`` takes no other field,
  so a field the fake invented fails the check.
"""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema

DATA = Path(__file__).parent / "data"

#: ``date-time`` as Stripe writes v2 times: RFC 3339, UTC, milliseconds (2025-03-27T17:15:18.000Z).
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("date-time")
def _date_time(value: object) -> bool:
    if not isinstance(value, str) or _RFC3339.match(value) is None:
        return False
    datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@FORMATS.checks("decimal")
def _decimal(value: object) -> bool:
    return isinstance(value, str) and Decimal(value).is_finite()


@functools.cache
def spec(name: str) -> dict[str, Any]:
    """A vendored spec extract (``accounts-v2``, ``events-v2``, ``account-links-v2``)."""
    loaded: dict[str, Any] = json.loads((DATA / f"{name}.openapi.json").read_text())
    return loaded


def _convert(node: Any, components: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, list):
        return [_convert(item, components, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:  # pragma: no cover - the extracts have no cycles
            return {}
        return _convert(components[name], components, (*seen, name))
    converted = {
        key: _convert(value, components, seen)
        for key, value in node.items()
        if key not in ("nullable", "description", "example", "examples", "title")
        and not key.startswith("x-")
    }
    if "properties" in node:
        converted["properties"] = {
            name: _convert(value, components, seen) for name, value in node["properties"].items()
        }
        required = set(node.get("required", ()))
        for name, value in converted["properties"].items():
            if name not in required:
                converted["properties"][name] = {"anyOf": [value, {"type": "null"}]}
        converted.setdefault("additionalProperties", False)
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def _validator(spec_name: str, schema_name: str) -> jsonschema.Draft7Validator:
    components = spec(spec_name)["components"]["schemas"]
    schema = _convert(components[schema_name], components)
    return jsonschema.Draft7Validator(schema, format_checker=FORMATS)


@functools.cache
def _answer_validator(spec_name: str, path: str, method: str) -> jsonschema.Draft7Validator:
    components = spec(spec_name)["components"]["schemas"]
    response = spec(spec_name)["paths"][path][method]["responses"]["200"]
    schema = _convert(response["content"]["application/json"]["schema"], components)
    return jsonschema.Draft7Validator(schema, format_checker=FORMATS)


def check(value: Any, spec_name: str, schema_name: str) -> None:
    """Raise ``jsonschema.ValidationError`` unless ``value`` is a ``schema_name`` of the spec."""
    _raise_best(_validator(spec_name, schema_name), value)


def check_answer(value: Any, spec_name: str, path: str, method: str = "get") -> None:
    """Raise unless ``value`` is the 200 answer of ``method path`` in the spec."""
    _raise_best(_answer_validator(spec_name, path, method), value)


def _raise_best(validator: jsonschema.Draft7Validator, value: Any) -> None:
    """The most specific problem (below the ``anyOf`` that allows ``null``), with its path."""
    error = jsonschema.exceptions.best_match(validator.iter_errors(value))
    if error is not None:
        while error.context:
            error = jsonschema.exceptions.best_match(error.context) or error
            if not error.context:
                break
        raise jsonschema.ValidationError(f"{error.json_path}: {error.message}")


def check_account(value: Any) -> None:
    """A ``v2.core.account`` as the spec has it."""
    check(value, "accounts-v2", "v2.core.account")


def check_event(value: Any) -> None:
    """A ``v2.core.event`` (thin or full) as the spec has it."""
    check(value, "events-v2", "v2.core.event")


# -- API v1 --------------------------------------------------------------------------------


def check_v1(value: Any, schema_name: str) -> None:
    """A ``schema_name`` of the v1 Account Links extract (``account_link``, ``error``)."""
    check(value, "account-links-v1", schema_name)


_REQUIREMENTS_V1 = {
    "alternatives": {
        "type": ["array", "null"],
        "items": {
            "type": "object",
            "required": ["alternative_fields_due", "original_fields_due"],
            "properties": {
                "alternative_fields_due": {"type": "array", "items": {"type": "string"}},
                "original_fields_due": {"type": "array", "items": {"type": "string"}},
            },
            "additionalProperties": False,
        },
    },
    "current_deadline": {"type": ["integer", "null"]},
    "currently_due": {"type": ["array", "null"], "items": {"type": "string"}},
    "disabled_reason": {
        "enum": [
            None,
            "action_required.requested_capabilities",
            "listed",
            "other",
            "platform_paused",
            "rejected.fraud",
            "rejected.incomplete_verification",
            "rejected.listed",
            "rejected.other",
            "rejected.platform_fraud",
            "rejected.platform_other",
            "rejected.platform_terms_of_service",
            "rejected.terms_of_service",
            "requirements.past_due",
            "requirements.pending_verification",
            "under_review",
        ]
    },
    "errors": {
        "type": ["array", "null"],
        "items": {"type": "object", "required": ["code", "reason", "requirement"]},
    },
    "eventually_due": {"type": ["array", "null"], "items": {"type": "string"}},
    "past_due": {"type": ["array", "null"], "items": {"type": "string"}},
    "pending_verification": {"type": ["array", "null"], "items": {"type": "string"}},
}
_OBJECT_OR_NULL = {"type": ["object", "null"]}

#: The v1 ``account`` object as ``shared/spec/accounts-v1-summary.md`` gives it (the spec
#: extract has only this summary): its 23 top-level fields and their types, the
#: ``requirements`` and ``future_requirements`` objects in full, nothing else allowed.
ACCOUNT_V1: dict[str, Any] = {
    "type": "object",
    "required": ["id", "object"],
    "additionalProperties": False,
    "properties": {
        "business_profile": _OBJECT_OR_NULL,
        "business_type": {
            "enum": [None, "company", "government_entity", "individual", "non_profit"]
        },
        "capabilities": {
            "type": "object",
            "additionalProperties": {"enum": ["active", "inactive", "pending"]},
        },
        "charges_enabled": {"type": "boolean"},
        "company": {"type": "object"},
        "controller": {
            "type": "object",
            "properties": {
                "fees": {
                    "type": "object",
                    "properties": {
                        "payer": {
                            "enum": [
                                "account",
                                "application",
                                "application_custom",
                                "application_express",
                            ]
                        }
                    },
                },
                "is_controller": {"type": ["boolean", "null"]},
                "losses": {
                    "type": "object",
                    "properties": {"payments": {"enum": ["application", "stripe"]}},
                },
                "requirement_collection": {"enum": ["application", "stripe"]},
                "stripe_dashboard": {
                    "type": "object",
                    "properties": {"type": {"enum": ["express", "full", "none"]}},
                },
                "type": {"enum": ["account", "application"]},
            },
            "additionalProperties": False,
        },
        "country": {"type": "string"},
        "created": {"type": "integer"},
        "default_currency": {"type": "string"},
        "details_submitted": {"type": "boolean"},
        "email": {"type": ["string", "null"]},
        "external_accounts": {
            "type": "object",
            "required": ["data", "has_more", "object", "url"],
            "properties": {
                "data": {"type": "array", "items": {"type": "object"}},
                "has_more": {"type": "boolean"},
                "object": {"enum": ["list"]},
                "total_count": {"type": "integer"},
                "url": {"type": "string"},
            },
            "additionalProperties": False,
        },
        "future_requirements": {
            "type": "object",
            "properties": _REQUIREMENTS_V1,
            "additionalProperties": False,
        },
        "groups": _OBJECT_OR_NULL,
        "id": {"type": "string", "pattern": "^acct_[A-Za-z0-9]+$"},
        "individual": {
            "type": "object",
            "properties": {"object": {"enum": ["person"]}, "id": {"type": "string"}},
        },
        "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
        "object": {"enum": ["account"]},
        "payouts_enabled": {"type": "boolean"},
        "requirements": {
            "type": "object",
            "properties": _REQUIREMENTS_V1,
            "additionalProperties": False,
        },
        "settings": _OBJECT_OR_NULL,
        "tos_acceptance": {
            "type": "object",
            "properties": {
                "date": {"type": ["integer", "null"]},
                "ip": {"type": ["string", "null"]},
                "service_agreement": {"type": "string"},
                "user_agent": {"type": ["string", "null"]},
            },
            "additionalProperties": False,
        },
        "type": {"enum": ["custom", "express", "none", "standard"]},
    },
}

#: The v1 list of accounts (the spec's ``AccountList``, from the same summary).
ACCOUNT_LIST_V1: dict[str, Any] = {
    "type": "object",
    "required": ["data", "has_more", "object", "url"],
    "properties": {
        "data": {"type": "array", "items": ACCOUNT_V1},
        "has_more": {"type": "boolean"},
        "object": {"enum": ["list"]},
        "url": {"type": "string", "pattern": "^/v1/accounts"},
    },
    "additionalProperties": False,
}


def check_account_v1(value: Any) -> None:
    """A v1 ``account`` as the spec's summary has it."""
    _raise_best(jsonschema.Draft7Validator(ACCOUNT_V1), value)


def check_account_list_v1(value: Any) -> None:
    """A v1 list of accounts (``GET /v1/accounts``)."""
    _raise_best(jsonschema.Draft7Validator(ACCOUNT_LIST_V1), value)


#: A v1 event as docs.stripe.com/api/events/object has it (a Connect event's ``account``).
EVENT_V1: dict[str, Any] = {
    "type": "object",
    "required": [
        "api_version",
        "created",
        "data",
        "id",
        "livemode",
        "object",
        "pending_webhooks",
        "request",
        "type",
    ],
    "properties": {
        "account": {"type": "string", "pattern": "^acct_"},
        "api_version": {"type": ["string", "null"]},
        "created": {"type": "integer"},
        "data": {
            "type": "object",
            "required": ["object"],
            "properties": {
                "object": {"type": "object"},
                "previous_attributes": {"type": "object"},
            },
            "additionalProperties": False,
        },
        "id": {"type": "string", "pattern": "^evt_[A-Za-z0-9]+$"},
        "livemode": {"type": "boolean"},
        "object": {"enum": ["event"]},
        "pending_webhooks": {"type": "integer"},
        "request": {
            "type": ["object", "null"],
            "properties": {
                "id": {"type": ["string", "null"]},
                "idempotency_key": {"type": ["string", "null"]},
            },
            "additionalProperties": False,
        },
        "type": {"type": "string"},
    },
    "additionalProperties": False,
}


def check_event_v1(value: Any) -> None:
    """A v1 ``event`` (its ``data.object`` an account is checked as one)."""
    _raise_best(jsonschema.Draft7Validator(EVENT_V1), value)
    if value["data"]["object"].get("object") == "account":
        check_account_v1(value["data"]["object"])
