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
