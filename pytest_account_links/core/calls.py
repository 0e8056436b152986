"""What the fake saw: each exchange, in order, for the test to assert on.

:class:`CallLog` keeps every exchange of a test, and each endpoint's apart, so
that reading ``account_links.calls`` (the Account Link calls) or
``account_links.all_calls`` (every exchange) costs the same however many calls
the test made.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from pytest_account_links.core.secrets import redact

if TYPE_CHECKING:
    import threading


@dataclass(frozen=True, repr=False)
class Call:
    """One exchange with the fake.

    ``request`` is the validated body (a pydantic model), or ``None`` when the
    request was refused before or during validation; ``raw_body`` is what was sent
    and ``body`` the same parsed (or, when it cannot be parsed, its text).
    ``headers`` are lower-case. Every secret key in the URL, the headers, the
    body and the answer is masked (``Bearer sk_test_...4olf``).
    """

    method: str
    url: str
    headers: dict[str, str]
    raw_body: bytes
    request: Any
    status: int
    #: The answer's body (``{}`` when the call failed below HTTP).
    response: Any
    api_version: str
    request_id: str
    #: ``"connection_refused"`` or ``"read_timeout"`` when the call failed below HTTP.
    fault: str | None = None
    #: What injected the failure (``"@stripe_error"``, ``"fail_next"``, ``"script"``, ...).
    injected: str | None = None
    #: The body as sent: parsed, or the text when it cannot be parsed.
    body: Any = None
    #: The endpoint that answered (``"v2.core.account_links.create"``, ...).
    endpoint: str = "v2.core.account_links.create"
    #: The answer's headers (``Request-Id``, ``Idempotent-Replayed``, ...).
    response_headers: dict[str, str] = field(default_factory=dict)
    #: True when the answer replayed an earlier one for the same idempotency key.
    replayed: bool = False
    #: The account the exchange is about, as the pipeline found it (the path's, the
    #: body's ``account``, or the one an answer created).
    account_id: str | None = None
    #: The catalogue code of the fake's error answer, whether or not its body carries it
    #: (API v1 answers carry no code where the code is the fake's choice).
    code: str | None = None

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
