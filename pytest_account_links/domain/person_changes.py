"""What a change of a person delivers, and what it changes of its account.

A person's change is announced first, then what it changed of the account (the
order is the fake's choice: Stripe documents none). An account that speaks v1
(:func:`.v1_state.speaks_v1`) gets ``person.created`` / ``person.updated`` (with
``previous_attributes``) / ``person.deleted``, ``data.object`` the v1 ``person``
(docs.stripe.com/api/events/types), then one ``account.updated`` for the request
when its v1 view changed. Any other account gets the thin
``v2.core.account_person.created`` / ``updated`` / ``deleted`` (their
``related_object`` the person, ``data.account_id`` the account:
``shared/spec/v2-account-event-types.txt``), then
``v2.core.account[requirements].updated`` and
``...capability_status_updated`` where those moved (:meth:`.ConnectedAccount.refresh`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_account_links.domain import v1_state
from pytest_account_links.domain.v1_view import v1_person

if TYPE_CHECKING:
    from pytest_account_links.domain.accounts import ConnectedAccount
    from pytest_account_links.domain.store import Store


def v1_before(account: ConnectedAccount, record: dict[str, Any] | None) -> dict[str, Any] | None:
    """The v1 view of a person before a change (for ``previous_attributes``)."""
    return v1_person(account.state, record) if record is not None else None


def announce(
    store: Store,
    account: ConnectedAccount,
    record: dict[str, Any],
    kind: str,
    before: dict[str, Any] | None = None,
) -> None:
    """Deliver ``person.<kind>`` (or ``v2.core.account_person.<kind>``) about ``record``,
    then recompute the account's requirements and capabilities. ``before``: the v1 view
    as it was (an update's ``previous_attributes``; a deletion's ``data.object``)."""
    state = account.state
    if v1_state.speaks_v1(state):
        now = before if kind == "deleted" and before is not None else v1_person(state, record)
        data: dict[str, Any] = {"object": now}
        if kind == "updated" and before is not None:
            data["previous_attributes"] = v1_state.previous(before, now)
        v1_state.emit(store, f"person.{kind}", account, data)
    else:
        store.emit(
            f"v2.core.account_person.{kind}",
            None,
            livemode=bool(state.get("livemode")),
            data={"account_id": account.id},
            related={
                "id": record["id"],
                "type": "v2.core.account_person",
                "url": f"/v2/core/accounts/{account.id}/persons/{record['id']}",
            },
        )
    account.refresh()
    if v1_state.speaks_v1(state):
        account.notify("account.updated")  # announced once the request is answered
