"""A valid request gets an Account Link in Stripe's exact wire shape."""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import jsonschema
import pytest
import requests
import stripe

from tests.conftest import ONBOARDING, schema

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake

URL = "https://api.stripe.com/v2/core/account_links"
RFC3339_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
LINK_FIELDS = {"object", "account", "created", "expires_at", "livemode", "url", "use_case"}


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_sdk_returns_an_account_link_whose_fields_read_back(
    stripe_client: stripe.StripeClient, account_links: AccountLinksFake
) -> None:
    link = stripe_client.v2.core.account_links.create(copy.deepcopy(ONBOARDING))  # type: ignore[arg-type]

    assert isinstance(link, stripe.v2.core.AccountLink)
    assert link.object == "v2.core.account_link"
    assert link.account == "acct_1Nv0FGQ9RKHgCVdK"
    assert link.livemode is False
    assert link.use_case.type == "account_onboarding"
    assert link.use_case.account_onboarding is not None
    assert link.use_case.account_onboarding.refresh_url == "https://example.com/reauth"
    assert link.use_case.account_onboarding.return_url == "https://example.com/return"
    assert re.fullmatch(
        r"https://accounts\.stripe\.com/r/acct_1Nv0FGQ9RKHgCVdK#alu_test_[A-Za-z0-9]{44}", link.url
    )
    assert RFC3339_MS.match(link.created)
    assert RFC3339_MS.match(link.expires_at)
    assert _parse(link.expires_at) - _parse(link.created) == timedelta(minutes=10)
    assert link.last_response is not None
    assert link.last_response.request_id == account_links.calls.last.request_id
    assert re.fullmatch(r"req_[A-Za-z0-9]{14}", link.last_response.request_id or "")


def test_body_validates_against_stripes_schema_and_has_no_other_field(
    account_links: AccountLinksFake,
) -> None:
    response = requests.post(URL, json=ONBOARDING, headers={"Authorization": "Bearer sk_test_123"})

    assert response.status_code == 200
    body = response.json()
    jsonschema.validate(body, schema("v2.core.account_link"))
    assert set(body) == LINK_FIELDS
    assert body["use_case"] == ONBOARDING["use_case"]


def test_headers_echo_the_idempotency_key_and_version(account_links: AccountLinksFake) -> None:
    response = requests.post(
        URL,
        json=ONBOARDING,
        headers={
            "Authorization": "Bearer sk_test_123",
            "Idempotency-Key": "my-key-1",
            "Stripe-Version": "2026-10-28.endive",
        },
    )

    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Idempotency-Key"] == "my-key-1"
    assert response.headers["Stripe-Version"] == "2026-10-28.endive"
    assert re.fullmatch(r"req_[A-Za-z0-9]{14}", response.headers["Request-Id"])


def test_sdk_sends_an_idempotency_key_that_is_echoed(
    stripe_client: stripe.StripeClient, account_links: AccountLinksFake
) -> None:
    link = stripe_client.v2.core.account_links.create(
        copy.deepcopy(ONBOARDING),  # type: ignore[arg-type]
        {"idempotency_key": "onboard-acct-1"},
    )

    assert link.last_response is not None
    assert link.last_response.headers["Idempotency-Key"] == "onboard-acct-1"
    assert account_links.calls.last.idempotency_key == "onboard-acct-1"


def test_live_keys_make_live_links(account_links: AccountLinksFake) -> None:
    body = requests.post(
        URL, json=ONBOARDING, headers={"Authorization": "Bearer sk_live_abcdef123456"}
    ).json()

    assert body["livemode"] is True
    assert re.search(r"#alu_live_[A-Za-z0-9]{44}$", body["url"])


@pytest.mark.parametrize("key", ["rk_test_abcdef123456", "rk_live_abcdef123456"])
def test_restricted_keys_are_refused_by_api_v2(account_links: AccountLinksFake, key: str) -> None:
    response = requests.post(URL, json=ONBOARDING, headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "insufficient_permissions"
    assert "with secret keys" in error["message"]
    assert key not in response.text


def test_account_update_with_collection_options_is_echoed(account_links: AccountLinksFake) -> None:
    sent = {
        "account": "acct_1",
        "use_case": {
            "type": "account_update",
            "account_update": {
                "refresh_url": "https://example.com/r",
                "collection_options": {
                    "fields": "eventually_due",
                    "future_requirements": "include",
                },
            },
        },
    }
    body = requests.post(URL, json=sent, headers={"Authorization": "Bearer sk_test_1"}).json()

    jsonschema.validate(body, schema("v2.core.account_link"))
    assert body["use_case"] == sent["use_case"]


def test_versions_before_2026_09_30_echo_configurations(
    stripe_client: stripe.StripeClient,
) -> None:
    params = {
        "account": "acct_1Nv0FGQ9RKHgCVdK",
        "use_case": {
            "type": "account_onboarding",
            "account_onboarding": {
                "configurations": ["recipient"],
                "return_url": "https://example.com/return",
                "refresh_url": "https://example.com/reauth",
            },
        },
    }
    link = stripe_client.v2.core.account_links.create(
        params,  # type: ignore[arg-type]
        {"stripe_version": "2025-12-15.preview"},
    )

    assert link.use_case.account_onboarding is not None
    assert link.use_case.account_onboarding["configurations"] == ["recipient"]
    assert link.last_response is not None
    assert link.last_response.headers["Stripe-Version"] == "2025-12-15.preview"


def test_link_lifetime_and_clock_can_be_set(account_links: AccountLinksFake) -> None:
    account_links.clock.freeze(datetime(2025, 3, 27, 17, 15, 18))
    account_links.link_lifetime = timedelta(minutes=5)

    body = requests.post(URL, json=ONBOARDING, headers={"Authorization": "Bearer sk_test_1"}).json()

    assert body["created"] == "2025-03-27T17:15:18.000Z"
    assert body["expires_at"] == "2025-03-27T17:20:18.000Z"


@pytest.mark.parametrize(
    "bad", [timedelta(0), timedelta(minutes=-1), timedelta(days=366), 10**15, "soon"]
)
def test_link_lifetime_refuses_what_is_not_a_duration_in_range(
    account_links: AccountLinksFake, bad: object
) -> None:
    with pytest.raises(ValueError, match=r"link_lifetime must be .*between 1 second and 365 days"):
        account_links.link_lifetime = bad  # type: ignore[assignment]


def test_link_lifetime_takes_seconds_or_a_duration(account_links: AccountLinksFake) -> None:
    account_links.link_lifetime = 600
    assert account_links.link_lifetime == timedelta(minutes=10)
    account_links.link_lifetime = "90s"  # type: ignore[assignment]
    assert account_links.link_lifetime == timedelta(seconds=90)
