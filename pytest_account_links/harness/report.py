"""What the fake tells the user: a failed test's report section, and the run's totals."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pytest_account_links.core.secrets import redact
from pytest_account_links.domain.scenarios import OUTAGE_CODES

if TYPE_CHECKING:
    from pytest_account_links.core.calls import Call
    from pytest_account_links.domain.store import Store

_COLUMNS = (
    "#",
    "endpoint",
    "path",
    "version",
    "idempotency key",
    "status",
    "error",
    "account",
    "key",
)

#: What each source of an injected failure injects (a script may inject either).
_KIND_OF_SOURCE = {
    "@stripe_error": "error",
    "fail_next": "error",
    "@stripe_outage": "outage",
    "outage": "outage",
    "@stripe_rate_limit": "rate_limit",
    "rate_limit": "rate_limit",
}
_OUTAGE_CODES = frozenset(OUTAGE_CODES.values())


def injected_kind(call: Call) -> str | None:
    """``"error"``, ``"outage"`` or ``"rate_limit"`` for an injected failure, else None."""
    if call.injected is None:
        return None
    kind = _KIND_OF_SOURCE.get(call.injected)
    if kind is not None:
        return kind
    return "outage" if call.fault is not None or call.error_code in _OUTAGE_CODES else "error"


def _path(url: str) -> str:
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return url


def render(store: Store) -> tuple[str, str]:
    """The section's title and text: a table of every exchange, then the refused requests."""
    with store.lock:
        calls = list(store.calls.every)
        refused = list(store.unfaked)
    rows = [
        (
            str(number),
            call.endpoint,
            _path(call.url),
            call.api_version,
            call.idempotency_key or "-",
            call.fault or str(call.status),
            (call.error_code or "-") + (f" ({call.injected})" if call.injected else ""),
            call.account or "-",
            call.headers.get("authorization", "-").removeprefix("Bearer "),
        )
        for number, call in enumerate(calls, 1)
    ]
    lines: list[str] = []
    if rows:
        widths = [max(len(row[i]) for row in (_COLUMNS, *rows)) for i in range(len(_COLUMNS))]
        for row in (_COLUMNS, *rows):
            lines.append(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )
    else:
        lines.append("no call reached the fake")
    for request in refused:
        lines.append(f"refused (not faked): {request.method} {request.url}")
    count = len(rows)
    title = f"account-links: {count} call{'s' if count != 1 else ''} (seed {store.settings.seed})"
    return title, redact("\n".join(lines))


def render_safely(store: Store) -> tuple[str, str]:
    """:func:`render`, or a one-line note of why it could not be: a report hook never raises."""
    try:
        return render(store)
    except Exception as problem:  # the report must never stop the session
        return (
            "account-links",
            f"the report of the fake's calls could not be written ({type(problem).__name__}); "
            "account_links.all_calls has them all",
        )


def totals(store: Store) -> dict[str, Any]:
    """Counts for the session's summary line: calls, injected errors by code, outages,
    rate-limited calls."""
    errors: Counter[str] = Counter()
    outages = rate_limited = 0
    with store.lock:
        calls = list(store.calls.every)
    for call in calls:
        kind = injected_kind(call)
        if kind == "outage":
            outages += 1
        elif kind == "rate_limit":
            rate_limited += 1
        elif kind == "error" and call.error_code:
            errors[call.error_code] += 1
    return {
        "calls": len(calls),
        "errors": dict(errors),
        "outages": outages,
        "rate_limited": rate_limited,
    }
