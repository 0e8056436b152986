"""What the v1 Accounts endpoints (and the v1 Account Link) share: the request schemas, a
new account from a v1 request, and the account a path names. What a v1 request does to
the state, and the v1 events of its changes: :mod:`...domain.v1_state`.

``capabilities`` is required where the dashboard is ``none`` ("Required when
account.controller.stripe_dashboard.type is none, which includes Custom
accounts"). The fake's choices: the country defaults to ``US`` (the platform's),
and an account with the full Dashboard that asks for no capability gets
``card_payments`` and ``transfers``.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_account_links.api.generations.schema import Schema
from pytest_account_links.domain import onboarding as _onboarding
from pytest_account_links.domain.accounts import ConnectedAccount
from pytest_account_links.domain.v1_state import (
    _request,
    application,
    controller_of,
    emit,
    speak,
    write,
)
from pytest_account_links.domain.v1_view import CAPABILITIES, lookup, v1_part

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange
    from pytest_account_links.core.versions import ApiVersion


@functools.cache
def schemas() -> dict[str, Any]:
    """The v1 request schemas (``schemas_v1.json``, by ``scripts/extract_v1_schemas.py``)."""
    loaded: dict[str, Any] = json.loads((Path(__file__).parent / "schemas_v1.json").read_text())
    return loaded


@functools.cache
def _schema(name: str, part: str) -> Schema:
    return Schema(schemas()["endpoints"][name][part], form=True)


def model(name: str, method: str) -> Any:
    """``Endpoint.params`` of the v1 endpoint ``name``: its schema, whatever the version;
    the query's for a ``GET`` (which sends no body), else the body's."""
    part = "query" if method.upper() == "GET" else "body"

    def params(version: ApiVersion) -> Any:
        return _schema(name, part)

    return params


# -- a new account -------------------------------------------------------------------


def new_account(x: Exchange) -> ConnectedAccount:
    """The account a valid ``POST /v1/accounts`` creates, kept in the registry."""
    from pytest_account_links.domain.account_state import new_state

    assert x.key is not None
    store, params = x.store, x.params
    chosen = controller_of(params)
    payer = chosen["fees"]["payer"]
    account_id = store.ids.account_id()
    state = new_state(
        account_id,
        {
            "dashboard": chosen["stripe_dashboard"]["type"],
            "defaults": {
                "responsibilities": {
                    "fees_collector": "stripe" if payer == "account" else payer,
                    "losses_collector": chosen["losses"]["payments"],
                }
            },
            "identity": {"country": str(params.get("country") or "US").lower()},
        },
        livemode=x.key.livemode,
        created=store.clock.now(),
    )
    state["defaults"]["responsibilities"]["requirements_collector"] = chosen[
        "requirement_collection"
    ]
    v1_part(state)["type"] = params.get("type")
    write(store, state, params)
    if not params.get("capabilities") and state["dashboard"] == "full":
        for name in CAPABILITIES:
            _request(state, name, True)
    _onboarding.refresh(state)
    account = ConnectedAccount(
        account_id, tuple(state["applied_configurations"]), declared=True, state=state
    )
    store.accounts.keep(account)
    speak(account)
    emit(store, "account.application.authorized", account, {"object": application(store)})
    return account


# -- the account a request names -----------------------------------------------------


def no_access(x: Exchange, account_id: str) -> Answer:
    """403 ``account_invalid``: Stripe's answer for an account the key cannot reach."""
    key = x.key.masked if x.key is not None else "..."
    return x.error(
        "account_invalid",
        f"The provided key '{key}' does not have access to account '{account_id}' (or that "
        "account does not exist). Application access may have been revoked.",
    )


def find(x: Exchange, *, open_only: bool = False) -> Answer | None:
    """``Endpoint.check`` for ``/v1/accounts/{account}``: the account (into ``x.found``,
    speaking v1 from now on), or 403 ``account_invalid`` for one the test does not know
    (as ``not_found`` on v2); with ``open_only``, ``account_closed`` for a closed one."""
    account_id = x.path["account"]
    account = x.named_account(account_id)
    if account is None:
        return no_access(x, account_id)
    if open_only and account.closed:
        return x.error("account_closed", f"The account {account_id} is closed.")
    speak(account)
    x.found = account
    return None


def find_open(x: Exchange) -> Answer | None:
    """:func:`find`, refusing a closed account (an update), and a body :func:`bad_values`
    refuses."""
    return find(x, open_only=True) or bad_values(x)


#: The Unix times a ``tos_acceptance[date]`` may take: from 1970 to the end of year 9999
#: (what a time can be written as; Stripe's own bounds are not documented).
_TIMESTAMPS = range(253402300800)


def bad_values(x: Exchange) -> Answer | None:
    """A value the schema lets through that cannot be one: a ``tos_acceptance[date]``
    that is no time (400 ``parameter_invalid_integer``, the fake's wording)."""
    date = lookup(x.params, "tos_acceptance.date")
    if isinstance(date, int) and date not in _TIMESTAMPS:
        return x.error(
            "parameter_invalid_integer",
            f"Invalid timestamp: {date} is not a Unix time between 1970 and 9999",
            param="tos_acceptance[date]",
        )
    return None


def path_account(x: Exchange) -> str | None:
    """The account a path names (per-account rate limits)."""
    return x.path.get("account")
