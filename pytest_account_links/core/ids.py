"""Stripe-shaped identifiers, drawn from a seeded ``random.Random``: the fake's fabrication.

No Faker here: the fake needs only a stream of random bytes for IDs, tokens and
request IDs, so a test that uses the fake never waits for Faker to load. The
public Faker provider (:class:`pytest_account_links.domain.provider.StripeProvider`)
draws the same values through these functions.
"""

from __future__ import annotations

import random
import string
import uuid

_ALNUM = (string.ascii_letters + string.digits).encode()
# Each byte value maps to a letter or digit; the 8 values past 4 x 62 are dropped, so
# every character is equally likely. bytes.translate does the work in C.
_TO_ALNUM = bytes(_ALNUM[value % len(_ALNUM)] for value in range(256))
_UNEVEN = bytes(range(4 * len(_ALNUM), 256))

#: The length of an Account Link's token after ``alu_test_``, as in Stripe's own example
#: (``alu_test_61SGhyomRuz7xsw5216SGhyj0ASQdCLwMKdRUF3mi3H6``: 44 letters and digits).
LINK_TOKEN_LENGTH = 44


def token(source: random.Random, length: int = 16) -> str:
    """``length`` random letters and digits."""
    drawn = b""
    while len(drawn) < length:
        drawn += source.randbytes(length + 8).translate(_TO_ALNUM, _UNEVEN)
    return drawn[:length].decode()


def idempotency_key(source: random.Random) -> str:
    """An idempotency key shaped like the SDK's (a UUID 4)."""
    return str(uuid.UUID(int=source.getrandbits(128), version=4))


def api_key(source: random.Random, livemode: bool = False) -> str:
    """A secret key: ``sk_test_`` (or ``sk_live_``) and 99 letters and digits."""
    return f"sk_{'live' if livemode else 'test'}_{token(source, 99)}"


def link_token(source: random.Random, livemode: bool = False) -> str:
    """The single-use token of an Account Link: ``alu_test_`` and 44 letters and digits."""
    return f"alu_{'live' if livemode else 'test'}_{token(source, LINK_TOKEN_LENGTH)}"


def link_url(
    source: random.Random,
    account: str,
    livemode: bool = False,
    base: str = "https://accounts.stripe.com",
) -> str:
    """An Account Link URL: ``https://accounts.stripe.com/r/<account>#alu_test_<token>``."""
    return f"{base}/r/{account}#{link_token(source, livemode)}"


#: The length of a v1 Account Link's token: 12 letters and digits in every real URL
#: (``https://connect.stripe.com/setup/c/acct_1Mt0CORHFI4mz9Rw/TqckGNUHg2mG``, the API
#: reference's example).
V1_LINK_TOKEN_LENGTH = 12


def v1_link_url(
    source: random.Random, account: str, base: str = "https://connect.stripe.com"
) -> str:
    """A v1 Account Link URL: ``https://connect.stripe.com/setup/c/<account>/<token>``."""
    return f"{base}/setup/c/{account}/{token(source, V1_LINK_TOKEN_LENGTH)}"


class Ids:
    """The identifiers one test's fake fabricates, from the test's seed."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)

    def token(self, length: int = 16) -> str:
        return token(self.random, length)

    def account_id(self) -> str:
        """``acct_`` and 16 letters and digits."""
        return f"acct_{token(self.random, 16)}"

    def request_id(self) -> str:
        """``req_`` and 14 letters and digits, as in the ``Request-Id`` header."""
        return f"req_{token(self.random, 14)}"

    def link_url(
        self, account: str, livemode: bool = False, base: str = "https://accounts.stripe.com"
    ) -> str:
        return link_url(self.random, account, livemode, base)

    def v1_link_url(self, account: str, base: str = "https://connect.stripe.com") -> str:
        return v1_link_url(self.random, account, base)
