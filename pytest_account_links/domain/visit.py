"""Stripe's hosted onboarding, simulated: what happens when someone opens a link.

``account_links.visit(url)`` comes here. A valid, unexpired, unused link is used
up; an expired or used link, or an unknown token for an account that has
links, sends the browser to ``refresh_url``, as Stripe's hosted page does.

What the holder did on the page is the ``outcome``. ``"completed"`` on an
``account_onboarding`` link fills in everything the account still needs
(:func:`.._onboarding.collect`, with Faker in the account's country's locale),
so its requirements are met and its capabilities ``active``, and delivers the
events of those changes, then ``v2.core.account_link.returned``; on an
``account_update`` link it changes only what the test says (``changes=``).
``"abandoned"`` and ``"closed"`` change nothing. A link whose account was closed
after it was made changes nothing either, and sends the browser to ``refresh_url``
(the visit's outcome is ``account_closed``).

A v1 link (``https://connect.stripe.com/setup/<s|e|c>/<account>/<token>``) goes the same
way; its account then delivers v1 events (one ``account.updated`` for the visit)
and also gets what v1 lists due beyond the v2 requirements (an external account,
its ``business_type``). API v1 has no ``account_link.returned``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pytest_account_links.domain.links import Visit

if TYPE_CHECKING:
    from pytest_account_links.domain.accounts import ConnectedAccount
    from pytest_account_links.domain.links import Link
    from pytest_account_links.domain.store import Store

#: ``<base>/r/<account>#<token>``: the shape of an Account Link URL (the base is
#: ``https://accounts.stripe.com``, or the served fake's hosted page).
_LINK_URL = re.compile(r"^(?P<base>https?://[^/#?]+)/r/(?P<account>[^/#?]+)#(?P<token>[^#]*)$")
#: ``<base>/setup/<letter>/<account>/<token>``: a v1 Account Link URL (the base is
#: ``https://connect.stripe.com``).
_V1_LINK_URL = re.compile(
    r"^(?P<base>https?://[^/#?]+)/setup/[a-z]/(?P<account>[^/#?]+)/(?P<token>[A-Za-z0-9]+)$"
)

#: What the account holder can do on the hosted page: finish onboarding, or come back
#: without finishing (both go to ``return_url``), or close the tab (no redirect at all).
OUTCOMES = ("completed", "abandoned", "closed")


def link_url(link: Any) -> str:
    """The URL of ``link``: the SDK's ``AccountLink`` object, a dict, or the URL itself."""
    url = link.get("url") if isinstance(link, dict) else getattr(link, "url", link)
    if not isinstance(url, str):
        raise TypeError(
            "pytest-account-links: visit() takes an Account Link (the SDK's AccountLink, or "
            f"its url), got {type(link).__name__}"
        )
    return url


def v1_link(url: str) -> bool:
    """True for a v1 Account Link's URL (``.../setup/<letter>/<account>/<token>``)."""
    return _V1_LINK_URL.match(url) is not None


def visit(
    store: Store,
    link: Any,
    *,
    outcome: str = "completed",
    changes: dict[str, Any] | None = None,
) -> str | None:
    """Open a link as its account holder would; where Stripe sends the browser."""
    __tracebackhide__ = True
    if outcome not in OUTCOMES:
        raise ValueError(
            f"pytest-account-links: visit(): outcome must be one of {', '.join(OUTCOMES)}, got "
            f"{outcome!r}"
        )
    url = link_url(link)
    shaped = _LINK_URL.match(url) or _V1_LINK_URL.match(url)
    if shaped is None:
        raise ValueError(
            f"pytest-account-links: visit({url!r}): this is not an Account Link URL "
            "(expected https://accounts.stripe.com/r/<account>#<token>, as "
            "v2.core.account_links.create answers, or "
            "https://connect.stripe.com/setup/<s|e|c>/<account>/<token>, as "
            "v1.account_links.create answers)"
        )
    with store.lock:
        found = store.links.get(shaped["token"])
        if found is None:
            known = [one for one in store.links.values() if one.account == shaped["account"]]
            if not known:
                raise ValueError(
                    f"pytest-account-links: visit({url!r}): no link was created for "
                    f"{shaped['account']!r} in this test, so there is no refresh_url to send "
                    "the browser to"
                )
            record = Visit(url, "unknown", known[-1].refresh_url, None)
        elif found.used:
            record = Visit(url, "used", found.refresh_url, found)
        elif store.clock.now() >= found.expires_at:
            record = Visit(url, "expired", found.refresh_url, found)
        elif _closed(store, found.account):
            # Closed after the link was made: nothing is collected (no update reaches a
            # closed account, as the Accounts endpoints refuse one); the browser goes to
            # refresh_url, where a new link is refused account_closed (the fake's choice).
            record = Visit(url, "account_closed", found.refresh_url, found)
        else:
            found.used = True
            redirect = None if outcome == "closed" else found.return_url
            record = Visit(url, outcome, redirect, found)
            if outcome == "completed":
                _complete(store, found, changes)
        store.visits.append(record)
    return record.redirect


def _closed(store: Store, account_id: str) -> bool:
    account = store.accounts.get(account_id)
    return account is not None and account.closed


def _complete(store: Store, link: Link, changes: dict[str, Any] | None) -> None:
    from pytest_account_links.domain import v1_state

    account = store.accounts.met(link.account, link.configurations or None, livemode=link.livemode)
    if link.generation == "v1":
        v1_state.speak(account)
    with store.one_change():
        fill(store, account, link.use_case, link.generation, changes)
    if link.generation == "v1":
        return
    store.emit(
        "v2.core.account_link.returned",
        None,
        livemode=link.livemode,
        data={
            "account_id": link.account,
            "configurations": list(account.configurations),
            "use_case": link.use_case,
        },
    )


def fill(
    store: Store,
    account: ConnectedAccount,
    use_case: str,
    generation: str,
    changes: dict[str, Any] | None,
) -> None:
    """What the account holder filled in (on the hosted page, or in the embedded
    onboarding component), and the events of the changes."""
    from pytest_account_links.domain import onboarding as _onboarding
    from pytest_account_links.domain.account_state import (
        announce,
        changed_sections,
        merge,
        sections,
    )
    from pytest_account_links.domain.v1_state import add_external_account, write
    from pytest_account_links.domain.v1_view import v1_only_due

    account.completed.append(use_case)
    state = account.state
    if use_case == "account_onboarding":
        before = sections(state)
        locale = _onboarding.LOCALES.get(_onboarding.country(state), "en_US")
        faker = store.accounts.seeded_faker(account.id, locale)
        if "external_account" in v1_only_due(state):  # the page collects one for payouts
            add_external_account(store, state, "btok_us_verified")
        _onboarding.collect(state, account.required, faker, store.clock.now())
        announce(account, changed_sections(before, state))
    if changes and generation == "v1":
        write(store, state, changes)
        account.notify("account.updated")
    elif changes:
        announce(account, merge(state, changes))
    account.refresh()
