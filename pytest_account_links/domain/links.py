"""The Account Links a test created, and the visits to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime


@dataclass
class Link:
    """An Account Link the fake created, and what became of it."""

    url: str
    account: str
    use_case: str
    refresh_url: str
    return_url: str | None
    created: datetime
    expires_at: datetime
    livemode: bool
    configurations: tuple[str, ...]
    used: bool = False
    #: The API that made it: ``"v2"`` (``accounts.stripe.com/r/...``) or ``"v1"``
    #: (``connect.stripe.com/setup/...``).
    generation: str = "v2"


@dataclass(frozen=True)
class Visit:
    """Someone opened a link: where Stripe sent the browser, and why."""

    url: str
    #: ``completed``, ``abandoned``, ``closed``, ``expired``, ``used``, ``unknown`` or
    #: ``account_closed`` (the account was closed after the link was made).
    outcome: str
    #: Where the browser went: ``return_url``, ``refresh_url``, or None.
    redirect: str | None
    link: Link | None
