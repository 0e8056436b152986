"""What differs between Stripe's API generations, as data an endpoint names.

An endpoint declares its generation (:data:`.v1.V1` or :data:`.v2.V2`); the
pipeline asks the generation, never the endpoint, how to read a body, how to
word a validation failure, how an error is enveloped, how a time is written,
which code a rate limit answers and which answers an idempotency key keeps.
So a v1 endpoint is one more module, not a copy of the v2 code.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from pytest_account_links.core.errors import ErrorSpec
    from pytest_account_links.core.versions import ApiVersion


_BRACKETS = re.compile(r"\[([^\]]*)\]")


def nested_keys(name: str, deepest: int | None = None) -> list[str]:
    """A form or query name's keys, brackets read as nesting (``created[gt]`` ->
    ``["created", "gt"]``); past ``deepest`` levels, the rest as one key."""
    head, bracket, rest = name.partition("[")
    keys = [head, *_BRACKETS.findall(bracket + rest)] if bracket else [name]
    if deepest is not None and len(keys) > deepest:
        keys = [*keys[: deepest - 1], "][".join(keys[deepest - 1 :])]
    return keys


def put(values: dict[str, Any], keys: list[str], value: str, *, next_index: bool = False) -> None:
    """Set ``value`` at the nested ``keys``; a name given twice becomes a list. With
    ``next_index``, an empty last key (``a[]=x``) is the next index."""
    *parents, last = keys
    target: dict[str, Any] = values
    for key in parents:
        nested = target.get(key)
        if not isinstance(nested, dict):
            nested = target[key] = {}
        target = nested
    if next_index and last == "" and parents:
        last = str(len(target))
    if last in target:
        existing = target[last]
        target[last] = [*existing, value] if isinstance(existing, list) else [existing, value]
    else:
        target[last] = value


class Body:
    """A request's body (or query), parsed once for every step that reads it.

    ``value`` is what it means (a dict for a valid body), or ``None`` with
    ``problem`` saying, in the generation's words, why it cannot be read.
    """

    __slots__ = ("problem", "raw", "value")

    def __init__(self, raw: bytes, value: Any = None, problem: str | None = None) -> None:
        self.raw = raw
        self.value = value
        self.problem = problem

    @property
    def comparable(self) -> Any:
        """What two requests are compared by (idempotency): what they mean, else their bytes."""
        return self.raw if self.problem is not None else self.value

    def field(self, name: str) -> str | None:
        """A top-level string field of a body not yet validated, or None."""
        value = self.value.get(name) if isinstance(self.value, dict) else None
        return value if isinstance(value, str) else None


class InvalidBody(Exception):
    """The body cannot be a valid request; ``problems`` are worded as Stripe words them."""

    def __init__(
        self, problems: list[str], param: str | None = None, code: str | None = None
    ) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
        #: The parameter the first problem is about (v1 errors carry it as ``param``).
        self.param = param
        #: The catalogue code of the answer (``parameter_missing``, ...); None: ``invalid_fields``.
        self.code = code


class ErrorContext(NamedTuple):
    """What an error envelope may say of the request it answers (v1's ``request_log_url``)."""

    request_id: str
    #: The key's mode, or None when no key could be read (the request is in no log).
    livemode: bool | None
    #: When it was answered, on the fake's clock.
    time: datetime


class Generation(Protocol):
    """One API generation: v1 (form bodies, Unix times) or v2 (JSON, RFC 3339)."""

    #: ``"v1"`` or ``"v2"``.
    name: str
    #: The ``Content-Type`` of its answers.
    content_type: str
    #: Whether its endpoints take restricted keys (``rk_...``) as well as secret keys.
    takes_restricted_keys: bool
    #: The catalogue code of an injected rate limit's 429.
    rate_limit_code: str
    #: Whether an idempotency key keeps a failed answer too (v1), or only a success (v2).
    keeps_failures: bool

    def parse_body(self, raw: bytes) -> Body:
        """Read a request body (or a query string's bytes)."""

    def parse_query(self, query: str) -> Body:
        """Read a URL's query string."""

    def validate(
        self, model: Any, body: Body, version: ApiVersion, removed: Mapping[str, str] | None
    ) -> Any:
        """``model`` validated from ``body``; raise :class:`InvalidBody` in Stripe's words.

        ``removed`` names fields an API version removed, with that version.
        """

    def error_body(
        self,
        spec: ErrorSpec,
        message: str | None,
        extras: dict[str, Any],
        context: ErrorContext | None = None,
    ) -> Any:
        """The error envelope of ``spec``, with ``message`` and ``extras`` over its defaults."""

    def timestamp(self, moment: datetime) -> Any:
        """A time as the generation writes it."""

    def takes_version(self, version: ApiVersion) -> bool:
        """True when endpoints of this generation exist under ``version`` at all."""
