"""Account tokens and person tokens (API v2): what a token holds, how long it lives, what
using one checks, and what applying one to a request means.

A platform that must not handle identity data on its servers collects it in the
browser into a token (``POST /v2/core/account_tokens``, ``POST
/v2/core/accounts/{account_id}/person_tokens``) and hands the API the token's ID
(``account_token`` on ``POST /v2/core/accounts`` and ``POST /v2/core/accounts/{id}``,
``person_token`` on the persons). The test's store keeps every token, as it keeps
links: created, expiring, used once.

Sources: Stripe's OpenAPI spec (``tests/data/account-tokens-v2.openapi.json``, from
``latest/openapi.spec3.json``: the two objects, the bodies, the operations' error
lists); the API reference's example objects (docs.stripe.com/api/v2/core/account-tokens
and /person-tokens: ``accttok_`` / ``perstok_`` and 44 letters and digits, ``expires_at``
ten minutes after ``created``); docs.stripe.com/connect/account-tokens (tokens carry no
country; "French platforms must use account tokens"; the attestations' "IP, date, and
User Agent are expanded by Stripe"). The ``v2.error.*`` descriptions name each refusal:
``token_already_used`` ("re-used with a different idempotency key": the same key
replays the first answer instead), ``token_expired``, ``invalid_account_token``,
``incorrect_token_wrong_type``, ``v1_token_invalid_in_v2``,
``param_alongside_account_token``, ``account_token_required``.

The fake's choices, where Stripe is silent:

* A token lives :data:`LIFETIME` (ten minutes, as in the reference's examples).
* A token is found in the mode it was made in only (a test-mode token does not exist for
  a live key: ``invalid_account_token``), and a person token on its own account only
  (another account's: ``incorrect_account_for_person_token``).
* The attestations a token carries (``attested: true``, ``shown_and_accepted: true``)
  are expanded when the token is made: the token's ``created`` as the ``date``,
  :data:`TOKEN_IP` as the ``ip`` (the fake sees no browser) and the creating request's
  ``User-Agent``; ``false`` attests nothing and is dropped.
* Refused alongside a token (``param_alongside_account_token``,
  ``param_alongside_person_token``): every field the token carries (``contact_email``,
  ``contact_phone``, ``display_name``, each part of ``identity`` the token's schema has;
  for a person token, every field of a person it has, ``metadata`` and ``relationship``
  too); ``identity.country``, which no token carries, and the account's settings
  (``configuration``, ``defaults``, ...) may be sent beside an account token.
* ``account_token_required`` (``person_token_required``): a live-mode request that sends
  identity data itself (any part of ``identity`` but ``country``; any field a person
  token carries) for a platform in a country where Stripe mandates tokens
  (:data:`MANDATED`, from the platform's ``platform_country``).
* The order of the checks: a v1 token, then a token of the other kind, then a field
  sent beside the token, then the token itself (unknown, expired, used).
* The wording of every refusal's message (the codes and their meaning are Stripe's).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Protocol

from pytest_account_links.core.clock import rfc3339

if TYPE_CHECKING:
    from datetime import datetime

    from pytest_account_links.core.clock import Clock
    from pytest_account_links.core.ids import Ids

#: How long a token can be used (the reference's examples: created 14:00, expires 14:10).
LIFETIME = timedelta(minutes=10)

#: The ``ip`` of an attestation a token carries (a documentation address: the fake sees
#: no browser).
TOKEN_IP = "198.51.100.7"

#: Platform countries where Stripe requires account tokens (docs.stripe.com/connect/
#: account-tokens: "French platforms must use account tokens").
MANDATED = frozenset({"FR"})

#: The v1 tokens' prefixes (``POST /v1/tokens`` with ``account`` or ``person``).
V1_PREFIXES = ("ct_", "cpt_")


@dataclass(frozen=True)
class Kind:
    """What differs between an account token and a person token."""

    name: str
    #: The ID's prefix (``accttok``).
    prefix: str
    #: The answer's ``object``.
    object: str
    #: The request parameter that takes it (``account_token``).
    param: str
    #: The codes of an unknown token and of a field sent beside it.
    invalid: str
    alongside: str

    @property
    def article(self) -> str:
        """``an account``, ``a person``."""
        return f"{'an' if self.name[0] in 'aeiou' else 'a'} {self.name}"


ACCOUNT = Kind(
    "account",
    "accttok",
    "v2.core.account_token",
    "account_token",
    "invalid_account_token",
    "param_alongside_account_token",
)
PERSON = Kind(
    "person",
    "perstok",
    "v2.core.account_person_token",
    "person_token",
    "invalid_person_token",
    "param_alongside_person_token",
)
KINDS = {kind.name: kind for kind in (ACCOUNT, PERSON)}


@dataclass
class Token:
    """One token of the test: what applying it sends, and its life."""

    id: str
    kind: Kind
    #: The fields applying the token sends (its attestations expanded).
    fields: dict[str, Any]
    created: datetime
    expires_at: datetime
    livemode: bool
    #: The account a person token is for (None for an account token).
    account: str | None = None
    used: bool = False


class Store(Protocol):
    """What this module reads of the test's store (:class:`.store.Store`)."""

    tokens: dict[str, Token]
    clock: Clock
    ids: Ids


class TokenRefused(ValueError):
    """A token (or a request that carries one) refused: ``code`` is the catalogue's."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def create(
    store: Store,
    kind: Kind,
    sent: dict[str, Any],
    *,
    livemode: bool,
    user_agent: str = "",
    account: str | None = None,
) -> Token:
    """A new token holding what was ``sent`` (a validated body: copied)."""
    now = store.clock.now()
    token = Token(
        id=f"{kind.prefix}_{store.ids.token(44)}",
        kind=kind,
        fields=_expanded(copy.deepcopy(sent), rfc3339(now), user_agent),
        created=now,
        expires_at=now + LIFETIME,
        livemode=livemode,
        account=account,
    )
    store.tokens[token.id] = token
    return token


def _expanded(fields: dict[str, Any], date: str, user_agent: str) -> dict[str, Any]:
    """The attestations as Stripe expands them: ``date``, ``ip``, ``user_agent`` for each
    one attested, nothing for one that is not."""
    stamp = {"date": date, "ip": TOKEN_IP, "user_agent": user_agent}
    attestations = (fields.get("identity") or {}).get("attestations") or {}
    for name in ("directorship_declaration", "ownership_declaration", "representative_declaration"):
        if name in attestations:
            _stamp(attestations, name, "attested", stamp)
    for holder in (attestations.get("terms_of_service"), fields.get("additional_terms_of_service")):
        if isinstance(holder, dict) and "account" in holder:
            _stamp(holder, "account", "shown_and_accepted", stamp)
    return fields


def _stamp(holder: dict[str, Any], name: str, flag: str, stamp: dict[str, str]) -> None:
    if (holder.get(name) or {}).get(flag):
        holder[name] = dict(stamp)
    else:
        del holder[name]


def render(token: Token) -> dict[str, Any]:
    """The token as the API answers it (``v2.core.account_token``, ...)."""
    return {
        "created": rfc3339(token.created),
        "expires_at": rfc3339(token.expires_at),
        "id": token.id,
        "livemode": token.livemode,
        "object": token.kind.object,
        "used": token.used,
    }


def find(
    store: Store, id: str, kind: Kind, *, livemode: bool, account: str | None = None
) -> Token | None:
    """The token ``id`` of ``kind``, in the key's mode (on ``account``, for a person
    token), or None where Stripe finds none."""
    token = store.tokens.get(id)
    if token is None or token.kind is not kind or token.livemode != livemode:
        return None
    if account is not None and token.account != account:
        return None
    return token


def redeem(
    store: Store,
    value: str,
    kind: Kind,
    sent: dict[str, Any],
    carried: dict[str, Any],
    *,
    livemode: bool,
    account: str | None = None,
) -> Token:
    """The token a request names (``value``) as it may be used now, or :class:`TokenRefused`.

    ``sent`` is the rest of the request; ``carried`` the schema of what a token of
    ``kind`` carries (the token create body's), whose fields may not be sent beside it.
    Using it is :func:`use`, once the request is answered.
    """
    _check_kind(value, kind)
    _check_alongside(sent, carried, kind)
    token = store.tokens.get(value)
    if token is None or token.kind is not kind or token.livemode != livemode:
        raise TokenRefused(kind.invalid, f"Invalid {kind.name} token: '{value}'.")
    if account is not None and token.account != account:
        raise TokenRefused(
            "incorrect_account_for_person_token",
            f"The person token '{value}' was created for the account '{token.account}', "
            f"not '{account}'.",
        )
    if store.clock.now() >= token.expires_at:
        raise TokenRefused(
            "token_expired",
            f"The {kind.name} token '{value}' expired at {rfc3339(token.expires_at)}; "
            "create a new token.",
        )
    if token.used:
        raise TokenRefused(
            "token_already_used",
            f"The {kind.name} token '{value}' has already been used; a token can be used "
            "only once.",
        )
    return token


def _check_kind(value: str, kind: Kind) -> None:
    if value.startswith(V1_PREFIXES):
        raise TokenRefused(
            "v1_token_invalid_in_v2",
            f"'{value}' is a v1 token (from POST /v1/tokens); API v2 takes {kind.article} "
            f"token ({kind.prefix}_...).",
        )
    for other in KINDS.values():
        if other is not kind and value.startswith(f"{other.prefix}_"):
            raise TokenRefused(
                "incorrect_token_wrong_type",
                f"'{value}' is {other.article} token; {kind.param} takes {kind.article} "
                f"token ({kind.prefix}_...).",
            )


def _check_alongside(sent: dict[str, Any], carried: dict[str, Any], kind: Kind) -> None:
    found = alongside(sent, carried)
    if found:
        raise TokenRefused(
            kind.alongside,
            f"{', '.join(found)} cannot be passed alongside {kind.param}: send "
            f"{'it' if len(found) == 1 else 'them'} in the token instead.",
        )


def alongside(sent: dict[str, Any], carried: dict[str, Any]) -> list[str]:
    """The fields of ``sent`` a token carries (a top-level one, or a part of ``identity``),
    by their dotted paths."""
    properties = carried.get("properties") or {}
    found = []
    for name, value in sent.items():
        if name not in properties or value is None:
            continue
        inner = properties[name].get("properties")
        if name == "identity" and isinstance(value, dict) and inner is not None:
            found += [f"identity.{part}" for part in value if part in inner]
        else:
            found.append(name)
    return found


def applied(token: Token, sent: dict[str, Any]) -> dict[str, Any]:
    """The request as if the token's fields had been sent in it (beside what was)."""
    merged = copy.deepcopy(sent)
    merged.pop(token.kind.param, None)
    for name, value in copy.deepcopy(token.fields).items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            merged[name] = {**merged[name], **value}
        else:
            merged[name] = value
    return merged


def use(token: Token) -> None:
    """The token is used: it cannot be used again."""
    token.used = True


def required(
    kind: Kind,
    sent: dict[str, Any],
    carried: dict[str, Any],
    *,
    livemode: bool,
    platform_country: str | None,
) -> bool:
    """True when the request must carry a token of ``kind``: live mode, a platform in a
    :data:`MANDATED` country, identity data sent without one (for an account, a part of
    ``identity`` but its country; for a person, any field a person token carries)."""
    if not livemode or (platform_country or "").upper() not in MANDATED:
        return False
    if sent.get(kind.param) is not None:
        return False
    found = alongside(sent, carried)
    if kind is ACCOUNT:
        return any(path.startswith("identity.") for path in found)
    return bool(found)
