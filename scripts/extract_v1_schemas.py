"""Extract the request schemas of the faked API v1 endpoints into ``endpoints/schemas_v1.json``.

Two sources, both generated from Stripe's OpenAPI spec:

* ``POST /v1/account_links``: the spec extract itself
  (``tests/data/account-links-v1.openapi.json``). Its schema requires ``account``
  and ``type`` only; Stripe's API reference marks ``refresh_url`` and
  ``return_url`` "Required" too (docs.stripe.com/api/account_links/create), and so
  does the fake.
* ``POST /v1/account_sessions``: the spec extract
  (``tests/data/account-sessions-v1.openapi.json``: the operation's form body, the
  ``account_session`` object and the ``connect_embedded_*`` schemas it references,
  from ``stripe/openapi`` ``latest/openapi.spec3.json``, API version
  ``2026-09-30.endive``, prose dropped), as the spec has it.
* ``/v1/accounts`` (create, update, list, retrieve) and ``/v1/accounts/{account}/persons``
  (create, update, list, retrieve, delete): the spec extract holds only a
  summary of these large bodies (``shared/spec/accounts-v1-summary.md``), so their
  schemas are read from the official SDK's request types, "File generated from
  our OpenAPI spec" (stripe-python 16.1.0, ``stripe/params/_account_*_params.py``,
  typed ``TypedDict``\\ s): every field, nested object, enum and list, required
  where the spec requires it. ``Literal['']|X`` (a parameter an empty value
  unsets) is written ``"emptyable": true``, and so is a map's value (metadata:
  "Individual keys can be unset by posting an empty value to them");
  ``Literal[...]|str`` (an enum the SDK does not enforce,
  ``x-stripeBypassValidation``) is the enum, which Stripe's API does enforce.

    python scripts/extract_v1_schemas.py   # rewrites endpoints/schemas_v1.json

``tests/test_v1_schemas.py`` checks that running it changes nothing.
"""

from __future__ import annotations

import importlib
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "data" / "account-links-v1.openapi.json"
SESSIONS_SPEC = ROOT / "tests" / "data" / "account-sessions-v1.openapi.json"
OUTPUT = ROOT / "pytest_account_links" / "api" / "endpoints" / "schemas_v1.json"

#: Each endpoint read from the SDK: (module, class) of its request type.
FROM_SDK = {
    "v1.accounts.create": ("stripe.params._account_create_params", "AccountCreateParams"),
    "v1.accounts.update": ("stripe.params._account_update_params", "AccountUpdateParams"),
    "v1.accounts.list": ("stripe.params._account_list_params", "AccountListParams"),
    "v1.accounts.retrieve": ("stripe.params._account_retrieve_params", "AccountRetrieveParams"),
    "v1.accounts.persons.create": (
        "stripe.params._account_person_create_params",
        "AccountPersonCreateParams",
    ),
    "v1.accounts.persons.update": (
        "stripe.params._account_person_update_params",
        "AccountPersonUpdateParams",
    ),
    "v1.accounts.persons.list": (
        "stripe.params._account_person_list_params",
        "AccountPersonListParams",
    ),
    "v1.accounts.persons.retrieve": (
        "stripe.params._account_person_retrieve_params",
        "AccountPersonRetrieveParams",
    ),
    "v1.accounts.persons.delete": (
        "stripe.params._account_person_delete_params",
        "AccountPersonDeleteParams",
    ),
}
#: Fields of the SDK's request options (key, version, retries, ...): not sent as parameters.
_OPTIONS = (
    "api_key",
    "stripe_version",
    "stripe_account",
    "stripe_context",
    "max_network_retries",
    "idempotency_key",
    "content_type",
    "headers",
)
_PROSE = ("description", "title", "x-stripeBypassValidation", "maxLength")


def _strip(value: Any, *, names: bool = False) -> Any:
    if isinstance(value, dict):
        return {
            key: _strip(item, names=key == "properties" and not names)
            for key, item in value.items()
            if names or key not in _PROSE
        }
    if isinstance(value, list):
        return [_strip(item) for item in value]
    return value


def account_link_body() -> dict[str, Any]:
    """The body of ``POST /v1/account_links`` from the spec, both URLs required."""
    spec = json.loads(SPEC.read_text())
    operation = spec["paths"]["/v1/account_links"]["post"]
    schema: dict[str, Any] = _strip(
        operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    )
    schema["required"] = [*schema["required"], "refresh_url", "return_url"]
    return schema


def account_session_body() -> dict[str, Any]:
    """The body of ``POST /v1/account_sessions`` from the spec, as it is."""
    spec = json.loads(SESSIONS_SPEC.read_text())
    operation = spec["paths"]["/v1/account_sessions"]["post"]
    schema: dict[str, Any] = _strip(
        operation["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    )
    return schema


def _resolve(hint: Any, namespace: dict[str, Any]) -> Any:
    """A hint with its forward references evaluated and ``NotRequired`` taken off."""
    if isinstance(hint, typing.ForwardRef):
        hint = hint.__forward_arg__
    if isinstance(hint, str):
        hint = eval(hint, namespace)  # the SDK's own annotation, in its own module
    if typing.get_origin(hint) in (typing.NotRequired, typing.Required):
        return _resolve(typing.get_args(hint)[0], namespace)
    return hint


def _convert(hint: Any, namespace: dict[str, Any]) -> dict[str, Any]:
    """One SDK type hint as a schema."""
    hint = _resolve(hint, namespace)
    origin = typing.get_origin(hint)
    if origin is typing.Union or isinstance(hint, types.UnionType):
        return _union(typing.get_args(hint), namespace)
    if origin is typing.Literal:
        values = list(typing.get_args(hint))
        return {"enum": values, "type": "string" if isinstance(values[0], str) else "integer"}
    if origin in (list, typing.List):  # noqa: UP006 - the SDK writes typing.List
        return {"items": _convert(typing.get_args(hint)[0], namespace), "type": "array"}
    if origin in (dict, typing.Dict) or getattr(origin, "__name__", "") == "UntypedStripeObject":  # noqa: UP006
        # A map (metadata): "Individual keys can be unset by posting an empty value to them."
        return {"additionalProperties": {"emptyable": True, "type": "string"}, "type": "object"}
    if isinstance(hint, type) and hasattr(hint, "__required_keys__"):  # a TypedDict
        return _object(hint)
    return {"type": _SCALARS[hint]}


_SCALARS: dict[Any, str] = {str: "string", bool: "boolean", int: "integer", float: "number"}


def _union(members: tuple[Any, ...], namespace: dict[str, Any]) -> dict[str, Any]:
    """``Literal['']|X`` (emptyable), ``Literal[...]|str`` (an enum), or ``anyOf``."""
    emptyable = any(typing.get_args(m) == ("",) for m in members)
    rest = [m for m in members if typing.get_args(m) != ("",) and m is not type(None)]
    enums = [m for m in rest if typing.get_origin(m) is typing.Literal]
    if enums and str in rest and len(rest) == 2:
        rest = enums  # Literal[...]|str: the SDK does not enforce the enum; Stripe does
    converted: list[dict[str, Any]] = []
    for member in rest:
        schema = _convert(member, namespace)
        if schema not in converted:
            converted.append(schema)
    schema = converted[0] if len(converted) == 1 else {"anyOf": converted}
    return {**schema, "emptyable": True} if emptyable else schema


def _object(cls: Any) -> dict[str, Any]:
    """A ``TypedDict`` as an object schema: its fields, those it requires."""
    namespace = vars(sys.modules[cls.__module__])
    properties = {
        name: _convert(hint, namespace)
        for name, hint in sorted(cls.__annotations__.items())
        if name not in _OPTIONS
    }
    required = sorted(name for name in cls.__required_keys__ if name in properties)
    schema: dict[str, Any] = {"properties": properties, "type": "object"}
    if required:
        schema["required"] = required
    return schema


def sdk_schema(module_name: str, class_name: str) -> dict[str, Any]:
    return _object(getattr(importlib.import_module(module_name), class_name))


def extract() -> dict[str, Any]:
    import stripe

    endpoints: dict[str, Any] = {
        "v1.account_links.create": {"body": account_link_body()},
        "v1.account_sessions.create": {"body": account_session_body()},
    }
    for name, (module, cls) in FROM_SDK.items():
        part = "query" if name.endswith((".list", ".retrieve")) else "body"
        endpoints[name] = {part: sdk_schema(module, cls)}
    return {
        "source": f"stripe-python {stripe.VERSION} (the SDK's request types) and "
        "tests/data/account-links-v1.openapi.json and tests/data/account-sessions-v1.openapi.json",
        "endpoints": endpoints,
    }


def render() -> str:
    """``schemas_v1.json`` as it should be."""
    return json.dumps(extract(), indent=1, sort_keys=True) + "\n"


def main() -> None:
    OUTPUT.write_text(render())


if __name__ == "__main__":
    main()
