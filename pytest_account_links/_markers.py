"""The options of the failure markers and of their programmatic twins, validated.

``@pytest.mark.stripe_error(...)``, ``stripe_outage(...)`` and
``stripe_rate_limit(...)`` are read into the pydantic models below; whatever a
user writes on a marker either becomes a valid rule or a :class:`MarkerError`
that names the marker, what was wrong, and what is accepted.
"""

from __future__ import annotations

import difflib
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from pytest_account_links._scenarios import (
    ErrorRule,
    OutageKind,
    OutageRule,
    RateLimitRule,
    Window,
)
from pytest_account_links.errors import CATALOGUE
from pytest_account_links.models import AccountId, Configuration

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

SIGNATURES = {
    "stripe_error": (
        "stripe_error(code, *, message=None, user_message=None, applied_configurations=None, "
        "times=None, after=0, should_retry=None)"
    ),
    "stripe_outage": "stripe_outage(kind=503, *, times=None, after=0, should_retry=None)",
    "stripe_rate_limit": (
        "stripe_rate_limit(limit, *, window=1.0, per='account', should_retry=None)"
    ),
    "stripe_accounts": "stripe_accounts(*accounts, v2_enabled=True)",
}


class MarkerError(ValueError):
    """A marker (or a programmatic call) given arguments the plugin cannot use."""


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ErrorOptions(_Options):
    """``stripe_error``: answer a valid request with a catalogue error."""

    code: str
    message: str | None = None
    user_message: str | None = None
    applied_configurations: list[Configuration] | None = None
    times: int | None = Field(default=None, ge=1)
    after: int = Field(default=0, ge=0)
    should_retry: bool | None = None

    @field_validator("code")
    @classmethod
    def _known(cls, code: str) -> str:
        if code not in CATALOGUE:
            raise PydanticCustomError(
                "unknown_code",
                "unknown code {code}{hint}; known codes: {known}",
                {"code": repr(code), "hint": hint(code, CATALOGUE), "known": ", ".join(CATALOGUE)},
            )
        return code

    @model_validator(mode="after")
    def _applies(self) -> ErrorOptions:
        if self.applied_configurations is not None and "applied_configurations" not in (
            CATALOGUE[self.code].extras
        ):
            raise PydanticCustomError(
                "not_applicable",
                "applied_configurations only applies to configs_must_match_to_use_account_links, "
                "not to {code}",
                {"code": repr(self.code)},
            )
        return self

    def rule(self, source: str, *, seen: int = 0) -> ErrorRule:
        extras: dict[str, Any] = {}
        if self.user_message is not None:
            extras["user_message"] = self.user_message
        if self.applied_configurations is not None:
            extras["applied_configurations"] = list(self.applied_configurations)
        return ErrorRule(
            code=self.code,
            window=Window(after=self.after, times=self.times, seen=seen),
            message=self.message,
            extras=extras,
            should_retry=self.should_retry,
            source=source,
        )


class OutageOptions(_Options):
    """``stripe_outage``: a 5xx answer, a refused connection or a read timeout."""

    kind: OutageKind = 503
    times: int | None = Field(default=None, ge=1)
    after: int = Field(default=0, ge=0)
    should_retry: bool | None = None

    def rule(self, source: str, *, seen: int = 0) -> OutageRule:
        return OutageRule(
            kind=self.kind,
            window=Window(after=self.after, times=self.times, seen=seen),
            should_retry=self.should_retry,
            source=source,
        )


#: The longest rate-limit window: a year.
_MAX_WINDOW = 365 * 24 * 3600


class RateLimitOptions(_Options):
    """``stripe_rate_limit``: 429 past ``limit`` calls within ``window`` seconds."""

    limit: int = Field(ge=1)
    window: float | timedelta = 1.0
    per: Literal["account", "total"] = "account"
    should_retry: bool | None = None

    @field_validator("window")
    @classmethod
    def _positive(cls, window: float | timedelta) -> float | timedelta:
        seconds = window.total_seconds() if isinstance(window, timedelta) else window
        if not 0 < seconds <= _MAX_WINDOW:
            raise PydanticCustomError(
                "not_positive",
                "must be between 0 and {most} seconds (more than 0), got {got}",
                {"got": repr(window), "most": _MAX_WINDOW},
            )
        return window

    def rule(self, source: str) -> RateLimitRule:
        window = (
            self.window if isinstance(self.window, timedelta) else timedelta(seconds=self.window)
        )
        return RateLimitRule(
            limit=self.limit,
            window=window,
            per=self.per,
            should_retry=self.should_retry,
            source=source,
        )


class AccountSpec(_Options):
    """One account of ``stripe_accounts``: an ID, or a dict of these fields."""

    id: AccountId | None = None
    configurations: list[Configuration] = Field(default=["recipient"], min_length=1)
    display_name: str | None = None
    contact_email: str | None = None
    country: str | None = None


class AccountsOptions(_Options):
    """``stripe_accounts``: the platform's connected accounts."""

    accounts: list[AccountSpec] = Field(default_factory=list)
    v2_enabled: bool = True

    @field_validator("accounts", mode="before")
    @classmethod
    def _ids_are_accounts(cls, accounts: Any) -> Any:
        if isinstance(accounts, list | tuple):
            return [{"id": item} if isinstance(item, str) else item for item in accounts]
        return accounts


_MODELS: dict[str, tuple[type[_Options], tuple[str, ...]]] = {
    "stripe_error": (ErrorOptions, ("code",)),
    "stripe_outage": (OutageOptions, ("kind",)),
    "stripe_rate_limit": (RateLimitOptions, ("limit",)),
    "stripe_accounts": (AccountsOptions, ("*accounts",)),
}


_NESTED: dict[str, type[_Options]] = {"accounts": AccountSpec}


def parse(name: str, args: Sequence[Any], kwargs: Mapping[str, Any], *, shown: str) -> Any:
    """Validate the arguments of marker (or method) ``name``; ``shown`` names it in errors."""
    model, positional = _MODELS[name]
    if positional and positional[0].startswith("*"):  # every positional argument, as a list
        variadic = positional[0][1:]
        bound: dict[str, Any] = {variadic: list(args)} if args else {}
        problem = None
        if args and variadic in kwargs:
            problem = f"got {variadic!r} both positionally and by name"
    else:
        bound = dict(zip(positional, args, strict=False))
        problem = _bind(positional, args, kwargs)
    if problem is None:
        try:
            return model.model_validate({**bound, **kwargs})
        except ValidationError as exc:
            problem = "; ".join(_describe(error, model) for error in exc.errors())
    raise MarkerError(f"pytest-account-links: {shown}: {problem}\n  signature: {SIGNATURES[name]}")


def _bind(
    positional: tuple[str, ...], args: Sequence[Any], kwargs: Mapping[str, Any]
) -> str | None:
    if len(args) > len(positional):
        return (
            f"takes at most {len(positional)} positional argument ({', '.join(positional)}), "
            f"got {len(args)}: {', '.join(map(repr, args))}"
        )
    twice = [name for name in positional[: len(args)] if name in kwargs]
    if twice:
        return f"got {twice[0]!r} both positionally and by name"
    return None


def _describe(error: Any, model: type[_Options]) -> str:
    kind = error["type"]
    loc = error["loc"]
    field = ".".join(str(part) for part in loc)
    nested = _NESTED.get(str(loc[0])) if len(loc) > 2 else None
    accepted = list((nested or model).model_fields)
    if (
        kind in ("model_type", "dict_type")
        and nested is None
        and len(loc) == 2
        and (str(loc[0]) in _NESTED)
    ):
        item = _NESTED[str(loc[0])]
        return (
            f"{field}: expected an account ID or a dict of {', '.join(item.model_fields)}, "
            f"got {error.get('input')!r} ({type(error.get('input')).__name__})"
        )
    if kind == "extra_forbidden":
        name = str(loc[-1])
        return (
            f"unexpected argument {name!r}{hint(name, accepted)}; accepted: {', '.join(accepted)}"
        )
    if kind == "missing":
        return f"missing required argument {field!r}"
    if not loc:
        return str(error["msg"])
    got = error.get("input")
    if kind.startswith("literal_error"):
        return f"{field}: got {got!r}, expected {error['ctx']['expected']}"
    if kind in ("greater_than_equal", "greater_than"):
        limit = error["ctx"].get("ge", error["ctx"].get("gt"))
        return f"{field} must be an integer >= {limit}, got {got!r}"
    if kind in ("unknown_code", "not_applicable"):
        return str(error["msg"])
    if kind in ("not_positive", "invalid_account_id", "invalid_url"):
        return f"{field}: {error['msg']}"
    return f"{field}: {error['msg'].lower()}, got {got!r} ({type(got).__name__})"


def hint(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when ``name`` is close to one of ``known``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""
