"""Validate a request against its schema in Stripe's OpenAPI spec, as strictly as Stripe does.

The schemas of the larger endpoints (``v2.core.accounts.create`` has some 400
fields) come straight from the spec (``endpoints/schemas.json``, extracted by
``scripts/extract_schemas.py``) rather than from hand-written models: the spec
is the source, and a hand copy of 400 fields would drift. The spec uses a small
subset of OpenAPI 3.0 (``type``, ``properties``, ``required``, ``enum``,
``items``, ``additionalProperties``, ``nullable``, ``format`` date-time and
decimal; no ``$ref`` or ``oneOf``), which :class:`Schema` reads in full.

Failures come out shaped like pydantic's errors (``type``, ``loc``, ``input``,
``ctx``), so the generation words them the same way as the Account Link's
(``identity.business_details.registered_name: expected a string``).

Unknown fields are refused, as Stripe refuses them; ``null`` only where the
spec says ``nullable``. In a query string every value is text: ``query=True``
reads ``true``/``false`` and digits as the schema's booleans and integers, and
``a[0]=x&a[1]=y`` or a repeated ``a=x&a=y`` as an array.

API v1 bodies are forms (``form=True``, which reads text as ``query=True`` does):
there an empty value is an attempt to unset a parameter, taken only where the
schema says ``emptyable`` (the spec's ``anyOf`` with ``enum: [""]``) and refused
elsewhere. The v1 schemas also use ``anyOf`` (``external_account`` is a token or
an object); the alternative that fits the value's kind decides which problems
are reported.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any


class SchemaError(Exception):
    """The value does not fit the schema; :meth:`errors` lists why, pydantic-style."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{len(errors)} problem(s)")
        self._errors = errors

    def errors(self) -> list[dict[str, Any]]:
        return self._errors


class Schema:
    """A request schema of the spec, with pydantic's ``model_validate`` interface."""

    def __init__(self, schema: dict[str, Any], *, query: bool = False, form: bool = False) -> None:
        self.schema = schema
        self.query = query or form
        self.form = form

    def model_validate(self, value: Any) -> Any:
        """``value`` as the schema reads it; :class:`SchemaError` listing every problem."""
        errors: list[dict[str, Any]] = []
        found = self._check(self.schema, value, (), errors)
        if errors:
            raise SchemaError(errors)
        return found

    def _check(
        self, schema: dict[str, Any], value: Any, loc: tuple[Any, ...], errors: list[Any]
    ) -> Any:
        if value is None:
            if not schema.get("nullable"):
                errors.append(_error(_kind_of(schema), loc, value))
            return None
        if self.form and value == "":
            if not schema.get("emptyable"):
                errors.append(_error("empty", loc, value))
            return value
        if "anyOf" in schema:
            return self._any_of(schema["anyOf"], value, loc, errors)
        kind = schema.get("type")
        if kind == "object":
            return self._object(schema, value, loc, errors)
        if kind == "array":
            return self._array(schema, value, loc, errors)
        return self._scalar(schema, value, loc, errors)

    def _object(
        self, schema: dict[str, Any], value: Any, loc: tuple[Any, ...], errors: list[Any]
    ) -> Any:
        if not isinstance(value, dict):
            errors.append(_error("dict_type", loc, value))
            return None
        properties: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        found: dict[str, Any] = {}
        for name, item in value.items():
            if name in properties:
                found[name] = self._check(properties[name], item, (*loc, name), errors)
            elif isinstance(extra, dict):
                found[name] = self._check(extra, item, (*loc, name), errors)
            else:
                errors.append(_error("extra_forbidden", (*loc, name), item))
        for name in schema.get("required", ()):
            if name not in value:
                errors.append(_error("missing", (*loc, name), None))
        return found

    def _any_of(
        self, options: list[dict[str, Any]], value: Any, loc: tuple[Any, ...], errors: list[Any]
    ) -> Any:
        """The first alternative that takes ``value``; else the problems of the closest one
        (of those of the value's kind, the one with the fewest problems)."""
        tried: list[list[Any]] = []
        for option in options:
            found_errors: list[Any] = []
            found = self._check(option, value, loc, found_errors)
            if not found_errors:
                return found
            if _same_kind(option, value):
                tried.append(found_errors)
        closest = min(tried, key=lambda found: len(found)) if tried else None
        errors.extend(closest or [_error(_kind_of(options[0]), loc, value)])
        return None

    def _array(
        self, schema: dict[str, Any], value: Any, loc: tuple[Any, ...], errors: list[Any]
    ) -> Any:
        if self.query:
            value = _as_list(value)
        if not isinstance(value, list):
            errors.append(_error("list_type", loc, value))
            return None
        items = schema.get("items", {})
        return [self._check(items, item, (*loc, n), errors) for n, item in enumerate(value)]

    def _scalar(
        self, schema: dict[str, Any], value: Any, loc: tuple[Any, ...], errors: list[Any]
    ) -> Any:
        kind = schema.get("type")
        if self.query and isinstance(value, str):
            value = _from_text(kind, value)
        checked = _CHECKS.get(kind)
        if checked is not None and not checked[1](value):
            errors.append(_error(checked[0], loc, value))
            return None
        enum = schema.get("enum")
        if enum is not None and value not in enum:
            expected = " or ".join(
                [", ".join(repr(item) for item in enum[:-1]), repr(enum[-1])]
                if len(enum) > 1
                else [repr(enum[0])]
            )
            errors.append(
                _error("literal_error", loc, value, {"expected": expected, "enum": list(enum)})
            )
            return None
        problem = _FORMATS.get(schema.get("format", ""))
        if problem is not None and isinstance(value, str) and not problem[1](value):
            errors.append(_error(problem[0], loc, value))
            return None
        if schema.get("format") == "date-time" and isinstance(value, str):
            return _normal_time(value)
        return value


def _error(kind: str, loc: tuple[Any, ...], value: Any, ctx: dict[str, Any] | None = None) -> Any:
    return {"type": kind, "loc": loc, "msg": kind, "input": value, "ctx": ctx or {}}


def _kind_of(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    return {"object": "dict_type", "array": "list_type"}.get(
        str(kind), _CHECKS.get(kind, ("string_type", None))[0]
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_CHECKS: dict[Any, tuple[str, Any]] = {
    "string": ("string_type", lambda value: isinstance(value, str)),
    "boolean": ("bool_type", lambda value: isinstance(value, bool)),
    "integer": ("int_type", _is_int),
    "number": ("float_type", _is_number),
}


def _date_time(value: str) -> bool:
    """RFC 3339 (``2025-03-27T17:15:18.000Z``, an offset for ``Z``): a date alone or
    ISO 8601's other forms (``20250327``, ``2025-W13-4``), which Python reads, are not."""
    if _RFC3339.match(value) is None:
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return True


def _normal_time(value: str) -> str:
    """An RFC 3339 time as Stripe writes v2 times: UTC, milliseconds, ``Z``."""
    from pytest_account_links.core.clock import rfc3339

    moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:  # pragma: no cover - the pattern requires an offset
        moment = moment.replace(tzinfo=timezone.utc)
    return rfc3339(moment)


_RFC3339 = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$"
)


def _decimal(value: str) -> bool:
    try:
        return Decimal(value).is_finite()
    except InvalidOperation:
        return False


_FORMATS: dict[str, tuple[str, Any]] = {
    "date-time": ("date_time_format", _date_time),
    "decimal": ("decimal_format", _decimal),
}


def _from_text(kind: Any, value: str) -> Any:
    """A query string's text as the schema's type, where it reads as one."""
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    if kind == "integer" and _INTEGER.match(value):
        return int(value)
    if kind == "number" and _NUMBER.match(value):
        return float(value)
    return value


#: ASCII digits only (``str.isdigit`` passes ``²`` and full-width digits, which ``int``
#: refuses), and few enough of them (``int`` refuses over 4,300): a query's integer, and
#: an array's index (``a[0]=x``).
_INTEGER = re.compile(r"^-?[0-9]{1,18}$")
_NUMBER = re.compile(r"^-?[0-9]{1,18}(?:\.[0-9]{1,18})?$")
_INDEX = re.compile(r"^[0-9]{1,6}$")


def _same_kind(schema: dict[str, Any], value: Any) -> bool:
    """True when ``value`` is of the kind an alternative takes (an object for an object,
    text for a scalar), whether or not it fits it."""
    kind = schema.get("type")
    if isinstance(value, dict):
        return kind in ("object", "array")
    if isinstance(value, list):
        return kind == "array"
    return kind not in ("object", "array")


def _as_list(value: Any) -> Any:
    """``a[0]=x&a[1]=y`` (an object of indexes), ``a=x&a=y`` or ``a=x``, as a list."""
    if isinstance(value, dict) and value and all(_INDEX.match(key) for key in value):
        return [value[key] for key in sorted(value, key=int)]
    if isinstance(value, str):
        return [value]
    return value
