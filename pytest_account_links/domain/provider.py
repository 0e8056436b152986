"""A Faker provider of Stripe-style values.

>>> from faker import Faker
>>> from pytest_account_links.domain.provider import StripeProvider
>>> fake = Faker()
>>> fake.add_provider(StripeProvider)
>>> fake.seed_instance(7)
>>> fake.stripe_account_id().startswith("acct_")
True
"""

from __future__ import annotations

from faker.providers import BaseProvider

from pytest_account_links.core import ids as _ids

__all__ = ["StripeProvider"]


class StripeProvider(BaseProvider):
    """Identifiers, keys and Account Link URLs shaped like Stripe's."""

    def stripe_token(self, length: int = 16) -> str:
        """``length`` random letters and digits."""
        return _ids.token(self.generator.random, length)

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
        return _ids.idempotency_key(self.generator.random)

    def stripe_api_key(self, livemode: bool = False) -> str:
        """A secret key: ``sk_test_`` (or ``sk_live_``) and 99 letters and digits."""
        return _ids.api_key(self.generator.random, livemode)

    def stripe_account_link_token(self, livemode: bool = False) -> str:
        """The single-use token of an Account Link: ``alu_test_`` and 44 letters and digits."""
        return _ids.link_token(self.generator.random, livemode)

    def stripe_account_link_url(self, account: str | None = None, livemode: bool = False) -> str:
        """An Account Link URL: ``https://accounts.stripe.com/r/<account>#alu_test_<token>``."""
        return _ids.link_url(self.generator.random, account or self.stripe_account_id(), livemode)
