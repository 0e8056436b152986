"""The public pydantic models of a request's body (see :mod:`.api.models`).

Code inside the package imports :mod:`.api.models`, never this module.
"""

from __future__ import annotations

from typing import Any

from pytest_account_links.api import models as _models
from pytest_account_links.api.models import (
    AccountLinkCreateParams,
    CollectionOptions,
    Configuration,
    LegacyAccountLinkCreateParams,
    LegacyUseCase,
    LegacyUseCaseOptions,
    UseCase,
    UseCaseOptions,
    UseCaseType,
)

__all__ = [
    "AccountLinkCreateParams",
    "CollectionOptions",
    "Configuration",
    "LegacyAccountLinkCreateParams",
    "LegacyUseCase",
    "LegacyUseCaseOptions",
    "UseCase",
    "UseCaseOptions",
    "UseCaseType",
]


def __getattr__(name: str) -> Any:
    return getattr(_models, name)
