"""``GET /v1/accounts/{account}``: retrieve a connected account (API v1).

The SDK's ``client.v1.accounts.retrieve`` and ``stripe.Account.retrieve``: what a
platform reads when the account holder comes back on ``return_url``
(``details_submitted``, ``charges_enabled``, ``payouts_enabled``,
``requirements``). Any account of the test's registry, however it came (created
through v1 or v2, declared, met), as API v1 shows it (:mod:`._v1_view`).

An account the test does not know is 403 ``account_invalid``, "The provided key
'...' does not have access to account '...' (or that account does not exist).
Application access may have been revoked." (stripe-php's own tests). ``expand``
is taken and changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _v1_accounts as accounts
from pytest_account_links.api.endpoints.v1_accounts_create import FIELDS
from pytest_account_links.api.generations.v1 import V1
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.domain.v1_view import render

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v1.accounts.retrieve"


def _respond(x: Exchange) -> Answer:
    return x.ok(render(x.found))


ENDPOINT = Endpoint(
    name=NAME,
    method="GET",
    path="/v1/accounts/{account}",
    generation=V1,
    summary="Retrieve a connected account (API v1): requirements, capabilities, enabled.",
    respond=_respond,
    errors=(),  # the spec documents none for v1 operations (only the generic error)
    params=accounts.model(NAME, "GET"),
    check=accounts.find,
    account=accounts.path_account,
    fields=FIELDS,
)
