"""The report section a failed test carries: each exchange with the fake, in order."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pytest_account_links._secrets import redact

if TYPE_CHECKING:
    from pytest_account_links._fake import AccountLinksFake

_COLUMNS = (
    "#",
    "method",
    "path",
    "version",
    "idempotency key",
    "status",
    "error",
    "account",
    "key",
)


def _path(url: str) -> str:
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return url


def render(fake: AccountLinksFake) -> tuple[str, str]:
    """The section's title and text: a table of the calls, then the refused requests."""
    rows = [
        (
            str(number),
            call.method,
            _path(call.url),
            call.api_version,
            call.idempotency_key or "-",
            call.fault or str(call.status),
            (call.error_code or "-") + (f" ({call.injected})" if call.injected else ""),
            call.account or "-",
            call.headers.get("authorization", "-").removeprefix("Bearer "),
        )
        for number, call in enumerate(fake.calls, 1)
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
    for refused in fake.unfaked:
        lines.append(f"refused (not faked): {refused.method} {refused.url}")
    count = len(rows)
    title = f"account-links: {count} call{'s' if count != 1 else ''} (seed {fake.settings.seed})"
    return title, redact("\n".join(lines))


def render_safely(fake: AccountLinksFake) -> tuple[str, str]:
    """:func:`render`, or a one-line note of why it could not be: a report hook never raises."""
    try:
        return render(fake)
    except Exception as problem:  # the report must never stop the session
        return (
            "account-links",
            f"the report of the fake's calls could not be written ({type(problem).__name__}); "
            "account_links.calls has them all",
        )
