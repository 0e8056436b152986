"""Stripe API versions: which exist, and which rules a request's ``Stripe-Version`` selects.

Stripe answers 400 ``Invalid Stripe API version: <as sent>`` to a version that
does not exist, release name included (``2025-09-30.acacia`` is refused:
``2025-09-30`` is a ``clover`` date). So does the fake, from one table:

* :data:`RELEASES`: the named releases, from the ``api_version`` enum of
  Stripe's OpenAPI spec (``WebhookEndpointCreateParams.api_version`` in the
  stripe SDK 16.1.0, ``stripe/params/_webhook_endpoint_create_params.py``), the
  first ``2024-09-30.acacia``, the newest ``2026-10-28.endive``;
* :data:`DATED`: the versions before named releases (``2011-01-01`` to
  ``2024-06-20``), from the same enum: API v1 only;
* ``<date>.preview`` for the date of a named release (``2025-12-15.preview``),
  as the SDK's beta releases pin them;
* the version the installed ``stripe`` SDK pins (``_ApiVersion.CURRENT``), when
  it is newer than the table, so upgrading the SDK never breaks a test;
* versions a user adds (the ``extra_api_versions`` setting).

Only ASCII digits count (full-width digits are refused). Nothing here depends on
today's date, so nothing here can go stale while time travels in a test.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from datetime import date
from pathlib import Path
from typing import NamedTuple

#: The named releases, oldest first (source: the spec's ``api_version`` enum).
RELEASES: tuple[str, ...] = (
    "2024-09-30.acacia",
    "2024-10-28.acacia",
    "2024-11-20.acacia",
    "2024-12-18.acacia",
    "2025-01-27.acacia",
    "2025-02-24.acacia",
    "2025-03-01.dashboard",
    "2025-03-31.basil",
    "2025-04-30.basil",
    "2025-05-28.basil",
    "2025-06-30.basil",
    "2025-07-30.basil",
    "2025-08-27.basil",
    "2025-09-30.clover",
    "2025-10-29.clover",
    "2025-11-17.clover",
    "2025-12-15.clover",
    "2026-01-28.clover",
    "2026-02-25.clover",
    "2026-03-25.dahlia",
    "2026-04-22.dahlia",
    "2026-05-27.dahlia",
    "2026-06-24.dahlia",
    "2026-07-29.dahlia",
    "2026-08-26.dahlia",
    "2026-09-30.endive",
    "2026-10-28.endive",
)

#: The versions before named releases, oldest first (API v1 only; same source).
_DATED_TABLE = """
    2011-01-01 2011-06-21 2011-06-28 2011-08-01 2011-09-15 2011-11-17 2012-02-23 2012-03-25
    2012-06-18 2012-06-28 2012-07-09 2012-09-24 2012-10-26 2012-11-07 2013-02-11 2013-02-13
    2013-07-05 2013-08-12 2013-08-13 2013-10-29 2013-12-03 2014-01-31 2014-03-13 2014-03-28
    2014-05-19 2014-06-13 2014-06-17 2014-07-22 2014-07-26 2014-08-04 2014-08-20 2014-09-08
    2014-10-07 2014-11-05 2014-11-20 2014-12-08 2014-12-17 2014-12-22 2015-01-11 2015-01-26
    2015-02-10 2015-02-16 2015-02-18 2015-03-24 2015-04-07 2015-06-15 2015-07-07 2015-07-13
    2015-07-28 2015-08-07 2015-08-19 2015-09-03 2015-09-08 2015-09-23 2015-10-01 2015-10-12
    2015-10-16 2016-02-03 2016-02-19 2016-02-22 2016-02-23 2016-02-29 2016-03-07 2016-06-15
    2016-07-06 2016-10-19 2017-01-27 2017-02-14 2017-04-06 2017-05-25 2017-06-05 2017-08-15
    2017-12-14 2018-01-23 2018-02-05 2018-02-06 2018-02-28 2018-05-21 2018-07-27 2018-08-23
    2018-09-06 2018-09-24 2018-10-31 2018-11-08 2019-02-11 2019-02-19 2019-03-14 2019-05-16
    2019-08-14 2019-09-09 2019-10-08 2019-10-17 2019-11-05 2019-12-03 2020-03-02 2020-08-27
    2022-08-01 2022-11-15 2023-08-16 2023-10-16 2024-04-10 2024-06-20
"""
DATED: tuple[str, ...] = tuple(_DATED_TABLE.split())

#: The newest version in the table: what a request without ``Stripe-Version`` is answered
#: under unless the test says otherwise (the SDK always sends its pinned version).
LATEST_VERSION = RELEASES[-1]

#: The first version without ``use_case.<type>.configurations`` in Account Links.
CONFIGURATIONS_REMOVED_IN = "2026-09-30.endive"
_CONFIGURATIONS_REMOVED = date(2026, 9, 30)

_SHAPE = re.compile(r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})(?:\.(?P<name>[a-z]+))?$")
_RELEASE_DATES = frozenset(version.split(".")[0] for version in RELEASES)


class ApiVersion(NamedTuple):
    """A version Stripe knows: its text, its date, and its kind."""

    raw: str
    day: date
    #: ``"release"`` (named), ``"preview"``, or ``"dated"`` (before named releases).
    kind: str

    @property
    def takes_configurations(self) -> bool:
        """True where Account Links carry ``configurations`` (and require it)."""
        return self.day < _CONFIGURATIONS_REMOVED

    def at_least(self, version: str) -> bool:
        """True from ``version`` (a named release) on; a preview counts from its date."""
        return self.kind != "dated" and self.day >= date.fromisoformat(version.split(".")[0])


class VersionProblem(ValueError):
    """A ``Stripe-Version`` header that Stripe would refuse."""


@functools.cache
def sdk_version() -> str | None:
    """The version the installed ``stripe`` SDK pins, read without importing the SDK."""
    try:
        spec = importlib.util.find_spec("stripe")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    source = Path(next(iter(spec.submodule_search_locations))) / "_api_version.py"
    try:
        found = re.search(r'CURRENT\s*=\s*"([^"]+)"', source.read_text(encoding="utf-8"))
    except OSError:
        return None
    return found.group(1) if found else None


def known(raw: str, extra: tuple[str, ...] = ()) -> bool:
    """True when ``raw`` names a version Stripe has (see the module's sources)."""
    shaped = _SHAPE.match(raw)
    if shaped is None:
        return False
    name = shaped["name"]
    day = raw.split(".")[0]
    if name is None:
        return raw in DATED or raw in extra
    if name == "preview":
        return day in _RELEASE_DATES or raw in extra or _named_day(extra, day)
    return raw in _KNOWN or raw in extra or raw == sdk_version()


def _named_day(extra: tuple[str, ...], day: str) -> bool:
    return any(version.split(".")[0] == day for version in (*extra, sdk_version() or ""))


_KNOWN = frozenset(RELEASES)


@functools.lru_cache(maxsize=256)
def parse_version(raw: str, extra: tuple[str, ...] = ()) -> ApiVersion:
    """Parse a version Stripe knows; raise :class:`VersionProblem` with Stripe's message.

    ``extra`` are versions a user added (newer releases than the table knows).
    """
    text = raw.strip()
    if not known(text, extra):
        raise VersionProblem(f"Invalid Stripe API version: {raw}")
    shaped = _SHAPE.match(text)
    assert shaped is not None  # known() matched it
    name = shaped["name"]
    kind = "dated" if name is None else "preview" if name == "preview" else "release"
    try:
        day = date(int(shaped["y"]), int(shaped["m"]), int(shaped["d"]))
    except ValueError:
        raise VersionProblem(f"Invalid Stripe API version: {raw}") from None
    return ApiVersion(raw=text, day=day, kind=kind)


def check_extra(value: str) -> str:
    """A version a user adds: ``YYYY-MM-DD.<name>`` (ASCII), or ``ValueError``."""
    text = value.strip()
    shaped = _SHAPE.match(text)
    if shaped is None or shaped["name"] is None:
        raise ValueError(
            f"must be API versions like '{LATEST_VERSION}' (a date, a dot, a release name), "
            f"got {value!r}"
        )
    return text


def versions_table() -> str:
    """The versions the fake accepts, as the Markdown list of ``docs/validation.md``."""
    names: dict[str, list[str]] = {}
    for version in RELEASES:
        names.setdefault(version.split(".")[1], []).append(f"`{version}`")
    rows = ["| release | versions |", "|---|---|"]
    rows += [f"| {name} | {', '.join(found)} |" for name, found in names.items()]
    rows.append(
        "| preview | `<date>.preview` for the date of any release above "
        "(`2025-12-15.preview`, ...) |"
    )
    rows.append(f"| dated (API v1 only) | {len(DATED)} versions, `{DATED[0]}` to `{DATED[-1]}` |")
    return "\n".join(rows)
