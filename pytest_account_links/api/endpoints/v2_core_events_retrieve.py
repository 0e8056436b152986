"""``GET /v2/core/events/{id}``: retrieve an event (``client.v2.core.events.retrieve``).

What ``EventNotification.fetch_event()`` calls for the thin events the fake
delivers. Source: ``shared/spec/events-v2.openapi.json`` (the ``v2.core.event``
object; ``not_found`` is the error the operation lists).
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange


def _respond(x: Exchange) -> Answer:
    event = x.store.event(x.path["id"])
    if event is None or event.generation != "v2":  # a v1 event is no v2.core.event
        return x.error("not_found", f"No such v2.core.event: '{x.path['id']}'")
    return x.ok(copy.deepcopy(event.event))  # an override or hook may change the answer


ENDPOINT = Endpoint(
    name="v2.core.events.retrieve",
    method="GET",
    path="/v2/core/events/{id}",
    generation=V2,
    summary="Retrieve an event the fake delivered (what fetch_event() calls).",
    respond=_respond,
    errors=documented("v2.core.events.retrieve"),
    fields=(
        "changes",
        "context",
        "created",
        "data",
        "id",
        "livemode",
        "object",
        "reason",
        "related_object",
        "snapshot_event",
        "type",
    ),
)
