"""The options of each marker and of its programmatic twin, validated and applied.

Whatever a user writes on a marker (or passes to ``fail_next()``, ``outage()``,
``rate_limit()``, ``accounts.add()``) either becomes a valid rule of the
test's fake or a :class:`MarkerError` that names the marker, what was wrong,
what is accepted, and the signature. Each options class knows how it applies
(:meth:`_Options.apply`). The table of markers is :mod:`._markers`.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from pytest_account_links.api.models import AccountId, Configuration
from pytest_account_links.core.errors import CATALOGUE
from pytest_account_links.core.hints import did_you_mean
from pytest_account_links.domain.scenarios import (
    ErrorRule,
    OutageKind,
    OutageRule,
    RateLimitRule,
    StubbedResponse,
    Window,
)
from pytest_account_links.harness.markers import BY_NAME, DEFAULT_ENDPOINT

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from pytest_account_links.domain.store import Store


class MarkerError(ValueError):
    """A marker (or a programmatic call) given arguments the plugin cannot use."""


def endpoint_names() -> tuple[str, ...]:
    from pytest_account_links.api.registry import BY_NAME as ENDPOINTS

    return tuple(ENDPOINTS)


def selected(endpoint: str | list[str] | tuple[str, ...]) -> frozenset[str] | None:
    """The endpoints an ``endpoint=`` argument selects (None: every one)."""
    if endpoint == "*":
        return None
    return frozenset([endpoint] if isinstance(endpoint, str) else endpoint)


def _check_endpoints(value: Any) -> Any:
    names = endpoint_names()
    for name in [value] if isinstance(value, str) else value:
        if name != "*" and name not in names:
            raise PydanticCustomError(
                "unknown_endpoint",
                "unknown endpoint {name}{hint}; faked endpoints: {known}, or '*' for all",
                {"name": repr(name), "hint": did_you_mean(name, names), "known": ", ".join(names)},
            )
    if not isinstance(value, str) and not value:
        raise PydanticCustomError("no_endpoint", "names no endpoint; give a name, or '*'", {})
    return value


#: The ``endpoint=`` argument of the failure markers: a name, a list of names, or ``"*"``.
EndpointArgument = Annotated[str | list[str], AfterValidator(_check_endpoints)]


class _Options(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    #: How the test declared it (``@pytest.mark.stripe_error('not_found')``), set by parse().
    _described: str = PrivateAttr(default="")

    #: The scenario's list a marker's rule goes to (None: the options apply otherwise).
    rules: ClassVar[str | None] = None

    def rule(self, source: str) -> Any:
        raise NotImplementedError  # pragma: no cover

    def apply(self, store: Store, source: str, *, first: bool = False, shown: str = "") -> None:
        """Add this marker's rule to the test's fake: first (a method call) or last.

        ``shown`` is how the test declared it, for the unused-failure message.
        """
        assert self.rules is not None
        rule = self.rule(source)
        rule.shown = shown or self._described or source
        with store.lock:
            rules: list[Any] = getattr(store.scenario, self.rules)
            rules.insert(0 if first else len(rules), rule)


class ErrorOptions(_Options):
    """``stripe_error``: answer a valid request with a catalogue error."""

    rules: ClassVar[str | None] = "errors"

    code: str
    message: str | None = None
    user_message: str | None = None
    applied_configurations: list[Configuration] | None = None
    times: int | None = Field(default=None, ge=1)
    after: int = Field(default=0, ge=0)
    should_retry: bool | None = None
    endpoint: EndpointArgument = DEFAULT_ENDPOINT

    @field_validator("code")
    @classmethod
    def _known(cls, code: str) -> str:
        if code not in CATALOGUE:
            raise PydanticCustomError(
                "unknown_code",
                "unknown code {code}{hint}; known codes: {known}",
                {
                    "code": repr(code),
                    "hint": did_you_mean(code, CATALOGUE),
                    "known": ", ".join(CATALOGUE),
                },
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

    def rule(self, source: str) -> ErrorRule:
        extras: dict[str, Any] = {}
        if self.user_message is not None:
            extras["user_message"] = self.user_message
        if self.applied_configurations is not None:
            extras["applied_configurations"] = list(self.applied_configurations)
        return ErrorRule(
            code=self.code,
            window=Window(after=self.after, times=self.times),
            message=self.message,
            extras=extras,
            should_retry=self.should_retry,
            source=source,
            endpoints=selected(self.endpoint),
        )


class OutageOptions(_Options):
    """``stripe_outage``: a 5xx answer, a refused connection or a read timeout."""

    rules: ClassVar[str | None] = "outages"

    kind: OutageKind = 503
    times: int | None = Field(default=None, ge=1)
    after: int = Field(default=0, ge=0)
    should_retry: bool | None = None
    endpoint: EndpointArgument = DEFAULT_ENDPOINT

    def rule(self, source: str) -> OutageRule:
        return OutageRule(
            kind=self.kind,
            window=Window(after=self.after, times=self.times),
            should_retry=self.should_retry,
            source=source,
            endpoints=selected(self.endpoint),
        )


#: The longest rate-limit window: a year.
_MAX_WINDOW = 365 * 24 * 3600


class RateLimitOptions(_Options):
    """``stripe_rate_limit``: 429 past ``limit`` calls within ``window`` seconds."""

    rules: ClassVar[str | None] = "rate_limits"

    limit: int = Field(ge=1)
    window: float | timedelta = 1.0
    per: Literal["account", "total"] = "account"
    should_retry: bool | None = None
    endpoint: EndpointArgument = DEFAULT_ENDPOINT

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
            endpoints=selected(self.endpoint),
        )


class ResponseOptions(_Options):
    """``stripe_response``: an answer given as is, like ``responses.add()``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=False)

    rules: ClassVar[str | None] = "responses"

    status_code: int = Field(default=200, ge=100, le=599)
    body_json: Any = Field(default=None, alias="json")
    text: str | None = None
    content: bytes | None = None
    headers: dict[str, str] | None = None
    times: int | None = Field(default=1, ge=1)
    endpoint: EndpointArgument = DEFAULT_ENDPOINT

    @model_validator(mode="after")
    def _one_body(self) -> ResponseOptions:
        given = [name for name in ("json", "text", "content") if self._raw(name) is not None]
        if len(given) > 1:
            raise PydanticCustomError(
                "one_body",
                "give at most one of json, text and content, got {given}",
                {"given": ", ".join(given)},
            )
        if self.body_json is not None:
            try:
                json.dumps(self.body_json)
            except (TypeError, ValueError) as problem:
                raise PydanticCustomError(
                    "not_json", "json: cannot be sent as JSON ({problem})", {"problem": problem}
                ) from None
        return self

    def _raw(self, name: str) -> Any:
        return self.body_json if name == "json" else getattr(self, name)

    def rule(self, source: str) -> StubbedResponse:
        headers = dict(self.headers or {})
        if self.body_json is not None:
            body = json.dumps(self.body_json).encode()
            headers.setdefault("Content-Type", "application/json")
        elif self.text is not None:
            body = self.text.encode("utf-8")
            headers.setdefault("Content-Type", "text/plain; charset=utf-8")
        else:
            body = self.content or b""
        return StubbedResponse(
            status=self.status_code,
            body=body,
            headers=headers,
            times=self.times,
            endpoints=selected(self.endpoint),
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
    platform_country: str | None = Field(default=None, pattern="^[A-Za-z]{2}$")

    @field_validator("accounts", mode="before")
    @classmethod
    def _ids_are_accounts(cls, accounts: Any) -> Any:
        if isinstance(accounts, list | tuple):
            return [{"id": item} if isinstance(item, str) else item for item in accounts]
        return accounts

    def apply(self, store: Store, source: str, *, first: bool = False, shown: str = "") -> None:
        """Accounts add up across scopes (the closest marker's details win for an ID named
        twice); ``v2_enabled`` and ``platform_country`` are the closest marker's."""
        with store.lock:
            accounts = store.accounts
            for spec in self.accounts:
                if spec.id is None or spec.id not in accounts:
                    accounts.declare(spec)
            if not accounts.v2_marked:
                accounts.v2_enabled = self.v2_enabled
                accounts.platform_country = (
                    self.platform_country.upper() if self.platform_country else None
                )
                accounts.v2_marked = True


_OPTIONS: dict[str, type[_Options]] = {
    "ErrorOptions": ErrorOptions,
    "OutageOptions": OutageOptions,
    "RateLimitOptions": RateLimitOptions,
    "ResponseOptions": ResponseOptions,
    "AccountsOptions": AccountsOptions,
}
_NESTED: dict[str, type[_Options]] = {"accounts": AccountSpec}


def parse(name: str, args: Sequence[Any], kwargs: Mapping[str, Any], *, shown: str) -> Any:
    """Validate the arguments of marker (or method) ``name``; ``shown`` names it in errors."""
    marker = BY_NAME[name]
    model = _OPTIONS[marker.options]
    positional = marker.positional
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
            options = model.model_validate({**bound, **kwargs})
        except ValidationError as exc:
            problem = "; ".join(_describe(error, model) for error in exc.errors())
        else:
            defaults = {
                (info.alias or name): info.default for name, info in model.model_fields.items()
            }
            options._described = described(shown, args, kwargs, defaults)
            return options
    raise MarkerError(f"pytest-account-links: {shown}: {problem}\n  signature: {marker.signature}")


def described(
    shown: str, args: Sequence[Any], kwargs: Mapping[str, Any], defaults: Mapping[str, Any]
) -> str:
    """How a marker or a method was called, for messages: ``@pytest.mark.x('a', times=2)``;
    arguments left at their defaults are left out."""
    given = [repr(arg) for arg in args]
    given += [f"{name}={value!r}" for name, value in kwargs.items() if value != defaults.get(name)]
    return f"{shown.removesuffix('()')}({', '.join(given)})"


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
    """One of pydantic's errors, in the words of a marker's misuse message."""
    loc = error["loc"]
    field = ".".join(str(part) for part in loc)
    return _describe_shape(error, model, field) or _describe_value(error, field)


def _describe_shape(error: Any, model: type[_Options], field: str) -> str | None:
    """A wrong argument, a missing one, or a nested item of the wrong shape."""
    kind, loc = error["type"], error["loc"]
    nested = _NESTED.get(str(loc[0])) if len(loc) > 2 else None
    if kind in ("model_type", "dict_type") and len(loc) == 2 and str(loc[0]) in _NESTED:
        item = _NESTED[str(loc[0])]
        return (
            f"{field}: expected an account ID or a dict of {', '.join(item.model_fields)}, "
            f"got {error.get('input')!r} ({type(error.get('input')).__name__})"
        )
    if kind == "extra_forbidden":
        accepted = list((nested or model).model_fields)
        name = str(loc[-1])
        where = f"{'.'.join(str(part) for part in loc[:-1])}: " if nested is not None else ""
        return (
            f"{where}unexpected argument {name!r}{did_you_mean(name, accepted)}; "
            f"accepted: {', '.join(accepted)}"
        )
    if kind == "missing":
        return f"missing required argument {field!r}"
    if not loc:
        return str(error["msg"])
    return None


#: Errors whose own message says it all, and those that read ``<field>: <message>``.
_OWN_MESSAGE = frozenset({"unknown_code", "not_applicable", "one_body", "not_json"})
_FIELD_MESSAGE = frozenset(
    {"not_positive", "invalid_account_id", "invalid_url", "unknown_endpoint", "no_endpoint"}
)


def _describe_value(error: Any, field: str) -> str:
    """A value the argument cannot take."""
    kind, got = error["type"], error.get("input")
    if kind in _OWN_MESSAGE:
        return str(error["msg"])
    if kind in _FIELD_MESSAGE:
        return f"{field}: {error['msg']}"
    if kind.startswith("literal_error"):
        return f"{field}: got {got!r}, expected {error['ctx']['expected']}"
    if kind in ("greater_than_equal", "greater_than"):
        limit = error["ctx"].get("ge", error["ctx"].get("gt"))
        return f"{field} must be an integer >= {limit}, got {got!r}"
    if field.split(".")[0] == "endpoint":
        return f"endpoint: expected an endpoint name, a list of them, or '*', got {got!r}"
    return f"{field}: {error['msg'].lower()}, got {got!r} ({type(got).__name__})"
