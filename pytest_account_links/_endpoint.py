"""The fake endpoint: ``POST /v2/core/account_links`` as a plain function.

:func:`handle` takes a :class:`~._wire.WireRequest` and the test's state and
returns the answer Stripe would give. No HTTP library and no pytest here, so a
unit test can call it directly. The stages run in Stripe's order (see
:mod:`._scenarios`): injected outage, the API key (401), the API version,
the idempotency key (a replay answers here), injected rate limit, the body
(400), injected error, the connected account's state; only a request that
passes them all gets an Account Link.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pytest_account_links._clock import rfc3339
from pytest_account_links._extensions import NoExtensions
from pytest_account_links._scenarios import OUTAGE_CODES, TRANSPORT_FAULTS, Scenario
from pytest_account_links._secrets import KeyProblem, read_api_key, redact, redact_bytes
from pytest_account_links._state import MAX_IDEMPOTENCY_KEY, IdempotencyKeys, Link
from pytest_account_links._validation import Body, InvalidBody, parse_params
from pytest_account_links._versions import VersionProblem, parse_version
from pytest_account_links._wire import WireResponse
from pytest_account_links.errors import CATALOGUE, error_body

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import timedelta

    from pytest_account_links._clock import Clock
    from pytest_account_links._extensions import Extensions
    from pytest_account_links._state import Accounts
    from pytest_account_links._versions import ApiVersion
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
    accounts: Accounts
    extensions: Extensions = field(default_factory=NoExtensions)
    scenario: Scenario = field(default_factory=Scenario)
    #: Per-test changes to the next successful answers (``override_next``), oldest first.
    overrides: list[Override] = field(default_factory=list)
    idempotency: IdempotencyKeys = field(default_factory=IdempotencyKeys)
    #: The links created in this test, by their token.
    links: dict[str, Link] = field(default_factory=dict)


@dataclass
class Override:
    """Fields to set on (or a function to rewrite) the next ``times`` successful answers."""

    fields: dict[str, Any]
    function: Callable[[dict[str, Any]], dict[str, Any] | None] | None
    times: int | None

    def apply(self, body: dict[str, Any]) -> dict[str, Any]:
        body = {**body, **self.fields}
        if self.function is not None:
            body = self.function(dict(body)) or body
        return body


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
    #: The request's body, parsed once.
    request_body: Body
    api_version: str
    request_id: str
    fault: str | None = None
    injected: str | None = None


def handle(request: WireRequest, state: EndpointState) -> Outcome:
    """Answer one request to the endpoint as Stripe would."""
    scenario = state.scenario
    body = Body(request.body)
    request_id = state.ids.stripe_request_id()
    raw_version = request.headers.get("stripe-version") or state.default_api_version
    headers = {"Content-Type": "application/json", "Request-Id": request_id}
    idempotency_key = request.headers.get("idempotency-key")
    if idempotency_key is not None:
        headers["Idempotency-Key"] = redact(idempotency_key)
    headers["Stripe-Version"] = raw_version

    def answer(
        status: int,
        answered: dict[str, Any],
        params: AccountLinkCreateParams | None = None,
        *,
        injected: str | None = None,
        should_retry: bool | None = None,
        encoded: bytes | None = None,
    ) -> Outcome:
        if should_retry is not None:
            headers["Stripe-Should-Retry"] = "true" if should_retry else "false"
        if encoded is None:
            encoded = json.dumps(answered, separators=(",", ":")).encode()
            # No answer carries a secret key, even one the request echoed back.
            masked = redact_bytes(encoded)
            if masked != encoded:
                encoded, answered = masked, json.loads(masked)
        return Outcome(
            response=WireResponse(status=status, body=encoded, headers=headers),
            body=answered,
            params=params,
            request_body=body,
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
            request_body=body,
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
    if not _available(version):
        return error("not_found", "The API method cannot be found.")

    # Stage 3: the idempotency key. A key seen before answers here.
    if idempotency_key is not None:
        if len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
            return error(
                "invalid_idempotency_key",
                f"The Idempotency-Key header is {len(idempotency_key)} characters long; "
                f"at most {MAX_IDEMPOTENCY_KEY} are allowed.",
            )
        saved = state.idempotency.lookup(idempotency_key)
        if saved is not None:
            if body.comparable != saved.body:
                return error(
                    "idempotency_key_reused",
                    "Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. The key {idempotency_key!r} was first used "
                    f"by {saved.request_id} with other parameters.",
                )
            headers["Idempotent-Replayed"] = "true"
            headers["Original-Request"] = saved.request_id
            try:  # the same body, but perhaps under another version's rules
                replayed_params: AccountLinkCreateParams | None = parse_params(body, version)
            except InvalidBody:
                replayed_params = None
            return answer(
                saved.response.status,
                json.loads(saved.response.body),
                replayed_params,
                encoded=saved.response.body,
            )

    # Stage 4: rate limits, on the fake's clock.
    if scenario.rate_limits:
        limit = scenario.limited_by(body.field("account"), state.clock.now())
        if limit is not None:
            return error(
                "account_rate_limit_exceeded",
                injected=limit.source,
                should_retry=limit.should_retry,
            )

    # Stage 5: the body.
    try:
        params = parse_params(body, version)
    except InvalidBody as invalid:
        return error("invalid_fields", "; ".join(invalid.problems))
    problems = state.extensions.validate(params, raw_version)
    if problems:
        return error("invalid_fields", "; ".join(problems))

    # Stage 6: injected errors, for a request Stripe would otherwise accept.
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

    # Stage 7: the connected account, as the platform's state has it.
    refused = _account_problem(params, version, state)
    if refused is not None:
        code, message, extras = refused
        return error(code, message, **extras)

    created = state.clock.now()
    expires = created + state.link_lifetime
    link: dict[str, Any] = {
        "object": "v2.core.account_link",
        "account": params.account,
        "created": rfc3339(created),
        "expires_at": rfc3339(expires),
        "livemode": key.livemode,
        "url": state.ids.stripe_account_link_url(params.account, key.livemode),
        "use_case": _sorted(params.use_case.to_wire()),
    }
    link = state.extensions.response(link, params, raw_version)
    if state.overrides:
        override = state.overrides[0]
        link = override.apply(link)
        if override.times is not None:
            override.times -= 1
            if override.times == 0:
                state.overrides.pop(0)
    _remember(link, params, state, created, expires, key.livemode)
    outcome = answer(200, link, params)
    if idempotency_key is not None:
        state.idempotency.save(idempotency_key, body.comparable, outcome.response, request_id)
    return outcome


def _remember(
    link: dict[str, Any],
    params: AccountLinkCreateParams,
    state: EndpointState,
    created: datetime,
    expires: datetime,
    livemode: bool,
) -> None:
    """Keep the link as answered (after hooks and overrides), for ``visit()``."""
    url = str(link.get("url", ""))
    token = url.rsplit("#", 1)[-1]
    # An override may have replaced expires_at with something unreadable: keep the fake's own.
    with contextlib.suppress(KeyError, ValueError):
        expires = datetime.fromisoformat(str(link["expires_at"]).replace("Z", "+00:00"))
    options = params.use_case.options
    state.links[token] = Link(
        url=url,
        account=params.account,
        use_case=params.use_case.type,
        refresh_url=options.refresh_url,
        return_url=options.return_url,
        created=created,
        expires_at=expires,
        livemode=livemode,
        configurations=tuple(getattr(options, "configurations", ())),
    )


def _account_problem(
    params: AccountLinkCreateParams, version: ApiVersion, state: EndpointState
) -> tuple[str, str | None, dict[str, Any]] | None:
    """Why the platform's state refuses a valid request, or None."""
    accounts = state.accounts
    if not accounts.v2_enabled:
        return "accounts_v2_access_blocked", None, {}
    sent = getattr(params.use_case.options, "configurations", None)
    account = accounts.get(params.account)
    if accounts.declared and (account is None or not account.declared):
        return "not_found", f"No such account: '{params.account}'", {}
    account = accounts.met(params.account, sent)
    if version.takes_configurations and set(sent or ()) != set(account.configurations):
        return (
            "configs_must_match_to_use_account_links",
            f"Account {params.account} has the configurations "
            f"{', '.join(account.configurations)}; the request asked for {', '.join(sent or ())}.",
            {"applied_configurations": list(account.configurations)},
        )
    return None


#: Account Links v2: generally available from 2025-12-15.clover (stripe-python 14.1.0),
#: in preview from 2025-07-30.preview (Stripe's changelog). Under an older version the
#: endpoint does not exist: 404, as Stripe answered a preview-only v2 endpoint.
_GA = "2025-12-15.clover"
_PREVIEW = "2025-07-30.preview"


def _available(version: ApiVersion) -> bool:
    return version.at_least(_PREVIEW if version.kind == "preview" else _GA)


def _sorted(value: Any) -> Any:
    """Keys in alphabetical order, as Stripe writes v2 objects."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    return value
