"""What the fake saw: each exchange, in order, for the test to assert on.

:class:`CallLog` keeps every exchange of a test, and each endpoint's apart, so
that reading ``account_links.calls`` (the Account Link calls) or
``account_links.all_calls`` (every exchange) costs the same however many calls
the test made.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import FrozenInstanceError
from typing import TYPE_CHECKING, Any, NamedTuple, overload
from urllib.parse import unquote

from pytest_account_links.core.secrets import mask_authorization, redact, redact_bytes

if TYPE_CHECKING:
    from collections.abc import Callable

    from pytest_account_links.core.wire import WireRequest


#: The fields a call sets as it is recorded, in the order :meth:`Call._fill` takes them.
_EAGER = (
    "method",
    "status",
    "response",
    "api_version",
    "request_id",
    "fault",
    "injected",
    "endpoint",
    "replayed",
    "account_id",
    "code",
)
#: Held while a call works out what it shows, the first time it is read.
_READING = threading.Lock()


class _Shown(NamedTuple):
    """What a call shows of its request, every key masked: worked out when first read."""

    url: str
    headers: dict[str, str]
    raw_body: bytes
    body: Any
    request: Any
    response_headers: dict[str, str]


class _Sent:
    """The request as it came, keys and all, until a :class:`Call` is first read.

    Private, and never shown: its repr says nothing of what it holds. The bytes and
    the header values are immutable, and the headers dict is the adapter's own, made
    for this request, so nothing the application does after the call changes it.
    """

    __slots__ = ("headers", "params", "parse", "query", "raw_body", "response_headers", "url")

    def __init__(
        self,
        request: WireRequest,
        params: Any,
        parse: Callable[[bytes], Any],
        query: Any,
        response_headers: dict[str, str],
    ) -> None:
        self.url = request.url
        self.headers = request.headers
        self.raw_body = request.body
        self.params = params
        self.parse = parse
        self.query = query
        self.response_headers = response_headers

    def __repr__(self) -> str:
        return "<a call as sent: read it from the Call, masked>"

    def shown(self) -> _Shown:
        """Every field a key could be in, masked: the URL, the headers, the body (bytes
        and parsed), and the validated request wherever the key was."""
        raw = self.raw_body
        masked = redact_bytes(raw)
        body: Any = self.parse(masked)
        body = body.value if body.problem is None else masked.decode("utf-8", "replace")
        hidden = masked != raw  # a key in the bytes: the validated request holds it too
        if b"%" in masked or b"\\u" in masked:  # the only ways bytes hide a key
            body, escaped = _masked(body)
            hidden = hidden or escaped
        url = _masked_url(self.url)
        if url != self.url or (self.query is not None and _masked(self.query.value)[1]):
            hidden = True  # the query's values are validated too (a list's filters)
        return _Shown(
            url=url,
            headers={
                name: mask_authorization(value) if name == "authorization" else redact(value)
                for name, value in self.headers.items()
            },
            raw_body=masked,
            body=body,
            request=_masked_params(self.params) if hidden else self.params,
            response_headers=dict(self.response_headers),
        )


class Call:
    """One exchange with the fake.

    ``request`` is the validated body (a pydantic model), or ``None`` when the
    request was refused before or during validation; ``raw_body`` is what was sent
    and ``body`` the same parsed (or, when it cannot be parsed, its text).
    ``headers`` are lower-case. Every secret key in the URL, the headers, the
    body and the answer is masked (``Bearer sk_test_...4olf``).

    Read-only. The fake records a call as it answers it and works out what it shows
    (the masked URL, headers and body) when it is first read: the answer costs less,
    and what the call shows is the same whenever it is read.
    """

    __slots__ = (
        "_sent",
        "_shown",
        "account_id",
        "api_version",
        "code",
        "endpoint",
        "fault",
        "injected",
        "method",
        "replayed",
        "request_id",
        "response",
        "status",
    )

    _shown: _Shown | None
    _sent: _Sent | None
    method: str
    status: int
    #: The answer's body (``{}`` when the call failed below HTTP).
    response: Any
    api_version: str
    request_id: str
    #: ``"connection_refused"`` or ``"read_timeout"`` when the call failed below HTTP.
    fault: str | None
    #: What injected the failure (``"@stripe_error"``, ``"fail_next"``, ``"script"``, ...).
    injected: str | None
    #: The endpoint that answered (``"v2.core.account_links.create"``, ...).
    endpoint: str
    #: True when the answer replayed an earlier one for the same idempotency key.
    replayed: bool
    #: The account the exchange is about, as the pipeline found it (the path's, the
    #: body's ``account``, or the one an answer created).
    account_id: str | None
    #: The catalogue code of the fake's error answer, whether or not its body carries it
    #: (API v1 answers carry no code where the code is the fake's choice).
    code: str | None

    def __init__(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        raw_body: bytes,
        request: Any,
        status: int,
        response: Any,
        api_version: str,
        request_id: str,
        fault: str | None = None,
        injected: str | None = None,
        body: Any = None,
        endpoint: str = "v2.core.account_links.create",
        response_headers: dict[str, str] | None = None,
        replayed: bool = False,
        account_id: str | None = None,
        code: str | None = None,
    ) -> None:
        shown = _Shown(url, headers, raw_body, body, request, response_headers or {})
        eager = (method, status, response, api_version, request_id)
        self._fill(shown, None, (*eager, fault, injected, endpoint, replayed, account_id, code))

    @classmethod
    def _record(
        cls,
        sent: _Sent,
        *,
        method: str,
        status: int,
        response: Any,
        api_version: str,
        request_id: str,
        fault: str | None,
        injected: str | None,
        endpoint: str,
        replayed: bool,
        account_id: str | None,
        code: str | None,
    ) -> Call:
        """A call the pipeline recorded: what it shows of ``sent`` is masked when read."""
        call = cls.__new__(cls)
        eager = (method, status, response, api_version, request_id)
        call._fill(None, sent, (*eager, fault, injected, endpoint, replayed, account_id, code))
        return call

    def _fill(self, shown: _Shown | None, sent: _Sent | None, eager: tuple[Any, ...]) -> None:
        setter = object.__setattr__
        setter(self, "_shown", shown)
        setter(self, "_sent", sent)
        for name, value in zip(_EAGER, eager, strict=True):
            setter(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _fields(self) -> _Shown:
        shown = self._shown
        if shown is None:
            with _READING:  # one reader works it out; the others read the same
                shown = self._shown
                if shown is None:
                    assert self._sent is not None
                    shown = self._sent.shown()
                    object.__setattr__(self, "_shown", shown)
                    object.__setattr__(self, "_sent", None)  # the keys go with it
        return shown

    def _values(self) -> tuple[Any, ...]:
        shown = self._fields()
        return (
            self.method,
            shown.url,
            shown.headers,
            shown.raw_body,
            shown.request,
            self.status,
            self.response,
            self.api_version,
            self.request_id,
            self.fault,
            self.injected,
            shown.body,
            self.endpoint,
            shown.response_headers,
            self.replayed,
            self.account_id,
            self.code,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Call)
        return self is other or self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # (mutable fields: as a frozen dataclass's)

    def __reduce__(self) -> tuple[Any, ...]:
        # Copied or pickled, a call carries what it shows, never a key.
        return (_rebuilt, (self._values(),))

    @property
    def url(self) -> str:
        """The URL, as sent (any key in it masked)."""
        return self._fields().url

    @property
    def headers(self) -> dict[str, str]:
        """The request's headers, lower-case names, every key masked."""
        return self._fields().headers

    @property
    def raw_body(self) -> bytes:
        """The body's bytes, as sent (any key in them masked)."""
        return self._fields().raw_body

    @property
    def body(self) -> Any:
        """The body as sent: parsed, or the text when it cannot be parsed."""
        return self._fields().body

    @property
    def request(self) -> Any:
        """The validated body (a pydantic model), or ``None`` when the request was
        refused before or during validation."""
        return self._fields().request

    @property
    def response_headers(self) -> dict[str, str]:
        """The answer's headers (``Request-Id``, ``Idempotent-Replayed``, ...)."""
        return self._fields().response_headers

    def __repr__(self) -> str:
        return redact(
            f"<Call {self.endpoint} {self.method} {self.url} -> {self.outcome}"
            + (f" account={self.account}>" if self.account else ">")
        )

    @property
    def outcome(self) -> str:
        """``200``, ``404 not_found``, or the transport fault (``connection_refused``)."""
        if self.fault is not None:
            return self.fault
        return f"{self.status} {self.error_code}" if self.error_code else str(self.status)

    @property
    def ok(self) -> bool:
        """True when the fake answered 2xx."""
        return 200 <= self.status < 300

    @property
    def error_code(self) -> str | None:
        """The ``error.code`` of an error answer (or the catalogue code the fake answered
        with, where the body carries none)."""
        error = self.response.get("error") if isinstance(self.response, dict) else None
        found = error.get("code") if isinstance(error, dict) else None
        return found if isinstance(found, str) else self.code

    @property
    def account(self) -> str | None:
        """The account the request named, valid or not (or the one it created)."""
        if self.account_id is not None:
            return self.account_id
        if self.request is not None:
            account = getattr(self.request, "account", None)
            if isinstance(account, str):
                return account
        body = self.body
        account = body.get("account") if isinstance(body, dict) else None
        return account if isinstance(account, str) else None

    @property
    def idempotency_key(self) -> str | None:
        """The ``Idempotency-Key`` header the client sent."""
        return self.headers.get("idempotency-key")

    @property
    def sent(self) -> dict[str, Any]:
        """The request's fields as a dict: the validated model's, else the raw body's."""
        to_wire = getattr(self.request, "to_wire", None)
        if to_wire is not None:
            sent: dict[str, Any] = to_wire()
            return sent
        body = self.body
        return body if isinstance(body, dict) else {}


class CallLog:
    """Every exchange of one test, each endpoint's, and each group's, oldest first."""

    def __init__(self, lock: threading.RLock) -> None:
        self.lock = lock
        self.every: list[Call] = []
        self.by_endpoint: dict[str, list[Call]] = {}
        #: The calls of each group of endpoints a view asked for, by group, oldest first.
        self.by_group: dict[frozenset[str], list[Call]] = {}

    def add(self, call: Call) -> None:
        with self.lock:
            self.every.append(call)
            self.by_endpoint.setdefault(call.endpoint, []).append(call)
            for group, calls in self.by_group.items():
                if call.endpoint in group:
                    calls.append(call)

    def view(self, endpoint: str | tuple[str, ...] | None = None) -> CallList:
        """The calls to ``endpoint`` (to any of several, for a tuple; every call, for None)."""
        if isinstance(endpoint, tuple):
            group = frozenset(endpoint)
            with self.lock:
                if group not in self.by_group:
                    self.by_group[group] = [c for c in self.every if c.endpoint in group]
        return CallList(self, endpoint)


class CallList(Sequence[Call]):
    """The calls made to the fake during one test (to one endpoint, a few, or all), oldest
    first.

    Safe across threads; a view, so it grows as the test makes calls.
    """

    def __init__(self, log: CallLog, endpoint: str | tuple[str, ...] | None = None) -> None:
        self._log = log
        self._endpoint = endpoint

    @property
    def _calls(self) -> list[Call]:
        endpoint = self._endpoint
        if endpoint is None:
            return self._log.every
        if isinstance(endpoint, tuple):
            return self._log.by_group[frozenset(endpoint)]
        return self._log.by_endpoint.get(endpoint, [])

    @overload
    def __getitem__(self, index: int) -> Call: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Call]: ...
    def __getitem__(self, index: int | slice) -> Call | Sequence[Call]:
        with self._log.lock:
            return self._calls[index]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        with self._log.lock:
            snapshot = list(self._calls)
        return iter(snapshot)

    def __repr__(self) -> str:
        what = f" to {self._named()}" if self._endpoint else ""
        return f"<CallList: {len(self)} call(s){what}>"

    def _named(self) -> str:
        endpoint = self._endpoint
        return " or ".join(endpoint) if isinstance(endpoint, tuple) else str(endpoint)

    @property
    def last(self) -> Call:
        """The most recent call; fails the test when there was none."""
        __tracebackhide__ = True
        with self._log.lock:
            calls = self._calls
            if not calls:
                raise AssertionError(
                    f"pytest-account-links: no call was made{self._to()}{self._elsewhere()}"
                )
            return calls[-1]

    def _to(self) -> str:
        return f" to {self._named()}" if self._endpoint else " to the fake"

    def _elsewhere(self) -> str:
        """Where the test's calls went instead, when this view has none of them."""
        if self._endpoint is None or len(self):
            return ""
        others = self._log.every
        if not others:
            return ""
        listing = redact(
            "\n".join(f"  {c.endpoint}: {c.method} {c.url} -> {c.outcome}" for c in others[:10])
        )
        more = f"\n  ... and {len(others) - 10} more" if len(others) > 10 else ""
        return (
            f"; the fake saw {len(others)} other call(s) (account_links.all_calls, or "
            f"account_links.calls_to(endpoint) for one endpoint's):\n{listing}{more}"
        )

    def assert_call_count(self, count: int) -> None:
        """Fail unless exactly ``count`` calls were made."""
        __tracebackhide__ = True
        if len(self) != count:
            raise AssertionError(
                f"pytest-account-links: expected {count} call(s){self._to()}, got {len(self)}"
                + (f":\n{self._listing()}" if len(self) else self._elsewhere())
            )

    def assert_not_called(self) -> None:
        """Fail unless no call was made."""
        __tracebackhide__ = True
        if len(self):
            raise AssertionError(
                f"pytest-account-links: expected no call{self._to()}, got {len(self)}:\n"
                f"{self._listing()}"
            )

    def assert_called_once_with(self, **fields: Any) -> Call:
        """Fail unless exactly one call was made and it sent ``fields``; return that call.

        Only the fields given are compared, nested objects by their given keys
        (``use_case={"type": "account_update"}`` matches whatever else
        ``use_case`` holds). A mismatch shows a diff of expected against sent.
        """
        __tracebackhide__ = True
        if len(self) != 1:
            raise AssertionError(
                f"pytest-account-links: expected exactly 1 call{self._to()}, got {len(self)}"
                + (f":\n{self._listing()}" if len(self) else self._elsewhere())
            )
        call = self[0]
        sent = _narrow(call.sent, fields)
        if sent != fields:
            raise AssertionError(
                "pytest-account-links: the call did not send the expected fields "
                "(- expected, + sent):\n" + redact(_diff(fields, sent))
            )
        return call

    def _listing(self) -> str:
        return redact(
            "\n".join(
                f"  {n}. {c.method} {c.url} -> {c.outcome}"
                + (f" account={c.account}" if c.account else "")
                for n, c in enumerate(self, 1)
            )
        )


_MISSING = "<missing>"


def _narrow(actual: Any, expected: Any) -> Any:
    """``actual`` restricted to the keys ``expected`` names, recursively."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        return {key: _narrow(actual.get(key, _MISSING), want) for key, want in expected.items()}
    return actual


def _diff(expected: Any, actual: Any) -> str:
    import difflib

    def lines(value: Any) -> list[str]:
        return json.dumps(value, indent=2, sort_keys=True, default=str).splitlines()

    return "\n".join(
        line for line in difflib.ndiff(lines(expected), lines(actual)) if not line.startswith("?")
    )


def _rebuilt(values: tuple[Any, ...]) -> Call:
    """A call again from its shown values (unpickling, copying)."""
    return Call(*values)


def _masked_url(url: str) -> str:
    """The URL with every key masked, one percent-encoding hid too (then shown decoded)."""
    masked = redact(url)
    if "%" in masked:
        decoded = unquote(masked)
        if redact(decoded) != decoded:
            return redact(decoded)
    return masked


def _masked(value: Any) -> tuple[Any, bool]:
    """``value`` (a parsed body) with every key in its text masked, and whether one was:
    a key the bytes hid (percent-encoded in a form, ``\\u``-escaped in JSON) shows once
    parsed."""
    if isinstance(value, str):
        masked = redact(value)
        return masked, masked != value
    if isinstance(value, dict):
        found = [(_masked(name), _masked(item)) for name, item in value.items()]
        if any(name[1] or item[1] for name, item in found):
            return {name[0]: item[0] for name, item in found}, True
        return value, False
    if isinstance(value, list):
        items = [_masked(item) for item in value]
        if any(hidden for _, hidden in items):
            return [item for item, _ in items], True
        return value, False
    return value, False


def _masked_params(params: Any) -> Any:
    """The validated request with every key masked (a body held one): a dict masked as is;
    a pydantic model validated again from its masked fields (None if it cannot be)."""
    dump = getattr(params, "model_dump", None)
    if dump is None:
        return _masked(params)[0]
    try:
        return type(params).model_validate(_masked(dump(mode="json", exclude_unset=True))[0])
    except ValueError:
        return None
