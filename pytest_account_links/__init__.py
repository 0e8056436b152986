"""pytest-account-links: an offline fake of Stripe's Connect onboarding endpoints.

Installing the package is all it takes: pytest loads :mod:`.plugin` and the
``account_links`` fixture is there. The names below are imported on first use,
so loading the plugin stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_account_links.api.models import (
        AccountLinkCreateParams,
        LegacyAccountLinkCreateParams,
    )
    from pytest_account_links.core.calls import Call, CallList
    from pytest_account_links.core.clock import Clock
    from pytest_account_links.core.errors import CATALOGUE, ErrorSpec, UnfakedRequestError
    from pytest_account_links.domain.accounts import Accounts, ConnectedAccount
    from pytest_account_links.domain.events import DeliveredEvent, WebhookDeliveryError
    from pytest_account_links.domain.links import AccountSession, Link, Visit
    from pytest_account_links.domain.provider import StripeProvider
    from pytest_account_links.harness.fake import AccountLinksFake

__version__ = "0.1.0"

__all__ = [
    "CATALOGUE",
    "AccountLinkCreateParams",
    "AccountLinksFake",
    "AccountSession",
    "Accounts",
    "Call",
    "CallList",
    "Clock",
    "ConnectedAccount",
    "DeliveredEvent",
    "ErrorSpec",
    "LegacyAccountLinkCreateParams",
    "Link",
    "StripeProvider",
    "UnfakedRequestError",
    "Visit",
    "WebhookDeliveryError",
    "__version__",
]

_WHERE = {
    "AccountLinkCreateParams": "api.models",
    "AccountLinksFake": "harness.fake",
    "AccountSession": "domain.links",
    "Accounts": "domain.accounts",
    "ConnectedAccount": "domain.accounts",
    "DeliveredEvent": "domain.events",
    "Link": "domain.links",
    "Visit": "domain.links",
    "CATALOGUE": "core.errors",
    "Call": "core.calls",
    "CallList": "core.calls",
    "Clock": "core.clock",
    "ErrorSpec": "core.errors",
    "LegacyAccountLinkCreateParams": "api.models",
    "StripeProvider": "domain.provider",
    "UnfakedRequestError": "core.errors",
    "WebhookDeliveryError": "domain.events",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_account_links' has no attribute {name!r}")
    # Not cached here: pytester's in-process runs drop and re-import the plugin's
    # submodules, and a cached class would then differ from the one the fake raises.
    return getattr(importlib.import_module(f"pytest_account_links.{module}"), name)


def __dir__() -> list[str]:
    return sorted(__all__)
