"""A Faker provider of Stripe-style values.

>>> from faker import Faker
>>> from pytest_account_links.provider import StripeProvider
>>> fake = Faker()
>>> fake.add_provider(StripeProvider)
>>> fake.seed_instance(7)
>>> fake.stripe_account_id().startswith("acct_")
True
"""

from __future__ import annotations

import string
import uuid

from faker.providers import BaseProvider

__all__ = ["StripeProvider"]

_ALNUM = (string.ascii_letters + string.digits).encode()
# Each byte value maps to a letter or digit; the 8 values past 4 x 62 are dropped, so
# every character is equally likely. bytes.translate does the work in C.
_TO_ALNUM = bytes(_ALNUM[value % len(_ALNUM)] for value in range(256))
_UNEVEN = bytes(range(4 * len(_ALNUM), 256))


class StripeProvider(BaseProvider):
    """Identifiers, keys and Account Link URLs shaped like Stripe's."""

    def stripe_token(self, length: int = 16) -> str:
        """``length`` random letters and digits."""
        token = b""
        while len(token) < length:
            token += self.generator.random.randbytes(length + 8).translate(_TO_ALNUM, _UNEVEN)
        return token[:length].decode()

    def stripe_id(self, prefix: str, length: int = 16) -> str:
        """An object ID: ``<prefix>_`` followed by ``length`` letters and digits."""
        return f"{prefix}_{self.stripe_token(length)}"

    def stripe_account_id(self) -> str:
        """A connected account ID: ``acct_`` and 16 letters and digits."""
        return self.stripe_id("acct", 16)

    def stripe_request_id(self) -> str:
        """A request ID, as in the ``Request-Id`` header: ``req_`` and 14 letters and digits."""
        return self.stripe_id("req", 14)

    def stripe_idempotency_key(self) -> str:
        """An idempotency key shaped like the SDK's (a UUID 4)."""
        return str(uuid.UUID(int=self.generator.random.getrandbits(128), version=4))

    def stripe_api_key(self, livemode: bool = False) -> str:
        """A secret key: ``sk_test_`` (or ``sk_live_``) and 99 letters and digits."""
        return f"sk_{'live' if livemode else 'test'}_{self.stripe_token(99)}"

    def stripe_account_link_token(self, livemode: bool = False) -> str:
        """The single-use token of an Account Link: ``alu_test_`` and 48 letters and digits."""
        return f"alu_{'live' if livemode else 'test'}_{self.stripe_token(48)}"

    def stripe_account_link_url(self, account: str | None = None, livemode: bool = False) -> str:
        """An Account Link URL: ``https://accounts.stripe.com/r/<account>#alu_test_<token>``."""
        account = account or self.stripe_account_id()
        token = self.stripe_account_link_token(livemode)
        return f"https://accounts.stripe.com/r/{account}#{token}"
