"""Stripe API versions: which rules a request's ``Stripe-Version`` header selects.

A version reads ``YYYY-MM-DD.<release>`` (``2026-10-28.endive``); the date part
decides the rules. ``use_case.<type>.configurations`` was required up to
``2026-09-30.endive`` and is rejected from that version on.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import NamedTuple

#: The newest version this fake knows; used when a request sends no header.
LATEST_VERSION = "2026-10-28.endive"

_LATEST_DAY = date(2026, 10, 28)

#: The first version without ``use_case.<type>.configurations``.
CONFIGURATIONS_REMOVED_IN = "2026-09-30.endive"
_CONFIGURATIONS_REMOVED = date(2026, 9, 30)

#: The release names of Stripe's API versions since API v2 (2024-09-30.acacia), and
#: ``preview`` for preview versions.
RELEASES = ("acacia", "basil", "clover", "dahlia", "endive", "preview")
FIRST_V2_VERSION = "2024-09-30.acacia"
_FIRST_V2 = date(2024, 9, 30)

_SHAPE = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:\.(?P<release>[a-z]+))?$")


class ApiVersion(NamedTuple):
    """A parsed ``Stripe-Version``."""

    raw: str
    day: date

    @property
    def takes_configurations(self) -> bool:
        """True where ``configurations`` is part of the request (and required)."""
        return self.day < _CONFIGURATIONS_REMOVED


class VersionProblem(ValueError):
    """A ``Stripe-Version`` header that Stripe would refuse."""


@functools.lru_cache(maxsize=64)
def parse_version(raw: str) -> ApiVersion:
    """Parse a version string; raise :class:`VersionProblem` with Stripe's kind of message."""
    shaped = _SHAPE.match(raw.strip())
    if shaped is None:
        raise VersionProblem(
            f"Invalid Stripe API version: {raw!r}. A version reads like "
            f"'{LATEST_VERSION}' (a date, then a release name)."
        )
    try:
        day = date(int(shaped["y"]), int(shaped["m"]), int(shaped["d"]))
    except ValueError as exc:
        raise VersionProblem(f"Invalid Stripe API version: {raw!r} ({exc}).") from None
    release = shaped["release"]
    if release is not None and release not in RELEASES:
        raise VersionProblem(
            f"Unknown Stripe API version: {raw!r}. Known release names: {', '.join(RELEASES)}."
        )
    if day < _FIRST_V2:
        raise VersionProblem(
            f"Unknown Stripe API version: {raw!r}. API v2 endpoints need {FIRST_V2_VERSION} "
            "or later."
        )
    newest = max(_LATEST_DAY, date.today())
    if day > newest:
        raise VersionProblem(
            f"Unknown Stripe API version: {raw!r}. No version is dated after {newest.isoformat()}."
        )
    return ApiVersion(raw=raw.strip(), day=day)
