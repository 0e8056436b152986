"""What the fake saw: each exchange, in order, for the test to assert on."""

from __future__ import annotations

import difflib
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from pytest_account_links._secrets import redact

if TYPE_CHECKING:
    from pytest_account_links.models import AccountLinkCreateParams


@dataclass(frozen=True, repr=False)
class Call:
    """One exchange with the fake.

    ``request`` is the validated body (a pydantic model), or ``None`` when the
    request was refused before or during validation; ``raw_body`` is what was sent
    and ``body`` the same parsed as JSON (or, when it is not JSON, its text).
    ``headers`` are lower-case. Every secret key in the URL, the headers and the
    body is masked (``Bearer sk_test_...4olf``).
    """

    method: str
    url: str
    headers: dict[str, str]
    raw_body: bytes
    request: AccountLinkCreateParams | None
    status: int
    response: dict[str, Any]
    api_version: str
    request_id: str
    #: ``"connection_refused"`` or ``"read_timeout"`` when the call failed below HTTP.
    fault: str | None = None
    #: What injected the failure (``"@stripe_error"``, ``"fail_next"``, ``"script"``, ...).
    injected: str | None = None
    #: The body as sent: parsed JSON, or the text when it is not JSON.
    body: Any = None

    def __repr__(self) -> str:
        return redact(f"<Call {self.method} {self.url} -> {self.outcome} account={self.account}>")

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
        """The ``error.code`` of an error answer."""
        error = self.response.get("error")
        return error.get("code") if isinstance(error, dict) else None

    @property
    def account(self) -> str | None:
        """The account the request named, valid or not."""
        if self.request is not None:
            return self.request.account
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
        if self.request is not None:
            return self.request.to_wire()
        body = self.body
        return body if isinstance(body, dict) else {}


class CallList(Sequence[Call]):
    """The calls made to the fake during one test, oldest first. Safe across threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[Call] = []

    def _append(self, call: Call) -> None:
        with self._lock:
            self._calls.append(call)

    @overload
    def __getitem__(self, index: int) -> Call: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Call]: ...
    def __getitem__(self, index: int | slice) -> Call | Sequence[Call]:
        with self._lock:
            return self._calls[index]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[Call]:
        with self._lock:
            snapshot = list(self._calls)
        return iter(snapshot)

    def __repr__(self) -> str:
        return f"<CallList: {len(self)} call(s)>"

    @property
    def last(self) -> Call:
        """The most recent call; fails the test when there was none."""
        __tracebackhide__ = True
        with self._lock:
            if not self._calls:
                raise AssertionError("pytest-account-links: no call was made to the fake")
            return self._calls[-1]

    def assert_not_called(self) -> None:
        """Fail unless no call was made."""
        __tracebackhide__ = True
        if self._calls:
            raise AssertionError(
                f"pytest-account-links: expected no call, got {len(self)}:\n{self._listing()}"
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
                f"pytest-account-links: expected exactly 1 call, got {len(self)}"
                + (f":\n{self._listing()}" if self._calls else "")
            )
        call = self._calls[0]
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
    def lines(value: Any) -> list[str]:
        return json.dumps(value, indent=2, sort_keys=True, default=str).splitlines()

    return "\n".join(
        line for line in difflib.ndiff(lines(expected), lines(actual)) if not line.startswith("?")
    )
