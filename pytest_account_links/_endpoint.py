"""The fake endpoint: ``POST /v2/core/account_links`` as a plain function.

:func:`handle` takes a :class:`~._wire.WireRequest` and the test's state and
returns the answer Stripe would give. No HTTP library and no pytest here, so a
unit test can call it directly. The stages run in Stripe's order (see
:mod:`._scenarios`): injected outage, the API key (401), the API version,
injected rate limit, the body (400), injected error; only a request that
passes them all gets an Account Link.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_account_links._clock import rfc3339
from pytest_account_links._keys import KeyProblem, read_api_key
from pytest_account_links._scenarios import OUTAGE_CODES, TRANSPORT_FAULTS, Scenario
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
    """What the endpoint reads from the test: fabrication, time, settings, injected failures."""

    ids: StripeProvider
    clock: Clock
    link_lifetime: timedelta
    default_api_version: str
    scenario: Scenario = field(default_factory=Scenario)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The answer, with what the endpoint learnt from the request.

    ``fault`` is set (``"connection_refused"``, ``"read_timeout"``) when the
    transport must fail instead of answering; ``injected`` names the rule that
    produced an injected failure (``"@stripe_error"``, ``"script"``, ...).
    """

    response: WireResponse
    body: dict[str, Any]
    params: AccountLinkCreateParams | None
    api_version: str
    request_id: str
    fault: str | None = None
    injected: str | None = None


def handle(request: WireRequest, state: EndpointState) -> Outcome:
    """Answer one request to the endpoint as Stripe would."""
    scenario = state.scenario
    request_id = state.ids.stripe_request_id()
    raw_version = request.headers.get("stripe-version") or state.default_api_version
    headers = {"Content-Type": "application/json", "Request-Id": request_id}
    idempotency_key = request.headers.get("idempotency-key")
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    headers["Stripe-Version"] = raw_version

    def answer(
        status: int,
        body: dict[str, Any],
        params: AccountLinkCreateParams | None = None,
        *,
        injected: str | None = None,
        should_retry: bool | None = None,
    ) -> Outcome:
        if should_retry is not None:
            headers["Stripe-Should-Retry"] = "true" if should_retry else "false"
        encoded = json.dumps(body, separators=(",", ":")).encode()
        return Outcome(
            response=WireResponse(status=status, body=encoded, headers=headers),
            body=body,
            params=params,
            api_version=raw_version,
            request_id=request_id,
            injected=injected,
        )

    def error(
        code: str,
        message: str | None = None,
        *,
        injected: str | None = None,
        should_retry: bool | None = None,
        **extras: Any,
    ) -> Outcome:
        return answer(
            CATALOGUE[code].status,
            error_body(code, message, **extras),
            injected=injected,
            should_retry=should_retry,
        )

    # Stage 1: outages happen before Stripe reads anything.
    scripted = scenario.take_scripted()
    outage = scenario.outage_for_call()
    if scripted in TRANSPORT_FAULTS or scripted in OUTAGE_CODES:
        kind, should_retry, source = scripted, None, "script"
    elif outage is not None and scripted is None:
        kind, should_retry, source = outage.kind, outage.should_retry, outage.source
    else:
        kind = None
    if kind in TRANSPORT_FAULTS:
        return Outcome(
            response=WireResponse(status=0, body=b""),
            body={},
            params=None,
            api_version=raw_version,
            request_id=request_id,
            fault=str(kind),
            injected=source,
        )
    if isinstance(kind, int):
        return error(OUTAGE_CODES[kind], injected=source, should_retry=should_retry)

    # Stage 2: the key and the version.
    try:
        key = read_api_key(request.headers.get("authorization"))
    except KeyProblem as problem:
        return error(problem.code, problem.message)
    try:
        version = parse_version(raw_version)
    except VersionProblem as problem:
        return error("invalid_api_version", str(problem))

    # Stage 3: rate limits, on the fake's clock.
    if scenario.rate_limits:
        limit = scenario.limited_by(_account_hint(request.body), state.clock.now())
        if limit is not None:
            return error(
                "account_rate_limit_exceeded",
                injected=limit.source,
                should_retry=limit.should_retry,
            )

    # Stage 4: the body.
    try:
        params = parse_params(request.body, version)
    except InvalidBody as invalid:
        return error("invalid_fields", "; ".join(invalid.problems))

    # Stage 5: injected errors, for a request Stripe would otherwise accept.
    rule = scenario.error_for_call()
    if isinstance(scripted, str) and scripted in CATALOGUE:
        return error(scripted, injected="script")
    if rule is not None and scripted is None:
        return error(
            rule.code,
            rule.message,
            injected=rule.source,
            should_retry=rule.should_retry,
            **rule.extras,
        )

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


def _account_hint(body: bytes) -> str | None:
    """The ``account`` of a body not yet validated, for per-account rate limits."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    account = parsed.get("account") if isinstance(parsed, dict) else None
    return account if isinstance(account, str) else None


def _sorted(value: Any) -> Any:
    """Keys in alphabetical order, as Stripe writes v2 objects."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    return value
