"""The plugin's markers: one table, read by ``pytest --markers``, validation and the fake.

Each row names the marker, its signature and description (what ``pytest
--markers`` shows), the options class that validates its arguments and applies
it to the test's fake (in :mod:`._marker_options`, loaded only when a test uses
one), and which arguments may be given positionally. The signature's parameters
are the options class's fields (``tests/test_markers.py`` checks that they
agree). Loaded with the plugin: standard library only.
"""

from __future__ import annotations

from typing import NamedTuple

#: The endpoint a failure marker applies to unless it names others (``endpoint=``).
DEFAULT_ENDPOINT = "v2.core.account_links.create"
#: What ``account_links.calls`` holds: the Account Link creations of API v2 and v1.
LINK_CREATIONS = (DEFAULT_ENDPOINT, "v1.account_links.create")

#: The settings marker: any of the plugin's settings, for the tests it marks.
SETTINGS_MARKER = "account_links"


class Marker(NamedTuple):
    """One marker of the plugin."""

    name: str
    #: As ``pytest --markers`` shows it.
    signature: str
    #: One line, as ``pytest --markers`` shows it.
    description: str
    #: The class in :mod:`._marker_options` that validates and applies it.
    options: str
    #: The arguments it takes positionally, in order (``"*name"``: all of them, as a list).
    positional: tuple[str, ...]


_ENDPOINT = f"endpoint='{DEFAULT_ENDPOINT}'"

MARKERS: tuple[Marker, ...] = (
    Marker(
        "stripe_error",
        "stripe_error(code, *, message=None, user_message=None, applied_configurations=None, "
        f"times=None, after=0, should_retry=None, {_ENDPOINT})",
        "answer valid requests to `endpoint` (a name, a list, or '*') with Stripe error `code` "
        "(all calls, or `times` calls after the first `after`); uses the account_links fake.",
        "ErrorOptions",
        ("code",),
    ),
    Marker(
        "stripe_outage",
        f"stripe_outage(kind=503, *, times=None, after=0, should_retry=None, {_ENDPOINT})",
        "fail calls to `endpoint` with a 500/502/503/504 answer or a 'connection_refused' / "
        "'read_timeout' transport error; uses the account_links fake.",
        "OutageOptions",
        ("kind",),
    ),
    Marker(
        "stripe_rate_limit",
        f"stripe_rate_limit(limit, *, window=1.0, per='account', should_retry=None, {_ENDPOINT})",
        "answer 429 (account_rate_limit_exceeded; rate_limit on v1) past `limit` calls to "
        "`endpoint` within `window` seconds of the fake's clock, per account or in total.",
        "RateLimitOptions",
        ("limit",),
    ),
    Marker(
        "stripe_response",
        "stripe_response(status_code=200, *, json=None, text=None, content=None, headers=None, "
        f"times=1, {_ENDPOINT})",
        "answer the next `times` calls to `endpoint` exactly as given (after the key check, "
        "before validation), as responses.add() or httpx_mock.add_response() do.",
        "ResponseOptions",
        ("status_code",),
    ),
    Marker(
        "stripe_accounts",
        "stripe_accounts(*accounts, v2_enabled=True, platform_country=None)",
        "declare the platform's connected accounts (IDs, or dicts with id, configurations, "
        "...); the fake then answers from them. v2_enabled=False blocks Accounts v2; "
        "platform_country='FR' requires account tokens in live mode.",
        "AccountsOptions",
        ("*accounts",),
    ),
)

BY_NAME: dict[str, Marker] = {marker.name: marker for marker in MARKERS}

#: Every marker that gives a test the fake: the table's, and the settings marker.
OURS: tuple[str, ...] = (*BY_NAME, SETTINGS_MARKER)

#: The marker of a test that talks to Stripe for real (the guard lets it through).
LIVE_MARKER = (
    "stripe_live",
    "stripe_live",
    "the test talks to Stripe for real: the guard lets its requests through (it cannot use "
    "the account_links fake).",
)
