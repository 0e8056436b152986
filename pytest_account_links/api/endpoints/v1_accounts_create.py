"""``POST /v1/accounts``: create a connected account (API v1).

The SDK's ``client.v1.accounts.create`` and ``stripe.Account.create``. The body is
validated against the SDK's request type, generated from Stripe's OpenAPI spec
(``schemas_v1.json``). The account joins the test's accounts (one registry with the
v2 ones) and answers as API v1 shows it (:mod:`._v1_view`); it delivers
``account.application.authorized`` (:mod:`._v1_accounts`).

Sources: ``shared/spec/accounts-v1-summary.md`` (the ``account`` object, its
``requirements``), the SDK's ``AccountCreateParams`` (the body; "``capabilities``:
Required when account.controller.stripe_dashboard.type is none, which includes
Custom accounts"), and a real answer to ``type=express`` (fields, ``controller``,
requirements due).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_account_links.api.endpoints import _v1_accounts as accounts
from pytest_account_links.api.generations.v1 import V1
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.domain import v1_state
from pytest_account_links.domain.v1_view import render

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

NAME = "v1.accounts.create"

#: The top-level fields of an answered account (what ``override_next`` may set).
FIELDS = (
    "id",
    "object",
    "business_profile",
    "business_type",
    "capabilities",
    "charges_enabled",
    "company",
    "controller",
    "country",
    "created",
    "default_currency",
    "details_submitted",
    "email",
    "external_accounts",
    "future_requirements",
    "individual",
    "metadata",
    "payouts_enabled",
    "requirements",
    "settings",
    "tos_acceptance",
    "type",
)


def _refused(x: Exchange) -> Answer | None:
    dashboard = v1_state.controller_of(x.params)["stripe_dashboard"]["type"]
    if dashboard == "none" and not x.params.get("capabilities"):
        return x.error(
            "parameter_missing", "Missing required param: capabilities.", param="capabilities"
        )
    return accounts.bad_values(x)


def _respond(x: Exchange) -> Answer:
    return x.ok(render(accounts.new_account(x)))


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v1/accounts",
    generation=V1,
    summary="Create a connected account (API v1): type or controller, requirements due.",
    respond=_respond,
    errors=(),  # the spec documents none for v1 operations (only the generic error)
    params=accounts.model(NAME, "POST"),
    check=_refused,
    fields=FIELDS,
)
