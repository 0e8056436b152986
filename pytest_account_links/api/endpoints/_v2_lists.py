"""Stripe's v2 list envelope and its pages, for every v2 list endpoint.

``{"data": [...], "next_page_url": ..., "previous_page_url": ...}``: both URLs
are always there (``null`` where there is no such page: the SDK makes a
``ListObject`` only of a body with ``next_page_url``), relative to the API
(the SDK refuses an absolute one) and carry the request's own filters with
``page=`` (as Stripe's SDK tests show). Source: ``shared/spec/accounts-v2.openapi.json``
(the 200 answer of ``GetV2CoreAccounts``) and stripe-python's ``v2/_list_object.py``.

The fake's choices, where Stripe's sources are silent: a page holds 10 items
unless ``limit`` says otherwise, ``limit`` goes from 1 to 100, and a page token
is ``page_<offset>`` (opaque to a client, which only follows the URLs).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pytest_account_links.api.pipeline import Answer, Exchange

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
_TOKEN = re.compile(r"^page_(\d{1,9})$")


def page_problem(params: dict[str, Any]) -> str | None:
    """Why ``limit`` or ``page`` cannot be used, in the v2 validation wording, or None."""
    limit = params.get("limit")
    if limit is not None and not 1 <= limit <= MAX_LIMIT:
        return f"limit: must be between 1 and {MAX_LIMIT}, got {limit}"
    page = params.get("page")
    if page is not None and _TOKEN.match(page) is None:
        return f"page: {page!r} is not a page token this list gave"
    return None


def answer(x: Exchange, path: str, items: Sequence[Any], filters: list[tuple[str, str]]) -> Answer:
    """The page of ``items`` the request asks for, in the v2 list envelope."""
    params = x.params
    limit = params.get("limit") or DEFAULT_LIMIT
    found = _TOKEN.match(params.get("page") or "page_0")
    start = int(found.group(1)) if found else 0
    data = list(items[start : start + limit])
    shared = [*filters, *([("limit", str(params["limit"]))] if "limit" in params else [])]

    def url(offset: int) -> str:
        return f"{path}?{urlencode([*shared, ('page', f'page_{offset}')])}"

    return x.ok(
        {
            "data": data,
            "next_page_url": url(start + limit) if start + limit < len(items) else None,
            "previous_page_url": url(max(start - limit, 0)) if start > 0 else None,
        }
    )


def listed(name: str, values: Sequence[str]) -> list[tuple[str, str]]:
    """An array filter as the SDK writes it (``name[0]=a&name[1]=b``)."""
    return [(f"{name}[{n}]", value) for n, value in enumerate(values)]
