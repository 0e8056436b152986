"""The catalogue of errors the fake answers with: one entry a code, each with its source.

This module is the single source for each error's HTTP status, its envelope
``type``, its default message, the extra fields its body carries, and where the
fake has it from: Stripe's OpenAPI spec or docs (named), or, where Stripe's
sources show no code, the fake's choice (the status, type and so the SDK's
exception are Stripe's; the code is the fake's: do not pin it in assertions).
Which endpoints document which codes is each endpoint's own declaration
(:mod:`..api.registry`, whose ``catalogue_table`` writes the docs page from both).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["CATALOGUE", "ErrorSpec", "UnfakedRequestError"]

#: Where the fake has a code from, when the code is its own choice.
FAKES_CHOICE = "the fake's choice"
_SPEC = "Stripe's OpenAPI spec"
_SEED = "the API reference of POST /v2/core/account_links"
_ERRORS_PAGE = "Stripe's docs (docs.stripe.com/api/errors)"
_CODES_PAGE = "Stripe's v1 error codes (docs.stripe.com/error-codes, the SDK's code enum)"
_V1_BODIES = "Stripe's v1 answers as third parties captured them"


@dataclass(frozen=True)
class ErrorSpec:
    """One error the fake can answer with."""

    code: str
    status: int
    #: The envelope's ``type``; ``None`` where Stripe's spec gives the error none.
    type: str | None
    message: str
    #: A message meant for the end user, for the codes whose body carries one.
    user_message: str | None = None
    #: Extra fields of the body, with their defaults.
    extras: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    #: Where the code, status and shape come from (or :data:`FAKES_CHOICE` and why).
    source: str = FAKES_CHOICE

    @property
    def fakes_choice(self) -> bool:
        """True when Stripe's sources show no code for this error: the fake chose it."""
        return self.source.startswith(FAKES_CHOICE)

    @property
    def v1_code(self) -> bool:
        """Whether an API v1 answer carries the code: not where the code is the fake's
        choice, as Stripe's v1 answers to those errors carry none (a 401, a 500, an
        invalid version)."""
        return not self.fakes_choice

    @property
    def sdk_exception(self) -> str:
        """The ``stripe`` exception class the official SDK (16.x) raises for this error.

        By the envelope's ``type`` first, then by HTTP status, as the SDK maps v2 errors
        (``stripe/_api_requestor.py``: ``specific_v2_api_error``).
        """
        by_type = {"idempotency_error": "IdempotencyError", "rate_limit": "RateLimitError"}
        if self.type in by_type:
            return by_type[self.type]
        by_status = {
            400: "InvalidRequestError",
            404: "InvalidRequestError",
            401: "AuthenticationError",
            402: "CardError",
            403: "PermissionError",
            429: "RateLimitError",
        }
        return by_status.get(self.status, "APIError")


#: The errors written here: their status is Stripe's, or their code is the fake's.
_WRITTEN: tuple[ErrorSpec, ...] = (
    ErrorSpec(
        code="accounts_v2_access_blocked",
        status=400,
        type=None,
        message="Accounts v2 is not enabled for your platform.",
        user_message="Accounts v2 is not enabled for this platform.",
        description="Accounts v2 is not enabled for your platform.",
        source=f"{_SPEC} (v2.error.accounts_v2_access_blocked); status from {_SEED}",
    ),
    ErrorSpec(
        code="configs_must_match_to_use_account_links",
        status=400,
        type=None,
        message=(
            "Account cannot be onboarded via v2/core/account_links without specifying "
            "the right configurations."
        ),
        user_message="The requested configurations do not match the account's.",
        extras={"applied_configurations": ["recipient"]},
        description="The request's configurations do not match the account's.",
        source=(f"{_SPEC} (v2.error.configs_must_match_to_use_account_links); status from {_SEED}"),
    ),
    ErrorSpec(
        code="not_found",
        status=404,
        type=None,
        message="The resource wasn't found.",
        description="The object does not exist (or the endpoint, under the API version).",
        source=f"{_SPEC} (v2.error.not_found); status from {_SEED}",
    ),
    ErrorSpec(
        code="account_rate_limit_exceeded",
        status=429,
        type="rate_limit",
        message="Account cannot exceed a configured concurrency rate limit on updates.",
        description="Too many concurrent updates to one account.",
        source=f"{_SPEC} (v2.error.account_rate_limit_exceeded); status from {_SEED}",
    ),
    ErrorSpec(
        code="idempotency_error",
        status=400,
        type="idempotency_error",
        message="An idempotent retry occurred with different request parameters.",
        description="The Idempotency-Key was used before with another request.",
        source=(
            f"{_SPEC} (v2.error.idempotency_error); the type, which the SDK maps to "
            "IdempotencyError, and the status from Stripe's v1 answers"
        ),
    ),
    ErrorSpec(
        code="idempotency_key_in_use",
        status=409,
        type="idempotency_error",
        message="There is currently another in-progress request using this Idempotent Key.",
        description="A concurrent request holds the same Idempotency-Key (retryable).",
        source=f"Stripe's v1 error codes (the SDK's code enum); status from {_ERRORS_PAGE}",
    ),
    ErrorSpec(
        code="api_key_expired",
        status=401,
        type="invalid_request_error",
        message="Expired API Key provided.",
        description="An expired (rolled) key: inject it to test how your app copes.",
        source="Stripe's v1 error codes (answers seen with api_key_expired, 401)",
    ),
    ErrorSpec(
        code="invalid_fields",
        status=400,
        type="invalid_request_error",
        message="The request body has invalid fields.",
        description="The request failed validation; the message names each field.",
        source=(
            f"{FAKES_CHOICE}: Stripe's v2 validation answers are worded "
            "'<field path>: <problem>', with no code in its sources"
        ),
    ),
    ErrorSpec(
        code="invalid_api_version",
        status=400,
        type="invalid_request_error",
        message="Invalid Stripe API version.",
        description="The Stripe-Version header names no version Stripe has.",
        source=(
            f"{FAKES_CHOICE}: Stripe answers 400 invalid_request_error 'Invalid Stripe "
            "API version: <as sent>' with no code"
        ),
    ),
    ErrorSpec(
        code="api_key_missing",
        status=401,
        type="invalid_request_error",
        message="You did not provide an API key.",
        description="No Authorization header.",
        source=(
            f"{FAKES_CHOICE}: Stripe answers 401 invalid_request_error, with its message "
            "and no code"
        ),
    ),
    ErrorSpec(
        code="api_key_invalid",
        status=401,
        type="invalid_request_error",
        message="Invalid API Key provided.",
        description="The Authorization header holds no well-formed secret key (or, on a "
        "server started with `--api-key`, another key than that one).",
        source=(
            f"{FAKES_CHOICE}: Stripe answers 401 invalid_request_error 'Invalid API Key "
            "provided: sk_test_...' with no code"
        ),
    ),
    ErrorSpec(
        code="insufficient_permissions",
        status=403,
        type="invalid_request_error",
        message="The provided key does not have the required permissions for this endpoint.",
        description="A key without access to the endpoint (a restricted key on API v2).",
        source=(
            f"{FAKES_CHOICE}: Stripe answers 403 invalid_request_error with no code; API "
            "v2 takes secret keys only (docs.stripe.com/api-v2-overview)"
        ),
    ),
    ErrorSpec(
        code="invalid_idempotency_key",
        status=400,
        type="invalid_request_error",
        message="Idempotent Keys must be 1-255 characters long.",
        description="An Idempotency-Key over 255 characters.",
        source=f"{FAKES_CHOICE}: Stripe's message is known, its code is not",
    ),
    ErrorSpec(
        code="internal_server_error",
        status=500,
        type="api_error",
        message="An unknown error occurred.",
        description="A fault on Stripe's side.",
        source=f"{FAKES_CHOICE}: the status and api_error type from {_ERRORS_PAGE}",
    ),
    ErrorSpec(
        code="bad_gateway",
        status=502,
        type="api_error",
        message="Bad gateway.",
        description="Outage: an upstream of Stripe's API failed.",
        source=f"{FAKES_CHOICE}: the status and api_error type from {_ERRORS_PAGE}",
    ),
    ErrorSpec(
        code="service_unavailable",
        status=503,
        type="api_error",
        message="The service is temporarily unavailable. Please try again later.",
        description="Outage: the API is unavailable.",
        source=f"{FAKES_CHOICE}: the status and api_error type from {_ERRORS_PAGE}",
    ),
    ErrorSpec(
        code="gateway_timeout",
        status=504,
        type="api_error",
        message="Gateway timeout.",
        description="Outage: the API did not answer in time.",
        source=f"{FAKES_CHOICE}: the status and api_error type from {_ERRORS_PAGE}",
    ),
    ErrorSpec(
        code="account_closed",
        status=400,
        type="invalid_request_error",
        message="This account is closed.",
        description="The account was closed (v2.core.accounts.close): it takes no links "
        "or updates.",
        source=(
            f"{FAKES_CHOICE}: Stripe's sources show no answer for a link to, or an update "
            "of, a closed account"
        ),
    ),
    # -- API v1 -------------------------------------------------------------------------
    ErrorSpec(
        code="resource_missing",
        status=400,
        type="invalid_request_error",
        message="No such object.",
        description="A parameter names an object that does not exist (`No such account: "
        "'acct_...'`, param `account`).",
        source=(
            f"{_CODES_PAGE}; the message and param from a real POST /v1/account_links answer; "
            "status 400 (Stripe's 400 for a bad parameter) as no source shows it"
        ),
    ),
    ErrorSpec(
        code="account_invalid",
        status=403,
        type="invalid_request_error",
        message=(
            "The provided key does not have access to the account (or that account does not "
            "exist). Application access may have been revoked."
        ),
        description="A v1 path names an account the key cannot reach, or that does not exist.",
        source=f"{_CODES_PAGE}; the status (403) and message from stripe-php's own tests",
    ),
    ErrorSpec(
        code="parameter_missing",
        status=400,
        type="invalid_request_error",
        message="Missing required param.",
        description="A required parameter is missing (`Missing required param: type.`).",
        source=f"{_CODES_PAGE}; the message from {_V1_BODIES}",
    ),
    ErrorSpec(
        code="parameter_unknown",
        status=400,
        type="invalid_request_error",
        message="Received unknown parameter.",
        description="A parameter the endpoint does not take (`Received unknown parameter: "
        "collection_options[colour]`).",
        source=f"{_CODES_PAGE}; the message from {_V1_BODIES}",
    ),
    ErrorSpec(
        code="parameter_invalid_empty",
        status=400,
        type="invalid_request_error",
        message="You passed an empty string for a parameter that cannot be unset.",
        description="An empty value for a parameter that cannot be unset.",
        source=f"{_CODES_PAGE}; the message from {_V1_BODIES}",
    ),
    ErrorSpec(
        code="parameter_invalid_integer",
        status=400,
        type="invalid_request_error",
        message="Invalid integer.",
        description="A parameter that takes an integer got something else (`Invalid integer: "
        "ten`).",
        source=f"{_CODES_PAGE}; the message from {_V1_BODIES}",
    ),
    ErrorSpec(
        code="rate_limit",
        status=429,
        type="invalid_request_error",
        message=(
            "Too many requests hit the API too quickly. We recommend an exponential backoff "
            "of your requests."
        ),
        description="Too many requests (API v1): the SDK raises RateLimitError.",
        source=(
            f"{_CODES_PAGE}; the status and message from {_ERRORS_PAGE}; the type from "
            "Stripe's v1 error schema, whose types include no rate-limit type"
        ),
    ),
    ErrorSpec(
        code="person_not_allowed",
        status=400,
        type="invalid_request_error",
        message="This change to the account's persons is not allowed.",
        description="A v1 person request the account's persons refuse: a second "
        "representative, a second person of an individual, more than 100% owned, a "
        "duplicate, the representative deleted (API v1; API v2 has the spec's codes).",
        source=(
            f"{FAKES_CHOICE}: Stripe's v1 sources show no code or message for these "
            "refusals (the v1 API reference: the representative cannot be deleted)"
        ),
    ),
    ErrorSpec(
        code="account_update_not_allowed",
        status=400,
        type="invalid_request_error",
        message=(
            "You cannot create `account_update` type Account Links for this account. Valid "
            'types for this account are ["account_onboarding"].'
        ),
        description="An `account_update` link for an account that has a Stripe-hosted "
        "Dashboard, or that Stripe is liable for (API v1).",
        source=(
            f"{FAKES_CHOICE}: the code (no source shows one); the message from live answers "
            "third parties quote, the rule from Stripe's description of the `type` parameter"
        ),
    ),
    ErrorSpec(
        code="account_session_no_component",
        status=400,
        type="invalid_request_error",
        message="You must enable at least one component in `components`.",
        description="An Account Session with no component `enabled` (API v1).",
        source=(
            f"{FAKES_CHOICE}: the code and message (Stripe's spec requires `components` but "
            "shows no answer for a session that enables none; a session enables components "
            "for the page: docs.stripe.com/api/account_sessions/create)"
        ),
    ),
    ErrorSpec(
        code="account_session_feature_not_allowed",
        status=400,
        type="invalid_request_error",
        message=(
            "This feature can only be set this way for accounts where "
            "`controller.requirement_collection` is `application`."
        ),
        description="An Account Session feature that only a platform collecting the "
        "account's requirements may set: `disable_stripe_user_authentication: true`, "
        "`external_account_collection: false`.",
        source=(
            f"{FAKES_CHOICE}: the code and wording; the rule is the spec's description of "
            "the two features (the `account_session` object's `features`)"
        ),
    ),
    ErrorSpec(
        code="account_session_configuration_missing",
        status=400,
        type="invalid_request_error",
        message="The account does not have the configuration this component needs.",
        description="An Account Session enabling a component that an Accounts v2 account "
        "lacks the configuration for (`payments` without `merchant`, ...).",
        source=(
            f"{FAKES_CHOICE}: the code and message; which component needs which "
            "configuration is the fake's reading of docs.stripe.com/connect/accounts-v2 "
            "(merchant: accepting payments; recipient: receiving transfers)"
        ),
    ),
    ErrorSpec(
        code="invalid_content_type",
        status=400,
        type="invalid_request_error",
        message=(
            "Invalid request (check that your POST content type is "
            "application/x-www-form-urlencoded). If you have any questions, we can help at "
            "https://support.stripe.com/."
        ),
        description="A JSON body sent to API v1, which takes form-encoded bodies only.",
        source=(
            f"{FAKES_CHOICE}: the code (Stripe's answer has none); the message, status and "
            f"type from {_V1_BODIES}"
        ),
    ),
)


def _spec_errors() -> tuple[ErrorSpec, ...]:
    """Every other ``v2.error.*`` the faked endpoints' operations list in Stripe's spec
    (``spec_errors.json``, extracted by ``scripts/extract_schemas.py``): its code, its
    ``type`` and extra fields as the spec has them, its description as the message. The
    spec gives no status: 400 is the fake's choice (Stripe's documented v2 validation
    failures are 400s)."""
    written = {spec.code for spec in _WRITTEN}
    found = _spec()["errors"]
    specs = []
    for code, error in sorted(found.items()):
        if code in written:
            continue
        extras = {
            name: _default(code, name, schema, error["description"])
            for name, schema in error["extras"].items()
            if name != "user_message"
        }
        specs.append(
            ErrorSpec(
                code=code,
                status=400,
                type=error["type"],
                message=error["description"],
                user_message=error["description"] if "user_message" in error["extras"] else None,
                extras=extras,
                description=error["description"],
                source=f"{_SPEC} (v2.error.{code}); status 400 is the fake's choice",
            )
        )
    return tuple(specs)


@functools.cache
def _spec() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((Path(__file__).parent / "spec_errors.json").read_text())
    return loaded


def documented(endpoint: str) -> tuple[str, ...]:
    """The error codes Stripe's spec lists for the operation ``endpoint`` (an SDK name)."""
    return tuple(_spec()["operations"][endpoint])


def _default(code: str, name: str, schema: dict[str, Any], description: str) -> Any:
    """A value for an extra field the spec requires (a test may pass its own)."""
    if name == "doc_url":
        return f"https://docs.stripe.com/error-codes/{code.replace('_', '-')}"
    kind = schema.get("type")
    if kind == "array":
        return []
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            field: _default(code, field, properties[field], description)
            for field in schema.get("required", [])
        }
    return ""


#: Every error the fake can answer with, by code.
CATALOGUE: Mapping[str, ErrorSpec] = {spec.code: spec for spec in (*_WRITTEN, *_spec_errors())}


class UnfakedRequestError(Exception):
    """A request that must not leave the process was stopped.

    Raised inside the HTTP library in place of sending the request, so nothing
    reaches Stripe. The ``account_links`` fixture also fails the test at teardown
    for each such request, so an application that swallows the exception cannot
    hide it. ``url`` is the request's URL with any key in it masked.
    """

    def __init__(
        self,
        method: str,
        url: str,
        *,
        stripe: bool = True,
        why: str = "",
        served: Sequence[str] = (),
    ) -> None:
        from pytest_account_links.core.secrets import redact

        self.method = method
        self.url = redact(url)
        if why:
            message = f"pytest-account-links: {method} {self.url} {why}"
        elif stripe:
            message = (
                f"pytest-account-links: {method} {self.url} is not faked; the fake serves "
                f"{', '.join(served)}. Nothing was sent to Stripe."
            )
        else:
            message = (
                f"pytest-account-links: {method} {self.url} is blocked: requests to hosts that "
                "are not Stripe's are refused while other_hosts is 'block'. Nothing was sent."
            )
        super().__init__(message)
