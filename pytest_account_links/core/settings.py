"""The plugin's settings: command-line options, ini keys and the ``account_links`` marker.

Precedence, per setting: the ``@pytest.mark.account_links(...)`` marker closest
to the test, then the command line, then the ini file, then the default.
Every value is checked with the parser below, whichever way it came, and a bad
one names the option and the accepted values. Loaded with the plugin, so it is
kept cheap to import: named tuples, not dataclasses (each of which costs about
a millisecond and a half to create).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from pytest_account_links.core.versions import (
    LATEST_VERSION,
    VersionProblem,
    check_extra,
    parse_version,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence


#: The range of a seed: any unsigned 64-bit integer.
MAX_SEED = 2**64 - 1


def _seed(value: Any) -> int:
    accepted = f"must be an integer from 0 to {MAX_SEED}"
    if isinstance(value, bool):
        raise ValueError(f"{accepted} (e.g. 0, 1234), got {value!r}")
    if isinstance(value, int):
        seed = value
    else:
        try:
            seed = int(str(value).strip())
        except ValueError:
            raise ValueError(f"{accepted} (e.g. 0, 1234), got {value!r}") from None
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"{accepted}, got {value!r}")
    return seed


_DURATION = re.compile(r"^\s*(?P<n>[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>s|m|h)?\s*$")

#: The range of a link's lifetime.
MIN_LIFETIME = timedelta(seconds=1)
MAX_LIFETIME = timedelta(days=365)


def check_lifetime(seconds: float, shown: Any) -> timedelta:
    """``seconds`` as a lifetime, or ``ValueError`` naming the accepted range."""
    if not MIN_LIFETIME.total_seconds() <= seconds <= MAX_LIFETIME.total_seconds():
        raise ValueError(
            "must be between 1 second and 365 days (seconds, or 90s, 10m, 1h, or a "
            f"timedelta), got {shown!r}"
        )
    return timedelta(seconds=seconds)


def _lifetime(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return check_lifetime(value.total_seconds(), value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return check_lifetime(float(value), value)
    shaped = _DURATION.match(str(value))
    if shaped is None:
        raise ValueError(
            "must be a duration between 1 second and 365 days: seconds (600), or 90s, 10m, "
            f"1h, or a timedelta; got {value!r}"
        )
    unit = {"s": 1, None: 1, "m": 60, "h": 3600}[shaped["unit"]]
    return check_lifetime(float(shaped["n"]) * unit, value)


def _version(value: Any) -> str:
    """A version's text; whether Stripe has it is checked with the added versions."""
    return str(value).strip()


def _versions(value: Any) -> tuple[str, ...]:
    """Versions to accept besides the known ones: a list, or text split on commas/spaces."""
    items = value if isinstance(value, list | tuple) else re.split(r"[\s,]+", str(value))
    return tuple(check_extra(str(item)) for item in items if str(item).strip())


def _choice(*accepted: str) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        text = str(value).strip().lower()
        if text not in accepted:
            raise ValueError(f"must be one of {', '.join(accepted)}, got {value!r}")
        return text

    return parse


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"must be true or false, got {value!r}")


class Option(NamedTuple):
    """One setting: its name (the ini key without the prefix and the marker argument)."""

    name: str
    parse: Callable[[Any], Any]
    help: str
    metavar: str | None = None  # None: a flag (store_true) on the command line

    @property
    def flag(self) -> str:
        return "--account-links-" + self.name.replace("_", "-")

    @property
    def ini(self) -> str:
        return "account_links_" + self.name


OPTIONS: tuple[Option, ...] = (
    Option(
        "seed",
        _seed,
        "base seed of every fabricated value (IDs, link tokens, request IDs), an integer from "
        "0 to 2**64-1; each test derives its own from it and its node ID. Default: 0.",
        "INT",
    ),
    Option(
        "link_lifetime",
        _lifetime,
        "how long a link lives, expires_at - created: seconds, or 90s, 10m, 1h; from 1 second "
        "to 365 days. Default: 10m.",
        "DURATION",
    ),
    Option(
        "api_version",
        _version,
        f"the Stripe API version for requests without a Stripe-Version header. "
        f"Default: {LATEST_VERSION}.",
        "VERSION",
    ),
    Option(
        "extra_api_versions",
        _versions,
        "Stripe API versions to accept besides the ones the fake knows (released after it), "
        "comma-separated, e.g. 2026-11-25.endive. Default: none.",
        "VERSIONS",
    ),
    Option(
        "mode",
        _choice("test", "live"),
        "test or live: the mode of the stripe_api_key and stripe_client fixtures' key "
        "(sk_test_ or sk_live_). Default: test.",
        "MODE",
    ),
    Option(
        "unknown_accounts",
        _choice("accept", "not_found", "exist"),
        "an account the test did not declare: 'accept' it (any well-formed ID exists until "
        "the test declares one), answer it 'not_found', as Stripe does, or let it 'exist' "
        "always, declared accounts or not (stripe-mock's way, for a suite written for it). "
        "Default: accept.",
        "POLICY",
    ),
    Option(
        "unfaked",
        _choice("fail", "raise"),
        "requests to Stripe URLs that are not faked always raise UnfakedRequestError; 'fail' "
        "also fails the test at teardown (so an app that swallows the error cannot hide it), "
        "'raise' does not. Default: fail.",
        "POLICY",
    ),
    Option(
        "other_hosts",
        _choice("allow", "block"),
        "requests to hosts that are not Stripe's: 'allow' lets them through to the network, "
        "'block' refuses them like unfaked Stripe URLs. Default: allow.",
        "POLICY",
    ),
    Option(
        "real_retry_sleeps",
        _flag,
        "let the stripe SDK really sleep between retries while the fake is active (by "
        "default its back-off sleeps are recorded in account_links.retry_sleeps and skipped).",
    ),
    Option(
        "assert_all_used",
        _flag,
        "fail a test whose injected failures or stubbed answers (markers, fail_next, outage, "
        "rate_limit, script, add_response) were not all used as often as asked. Default: on.",
        "on|off",
    ),
    Option(
        "guard",
        _flag,
        "refuse requests to Stripe from tests that do not use the fake (mark a test that "
        "means to talk to Stripe @pytest.mark.stripe_live). Default: on.",
        "on|off",
    ),
    Option(
        "summary",
        _flag,
        "close the terminal summary with one line of totals (calls faked, errors injected, "
        "outages, rate-limited calls), as -v does.",
    ),
)

BY_NAME: Mapping[str, Option] = {option.name: option for option in OPTIONS}
#: What a test's ``@pytest.mark.account_links(...)`` may set: all but the session's own.
PER_TEST = tuple(name for name in BY_NAME if name not in ("summary", "guard"))


class Settings(NamedTuple):
    """The resolved settings of a session, or of one test after its markers."""

    seed: int = 0
    link_lifetime: timedelta = timedelta(minutes=10)
    api_version: str = LATEST_VERSION
    extra_api_versions: tuple[str, ...] = ()
    mode: str = "test"
    unknown_accounts: str = "accept"
    unfaked: str = "fail"
    other_hosts: str = "allow"
    real_retry_sleeps: bool = False
    assert_all_used: bool = True
    guard: bool = True
    summary: bool = False

    @property
    def livemode(self) -> bool:
        return self.mode == "live"

    def updated(
        self,
        values: Mapping[str, Any],
        source: Callable[[Option], str],
        accepted: Sequence[str] = tuple(BY_NAME),
    ) -> Settings:
        """These settings with ``values`` parsed in; a bad one raises ``ValueError``.

        ``source`` names where a value came from, for the message; only the
        ``accepted`` settings may be given.
        """
        parsed: dict[str, Any] = {}
        for name, value in values.items():
            option = BY_NAME.get(name)
            if option is None or name not in accepted:
                from pytest_account_links.core.hints import did_you_mean

                raise ValueError(
                    f"unexpected argument {name!r}{did_you_mean(name, accepted)}; "
                    f"accepted: {', '.join(accepted)}"
                )
            try:
                parsed[name] = option.parse(value)
            except ValueError as problem:
                raise ValueError(f"{source(option)} {problem}") from None
        settings = self._replace(**parsed)
        if "api_version" in parsed or "extra_api_versions" in parsed:
            try:  # the default version may be one of the versions added
                parse_version(settings.api_version, settings.extra_api_versions)
            except VersionProblem as problem:
                raise ValueError(f"{source(BY_NAME['api_version'])} {problem}") from None
        return settings


def settings_table() -> str:
    """The settings as the Markdown table of ``docs/configuration.md``."""
    rows = ["| setting | ini key | option | what it does (accepts, default) |", "|---|---|---|---|"]
    for option in OPTIONS:
        flag = option.flag + (f"={option.metavar}" if option.metavar else "")
        marker = "" if option.name in PER_TEST else " (not per test)"
        rows.append(f"| `{option.name}`{marker} | `{option.ini}` | `{flag}` | {option.help} |")
    return "\n".join(rows)
