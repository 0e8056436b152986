"""The catalogue of errors the fake answers with: one entry a code.

This module is the single source for each error's HTTP status, its v2 envelope
``type``, its default message and the extra fields its body carries. The first
four entries are documented by Stripe for ``POST /v2/core/account_links``
(status from the API reference, shape from Stripe's OpenAPI spec); the others
are the fake's documented choices for errors Stripe answers on every endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["CATALOGUE", "ErrorSpec", "UnfakedRequestError", "catalogue_table", "error_body"]


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
    documented: bool = False
    description: str = ""

    @property
    def sdk_exception(self) -> str:
        """The ``stripe`` exception class the official SDK (16.x) raises for this error.

        By the envelope's ``type`` first, then by HTTP status, as the SDK maps v2 errors.
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


CATALOGUE: Mapping[str, ErrorSpec] = {
    spec.code: spec
    for spec in (
        ErrorSpec(
            code="accounts_v2_access_blocked",
            status=400,
            type=None,
            message="Accounts v2 is not enabled for your platform.",
            user_message="Accounts v2 is not enabled for this platform.",
            documented=True,
            description="Accounts v2 is not enabled for your platform.",
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
            documented=True,
            description="The request's configurations do not match the account's.",
        ),
        ErrorSpec(
            code="not_found",
            status=404,
            type=None,
            message="The resource wasn't found.",
            documented=True,
            description="The account does not exist (or is not connected to the platform).",
        ),
        ErrorSpec(
            code="account_rate_limit_exceeded",
            status=429,
            type="rate_limit",
            message="Account cannot exceed a configured concurrency rate limit on updates.",
            documented=True,
            description="Too many concurrent updates to one account.",
        ),
        ErrorSpec(
            code="invalid_fields",
            status=400,
            type="invalid_request_error",
            message="The request body has invalid fields.",
            description="The request body failed validation; the message names the field.",
        ),
        ErrorSpec(
            code="invalid_api_version",
            status=400,
            type="invalid_request_error",
            message="Invalid Stripe API version.",
            description="The Stripe-Version header is not a version.",
        ),
        ErrorSpec(
            code="api_key_missing",
            status=401,
            type="invalid_request_error",
            message="You did not provide an API key.",
            description="No Authorization header.",
        ),
        ErrorSpec(
            code="api_key_invalid",
            status=401,
            type="invalid_request_error",
            message="Invalid API Key provided.",
            description="The Authorization header holds no well-formed secret key.",
        ),
        ErrorSpec(
            code="insufficient_permissions",
            status=403,
            type="invalid_request_error",
            message="The provided key does not have the required permissions for this endpoint.",
            description="A restricted key without write access to account links.",
        ),
        ErrorSpec(
            code="invalid_idempotency_key",
            status=400,
            type="invalid_request_error",
            message="The Idempotency-Key header is too long (at most 255 characters).",
            description="An Idempotency-Key over 255 characters.",
        ),
        ErrorSpec(
            code="idempotency_key_reused",
            status=400,
            type="idempotency_error",
            message=(
                "Keys for idempotent requests can only be used with the same parameters they "
                "were first used with."
            ),
            description="The Idempotency-Key was used before with another body.",
        ),
        ErrorSpec(
            code="idempotency_key_in_use",
            status=409,
            type="idempotency_error",
            message="There is currently another in-progress request using this Idempotency-Key.",
            description="A concurrent request holds the same Idempotency-Key (retryable).",
        ),
        ErrorSpec(
            code="internal_server_error",
            status=500,
            type="api_error",
            message="An unknown error occurred.",
            description="A fault on Stripe's side.",
        ),
        ErrorSpec(
            code="bad_gateway",
            status=502,
            type="api_error",
            message="Bad gateway.",
            description="Outage: an upstream of Stripe's API failed.",
        ),
        ErrorSpec(
            code="service_unavailable",
            status=503,
            type="api_error",
            message="The service is temporarily unavailable. Please try again later.",
            description="Outage: the API is unavailable.",
        ),
        ErrorSpec(
            code="gateway_timeout",
            status=504,
            type="api_error",
            message="Gateway timeout.",
            description="Outage: the API did not answer in time.",
        ),
    )
}


def catalogue_table() -> str:
    """The catalogue as the Markdown table of the docs' error catalogue page."""
    rows = [
        "| code | status | type | the SDK raises | documented by Stripe for this endpoint | when |",
        "|---|---|---|---|---|---|",
    ]
    for code, spec in CATALOGUE.items():
        kind = f"`{spec.type}`" if spec.type else ""
        documented = "yes" if spec.documented else "no"
        rows.append(
            f"| `{code}` | {spec.status} | {kind} | `stripe.{spec.sdk_exception}` | "
            f"{documented} | {spec.description} |"
        )
    return "\n".join(rows)


def error_body(code: str, message: str | None = None, **extras: Any) -> dict[str, Any]:
    """The v2 envelope for ``code``: ``{"error": {"type"?, "code", "message", ...}}``."""
    spec = CATALOGUE[code]
    error: dict[str, Any] = {}
    if spec.type is not None:
        error["type"] = spec.type
    error["code"] = code
    error["message"] = message if message is not None else spec.message
    if spec.user_message is not None:
        error["user_message"] = extras.pop("user_message", None) or spec.user_message
    for name, default in spec.extras.items():
        error[name] = extras.pop(name, default)
    error.update(extras)
    return {"error": error}


class UnfakedRequestError(Exception):
    """A request that must not leave the process was stopped.

    Raised inside the HTTP library in place of sending the request, so nothing
    reaches Stripe. The ``account_links`` fixture also fails the test at teardown
    for each such request, so an application that swallows the exception cannot
    hide it. ``url`` is the request's URL with any key in it masked.
    """

    def __init__(self, method: str, url: str, *, stripe: bool = True) -> None:
        from pytest_account_links._secrets import redact

        self.method = method
        self.url = redact(url)
        if stripe:
            message = (
                f"pytest-account-links: {method} {self.url} is not faked; only POST "
                "https://api.stripe.com/v2/core/account_links is. Nothing was sent to Stripe."
            )
        else:
            message = (
                f"pytest-account-links: {method} {self.url} is blocked: requests to hosts that "
                "are not Stripe's are refused while other_hosts is 'block'. Nothing was sent."
            )
        super().__init__(message)
