"""The Account Links and Account Sessions a test created, and what became of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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


@dataclass
class AccountSession:
    """An Account Session the fake created, and what became of it."""

    client_secret: str
    account: str
    #: ``components`` as answered: each with ``enabled`` and ``features``.
    components: dict[str, Any]
    created: datetime
    expires_at: datetime
    livemode: bool
    #: The component whose load claimed the secret (None: not loaded yet).
    loaded: str | None = None
    #: The token the loaded component's controls send back (the served fake's page).
    page_token: str | None = None
    #: ``completed`` or ``exited`` once the holder used the component's controls.
    outcome: str | None = None
    #: The loads refused, as ``(component, reason)``.
    refused: list[tuple[str, str]] = field(default_factory=list)

    def enabled(self, component: str) -> bool:
        return bool((self.components.get(component) or {}).get("enabled"))
