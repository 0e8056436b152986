"""Validate a request body as Stripe does and word the failures as Stripe does.

Stripe's v2 validation messages read ``<field path>: <problem>``, for example
``use_case.account_onboarding.refresh_url: required request field missing`` or
``return_url: unknown field``. This module turns pydantic's errors into those.
"""

from __future__ import annotations

import json
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


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


class Body:
    """A request body, parsed as JSON once for every stage that reads it.

    ``value`` is the parsed JSON, or ``None`` with ``problem`` saying why the
    body is not JSON (not UTF-8, malformed, nested too deeply, ...).
    """

    __slots__ = ("problem", "raw", "value")

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.value: Any = None
        self.problem: str | None = None
        if not raw.strip():
            self.problem = "request body is not valid JSON (it is empty)"
            return
        try:
            self.value = json.loads(raw, parse_constant=_no_constants)
        except RecursionError:
            self.problem = "request body is not valid JSON (nested too deeply)"
        except UnicodeDecodeError:
            self.problem = "request body is not valid JSON (it is not UTF-8)"
        except ValueError as exc:
            self.problem = f"request body is not valid JSON ({exc})"

    @property
    def comparable(self) -> Any:
        """What two requests are compared by: the JSON they mean, else their bytes."""
        return self.raw if self.problem is not None else self.value

    def field(self, name: str) -> str | None:
        """A top-level string field of a body not yet validated, or None."""
        value = self.value.get(name) if isinstance(self.value, dict) else None
        return value if isinstance(value, str) else None


def parse_params(body: Body, version: ApiVersion) -> AccountLinkCreateParams:
    """Validate ``body`` under the rules of ``version``; raise :class:`InvalidBody`."""
    if body.problem is not None:
        raise InvalidBody([body.problem])
    model = (
        LegacyAccountLinkCreateParams if version.takes_configurations else AccountLinkCreateParams
    )
    try:
        return model.model_validate(body.value)
    except ValidationError as exc:
        errors = exc.errors()
        problems = [_describe(error, version) for error in errors[:_MOST]]
        if len(errors) > _MOST:
            problems.append(f"and {len(errors) - _MOST} more problems")
        raise InvalidBody(problems) from None
    except RecursionError:  # pragma: no cover - json.loads refuses such depth first
        raise InvalidBody(["request body is nested too deeply"]) from None


#: At most this many problems are listed in one message (the rest are counted).
_MOST = 10


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            name = part if len(part) <= 80 else f"{part[:77]}..."
            text += f".{name}" if text else name
    return text


def _describe(error: ErrorDetails, version: ApiVersion) -> str:
    kind = error["type"]
    loc = error["loc"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
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
