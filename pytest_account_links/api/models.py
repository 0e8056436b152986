"""Pydantic models of the request body of ``POST /v2/core/account_links``.

Two families, chosen by the request's API version (see :mod:`._versions`):

* :class:`AccountLinkCreateParams`, from ``2026-09-30.endive`` on: no
  ``configurations`` in the use case;
* :class:`LegacyAccountLinkCreateParams`, before it: ``configurations`` is
  required in the sub-object named by ``use_case.type``.

Every model forbids unknown fields and coerces nothing, as Stripe does. The
field validators raise :class:`pydantic_core.PydanticCustomError` with the
message Stripe gives; :mod:`._validation` turns the errors into the message of
the v2 error envelope.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from pytest_account_links.domain.accounts import Configuration

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

UseCaseType = Literal["account_onboarding", "account_update"]

_ACCOUNT_ID = re.compile(r"^acct_[A-Za-z0-9]+$")


def well_formed(account: str) -> bool:
    """True for an ID shaped like a connected account's (``acct_`` and letters and digits)."""
    return _ACCOUNT_ID.match(account) is not None


def _check_account_id(value: str) -> str:
    if not _ACCOUNT_ID.match(value):
        raise PydanticCustomError(
            "invalid_account_id",
            "invalid account ID {value}: expected 'acct_' followed by letters and digits",
            {"value": repr(value[:64])},
        )
    return value


def _check_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PydanticCustomError(
            "invalid_url",
            "invalid URL {value}: expected an absolute http:// or https:// URL",
            {"value": repr(value[:200])},
        )
    return value


AccountId = Annotated[str, AfterValidator(_check_account_id)]
Url = Annotated[str, AfterValidator(_check_url)]


class _StripeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    def to_wire(self) -> dict[str, Any]:
        """The fields as they were sent, ``null`` and absent fields left out."""
        return self.model_dump(mode="json", exclude_none=True)


class CollectionOptions(_StripeModel):
    """Which requirements Stripe collects in the hosted flow."""

    fields: Literal["currently_due", "eventually_due"] | None = None
    future_requirements: Literal["include", "omit"] | None = None


class UseCaseOptions(_StripeModel):
    """The sub-object named by ``use_case.type`` (API versions from 2026-09-30)."""

    refresh_url: Url
    return_url: Url | None = None
    collection_options: CollectionOptions | None = None


class LegacyUseCaseOptions(UseCaseOptions):
    """The sub-object named by ``use_case.type`` (API versions before 2026-09-30)."""

    configurations: list[Configuration] = Field(min_length=1)


class UseCase(_StripeModel):
    """``use_case``: the hosted flow to open and its options."""

    type: UseCaseType
    account_onboarding: UseCaseOptions | None = None
    account_update: UseCaseOptions | None = None

    @model_validator(mode="after")
    def _named_sub_object(self) -> UseCase:
        chosen = getattr(self, self.type)
        if chosen is None:
            raise PydanticCustomError(
                "missing_sub_object",
                "{field}: required request field missing",
                {"field": self.type},
            )
        other = "account_update" if self.type == "account_onboarding" else "account_onboarding"
        if getattr(self, other) is not None:
            raise PydanticCustomError(
                "unexpected_sub_object",
                "{field}: not allowed when use_case.type is {type}",
                {"field": other, "type": repr(self.type)},
            )
        return self

    @property
    def options(self) -> UseCaseOptions:
        """The sub-object named by :attr:`type`."""
        chosen: UseCaseOptions = getattr(self, self.type)
        return chosen


class LegacyUseCase(UseCase):
    """``use_case`` for API versions before 2026-09-30, with ``configurations``."""

    account_onboarding: LegacyUseCaseOptions | None = None
    account_update: LegacyUseCaseOptions | None = None


class AccountLinkCreateParams(_StripeModel):
    """The body of ``POST /v2/core/account_links`` (API versions from 2026-09-30).

    ``account`` is any string here: an ID that cannot exist is ``not_found``, as Stripe
    answers it, not a validation failure.
    """

    account: str
    use_case: UseCase


class LegacyAccountLinkCreateParams(AccountLinkCreateParams):
    """The body of ``POST /v2/core/account_links`` (API versions before 2026-09-30)."""

    use_case: LegacyUseCase
