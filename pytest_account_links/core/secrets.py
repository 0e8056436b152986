"""Secrets: reading the API key of a request, and keeping every key out of what is shown.

Nothing in this project prints a full secret or restricted key. Two tools keep
it so:

* :func:`mask_key` shows one key the way Stripe's dashboard does
  (``sk_test_...4olf``);
* :func:`redact` masks every key-shaped run of text (``sk_`` or ``rk_``, test
  or live) wherever it stands: a URL's userinfo, a body, a header, a message.

Everything the fake records (URLs, headers, bodies, answers) and every message
it writes passes through one of them. Loaded with the plugin, so it imports the
standard library only.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import re
from typing import NamedTuple

#: A secret or restricted key anywhere in a text. Publishable keys (``pk_``) are public.
#: A key standing on its own, or one long enough to be a key glued to other text
#: (``/nopesk_test_...``): Stripe's keys are over 16 characters after the prefix, and a
#: word such as ``disk_test_a`` is not one.
_ANY_KEY = re.compile(
    r"(?<![A-Za-z0-9])[sr]k_(?:test|live)_[A-Za-z0-9]+|[sr]k_(?:test|live)_[A-Za-z0-9]{16,}"
)
_ANY_KEY_BYTES = re.compile(
    rb"(?<![A-Za-z0-9])[sr]k_(?:test|live)_[A-Za-z0-9]+|[sr]k_(?:test|live)_[A-Za-z0-9]{16,}"
)
_KEY = re.compile(r"^(?P<kind>sk|rk)_(?P<mode>test|live)_[A-Za-z0-9]+$", re.ASCII)
_PREFIX = re.compile(r"^[a-z]{2,4}_(?:test|live)_")


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


def stars(key: str) -> str:
    """A key as Stripe's own 401 message shows it: ``sk_test_****...****4olf``.

    (The fake's own messages and records use :func:`mask_key`.)
    """
    prefix_match = _PREFIX.match(key)
    prefix = prefix_match.group(0) if prefix_match else ""
    secret = key[len(prefix) :]
    if len(secret) <= 4:
        return prefix + "*" * len(secret)
    return f"{prefix}{'*' * (len(secret) - 4)}{secret[-4:]}"


#: A Basic credential whose user is a secret or restricted key, base64-encoded: the key
#: starts the encoded text, so its prefix (``sk_test_``, ...) encodes the same every time
#: (``c2tfdGVzdF`` and one of ``89+/``), whatever follows.
_BASIC_KEY = re.compile(r"(?:c2tf|cmtf)(?:dGVzdF|bGl2ZV)[89+/][A-Za-z0-9+/]{16,}={0,2}")
_BASIC_KEY_BYTES = re.compile(rb"(?:c2tf|cmtf)(?:dGVzdF|bGl2ZV)[89+/][A-Za-z0-9+/]{16,}={0,2}")


def redact(text: str) -> str:
    """``text`` with every secret or restricted key in it masked (one in a Basic
    credential too: ``requests.get(url, auth=(key, ""))`` sends it base64-encoded)."""
    if "k_" in text:
        text = _ANY_KEY.sub(lambda found: mask_key(found.group(0)), text)
    if "c2tf" in text or "cmtf" in text:
        text = _BASIC_KEY.sub(lambda found: _masked_basic(found.group(0)), text)
    return text


def redact_bytes(data: bytes) -> bytes:
    """:func:`redact` for bytes (a request or response body)."""
    if b"k_" in data:
        data = _ANY_KEY_BYTES.sub(lambda found: mask_key(found.group(0).decode()).encode(), data)
    if b"c2tf" in data or b"cmtf" in data:
        data = _BASIC_KEY_BYTES.sub(
            lambda found: _masked_basic(found.group(0).decode()).encode(), data
        )
    return data


def _masked_basic(credentials: str) -> str:
    """A base64 Basic credential whose user is a key, as the masked key."""
    padded = credentials + "=" * (-len(credentials) % 4)
    user = _basic_user(padded)
    if user is None:  # cut short, or more text glued on: its prefix alone
        user = _basic_user(padded[:12]) or "sk_..."
    return mask_key(user)


def mask_authorization(value: str) -> str:
    """The ``Authorization`` header as it may be shown: the key in it masked.

    ``Bearer sk_test_...4olf``; a Basic credential is decoded first and shown as
    ``Basic sk_test_...4olf`` (its password part, which Stripe ignores, dropped).
    """
    scheme, _, credentials = value.strip().partition(" ")
    if not credentials:
        return redact(mask_key(scheme))
    credentials = credentials.strip()
    if scheme.lower() == "basic":
        user = credentials if _KEY.match(credentials) else _basic_user(credentials)
        return f"{scheme} {mask_key(user) if user is not None else '***'}"
    return f"{scheme} {mask_key(credentials)}"


def _basic_user(credentials: str) -> str | None:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded.partition(":")[0]


class ApiKey(NamedTuple):
    """A well-formed secret or restricted key, as the fake accepts it."""

    masked: str
    livemode: bool
    restricted: bool


class KeyProblem(Exception):
    """Why an ``Authorization`` header is refused; ``code`` picks the catalogue entry."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@functools.lru_cache(maxsize=64)
def read_api_key(authorization: str | None) -> ApiKey:
    """Parse the ``Authorization`` header; raise :class:`KeyProblem` where Stripe answers 401.

    Stripe takes the key as ``Bearer <key>`` (what the SDK sends) or as Basic auth
    with the key as the user name and an empty password (``curl -u sk_test_...:``),
    the two security schemes of its OpenAPI spec.
    """
    key = _key_in(authorization)
    shaped = _KEY.match(key)
    if shaped is None:
        raise KeyProblem("api_key_invalid", f"Invalid API Key provided: {stars(key)}")
    return ApiKey(
        masked=mask_key(key),
        livemode=shaped.group("mode") == "live",
        restricted=shaped.group("kind") == "rk",
    )


def _key_in(authorization: str | None) -> str:
    """The key an ``Authorization`` header carries (Bearer or Basic), or :class:`KeyProblem`."""
    if not authorization or not authorization.strip():
        raise KeyProblem(
            "api_key_missing",
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY').",
        )
    scheme, _, credentials = authorization.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials and " " not in credentials:
        key = credentials
    elif scheme.lower() == "basic" and credentials:
        # "Authorization: Basic <api_key> | Authorization: Basic <base64 hash of api_key:>"
        # (the basicAuth scheme of Stripe's OpenAPI spec).
        user = credentials if _KEY.match(credentials) else _basic_user(credentials)
        if user is None:
            raise KeyProblem(
                "api_key_invalid",
                f"Invalid Authorization header {mask_authorization(authorization)!r}: the "
                "Basic credentials are not base64 of '<secret key>:'.",
            )
        key = user
    else:
        raise KeyProblem(
            "api_key_invalid",
            f"Invalid Authorization header {mask_authorization(authorization)!r}: expected "
            "'Bearer <secret key>' or Basic auth with the key as the user name.",
        )
    return key


class OnlyKey:
    """The one key a server takes (``serve --api-key``): any other is 401, in Stripe's words.

    Only a digest of the key is kept, and its masked form (``sk_test_...4olf``) for
    messages, so nothing holding it can show it.
    """

    __slots__ = ("_digest", "masked")

    def __init__(self, key: str) -> None:
        if _KEY.match(key) is None:
            raise ValueError(
                f"must be a secret key (sk_test_... or sk_live_...) or a restricted key "
                f"(rk_test_...), got {mask_key(key)!r}"
            )
        self._digest = hashlib.sha256(key.encode()).digest()
        #: The key as it may be shown.
        self.masked = mask_key(key)

    def check(self, authorization: str | None) -> None:
        """Raise :class:`KeyProblem` (``api_key_invalid``) unless the header carries the key."""
        key = _key_in(authorization)
        if not hmac.compare_digest(hashlib.sha256(key.encode()).digest(), self._digest):
            raise KeyProblem("api_key_invalid", f"Invalid API Key provided: {stars(key)}")

    def __repr__(self) -> str:
        return f"OnlyKey({self.masked!r})"
