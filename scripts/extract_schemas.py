"""Extract, from Stripe's OpenAPI spec, the schemas the fake validates and answers with.

The spec extracts (``tests/data/*.openapi.json``, from Stripe's public
``latest/openapi.spec3.json``, info.version 2026-09-30.endive) are large; the fake
ships only what it reads: each faked endpoint's request body and query parameters
and the objects it answers with, descriptions dropped. ``nullable: true`` (OpenAPI
3.0) is kept as is: the fake's schema reader understands it.

    python scripts/extract_schemas.py   # rewrites endpoints/schemas.json and spec_errors.json

``tests/test_schemas.py`` checks that running it changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "tests" / "data"
OUTPUT = ROOT / "pytest_account_links" / "domain" / "schemas.json"
ERRORS = ROOT / "pytest_account_links" / "core" / "spec_errors.json"

#: Each endpoint the fake validates with a spec schema: (spec file, path, method).
OPERATIONS = {
    "v2.core.accounts.create": ("accounts-v2", "/v2/core/accounts", "post"),
    "v2.core.accounts.list": ("accounts-v2", "/v2/core/accounts", "get"),
    "v2.core.accounts.retrieve": ("accounts-v2", "/v2/core/accounts/{id}", "get"),
    "v2.core.accounts.update": ("accounts-v2", "/v2/core/accounts/{id}", "post"),
    "v2.core.accounts.close": ("accounts-v2", "/v2/core/accounts/{id}/close", "post"),
    "v2.core.events.list": ("events-v2", "/v2/core/events", "get"),
    "v2.core.account_tokens.create": ("account-tokens-v2", "/v2/core/account_tokens", "post"),
    "v2.core.account_tokens.retrieve": ("account-tokens-v2", "/v2/core/account_tokens/{id}", "get"),
    "v2.core.accounts.person_tokens.create": (
        "account-tokens-v2",
        "/v2/core/accounts/{account_id}/person_tokens",
        "post",
    ),
    "v2.core.accounts.person_tokens.retrieve": (
        "account-tokens-v2",
        "/v2/core/accounts/{account_id}/person_tokens/{id}",
        "get",
    ),
    "v2.core.accounts.persons.create": (
        "persons-v2",
        "/v2/core/accounts/{account_id}/persons",
        "post",
    ),
    "v2.core.accounts.persons.list": (
        "persons-v2",
        "/v2/core/accounts/{account_id}/persons",
        "get",
    ),
    "v2.core.accounts.persons.retrieve": (
        "persons-v2",
        "/v2/core/accounts/{account_id}/persons/{id}",
        "get",
    ),
    "v2.core.accounts.persons.update": (
        "persons-v2",
        "/v2/core/accounts/{account_id}/persons/{id}",
        "post",
    ),
    "v2.core.accounts.persons.delete": (
        "persons-v2",
        "/v2/core/accounts/{account_id}/persons/{id}",
        "delete",
    ),
}
#: Endpoints whose errors the catalogue lists, though the fake validates them by hand.
LISTED_ONLY = {
    "v2.core.events.retrieve": ("events-v2", "/v2/core/events/{id}", "get"),
}
#: The objects the fake answers with.
OBJECTS = {
    "v2.core.account": "accounts-v2",
    "v2.core.event": "events-v2",
    "v2.core.account_token": "account-tokens-v2",
    "v2.core.account_person_token": "account-tokens-v2",
    "v2.core.account_person": "persons-v2",
    "v2.deleted_object": "persons-v2",
}
#: The extracts read, in order (an error schema two of them hold is the same in both).
EXTRACTS = ("accounts-v2", "events-v2", "persons-v2", "account-tokens-v2")


def _strip(value: Any, *, names: bool = False) -> Any:
    """The schema without its prose (descriptions, examples, titles). ``names`` is True for
    a ``properties`` map, whose keys are field names (a field may be called ``description``)."""
    if isinstance(value, dict):
        return {
            key: _strip(item, names=key == "properties" and not names)
            for key, item in value.items()
            if names or key not in _PROSE
        }
    if isinstance(value, list):
        return [_strip(item) for item in value]
    return value


_PROSE = ("description", "example", "examples", "title", "x-stripeBypassValidation")


def _query(parameters: list[dict[str, Any]]) -> dict[str, Any]:
    """The query parameters of an operation as one object schema."""
    query = [p for p in parameters if p.get("in") == "query"]
    return {
        "type": "object",
        "properties": {p["name"]: p["schema"] for p in query},
        "required": [p["name"] for p in query if p.get("required")],
    }


def _specs() -> dict[str, Any]:
    return {name: json.loads((SPECS / f"{name}.openapi.json").read_text()) for name in EXTRACTS}


def extract() -> dict[str, Any]:
    specs = _specs()
    endpoints: dict[str, Any] = {}
    for name, (spec, path, method) in OPERATIONS.items():
        operation = specs[spec]["paths"][path][method]
        found: dict[str, Any] = {"query": _query(operation.get("parameters", []))}
        body = operation.get("requestBody")
        if body is not None:
            found["body"] = body["content"]["application/json"]["schema"]
        endpoints[name] = found
    objects = {name: specs[spec]["components"]["schemas"][name] for name, spec in OBJECTS.items()}
    return _strip(
        {
            "source": "Stripe OpenAPI spec 2026-09-30.endive",
            "endpoints": endpoints,
            "objects": objects,
        }
    )


def _error_codes(operation: dict[str, Any]) -> list[str]:
    """The codes of the ``v2.error.*`` schemas an operation's error answer may be."""
    default = operation["responses"]["default"]["content"]["application/json"]["schema"]
    refs = [item["$ref"].rsplit("/", 1)[-1] for item in default.get("oneOf", [default])]
    return sorted(ref.removeprefix("v2.error.") for ref in refs if ref.startswith("v2.error."))


def errors() -> dict[str, Any]:
    """Each ``v2.error.<code>`` of the specs: what it means, its ``type``, its extra fields.

    ``description`` is the schema's own (the fake answers it as the default
    message); ``type`` the one value of its ``error.type`` enum, if any; ``extras``
    the other fields its ``error`` requires, with their schemas.
    """
    found: dict[str, Any] = {}
    specs = _specs()
    operations = {
        name: _error_codes(specs[spec]["paths"][path][method])
        for name, (spec, path, method) in {**OPERATIONS, **LISTED_ONLY}.items()
    }
    for name in EXTRACTS:
        schemas = specs[name]["components"]["schemas"]
        for key, schema in schemas.items():
            if not key.startswith("v2.error."):
                continue
            error = schema["properties"]["error"]
            properties = error["properties"]
            kind = properties.get("type", {}).get("enum", [None])[0]
            extras = {
                field: _strip(properties[field])
                for field in error.get("required", [])
                if field not in ("code", "message", "type")
            }
            found[key.removeprefix("v2.error.")] = {
                "description": schema.get("description", ""),
                "type": kind,
                "extras": extras,
            }
    return {
        "source": "Stripe OpenAPI spec 2026-09-30.endive",
        "errors": found,
        "operations": operations,
    }


def render() -> str:
    return json.dumps(extract(), indent=1, sort_keys=True) + "\n"


def render_errors() -> str:
    return json.dumps(errors(), indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(render())
    ERRORS.write_text(render_errors())
