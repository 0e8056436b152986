"""``POST /v2/core/account_links``: create an Account Link.

The SDK's ``client.v2.core.account_links.create``.

Sources: Stripe's OpenAPI spec (``shared/spec/account-links-v2.openapi.json``:
the body, the ``v2.core.account_link`` object, the errors the operation lists)
and the API reference page (``shared/seed/create-account-link-v2.txt``: the
statuses of those errors, the 10-minute lifetime, the URL's shape). Generally
available from ``2025-12-15.clover`` (stripe-python 14.1.0), in preview from
``2025-07-30.preview`` (Stripe's changelog).
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.core.clock import rfc3339
from pytest_account_links.core.versions import CONFIGURATIONS_REMOVED_IN
from pytest_account_links.domain.links import Link

if TYPE_CHECKING:
    from pytest_account_links.api.models import AccountLinkCreateParams
    from pytest_account_links.api.pipeline import Answer, Exchange
    from pytest_account_links.core.versions import ApiVersion


def _params(version: ApiVersion) -> Any:
    from pytest_account_links.api import models

    if version.takes_configurations:
        return models.LegacyAccountLinkCreateParams
    return models.AccountLinkCreateParams


def _refused(x: Exchange) -> Answer | None:
    """Why the platform's state refuses a valid request (Stripe's documented errors)."""
    params: AccountLinkCreateParams = x.params
    if not x.store.accounts.v2_enabled:
        return x.error("accounts_v2_access_blocked")
    sent = _configurations(x)
    account = x.named_account(params.account, sent)
    if account is None:
        return x.error("not_found", f"No such account: '{params.account}'")
    if account.closed:
        return x.error("account_closed", f"The account {params.account} is closed.")
    if sent is not None and set(sent) != set(account.configurations):
        return x.error(
            "configs_must_match_to_use_account_links",
            f"Account {params.account} has the configurations "
            f"{', '.join(account.configurations)}; the request asked for {', '.join(sent or ())}.",
            applied_configurations=list(account.configurations),
        )
    return None


def _configurations(x: Exchange) -> list[str] | None:
    """The configurations the request sent: API versions before ``2026-09-30`` take them
    (:class:`~pytest_account_links.models.LegacyUseCaseOptions`); None from then on."""
    assert x.version is not None
    if not x.version.takes_configurations:
        return None
    sent: list[str] = x.params.use_case.options.configurations
    return sent


def _respond(x: Exchange) -> Answer:
    params: AccountLinkCreateParams = x.params
    assert x.key is not None
    now = x.store.clock.now()
    created = now.replace(microsecond=now.microsecond // 1000 * 1000)  # as written: ms
    expires = created + x.store.link_lifetime
    created_text, expires_text = rfc3339(created), rfc3339(expires)
    x.found = {created_text: created, expires_text: expires}  # for _keep
    return x.ok(
        {
            "object": "v2.core.account_link",
            "account": params.account,
            "created": created_text,
            "expires_at": expires_text,
            "livemode": x.key.livemode,
            "url": x.store.ids.link_url(params.account, x.key.livemode, x.store.hosted_base),
            "use_case": _sorted(params.use_case.to_wire()),
        }
    )


def _keep(x: Exchange, link: Any) -> None:
    """Keep the link as answered (after hooks and overrides), for ``visit()``."""
    params: AccountLinkCreateParams = x.params
    assert x.key is not None
    url = str(link.get("url", ""))
    written: dict[str, datetime] = x.found or {}  # the times as _respond wrote them
    created = _read(link.get("created"), written) or x.store.clock.now()
    # An override may have replaced expires_at with something unreadable: keep the fake's own.
    expires = _read(link.get("expires_at"), written) or created + x.store.link_lifetime
    options = params.use_case.options
    x.store.links[url.rsplit("#", 1)[-1]] = Link(
        url=url,
        account=params.account,
        use_case=params.use_case.type,
        refresh_url=options.refresh_url,
        return_url=options.return_url,
        created=created,
        expires_at=expires,
        livemode=x.key.livemode,
        configurations=tuple(_configurations(x) or ()),
    )


def _read(value: Any, written: dict[str, datetime]) -> datetime | None:
    """A time of the answer: the one the fake wrote, else (an override's) parsed."""
    found = written.get(value) if isinstance(value, str) else None
    return found if found is not None else _time(value)


def _time(value: Any) -> datetime | None:
    with contextlib.suppress(ValueError, TypeError):
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return None


def _sorted(value: dict[str, Any]) -> dict[str, Any]:
    """Keys in alphabetical order, as Stripe writes v2 objects."""
    return {
        key: _sorted(item) if isinstance(item, dict) else item
        for key, item in sorted(value.items())
    }


ENDPOINT = Endpoint(
    name="v2.core.account_links.create",
    method="POST",
    path="/v2/core/account_links",
    generation=V2,
    summary="Create an Account Link: a single-use URL to Stripe's hosted onboarding.",
    respond=_respond,
    errors=(
        "accounts_v2_access_blocked",
        "configs_must_match_to_use_account_links",
        "not_found",
        "account_rate_limit_exceeded",
    ),
    params=_params,
    check=_refused,
    keep=_keep,
    account=lambda x: x.body.field("account"),
    available_from="2025-12-15.clover",
    preview_from="2025-07-30.preview",
    removed={"configurations": CONFIGURATIONS_REMOVED_IN},
    fields=("object", "account", "created", "expires_at", "livemode", "url", "use_case"),
)
