"""API v1: form-encoded bodies, Unix times, the v1 error envelope, every API version.

What the official SDK sends (stripe-python 16.1.0, ``_encode.py`` and
``_api_requestor.py``): a form body, nested objects as ``a[b][c]=x``, lists as
``a[0]=x``, booleans as ``true``/``false``, ``None`` left out. Stripe takes
``a[]=x`` for a list too. A JSON body is refused with Stripe's own answer
(``invalid_content_type``).

Validation reports one problem, the first, as Stripe's v1 answers do, with its
``param`` in bracket notation. The wording is Stripe's, from its answers
(third-party captures): ``Missing required param: type.``
(``parameter_missing``), ``Received unknown parameter: collection_options[x]``
(``parameter_unknown``), ``Invalid type: must be one of account_onboarding or
account_update`` (an enum; no code, as in Stripe's answer), ``Invalid integer:
ten`` (``parameter_invalid_integer``), ``You passed an empty string for 'x'. ...``
(``parameter_invalid_empty``). ``Invalid boolean: x``, ``Invalid array``,
``Invalid object`` and ``Invalid string`` are the fake's wording.

The envelope (``error`` in ``shared/spec/account-links-v1.openapi.json``):
``{"error": {"code", "doc_url", "message", "param", "request_log_url",
"type"}}``, keys in alphabetical order as Stripe writes them. ``type`` is one of
the spec's four (``api_error``, ``card_error``, ``idempotency_error``,
``invalid_request_error``); ``code`` and ``doc_url``
(``https://stripe.com/docs/error-codes/<code-with-dashes>``) only where Stripe's
sources show a code (a 401, a 500 or an invalid version has none);
``request_log_url`` (``https://dashboard.stripe.com/test/logs/req_...?t=<unix>``,
without ``/test`` in live mode) once the key was read.
"""

from __future__ import annotations

import reprlib
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from pytest_account_links.api.generations import Body, InvalidBody, nested_keys, put

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from pytest_account_links.api.generations import ErrorContext
    from pytest_account_links.core.errors import ErrorSpec
    from pytest_account_links.core.versions import ApiVersion

#: Stripe's answer to a JSON body on /v1 (the ``invalid_content_type`` entry's message).
FORM_ONLY = (
    "Invalid request (check that your POST content type is application/x-www-form-urlencoded)."
    " If you have any questions, we can help at https://support.stripe.com/."
)

#: The ``type`` values of the v1 error schema.
_TYPES = frozenset({"api_error", "card_error", "idempotency_error", "invalid_request_error"})
#: The fields of the v1 error schema (``api_errors``) besides those written here.
_FIELDS = frozenset(
    {
        "advice_code",
        "charge",
        "decline_code",
        "network_advice_code",
        "network_decline_code",
        "payment_intent",
        "payment_method",
        "payment_method_type",
        "setup_intent",
        "source",
    }
)


def parse_form(text: str) -> dict[str, Any]:
    """A form (or query string) read as the SDK writes nested values: ``a[b]=x`` an
    object, ``a[0]=x`` (or ``a[]=x``) an object of indexes, which the schema reads as a
    list. (``parse_qsl``'s reading, done by hand: only what needs unquoting is.)"""
    values: dict[str, Any] = {}
    for piece in text.split("&"):
        if not piece:
            continue
        name, _, value = piece.partition("=")
        if "%" in name or "+" in name:
            name = unquote_plus(name)
        if "%" in value or "+" in value:
            value = unquote_plus(value)
        # Past _DEEPEST levels, the rest is one name, which no schema has.
        put(values, nested_keys(name, _DEEPEST), value, next_index=True)
    return values


#: The most levels a form's name is read into (``a[b][c]...``); deeper names are unknown
#: parameters, not a nesting that would exhaust the stack.
_DEEPEST = 32


def bracketed(loc: tuple[int | str, ...]) -> str:
    """A parameter's path as Stripe names it: ``collection_options[fields]``, ``expand[0]``."""
    text = ""
    for part in loc:
        name = str(part) if len(str(part)) <= 80 else f"{str(part)[:77]}..."
        text += f"[{name}]" if text else name
    return text


class V1Generation:
    """API v1 (``/v1/...``), as the OpenAPI spec, the SDK and Stripe's answers show it."""

    name = "v1"
    content_type = "application/json"
    #: Restricted keys (``rk_...``) work on v1 (docs.stripe.com/keys#limit-access).
    takes_restricted_keys = True
    #: The v1 code of a 429 (the SDK's code enum; docs.stripe.com/error-codes).
    rate_limit_code = "rate_limit"
    #: "Stripe's idempotency works by saving the resulting status code and body of the
    #: first request made for any given idempotency key, regardless of whether it
    #: succeeds or fails ... including 500 errors" (docs.stripe.com/api/idempotent_requests).
    keeps_failures = True

    def parse_body(self, raw: bytes) -> Body:
        if raw.lstrip()[:1] in (b"{", b"["):
            return Body(raw, problem=FORM_ONLY)
        return Body(raw, parse_form(raw.decode("utf-8", "replace")))

    def parse_query(self, query: str) -> Body:
        return Body(query.encode("latin-1", "replace"), parse_form(query))

    def validate(
        self,
        model: Any,
        body: Body,
        version: ApiVersion,
        removed: Mapping[str, str] | None = None,
    ) -> Any:
        from pytest_account_links.api.generations.schema import SchemaError

        if body.problem is not None:
            raise InvalidBody([body.problem], code="invalid_content_type")
        try:
            found = model.model_validate(body.value)
        except SchemaError as exc:
            message, code, param = describe(exc.errors()[0])
            raise InvalidBody([message], param=param, code=code) from None
        problem = metadata_problem(found)
        if problem is not None:
            raise InvalidBody([problem[0]], param=problem[1])
        return found

    def error_body(
        self,
        spec: ErrorSpec,
        message: str | None,
        extras: dict[str, Any],
        context: ErrorContext | None = None,
    ) -> Any:
        """``{"error": {"code"?, "doc_url"?, "message", "param"?, "request_log_url"?,
        "type"}}``, with the v1 schema's other fields a test passes."""
        error: dict[str, Any] = {
            "message": message if message is not None else spec.message,
            "type": v1_type(spec),
        }
        if spec.v1_code:
            error["code"] = spec.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{spec.code.replace('_', '-')}"
        if extras.get("param"):
            error["param"] = extras["param"]
        error.update({name: value for name, value in extras.items() if name in _FIELDS})
        if context is not None and context.livemode is not None:
            mode = "" if context.livemode else "test/"
            error["request_log_url"] = (
                f"https://dashboard.stripe.com/{mode}logs/{context.request_id}"
                f"?t={self.timestamp(context.time)}"
            )
        return {"error": dict(sorted(error.items()))}

    def timestamp(self, moment: datetime) -> int:
        """Seconds since the Unix epoch, as v1 writes every time."""
        return int(moment.timestamp())

    def takes_version(self, version: ApiVersion) -> bool:
        """Every version Stripe has: the dated ones before ``2024-09-30.acacia`` too."""
        return True


V1 = V1Generation()


#: Stripe's limits on ``metadata`` (docs.stripe.com/api/metadata: "up to 50 keys, with key
#: names up to 40 characters long and values up to 500 characters long"; a form body's
#: ``metadata[a[b]]`` is an object, not a key with brackets, and the schema refuses it).
METADATA_KEYS, METADATA_KEY_LENGTH, METADATA_VALUE_LENGTH = 50, 40, 500


def metadata_problem(params: Any, loc: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """The first ``metadata`` (at any depth: ``individual[metadata]`` too) over Stripe's
    limits, as (message, param); None when every one is within them.

    The wording is Stripe's as its answers give it ("Invalid key: ... must be a string
    under 40 characters", "Invalid val: ...", "Metadata can have up to 50 keys, but
    you've set 51. ..."); the limits count the keys of one request (the fake's choice:
    keys the object already holds are not added in)."""
    if not isinstance(params, dict):
        return None
    for name, value in params.items():
        if not isinstance(value, dict):
            continue
        here = (*loc, name)
        if name == "metadata":
            problem = _over_the_limits(value)
            if problem is not None:
                return problem, bracketed(here)
        else:
            found = metadata_problem(value, here)
            if found is not None:
                return found
    return None


def _over_the_limits(metadata: dict[str, Any]) -> str | None:
    if len(metadata) > METADATA_KEYS:
        return (
            f"Metadata can have up to {METADATA_KEYS} keys, but you've set {len(metadata)}. "
            "Email us at support+metadata@stripe.com for more information."
        )
    for key, value in metadata.items():
        if len(key) > METADATA_KEY_LENGTH:
            return (
                f"Invalid key: {_shown(key)} must be a string under "
                f"{METADATA_KEY_LENGTH} characters"
            )
        if isinstance(value, str) and len(value) > METADATA_VALUE_LENGTH:
            return (
                f"Invalid val: {_shown(value)} must be a string under "
                f"{METADATA_VALUE_LENGTH} characters"
            )
    return None


def v1_type(spec: ErrorSpec) -> str:
    """The error's ``type`` among the four of the v1 schema: its own where it is one of
    them, else ``api_error`` for a 5xx and ``invalid_request_error`` for the rest."""
    if spec.type in _TYPES:
        return str(spec.type)
    return "api_error" if spec.status >= 500 else "invalid_request_error"


def describe(error: dict[str, Any]) -> tuple[str, str | None, str]:
    """One validation problem (pydantic-shaped, from :mod:`.schema`) as Stripe's v1 words
    it: the message, the catalogue code (None: ``invalid_fields``) and the ``param``."""
    kind = error["type"]
    param = bracketed(tuple(error["loc"]))
    value = error.get("input")
    if kind == "missing":
        return f"Missing required param: {param}.", "parameter_missing", param
    if kind == "extra_forbidden":
        return f"Received unknown parameter: {param}", "parameter_unknown", param
    if kind == "empty":
        return (
            f"You passed an empty string for '{param}'. We assume empty values are an attempt "
            f"to unset a parameter; however '{param}' cannot be unset. You should remove "
            f"'{param}' from your request or supply a non-empty value.",
            "parameter_invalid_empty",
            param,
        )
    if kind == "literal_error":
        return f"Invalid {param}: must be one of {_one_of(error['ctx']['enum'])}", None, param
    if kind == "int_type":
        return f"Invalid integer: {_shown(value)}", "parameter_invalid_integer", param
    return _PLAIN.get(kind, "Invalid {param}").format(param=param, value=_shown(value)), None, param


_PLAIN = {
    "bool_type": "Invalid boolean: {value}",
    "float_type": "Invalid decimal: {value}",
    "list_type": "Invalid array",
    "dict_type": "Invalid object",
    "string_type": "Invalid string",
}


def _one_of(values: list[Any]) -> str:
    """``a or b``; ``a, b, or c`` (Stripe's "must be one of reusable or single_use")."""
    shown = [str(value) for value in values]
    if len(shown) <= 2:
        return " or ".join(shown)
    return f"{', '.join(shown[:-1])}, or {shown[-1]}"


def _shown(value: Any, limit: int = 80) -> str:
    """A value as a message quotes it, cut short (``reprlib``: however deep it is)."""
    text = value if isinstance(value, str) else reprlib.repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
