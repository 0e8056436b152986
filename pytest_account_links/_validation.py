"""Validate a request body as Stripe does and word the failures as Stripe does.

Stripe's v2 validation messages read ``<field path>: <problem>``, for example
``use_case.account_onboarding.refresh_url: required request field missing`` or
``return_url: unknown field``. This module turns pydantic's errors into those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from pytest_account_links._versions import CONFIGURATIONS_REMOVED_IN
from pytest_account_links.models import AccountLinkCreateParams, LegacyAccountLinkCreateParams

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

    from pytest_account_links._versions import ApiVersion

_PLAIN = {
    "missing": "required request field missing",
    "extra_forbidden": "unknown field",
    "string_type": "expected a string",
    "list_type": "expected an array",
    "model_type": "expected an object",
    "model_attributes_type": "expected an object",
    "dict_type": "expected an object",
}


class InvalidBody(Exception):
    """The body cannot be a valid request; ``problems`` are Stripe-worded messages."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def parse_params(body: bytes, version: ApiVersion) -> AccountLinkCreateParams:
    """Validate ``body`` under the rules of ``version``; raise :class:`InvalidBody`."""
    model = (
        LegacyAccountLinkCreateParams if version.takes_configurations else AccountLinkCreateParams
    )
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        raise InvalidBody([_describe(error, version) for error in exc.errors()]) from None


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _describe(error: ErrorDetails, version: ApiVersion) -> str:
    kind = error["type"]
    loc = error["loc"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    if not loc and kind == "json_invalid":
        return f"request body is not valid JSON ({ctx.get('error', 'unreadable')})"
    if not loc and kind in ("model_type", "model_attributes_type"):
        return f"request body must be a JSON object, not {_json_kind(error['input'])}"
    if kind in ("missing_sub_object", "unexpected_sub_object"):
        # Raised by a model validator: the field it names sits below the model's path.
        loc = (*loc, ctx["field"])
        return f"{_path(loc)}: {error['msg'].split(': ', 1)[1]}"
    path = _path(loc)
    if kind == "extra_forbidden" and loc and loc[-1] == "configurations":
        return (
            f"{path}: unknown field (removed in API version {CONFIGURATIONS_REMOVED_IN}, "
            f"this request uses {version.raw})"
        )
    if kind == "literal_error":
        got = error["input"]
        return f"{path}: invalid value {got!r} (expected {ctx['expected']})"
    if kind == "too_short":
        return f"{path}: must not be empty"
    if kind in _PLAIN:
        return f"{path}: {_PLAIN[kind]}"
    return f"{path}: {error['msg']}"


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
