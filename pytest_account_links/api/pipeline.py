"""The pipeline every request to a faked endpoint goes through, in Stripe's order.

:data:`STEPS` is the order, declared once: each step is a small function of the
:class:`Exchange` that returns an :class:`Answer` (and the request stops there)
or ``None`` (the next step runs). :data:`AFTER` then runs on whatever answered.
The docs list the stages from these two tuples (``docs/architecture.md``).

An endpoint (:mod:`.endpoints`) only says what is its own: its request model,
the refusals its state makes, its answer. Everything else (the key, the
version, idempotency, injected failures, your hooks, recording) comes from here,
the same for every endpoint.

Plain Python: no pytest, no HTTP library. :func:`run` is called under the
store's lock, so a step may read and change the test's state freely.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pytest_account_links.api.generations import Body, ErrorContext, InvalidBody
from pytest_account_links.core.calls import Call, _Sent
from pytest_account_links.core.errors import CATALOGUE
from pytest_account_links.core.secrets import KeyProblem, read_api_key, redact, redact_bytes
from pytest_account_links.core.versions import VersionProblem, parse_version
from pytest_account_links.core.wire import WireResponse
from pytest_account_links.domain.scenarios import OUTAGE_CODES, TRANSPORT_FAULTS

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from pytest_account_links.api.generations import Generation
    from pytest_account_links.core.secrets import ApiKey
    from pytest_account_links.core.versions import ApiVersion
    from pytest_account_links.core.wire import WireRequest
    from pytest_account_links.domain.accounts import ConnectedAccount
    from pytest_account_links.domain.store import Store

#: An idempotency key longer than this is refused, as Stripe does ("Idempotent Keys
#: must be 1-255 characters long").
MAX_IDEMPOTENCY_KEY = 255

#: Answers as compact JSON (``json.dumps(..., separators=(",", ":"))``, one encoder for
#: every answer rather than one built per call).
_JSON = json.JSONEncoder(separators=(",", ":"))


class Answer:
    """What the fake answers: a status and a body, or a transport fault."""

    __slots__ = (
        "body",
        "code",
        "encoded",
        "fault",
        "headers",
        "injected",
        "replayed",
        "status",
        "wire",
    )

    def __init__(
        self,
        status: int,
        body: Any,
        *,
        injected: str | None = None,
        fault: str | None = None,
        headers: dict[str, str] | None = None,
        encoded: bytes | None = None,
        replayed: bool = False,
        code: str | None = None,
    ) -> None:
        self.status = status
        self.body = body
        #: The catalogue code of an error answer (a v1 body does not always carry it).
        self.code = code
        #: What injected it (``"@stripe_error"``, ``"fail_next"``, ...), when it was injected.
        self.injected = injected
        #: ``"connection_refused"`` or ``"read_timeout"``: the transport fails instead.
        self.fault = fault
        #: Headers of this answer on top of the pipeline's own.
        self.headers = headers or {}
        #: The bytes to send, when they are known already (an idempotent replay).
        self.encoded = encoded
        self.replayed = replayed
        #: The response as sent, once encoded.
        self.wire: WireResponse | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and self.fault is None

    @property
    def made(self) -> bool:
        """True for a success the endpoint made now (not replayed, stubbed or injected)."""
        return self.ok and not self.replayed and self.injected is None


class Exchange:
    """One request on its way through the pipeline, and what the steps learnt of it."""

    def __init__(
        self,
        request: WireRequest,
        endpoint: Endpoint,
        path: dict[str, str],
        store: Store,
    ) -> None:
        self.request = request
        self.endpoint = endpoint
        self.generation = endpoint.generation
        #: The path parameters (``{"id": "evt_..."}``).
        self.path = path
        self.store = store
        self.request_id = store.ids.request_id()
        self.raw_version = request.headers.get("stripe-version") or store.default_api_version
        self.idempotency_key = request.headers.get("idempotency-key")
        self.version: ApiVersion | None = None
        self.key: ApiKey | None = None
        #: The validated request (a pydantic model), once the body step passed.
        self.params: Any = None
        #: The scripted outcome this call consumed, if the test scripted one.
        self.scripted = store.scenario.take_scripted(endpoint.name)
        #: What the endpoint's check found for its answer (the account a path names, ...).
        self.found: Any = None
        #: The record of the exchange, once made.
        self.call: Call | None = None
        #: The step that answered (``"respond"``, ``"validation"``, ...).
        self.answered_by: str | None = None
        #: True once :meth:`named_account` found no account under a well-formed ID: the
        #: refusal that follows carries the store's ``unknown_account_hint``.
        self.missed_account = False
        self._body: Body | None = None
        self._query: Body | None = None

    @property
    def body(self) -> Body:
        """The request body, parsed once by the endpoint's generation."""
        if self._body is None:
            self._body = self.generation.parse_body(self.request.body)
        return self._body

    @property
    def query(self) -> Body:
        """The query string, parsed once (when a step reads it: a GET's validation)."""
        if self._query is None:
            url = self.request.url
            text = url.partition("?")[2].partition("#")[0] if "?" in url else ""
            self._query = self.generation.parse_query(text)
        return self._query

    def error(
        self,
        code: str,
        message: str | None = None,
        *,
        injected: str | None = None,
        should_retry: bool | None = None,
        **extras: Any,
    ) -> Answer:
        """The error ``code`` of the catalogue, in this endpoint's generation's envelope."""
        spec = CATALOGUE[code]
        headers = {}
        if should_retry is not None:
            headers["Stripe-Should-Retry"] = "true" if should_retry else "false"
        context = ErrorContext(
            self.request_id, self.key.livemode if self.key else None, self.store.clock.now()
        )
        hint = self.store.unknown_account_hint
        if self.missed_account and hint:
            self.missed_account = False
            message = f"{message or spec.message} {hint}"
        body = self.generation.error_body(spec, message, extras, context)
        return Answer(spec.status, body, injected=injected, headers=headers, code=code)

    def ok(self, body: Any) -> Answer:
        """A successful answer."""
        return Answer(200, body)

    def named_account(
        self, account_id: str, configurations: Sequence[str] | None = None
    ) -> ConnectedAccount | None:
        """The account a request names (met on first sight, in the key's mode, while the
        test accepts unknown accounts), or None where Stripe would find none: an ID no
        account can have, or, once the test declared or created one (or with the setting
        ``unknown_accounts = "not_found"``), any account it did not."""
        from pytest_account_links.api.models import well_formed

        accounts = self.store.accounts
        known = accounts.get(account_id)
        if not well_formed(account_id):
            return None
        if self.store.known_accounts_only and (known is None or not known.declared):
            self.missed_account = True
            return None
        livemode = self.key.livemode if self.key is not None else None
        return accounts.met(account_id, configurations, livemode=livemode)


# -- the steps, in Stripe's order ----------------------------------------------------


def injected_outage(x: Exchange) -> Answer | None:
    """An injected outage (``stripe_outage``, ``outage()``, a scripted one): a 5xx answer,
    or a refused connection or read timeout, before Stripe reads anything."""
    scenario = x.store.scenario
    if x.scripted is not None:
        if x.scripted not in OUTAGE_CODES and x.scripted not in TRANSPORT_FAULTS:
            return None
        kind, should_retry, source = x.scripted, None, "script"
    else:
        rule = scenario.outage_for_call(x.endpoint.name)
        if rule is None:
            return None
        rule.used += 1
        kind, should_retry, source = rule.kind, rule.should_retry, rule.source
    if kind in TRANSPORT_FAULTS:
        return Answer(0, {}, fault=str(kind), injected=source)
    if should_retry is None and kind == 500:
        # The SDK expects Stripe-Should-Retry: false "in most cases when a 500 is returned,
        # since our idempotency framework would typically replay it anyway" (its
        # _should_retry); a 502/503/504 from Stripe's edge carries no such header.
        should_retry = False
    return x.error(OUTAGE_CODES[int(kind)], injected=source, should_retry=should_retry)


def api_key(x: Exchange) -> Answer | None:
    """The API key (``Authorization``, Bearer or Basic): 401 when missing or malformed, or
    not the one key a server takes (``serve --api-key``); 403 for a restricted key on API
    v2, which takes secret keys only."""
    authorization = x.request.headers.get("authorization")
    try:
        x.key = read_api_key(authorization)
        if x.store.only_key is not None:
            x.store.only_key.check(authorization)
    except KeyProblem as problem:
        return x.error(problem.code, problem.message)
    if x.key.restricted and not x.generation.takes_restricted_keys:
        return x.error(
            "insufficient_permissions",
            f"The provided key '{x.key.masked}' is a restricted key: you can only access "
            f"APIs in the /{x.generation.name} namespace with secret keys.",
        )
    return None


def stubbed_response(x: Exchange) -> Answer | None:
    """An answer the test gave as is (``add_response()``, ``stripe_response``): sent exactly
    as given, before the version and the body are looked at."""
    stub = x.store.scenario.stubbed_for(x.endpoint.name)
    if stub is None:
        return None
    try:
        body: Any = json.loads(stub.body) if stub.body else {}
    except ValueError:
        body = stub.body.decode("utf-8", "replace")
    return Answer(
        stub.status, body, injected=stub.source, headers=dict(stub.headers), encoded=stub.body
    )


def api_version(x: Exchange) -> Answer | None:
    """The API version (``Stripe-Version``): 400 when Stripe has no such version, 404 when
    the endpoint did not exist yet under it."""
    try:
        x.version = parse_version(x.raw_version, x.store.extra_api_versions)
    except VersionProblem as problem:
        return x.error("invalid_api_version", str(problem))
    if not x.endpoint.exists_under(x.version):
        return x.error("not_found", "The API method cannot be found.")
    return None


def idempotency(x: Exchange) -> Answer | None:
    """The idempotency key: too long (400); seen before with the same request (the first
    answer again, ``Idempotent-Replayed: true``); with another (400 ``idempotency_error``)."""
    key = x.idempotency_key
    if key is None or x.endpoint.method not in ("POST", "DELETE"):
        return None
    if len(key) > MAX_IDEMPOTENCY_KEY:
        return x.error(
            "invalid_idempotency_key",
            f"Idempotent key length is {len(key)}, which is outside accepted lengths. "
            f"Idempotent Keys must be 1-{MAX_IDEMPOTENCY_KEY} characters long.",
        )
    saved = x.store.idempotency.lookup(x.key, key)
    if saved is None:
        return None
    here = _url_path(x)
    if saved.url_path and saved.url_path != here:
        # Stripe's own words for a key used at another endpoint (its answers, as
        # integrations quote them: "('/v1/subscriptions' vs '/v1/subscriptions/sub_...')").
        return x.error(
            "idempotency_error",
            "Keys for idempotent requests can only be used for the same endpoint they were "
            f"first used for ({saved.url_path!r} vs {here!r}). Try using a key other than "
            f"{redact(key)!r} if you meant to execute a different request.",
        )
    if saved.endpoint != x.endpoint.name or x.body.comparable != saved.body:
        return x.error(
            "idempotency_error",
            "Keys for idempotent requests can only be used with the same parameters they "
            f"were first used with. Try using a key other than {redact(key)!r} if you meant "
            "to execute a different request.",
        )
    answer = Answer(
        saved.response.status,
        json.loads(saved.response.body),
        encoded=saved.response.body,
        headers={"Idempotent-Replayed": "true", "Original-Request": saved.request_id},
        replayed=True,
    )
    _validate_quietly(x)  # the same body, perhaps under another version's rules
    return answer


def rate_limit(x: Exchange) -> Answer | None:
    """Injected rate limits (``stripe_rate_limit``, ``rate_limit()``): 429 past the limit
    within the window, on the fake's clock (``account_rate_limit_exceeded`` on API v2,
    ``rate_limit`` on v1)."""
    scenario = x.store.scenario
    if not scenario.rate_limits:
        return None
    account = x.endpoint.account_of(x)
    limit = scenario.limited_by(x.endpoint.name, account, x.store.clock.now())
    if limit is None:
        return None
    return x.error(
        x.generation.rate_limit_code, injected=limit.source, should_retry=limit.should_retry
    )


def validation(x: Exchange) -> Answer | None:
    """The body (and query), as Stripe words its problems: 400 ``invalid_fields`` naming
    each field on API v2; on v1 the first problem, with its ``param``
    (``parameter_missing``, ``parameter_unknown``, ...)."""
    model = x.endpoint.model(x)
    if model is None:
        return None
    assert x.version is not None
    source = without_sdk_usage(x.query) if x.endpoint.method == "GET" else x.body
    try:
        x.params = x.generation.validate(model, source, x.version, x.endpoint.removed)
    except InvalidBody as invalid:
        extras: dict[str, Any] = {} if invalid.param is None else {"param": invalid.param}
        return x.error(invalid.code or "invalid_fields", "; ".join(invalid.problems), **extras)
    return None


def without_sdk_usage(query: Body) -> Body:
    """A GET's query without the SDK's own ``usage`` tags.

    stripe-python's ``raw_request`` pops ``usage`` (the tags it reports in the next
    request's ``X-Stripe-Client-Telemetry``); ``raw_request_async`` passes it on as a
    parameter, so ``fetch_event_async()`` and ``fetch_related_object_async()`` send
    ``?usage[0]=fetch_related_object&usage[1]=unknown_event&usage[2]=async`` (16.1.0;
    every typed event's ``fetch_related_object_async`` does). That is the documented way
    of Stripe's own SDK, which Stripe's docs say nothing against: the fake reads past
    ``usage`` on a GET (its choice), so the async path works as the sync one.
    """
    if not isinstance(query.value, dict) or "usage" not in query.value:
        return query
    rest = {name: value for name, value in query.value.items() if name != "usage"}
    return Body(query.raw, rest, query.problem)


def user_validation(x: Exchange) -> Answer | None:
    """Your ``pytest_account_links_validate`` hooks: 400 ``invalid_fields`` with their
    problems."""
    if x.params is None:
        return None
    problems = x.store.extensions.validate(x.params, x.raw_version, x.endpoint.name)
    if problems:
        return x.error("invalid_fields", "; ".join(problems))
    return None


def injected_error(x: Exchange) -> Answer | None:
    """Injected errors (``stripe_error``, ``fail_next()``, a scripted code): the answer to a
    request Stripe would otherwise accept."""
    rule = x.store.scenario.error_for_call(x.endpoint.name)
    if isinstance(x.scripted, str) and x.scripted in CATALOGUE:
        return x.error(x.scripted, injected="script")
    if rule is None or x.scripted is not None:
        return None
    rule.used += 1
    return x.error(
        rule.code,
        rule.message,
        injected=rule.source,
        should_retry=rule.should_retry,
        **rule.extras,
    )


def endpoint_state(x: Exchange) -> Answer | None:
    """The test's state, as the endpoint reads it: its own refusals (``not_found``,
    ``configs_must_match_to_use_account_links``, ...)."""
    return x.endpoint.check(x) if x.endpoint.check is not None else None


def respond(x: Exchange) -> Answer | None:
    """The endpoint's answer, through your ``pytest_account_links_response`` hooks."""
    began = x.store.begin_change(x.request_id, x.idempotency_key)
    try:
        answer = x.endpoint.respond(x)
    finally:
        x.store.end_change(began)
    if answer.ok and isinstance(answer.body, dict):
        answer.body = x.store.extensions.response(
            answer.body, x.params, x.raw_version, x.endpoint.name
        )
    return answer


#: The steps of every request, in order: the first to answer decides.
STEPS: tuple[Callable[[Exchange], Answer | None], ...] = (
    injected_outage,
    api_key,
    stubbed_response,
    api_version,
    idempotency,
    rate_limit,
    validation,
    user_validation,
    injected_error,
    endpoint_state,
    respond,
)


# -- after the answer ------------------------------------------------------------------


def overrides(x: Exchange, answer: Answer) -> None:
    """``override_next()``: the test's changes to the next successful answers."""
    if answer.made and x.store.overrides:
        answer.body = x.store.take_override(
            x.endpoint.name, answer.body, x.endpoint.generation.timestamp
        )


def keep(x: Exchange, answer: Answer) -> None:
    """What the endpoint keeps of a successful answer, as answered (a link, for ``visit()``)."""
    if answer.made and x.endpoint.keep is not None:
        x.endpoint.keep(x, answer.body)


def remember(x: Exchange, answer: Answer) -> None:
    """The idempotency key keeps the first answer: on API v2 a success only (v2 completes
    failed work instead of replaying it); on v1 any answer of a request the endpoint took
    up, failures included, but not a 409 or 429 (Stripe keeps no result for a request
    that conflicted with another or was turned away)."""
    key = x.idempotency_key
    if key is not None and x.key is not None and (answer.made or _kept_failure(x, answer)):
        x.store.idempotency.save(
            x.key,
            key,
            x.endpoint.name,
            x.body.comparable,
            _encode(x, answer),
            x.request_id,
            _url_path(x),
        )


def _url_path(x: Exchange) -> str:
    """The request's path, without its query (``/v2/core/accounts/acct_...``)."""
    return urlsplit(x.request.url).path


#: The steps after which the endpoint has taken the request up (Stripe: "Results are only
#: saved if an API endpoint begins its execution").
_TAKEN_UP = frozenset({"injected_error", "endpoint_state", "respond"})


def _kept_failure(x: Exchange, answer: Answer) -> bool:
    """A v1 failure the idempotency key keeps (docs.stripe.com/api/idempotent_requests)."""
    return (
        x.generation.keeps_failures
        and x.answered_by in _TAKEN_UP
        and not answer.ok
        and answer.fault is None
        and not answer.replayed
        and answer.status not in (409, 429)
    )


def record(x: Exchange, answer: Answer) -> None:
    """The exchange, every key masked, into ``account_links.all_calls``."""
    response = _encode(x, answer)
    request = x.request
    # What the call shows of the request is masked when it is first read (_calls._Sent).
    sent = _Sent(request, x.params, x.generation.parse_body, x._query, response.headers)
    x.call = Call._record(
        sent,
        method=request.method,
        status=response.status,
        response=answer.body if answer.fault is None else {},
        api_version=x.raw_version,
        request_id=x.request_id,
        fault=answer.fault,
        injected=answer.injected,
        endpoint=x.endpoint.name,
        replayed=answer.replayed,
        account_id=_masked_account(x.endpoint.account_of(x) or _created(answer)),
        code=answer.code,
    )
    x.store.calls.add(x.call)


#: What happens to every answer, in order.
AFTER: tuple[Callable[[Exchange, Answer], None], ...] = (overrides, keep, remember, record)


def run(
    request: WireRequest, endpoint: Endpoint, path: dict[str, str], store: Store
) -> tuple[Call, WireResponse]:
    """Answer one request to ``endpoint`` as Stripe would; the record and the response."""
    x = Exchange(request, endpoint, path, store)
    answer = _first_answer(x)
    for after in AFTER:
        after(x, answer)
    assert x.call is not None
    return x.call, _encode(x, answer)


def _first_answer(x: Exchange) -> Answer:
    for step in STEPS:
        answer = step(x)
        if answer is not None:
            x.answered_by = step.__name__
            return answer
    raise AssertionError("respond() always answers")  # pragma: no cover


def _answered_version(x: Exchange) -> str:
    """The ``Stripe-Version`` of an answer: the version the request was answered under, or
    the fake's default where the request named none Stripe has (never what it sent then)."""
    if x.version is not None:
        return x.version.raw
    try:
        return parse_version(x.raw_version, x.store.extra_api_versions).raw
    except VersionProblem:
        return x.store.default_api_version


def _encode(x: Exchange, answer: Answer) -> WireResponse:
    """The answer as bytes and headers (encoded once, whoever asks first)."""
    if answer.wire is not None:
        return answer.wire
    headers = {"Content-Type": x.generation.content_type, "Request-Id": x.request_id}
    if x.idempotency_key is not None:
        headers["Idempotency-Key"] = redact(x.idempotency_key)
    headers["Stripe-Version"] = _answered_version(x)
    for name, value in answer.headers.items():  # the answer's own win, whatever their case
        for same in [known for known in headers if known.lower() == name.lower()]:
            del headers[same]
        headers[name] = value
    if answer.fault is not None:
        answer.wire = WireResponse(0, b"", headers)
        return answer.wire
    encoded = answer.encoded
    if encoded is None:
        encoded = _JSON.encode(answer.body).encode()
        # No answer carries a secret key, even one the request echoed back.
        masked = redact_bytes(encoded)
        if masked != encoded:
            encoded = masked
            answer.body = json.loads(masked)
        answer.encoded = encoded
    answer.wire = WireResponse(answer.status, encoded, headers)
    return answer.wire


def _masked_account(account: str | None) -> str | None:
    return None if account is None else redact(account)


def _created(answer: Answer) -> str | None:
    """The account a successful answer is (``v2.core.accounts.create``, ...), or None."""
    body = answer.body
    if (
        answer.ok
        and isinstance(body, dict)
        and body.get("object") in ("v2.core.account", "account")
    ):
        found = body.get("id")
        return found if isinstance(found, str) else None
    return None


def _validate_quietly(x: Exchange) -> None:
    """Read a replayed request's body under its own version's rules, for the record."""
    model = x.endpoint.model(x)
    if model is None or x.version is None:
        return
    try:
        x.params = x.generation.validate(model, x.body, x.version, x.endpoint.removed)
    except InvalidBody:
        x.params = None


def stages_table() -> str:
    """The stages as the Markdown table of ``docs/architecture.md`` (first docstring line)."""
    rows = ["| # | step | what it decides |", "|---|---|---|"]
    numbered = [(str(n), step) for n, step in enumerate(STEPS, 1)]
    for number, step in [*numbered, *(("after", step) for step in AFTER)]:
        doc = " ".join((step.__doc__ or "").split())
        rows.append(f"| {number} | `{step.__name__}` | {doc} |")
    return "\n".join(rows)


# -- what an endpoint module declares ------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """One faked Stripe endpoint: what is its own; the pipeline does the rest.

    The pipeline (:mod:`pytest_account_links.api.pipeline`) checks the key, the
    version (against :attr:`available_from` / :attr:`preview_from`), idempotency,
    injected failures and your hooks for every endpoint alike; it asks the
    endpoint only for its request model, its refusals and its answer.
    """

    #: The SDK's path to it (``client.v2.core.account_links.create``).
    name: str
    #: ``GET``, ``POST``, ...
    method: str
    #: The path, with parameters in braces (``/v2/core/events/{id}``).
    path: str
    #: Its API generation (:data:`pytest_account_links.api.generations.v2.V2`, ...).
    generation: Generation
    #: One line for the docs.
    summary: str
    #: The answer to a request every step let through.
    respond: Callable[[Exchange], Answer]
    #: The error codes Stripe documents for it (its OpenAPI operation and reference page).
    errors: tuple[str, ...] = ()
    #: The pydantic model of its request under an API version (None: it takes none).
    params: Callable[[ApiVersion], Any] | None = None
    #: Its refusals from the test's state (``not_found``, ...), after injected errors.
    check: Callable[[Exchange], Answer | None] | None = None
    #: What it keeps of a successful answer (after hooks and overrides).
    keep: Callable[[Exchange, Any], None] | None = None
    #: The account a request is about, before validation (per-account rate limits).
    account: Callable[[Exchange], str | None] | None = None
    #: The named release from which it is generally available (None: always).
    available_from: str | None = None
    #: The first preview version that has it (None: as :attr:`available_from`).
    preview_from: str | None = None
    #: Request fields an API version removed, with that version (for the message).
    removed: Mapping[str, str] = field(default_factory=dict)
    #: The top-level fields of its successful answer (what ``override_next`` may set).
    fields: tuple[str, ...] = ()

    def exists_under(self, version: ApiVersion) -> bool:
        """True when Stripe has this endpoint under ``version``."""
        if not self.generation.takes_version(version):
            return False
        threshold = self.available_from
        if version.kind == "preview" and self.preview_from is not None:
            threshold = self.preview_from
        return threshold is None or version.at_least(threshold)

    def model(self, x: Exchange) -> Any:
        """The request model for the exchange's version, or None."""
        if self.params is None or x.version is None:
            return None
        return self.params(x.version)

    def account_of(self, x: Exchange) -> str | None:
        """The account the request is about, or None."""
        return self.account(x) if self.account is not None else None

    @property
    def route(self) -> str:
        """``POST /v2/core/account_links``."""
        return f"{self.method} {self.path}"
