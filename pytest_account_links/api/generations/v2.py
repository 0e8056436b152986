"""API v2: JSON bodies, RFC 3339 times, the v2 error envelope, named API versions.

Stripe's v2 validation messages read ``<field path>: <problem>``, for example
``use_case.account_onboarding.refresh_url: required request field missing`` or
``return_url: unknown field`` (the wording third-party reports quote from
Stripe). :meth:`V2Generation.validate` turns pydantic's errors into those.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from pytest_account_links.api.generations import Body, InvalidBody, nested_keys, put
from pytest_account_links.core.clock import rfc3339

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from datetime import datetime

    from pydantic_core import ErrorDetails

    from pytest_account_links.api.generations import ErrorContext
    from pytest_account_links.core.errors import ErrorSpec
    from pytest_account_links.core.versions import ApiVersion

_PLAIN = {
    "float_type": "expected a number",
    "date_time_format": "expected an RFC 3339 date and time (2025-03-27T17:15:18.000Z)",
    "decimal_format": "expected a decimal number, as a string",
    "missing": "required request field missing",
    "extra_forbidden": "unknown field",
    "string_type": "expected a string",
    "list_type": "expected an array",
    "model_type": "expected an object",
    "model_attributes_type": "expected an object",
    "dict_type": "expected an object",
    "bool_type": "expected a boolean",
    "int_type": "expected an integer",
}

#: At most this many problems are listed in one message (the rest are counted).
_MOST = 10


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


@functools.cache
def _from_json() -> Callable[..., Any]:
    """``pydantic_core.from_json`` (loaded with the first body read, as pydantic is)."""
    from pydantic_core import from_json

    return from_json


class V2Generation:
    """API v2 (``/v2/...``), as the OpenAPI spec and the SDK describe it."""

    name = "v2"
    content_type = "application/json"
    #: "You can only access APIs in the /v2 namespace with secret keys."
    #: (docs.stripe.com/api-v2-overview)
    takes_restricted_keys = False
    #: The code the spec gives a rate limit on the Accounts and Account Links operations.
    rate_limit_code = "account_rate_limit_exceeded"
    #: API v2 "completes failed work" on a retry instead of replaying it
    #: (docs.stripe.com/api-v2-overview): a key keeps only a success.
    keeps_failures = False

    def parse_body(self, raw: bytes) -> Body:
        if not raw.strip():
            return Body(raw, problem="request body is not valid JSON (it is empty)")
        try:
            # pydantic's JSON reader first: it reads what it takes as json.loads does, in
            # a quarter of the time; json.loads reads the rest (and words the problems).
            return Body(raw, _from_json()(raw, allow_inf_nan=False))
        except (ValueError, RecursionError):
            pass
        try:
            return Body(raw, json.loads(raw, parse_constant=_no_constants))
        except RecursionError:
            return Body(raw, problem="request body is not valid JSON (nested too deeply)")
        except UnicodeDecodeError:
            return Body(raw, problem="request body is not valid JSON (it is not UTF-8)")
        except ValueError as exc:
            return Body(raw, problem=f"request body is not valid JSON ({exc})")

    def parse_query(self, query: str) -> Body:
        """A query string, brackets read as nesting (``include[0]=a`` -> ``{"include":
        {"0": "a"}}``, ``created[gt]=...``), a repeated name as a list."""
        values: dict[str, Any] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            put(values, nested_keys(name), value)
        return Body(query.encode("latin-1", "replace"), values)

    def validate(
        self,
        model: Any,
        body: Body,
        version: ApiVersion,
        removed: Mapping[str, str] | None = None,
    ) -> Any:
        if body.problem is not None:
            raise InvalidBody([body.problem])
        try:
            return model.model_validate(body.value)
        except Exception as exc:
            from pydantic import ValidationError  # loaded by the models already

            from pytest_account_links.api.generations.schema import SchemaError

            if not isinstance(exc, ValidationError | SchemaError):
                raise
            errors = exc.errors()
            problems = [_describe(error, version, removed or {}) for error in errors[:_MOST]]
            if len(errors) > _MOST:
                problems.append(f"and {len(errors) - _MOST} more problems")
            raise InvalidBody(problems) from None

    def error_body(
        self,
        spec: ErrorSpec,
        message: str | None,
        extras: dict[str, Any],
        context: ErrorContext | None = None,
    ) -> Any:
        """``{"error": {"type"?, "code", "message", "user_message"?, ...}}``."""
        extras = dict(extras)
        error: dict[str, Any] = {}
        if spec.type is not None:
            error["type"] = spec.type
        error["code"] = spec.code
        error["message"] = message if message is not None else spec.message
        if spec.user_message is not None:
            error["user_message"] = extras.pop("user_message", None) or spec.user_message
        for name, default in spec.extras.items():
            # A copy of the catalogue's default: a test changing its answer changes no other.
            error[name] = extras.pop(name) if name in extras else copy.deepcopy(default)
        error.update(extras)
        return {"error": error}

    def timestamp(self, moment: datetime) -> str:
        return rfc3339(moment)

    def takes_version(self, version: ApiVersion) -> bool:
        """API v2 came with ``2024-09-30.acacia``: dated versions before it have no v2."""
        return version.kind != "dated"


V2 = V2Generation()


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if len(part) <= 80 else f"{part[:77]}..."
            text += f".{name}" if text else name
    return text


def _describe(
    error: ErrorDetails | dict[str, Any], version: ApiVersion, removed: Mapping[str, str]
) -> str:
    kind = error["type"]
    loc = error["loc"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if not loc and kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"request body must be a JSON object, not {_json_kind(error['input'])}"
    if kind in ("missing_sub_object", "unexpected_sub_object"):
        # Raised by a model validator: the field it names sits below the model's path.
        loc = (*loc, ctx["field"])
        return f"{_path(loc)}: {error['msg'].split(': ', 1)[1]}"
    path = _path(loc)
    if kind == "extra_forbidden" and loc and str(loc[-1]) in removed:
        return (
            f"{path}: unknown field (removed in API version {removed[str(loc[-1])]}, "
            f"this request uses {version.raw})"
        )
    if kind == "literal_error" or kind == "enum":
        return f"{path}: invalid value {_shown(error['input'])} (expected {ctx['expected']})"
    if kind == "too_short":
        return f"{path}: must not be empty"
    if kind in _PLAIN:
        return f"{path}: {_PLAIN[kind]}"
    return f"{path}: {error['msg']}"


def _shown(value: object, limit: int = 80) -> str:
    """A value as a message quotes it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "null"
    return type(value).__name__
