"""API keys: reading the ``Authorization`` header and masking keys for display.

Nothing in this project prints a full key: every key that reaches a message, a
recorded call or a report goes through :func:`mask_key` first.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_KEY = re.compile(r"^(?P<kind>sk|rk)_(?P<mode>test|live)_[A-Za-z0-9]+$")
_PREFIX = re.compile(r"^[a-z]{2,4}_(?:test|live)_")
_BEARER = re.compile(r"^Bearer\s+(?P<key>\S+)\s*$", re.IGNORECASE)


def mask_key(key: str) -> str:
    """Show a key the way Stripe's dashboard does: ``sk_test_...4olf``.

    The prefix (``sk_test_``) and the last four characters stay; a key too short
    to hide anything keeps only its prefix, and text that is not shaped like a
    key is hidden whole.
    """
    prefix_match = _PREFIX.match(key)
    prefix = prefix_match.group(0) if prefix_match else ""
    secret = key[len(prefix) :]
    if len(secret) >= 12:
        return f"{prefix}...{secret[-4:]}"
    return f"{prefix}..." if prefix else "***"


def mask_authorization(value: str) -> str:
    """Mask the key inside an ``Authorization`` header value."""
    scheme, _, credentials = value.strip().partition(" ")
    if not credentials:
        return mask_key(scheme)
    return f"{scheme} {mask_key(credentials.strip())}"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A well-formed secret or restricted key, as the fake accepts it."""

    masked: str
    livemode: bool


class KeyProblem(Exception):
    """Why an ``Authorization`` header is refused; ``code`` picks the catalogue entry."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@functools.lru_cache(maxsize=64)
def read_api_key(authorization: str | None) -> ApiKey:
    """Parse ``Authorization: Bearer <key>``; raise :class:`KeyProblem` when Stripe would 401."""
    if not authorization or not authorization.strip():
        raise KeyProblem(
            "api_key_missing",
            "You did not provide an API key. Provide it in the Authorization header, "
            "using Bearer auth (e.g. 'Authorization: Bearer sk_test_...').",
        )
    bearer = _BEARER.match(authorization)
    if bearer is None:
        raise KeyProblem(
            "api_key_invalid",
            f"Invalid Authorization header {mask_authorization(authorization)!r}: "
            "expected 'Bearer <secret key>'.",
        )
    key = bearer.group("key")
    shaped = _KEY.match(key)
    if shaped is None:
        raise KeyProblem(
            "api_key_invalid",
            f"Invalid API Key provided: {mask_key(key)}. Expected a secret key (sk_test_..., "
            "sk_live_...) or a restricted key (rk_test_..., rk_live_...).",
        )
    return ApiKey(masked=mask_key(key), livemode=shaped.group("mode") == "live")
