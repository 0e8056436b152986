"""``GET /v2/core/events``: list the events the fake delivered (``client.v2.core.events.list``).

Newest first, as full events (with ``data``). Filters: ``object_id`` (the
object an event is about), ``types`` (up to 20 event types) and ``created``
(``gt``/``gte``/``lt``/``lte``, RFC 3339 times); ``limit`` and ``page`` page
through them (:mod:`._v2_lists`).

Source: ``shared/spec/events-v2.openapi.json`` (``GetV2CoreEvents``: "List
events, going back up to 30 days"; its only error is the generic ``v2.error``).
"""

from __future__ import annotations

import copy
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pytest_account_links.api.endpoints import _v2_lists as lists
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import documented

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange
    from pytest_account_links.domain.events import DeliveredEvent

NAME = "v2.core.events.list"

#: "An array of up to 20 strings containing specific event names." (the spec)
MAX_TYPES = 20

_COMPARE = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def _refused(x: Exchange) -> Answer | None:
    problem = lists.page_problem(x.params)
    types = x.params.get("types") or []
    if problem is None and len(types) > MAX_TYPES:
        problem = f"types: at most {MAX_TYPES} event types, got {len(types)}"
    return x.error("invalid_fields", problem) if problem is not None else None


def _params(version: Any) -> Any:
    from pytest_account_links.api.endpoints._v2_accounts import query_schema

    return query_schema(NAME)


def _kept(event: DeliveredEvent, params: dict[str, Any]) -> bool:
    if event.generation != "v2":  # a v1 event is no v2.core.event
        return False
    if params.get("object_id") not in (None, event.object_id):
        return False
    if params.get("types") and event.type not in params["types"]:
        return False
    created = event.event["created"]
    for name, bound in (params.get("created") or {}).items():
        if not _COMPARE[name](_time(created), _time(bound)):
            return False
    return True


def _time(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _respond(x: Exchange) -> Answer:
    params = x.params
    # Copies: an override or hook may change the answer, never the events delivered.
    found = [
        copy.deepcopy(event.event) for event in reversed(x.store.events) if _kept(event, params)
    ]
    filters: list[tuple[str, str]] = []
    if params.get("object_id") is not None:
        filters.append(("object_id", params["object_id"]))
    filters += lists.listed("types", params.get("types") or [])
    filters += [
        (f"created[{name}]", bound) for name, bound in (params.get("created") or {}).items()
    ]
    return lists.answer(x, "/v2/core/events", found, filters)


ENDPOINT = Endpoint(
    name=NAME,
    method="GET",
    path="/v2/core/events",
    generation=V2,
    summary="List the events the fake delivered, newest first, by object, type and time.",
    respond=_respond,
    errors=documented(NAME),
    params=_params,
    check=_refused,
    fields=("data", "next_page_url", "previous_page_url"),
)
