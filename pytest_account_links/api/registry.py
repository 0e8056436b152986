"""The faked endpoints: one module each, one line each in :data:`REGISTRY`.

To fake another endpoint, write its module (an :class:`Endpoint` named
``ENDPOINT``: path, model, refusals, answer) and add it below; the pipeline
gives it the key, version, idempotency, injected failures, hooks and recording
that every endpoint has. ``docs/architecture.md`` walks through it.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from pytest_account_links.api.endpoints import (
    v1_account_links_create,
    v1_account_sessions_create,
    v1_accounts_create,
    v1_accounts_list,
    v1_accounts_persons_create,
    v1_accounts_persons_delete,
    v1_accounts_persons_list,
    v1_accounts_persons_retrieve,
    v1_accounts_persons_update,
    v1_accounts_retrieve,
    v1_accounts_update,
    v2_core_account_links_create,
    v2_core_account_tokens_create,
    v2_core_account_tokens_retrieve,
    v2_core_accounts_close,
    v2_core_accounts_create,
    v2_core_accounts_list,
    v2_core_accounts_person_tokens_create,
    v2_core_accounts_person_tokens_retrieve,
    v2_core_accounts_persons_create,
    v2_core_accounts_persons_delete,
    v2_core_accounts_persons_list,
    v2_core_accounts_persons_retrieve,
    v2_core_accounts_persons_update,
    v2_core_accounts_retrieve,
    v2_core_accounts_update,
    v2_core_events_list,
    v2_core_events_retrieve,
)
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.errors import CATALOGUE

__all__ = ["BY_NAME", "REGISTRY", "Endpoint", "Route", "catalogue_table", "route", "served"]

#: Every faked endpoint.
REGISTRY: tuple[Endpoint, ...] = (
    v2_core_account_links_create.ENDPOINT,
    v2_core_accounts_create.ENDPOINT,
    v2_core_accounts_retrieve.ENDPOINT,
    v2_core_accounts_update.ENDPOINT,
    v2_core_accounts_list.ENDPOINT,
    v2_core_accounts_close.ENDPOINT,
    v2_core_accounts_persons_create.ENDPOINT,
    v2_core_accounts_persons_retrieve.ENDPOINT,
    v2_core_accounts_persons_update.ENDPOINT,
    v2_core_accounts_persons_list.ENDPOINT,
    v2_core_accounts_persons_delete.ENDPOINT,
    v2_core_events_retrieve.ENDPOINT,
    v2_core_events_list.ENDPOINT,
    v2_core_account_tokens_create.ENDPOINT,
    v2_core_account_tokens_retrieve.ENDPOINT,
    v2_core_accounts_person_tokens_create.ENDPOINT,
    v2_core_accounts_person_tokens_retrieve.ENDPOINT,
    v1_account_links_create.ENDPOINT,
    v1_accounts_create.ENDPOINT,
    v1_accounts_retrieve.ENDPOINT,
    v1_accounts_update.ENDPOINT,
    v1_accounts_list.ENDPOINT,
    v1_accounts_persons_create.ENDPOINT,
    v1_accounts_persons_retrieve.ENDPOINT,
    v1_accounts_persons_update.ENDPOINT,
    v1_accounts_persons_list.ENDPOINT,
    v1_accounts_persons_delete.ENDPOINT,
    v1_account_sessions_create.ENDPOINT,
)

BY_NAME: dict[str, Endpoint] = {endpoint.name: endpoint for endpoint in REGISTRY}

#: The host every faked endpoint is on.
API_HOST = "api.stripe.com"

_EXACT: dict[tuple[str, str], Endpoint] = {
    (endpoint.method, endpoint.path): endpoint for endpoint in REGISTRY if "{" not in endpoint.path
}
_PATTERNS: tuple[tuple[str, re.Pattern[str], Endpoint], ...] = tuple(
    (
        endpoint.method,
        re.compile(
            "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(endpoint.path)) + "$"
        ),
        endpoint,
    )
    for endpoint in REGISTRY
    if "{" in endpoint.path
)


class Route(NamedTuple):
    """The endpoint a request is for, and the path parameters it named.

    Made for one request (``path`` is that request's own dict, never shared with
    another's), found once and carried with it (:attr:`.WireRequest.route`).
    """

    endpoint: Endpoint
    #: The path parameters (``{"id": "evt_..."}``).
    path: dict[str, str]


#: What nearly every request's URL starts with (then :func:`route` reads its path as is).
_PLAIN_PREFIX = f"https://{API_HOST}/"


def route(method: str, url: str) -> Route | None:
    """The endpoint that answers ``method url`` and its path parameters, or None."""
    path: str | None
    if url.startswith(_PLAIN_PREFIX) and url.isascii() and url.isprintable():
        # What urlsplit would read (nothing to strip or drop): the path up to ? or #.
        path = "/" + url[len(_PLAIN_PREFIX) :].partition("#")[0].partition("?")[0]
    else:
        path = _path_of(url)
        if path is None:
            return None
    endpoint = _EXACT.get((method, path))
    if endpoint is not None:
        return Route(endpoint, {})
    for wanted, pattern, candidate in _PATTERNS:
        if wanted == method:
            found = pattern.match(path)
            if found is not None:  # the parameters as Stripe reads them: percent-decoded
                return Route(
                    candidate,
                    {name: unquote(value) for name, value in found.groupdict().items()},
                )
    return None


def _path_of(url: str) -> str | None:
    """The path of a URL on ``api.stripe.com`` (https, port 443), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or parts.hostname != API_HOST or port not in (None, 443):
        return None
    return parts.path


def catalogue_table() -> str:
    """The catalogue as the Markdown table of the docs' error catalogue page."""
    rows = [
        "| code | status | type | the SDK raises | documented by Stripe for | source |",
        "|---|---|---|---|---|---|",
    ]
    for code, spec in CATALOGUE.items():
        kind = f"`{spec.type}`" if spec.type else ""
        where = ", ".join(f"`{e.name}`" for e in REGISTRY if code in e.errors) or "-"
        rows.append(
            f"| `{code}` | {spec.status} | {kind} | `stripe.{spec.sdk_exception}` | {where} | "
            f"{spec.source} |"
        )
    return "\n".join(rows)


def served() -> list[str]:
    """Each faked endpoint's route (``POST /v2/core/account_links``), for a refusal's message."""
    return [endpoint.route for endpoint in REGISTRY]
