"""The fake endpoint: ``POST /v2/core/account_links`` as a plain function.

:func:`handle` takes a :class:`~._wire.WireRequest` and the test's state and
returns the answer Stripe would give. No HTTP library and no pytest here, so a
unit test can call it directly. The checks run in Stripe's order: the API key
(401), the API version, then the body (400); only a request that passes all
three gets an Account Link.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pytest_account_links._clock import rfc3339
from pytest_account_links._keys import KeyProblem, read_api_key
from pytest_account_links._validation import InvalidBody, parse_params
from pytest_account_links._versions import VersionProblem, parse_version
from pytest_account_links._wire import WireResponse
from pytest_account_links.errors import CATALOGUE, error_body

if TYPE_CHECKING:
    from datetime import timedelta

    from pytest_account_links._clock import Clock
    from pytest_account_links._wire import WireRequest
    from pytest_account_links.models import AccountLinkCreateParams
    from pytest_account_links.provider import StripeProvider


@dataclass
class EndpointState:
    """What the endpoint reads from the test: fabrication, time and settings."""

    ids: StripeProvider
    clock: Clock
    link_lifetime: timedelta
    default_api_version: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer, with what the endpoint learnt from the request."""

    response: WireResponse
    body: dict[str, Any]
    params: AccountLinkCreateParams | None
    api_version: str
    request_id: str


def handle(request: WireRequest, state: EndpointState) -> Outcome:
    """Answer one request to the endpoint as Stripe would."""
    request_id = state.ids.stripe_request_id()
    raw_version = request.headers.get("stripe-version") or state.default_api_version
    headers = {"Content-Type": "application/json", "Request-Id": request_id}
    idempotency_key = request.headers.get("idempotency-key")
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    headers["Stripe-Version"] = raw_version

    def answer(
        status: int, body: dict[str, Any], params: AccountLinkCreateParams | None = None
    ) -> Outcome:
        encoded = json.dumps(body, separators=(",", ":")).encode()
        return Outcome(
            response=WireResponse(status=status, body=encoded, headers=headers),
            body=body,
            params=params,
            api_version=raw_version,
            request_id=request_id,
        )

    def error(code: str, message: str) -> Outcome:
        return answer(CATALOGUE[code].status, error_body(code, message))

    try:
        key = read_api_key(request.headers.get("authorization"))
    except KeyProblem as problem:
        return error(problem.code, problem.message)
    try:
        version = parse_version(raw_version)
    except VersionProblem as problem:
        return error("invalid_api_version", str(problem))
    try:
        params = parse_params(request.body, version)
    except InvalidBody as invalid:
        return error("invalid_fields", "; ".join(invalid.problems))

    created = state.clock.now()
    link = {
        "object": "v2.core.account_link",
        "account": params.account,
        "created": rfc3339(created),
        "expires_at": rfc3339(created + state.link_lifetime),
        "livemode": key.livemode,
        "url": state.ids.stripe_account_link_url(params.account, key.livemode),
        "use_case": _sorted(params.use_case.to_wire()),
    }
    return answer(200, link, params)


def _sorted(value: Any) -> Any:
    """Keys in alphabetical order, as Stripe writes v2 objects."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    return value
