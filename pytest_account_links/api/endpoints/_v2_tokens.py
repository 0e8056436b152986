"""What the token endpoints and the endpoints that take a token share: the schema of what a
token carries, the refusals of a request that names one, and the token it may use (the
rules themselves: :mod:`...domain.tokens`).

Source: Stripe's OpenAPI spec (``tests/data/account-tokens-v2.openapi.json``, extracted to
``schemas.json`` by ``scripts/extract_schemas.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_account_links.domain import tokens
from pytest_account_links.domain.account_state import schemas

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange

#: The top-level fields of an answered token (what ``override_next`` may set).
FIELDS = ("created", "expires_at", "id", "livemode", "object", "used")

#: The endpoint whose body is what a token of each kind carries.
_CREATED_BY = {
    tokens.ACCOUNT.name: "v2.core.account_tokens.create",
    tokens.PERSON.name: "v2.core.accounts.person_tokens.create",
}


def carried(kind: tokens.Kind) -> dict[str, Any]:
    """The schema of what a token of ``kind`` carries (its create endpoint's body)."""
    body: dict[str, Any] = schemas()["endpoints"][_CREATED_BY[kind.name]]["body"]
    return body


def secret_key_in_live_mode(x: Exchange) -> Answer | None:
    """``Endpoint.check`` of a token's creation: in live mode Stripe takes a publishable
    key only, and the fake takes secret keys only, so a live key is refused."""
    assert x.key is not None
    if x.key.livemode:
        return x.error("token_must_be_created_with_publishable_key")
    return None


def check(x: Exchange, kind: tokens.Kind, account: str | None = None) -> Answer | None:
    """The refusals of a request that may name a token of ``kind`` (``account_token``):
    a token it may not use, a field sent beside it, or (an account token) none where the
    platform must send one."""
    assert x.key is not None
    sent: dict[str, Any] = x.params
    value = sent.get(kind.param)
    livemode = x.key.livemode
    if value is None:
        if tokens.required(
            kind,
            sent,
            carried(kind),
            livemode=livemode,
            platform_country=x.store.accounts.platform_country,
        ):
            return x.error(f"{kind.param}_required")
        return None
    rest = {name: item for name, item in sent.items() if name != kind.param}
    try:
        tokens.redeem(x.store, value, kind, rest, carried(kind), livemode=livemode, account=account)
    except tokens.TokenRefused as refused:
        return x.error(refused.code, refused.message)
    return None


def named(x: Exchange, kind: tokens.Kind) -> tokens.Token | None:
    """The token the request names, :func:`check` having let it through (or None)."""
    value = x.params.get(kind.param)
    return None if value is None else x.store.tokens[value]


def use_named(x: Exchange, kind: tokens.Kind) -> None:
    """The token the request named (if any) is used: the request was answered."""
    token = named(x, kind)
    if token is not None:
        tokens.use(token)


def request(x: Exchange, kind: tokens.Kind, token: tokens.Token | None) -> dict[str, Any]:
    """The request as the endpoint applies it: the token's fields as if sent, ``include``
    and the token's parameter left out."""
    sent = {name: value for name, value in x.params.items() if name not in ("include",)}
    if token is None:
        return sent
    return tokens.applied(token, sent)
