"""The public Faker provider of Stripe-style values (see :mod:`.domain.provider`).

>>> from faker import Faker
>>> from pytest_account_links.domain.provider import StripeProvider
>>> fake = Faker()
>>> fake.add_provider(StripeProvider)
>>> fake.seed_instance(7)
>>> fake.stripe_account_id().startswith("acct_")
True
"""

from __future__ import annotations

from pytest_account_links.domain.provider import StripeProvider

__all__ = ["StripeProvider"]
