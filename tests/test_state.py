"""The stateful fake: connected accounts, idempotency, the clock, the link's life, the event."""

from __future__ import annotations

import pytest

from tests.conftest import run_suite

HEADER = """
import copy
from datetime import datetime, timedelta, timezone

import pytest
import requests
import stripe

OLD = {"stripe_version": "2025-12-15.preview"}

def params(account="acct_1Nv0FGQ9RKHgCVdK", configurations=None, kind="account_onboarding",
           return_url="https://example.com/return"):
    options = {"refresh_url": "https://example.com/refresh"}
    if return_url:
        options["return_url"] = return_url
    if configurations is not None:
        options["configurations"] = configurations
    return {"account": account, "use_case": {"type": kind, kind: options}}
"""


def _run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    return run_suite(pytester, HEADER, body, *args, **outcomes)


def test_connected_accounts(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
def test_any_account_until_one_is_declared(stripe_client, account_links):
    stripe_client.v2.core.account_links.create(params("acct_anything"))
    account = account_links.accounts.get("acct_anything")
    assert account is not None and not account.declared
    assert account.display_name and "@" in account.contact_email

def test_declared_by_the_fixture(stripe_client, account_links):
    acct = account_links.accounts.add(configurations=["merchant", "customer"])
    assert acct.id.startswith("acct_") and len(acct.id) == 21
    assert acct.configurations == ("merchant", "customer")
    stripe_client.v2.core.account_links.create(params(acct.id))
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v2.core.account_links.create(params("acct_someoneelse"))
    assert raised.value.http_status == 404
    assert raised.value.error.code == "not_found"
    assert "acct_someoneelse" in str(raised.value)

@pytest.mark.stripe_accounts("acct_1", {"id": "acct_2", "configurations": ["merchant"],
                                        "display_name": "Rocket Rides"})
def test_declared_by_the_marker(stripe_client, account_links):
    assert [a.id for a in account_links.accounts] == ["acct_1", "acct_2"]
    assert account_links.accounts.get("acct_2").display_name == "Rocket Rides"
    stripe_client.v2.core.account_links.create(params("acct_2"))
    with pytest.raises(stripe.InvalidRequestError, match="No such account: 'acct_3'"):
        stripe_client.v2.core.account_links.create(params("acct_3"))

@pytest.mark.stripe_accounts({"id": "acct_2", "configurations": ["merchant"]})
def test_configurations_must_match(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v2.core.account_links.create(params("acct_2", ["recipient"]), OLD)
    error = raised.value.json_body["error"]
    assert raised.value.http_status == 400
    assert error["code"] == "configs_must_match_to_use_account_links"
    assert error["applied_configurations"] == ["merchant"]
    assert error["user_message"]
    link = stripe_client.v2.core.account_links.create(params("acct_2", ["merchant"]), OLD)
    assert link.account == "acct_2"

@pytest.mark.stripe_accounts({"id": "acct_2", "configurations": ["merchant"]})
def test_new_versions_carry_no_configurations_to_compare(stripe_client):
    assert stripe_client.v2.core.account_links.create(params("acct_2")).account == "acct_2"

@pytest.mark.stripe_accounts(v2_enabled=False)
def test_accounts_v2_off(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v2.core.account_links.create(params())
    assert raised.value.error.code == "accounts_v2_access_blocked"
    assert raised.value.json_body["error"]["user_message"]

def test_v2_switched_off_mid_test(stripe_client, account_links):
    stripe_client.v2.core.account_links.create(params())
    account_links.accounts.v2_enabled = False
    with pytest.raises(stripe.InvalidRequestError, match="Accounts v2 is not enabled"):
        stripe_client.v2.core.account_links.create(params())
""",
        passed=7,
    )


def test_accounts_markers_compose_across_scopes(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
pytestmark = pytest.mark.stripe_accounts("acct_module", v2_enabled=False)

@pytest.mark.stripe_accounts("acct_test", v2_enabled=True)
def test_union_and_closest_v2_flag(account_links):
    assert sorted(a.id for a in account_links.accounts) == ["acct_module", "acct_test"]
    assert account_links.accounts.v2_enabled is True

def test_module_only(account_links):
    assert [a.id for a in account_links.accounts] == ["acct_module"]
    assert account_links.accounts.v2_enabled is False
""",
        passed=2,
    )


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            'stripe_accounts("acct-1")',
            "*stripe_accounts: accounts.0.id: invalid account ID 'acct-1': expected 'acct_' "
            "followed by letters and digits",
        ),
        (
            'stripe_accounts({"id": "acct_1", "configurations": ["seller"]})',
            "*accounts.0.configurations.0: got 'seller', expected 'customer', 'merchant' or "
            "'recipient'",
        ),
        (
            'stripe_accounts({"idd": "acct_1"})',
            "*stripe_accounts: accounts.0: unexpected argument 'idd' (did you mean 'id'?); "
            "accepted: id, configurations, "
            "display_name, contact_email, country",
        ),
        (
            "stripe_accounts(42)",
            "*accounts.0: expected an account ID or a dict of id, *got 42 (int)",
        ),
        ('stripe_accounts(v2_enabled="no")', "*v2_enabled: input should be a valid boolean*"),
    ],
)
def test_accounts_marker_misuse(pytester: pytest.Pytester, marker: str, message: str) -> None:
    pytester.makepyfile(f"import pytest\n@pytest.mark.{marker}\ndef test_x():\n    pass\n")

    result = pytester.runpytest()

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([message])


def test_accounts_add_misuse_raises_at_once(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
def test_bad_id(account_links):
    with pytest.raises(ValueError, match="accounts.add..: accounts.0.id: invalid account ID"):
        account_links.accounts.add("nope")

def test_bad_configuration(account_links):
    with pytest.raises(ValueError, match="got 'seller'"):
        account_links.accounts.add(configurations=["seller"])
""",
        passed=2,
    )


def test_idempotency(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
def test_same_key_same_body_replays(stripe_client, account_links):
    first = stripe_client.v2.core.account_links.create(params(), {"idempotency_key": "k1"})
    again = stripe_client.v2.core.account_links.create(params(), {"idempotency_key": "k1"})
    assert (again.url, again.created, again.expires_at) == (first.url, first.created,
                                                             first.expires_at)
    headers = again.last_response.headers
    assert headers["Idempotent-Replayed"] == "true"
    assert headers["Original-Request"] == first.last_response.request_id
    assert "Idempotent-Replayed" not in first.last_response.headers
    assert len(account_links.links) == 1
    assert account_links.calls.last.request is not None

def test_same_key_other_body_is_an_idempotency_error(stripe_client):
    stripe_client.v2.core.account_links.create(params(), {"idempotency_key": "k1"})
    with pytest.raises(stripe.IdempotencyError) as raised:
        stripe_client.v2.core.account_links.create(params("acct_other"),
                                                   {"idempotency_key": "k1"})
    assert raised.value.json_body["error"]["type"] == "idempotency_error"
    assert raised.value.http_status == 400

def test_bodies_compare_by_meaning_not_bytes(account_links):
    url = "https://api.stripe.com/v2/core/account_links"
    headers = {"Authorization": "Bearer sk_test_1", "Idempotency-Key": "k",
               "Content-Type": "application/json"}
    body = params()
    first = requests.post(url, json=body, headers=headers).json()
    spaced = '{ "use_case": %s, "account": "%s" }' % (
        __import__("json").dumps(body["use_case"], indent=4), body["account"])
    again = requests.post(url, data=spaced, headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["url"] == first["url"]

def test_key_over_255_characters(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v2.core.account_links.create(params(), {"idempotency_key": "k" * 256})
    assert raised.value.error.code == "invalid_idempotency_key"
    stripe_client.v2.core.account_links.create(params(), {"idempotency_key": "k" * 255})

@pytest.mark.stripe_outage(503, times=2)
def test_sdk_retries_through_an_outage_make_one_link(account_links, stripe_api_key):
    client = stripe.StripeClient(stripe_api_key, max_network_retries=3)
    client.v2.core.account_links.create(params())
    assert [c.status for c in account_links.calls] == [503, 503, 200]
    assert len(account_links.links) == 1

def test_errors_are_not_saved(stripe_client, account_links):
    account_links.fail_next("not_found")
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v2.core.account_links.create(params(), {"idempotency_key": "k2"})
    link = stripe_client.v2.core.account_links.create(params(), {"idempotency_key": "k2"})
    assert "Idempotent-Replayed" not in link.last_response.headers

def test_keys_are_scoped_to_the_test_a(stripe_client):
    stripe_client.v2.core.account_links.create(params("acct_A"), {"idempotency_key": "shared"})

def test_keys_are_scoped_to_the_test_b(stripe_client):
    link = stripe_client.v2.core.account_links.create(params("acct_B"),
                                                      {"idempotency_key": "shared"})
    assert link.account == "acct_B"
""",
        passed=8,
    )


def test_clock_cooperates_with_freezegun_and_time_machine(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
import freezegun
import time_machine

def test_freezegun(stripe_client):
    with freezegun.freeze_time("2025-03-27 17:15:18"):
        link = stripe_client.v2.core.account_links.create(params())
    assert link.created == "2025-03-27T17:15:18.000Z"
    assert link.expires_at == "2025-03-27T17:25:18.000Z"

def test_time_machine(stripe_client):
    moment = datetime(2025, 3, 27, 17, 15, 18, tzinfo=timezone.utc)
    with time_machine.travel(moment, tick=False):
        link = stripe_client.v2.core.account_links.create(params())
    assert link.created == "2025-03-27T17:15:18.000Z"

def test_expiry_under_freezegun(stripe_client, account_links):
    with freezegun.freeze_time("2025-03-27 17:15:18") as frozen:
        link = stripe_client.v2.core.account_links.create(params())
        frozen.tick(timedelta(minutes=11))
        assert account_links.visit(link.url) == "https://example.com/refresh"

@pytest.mark.stripe_rate_limit(1, window=60)
def test_rate_limit_window_under_time_machine(stripe_client):
    with time_machine.travel(datetime(2025, 1, 1, tzinfo=timezone.utc), tick=False) as traveller:
        stripe_client.v2.core.account_links.create(params())
        with pytest.raises(stripe.RateLimitError):
            stripe_client.v2.core.account_links.create(params())
        traveller.shift(timedelta(seconds=60))
        stripe_client.v2.core.account_links.create(params())
""",
        passed=4,
    )


def test_visiting_links(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
def test_complete_then_used(stripe_client, account_links):
    link = stripe_client.v2.core.account_links.create(params())
    assert account_links.visit(link.url) == "https://example.com/return"
    assert account_links.visit(link.url) == "https://example.com/refresh"
    assert [v.outcome for v in account_links.visits] == ["completed", "used"]
    assert account_links.accounts.get(link.account).completed == ["account_onboarding"]

def test_expired(stripe_client, account_links):
    account_links.clock.freeze()
    link = stripe_client.v2.core.account_links.create(params())
    account_links.clock.advance(minutes=9, seconds=59)
    account_links.clock.advance(seconds=1)
    assert account_links.visit(link.url) == "https://example.com/refresh"
    assert account_links.visits[-1].outcome == "expired"
    assert account_links.events == []

def test_abandoned_flow_uses_the_link(stripe_client, account_links):
    link = stripe_client.v2.core.account_links.create(params())
    assert account_links.visit(link.url, abandon=True) is None
    assert account_links.visit(link.url) == "https://example.com/refresh"
    assert account_links.events == []

def test_without_return_url(stripe_client, account_links):
    link = stripe_client.v2.core.account_links.create(params(return_url=None))
    assert account_links.visit(link.url) is None
    assert account_links.visits[-1].outcome == "completed"

def test_unknown_token(stripe_client, account_links):
    link = stripe_client.v2.core.account_links.create(params())
    forged = link.url.split("#")[0] + "#alu_test_" + "x" * 44
    assert account_links.visit(forged) == "https://example.com/refresh"
    assert account_links.visits[-1].outcome == "unknown"

def test_unknown_account(account_links):
    with pytest.raises(ValueError, match="no link was created for 'acct_nobody'"):
        account_links.visit("https://accounts.stripe.com/r/acct_nobody#alu_test_x")
""",
        passed=6,
    )


def test_the_returned_event(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
from stripe.events import V2CoreAccountLinkReturnedEventNotification

def test_parse_and_fetch(stripe_client, account_links):
    link = stripe_client.v2.core.account_links.create(params(kind="account_update"))
    account_links.visit(link.url)
    delivered = account_links.events[-1]

    notification = stripe_client.parse_event_notification(
        delivered.payload, delivered.headers["Stripe-Signature"], account_links.webhook_secret)

    assert isinstance(notification, V2CoreAccountLinkReturnedEventNotification)
    assert notification.id == delivered.id and notification.id.startswith("evt_test_")
    assert notification.livemode is False
    event = notification.fetch_event()
    assert event.data.account_id == "acct_1Nv0FGQ9RKHgCVdK"
    assert event.data.use_case == "account_update"
    assert event.data.configurations == ["recipient"]

def test_a_wrong_secret_fails_verification(stripe_client, account_links):
    link = stripe_client.v2.core.account_links.create(params())
    account_links.visit(link.url)
    delivered = account_links.events[-1]
    with pytest.raises(stripe.SignatureVerificationError):
        stripe_client.parse_event_notification(
            delivered.payload, delivered.headers["Stripe-Signature"], "whsec_wrong")

def test_unknown_events_are_not_found(stripe_client, account_links):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v2.core.events.retrieve("evt_test_unknown")
    assert raised.value.http_status == 404
    assert raised.value.error.code == "not_found"
""",
        passed=3,
    )


def test_api_versions(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
@pytest.mark.parametrize("version", ["2099-01-01.endive", "2026-10-28.zinnia", "2025-12-16.clover",
                                     "next-tuesday"])
def test_unknown_or_malformed(stripe_client, version):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v2.core.account_links.create(params(), {"stripe_version": version})
    assert raised.value.error.code == "invalid_api_version"
    assert version in str(raised.value)

def test_default_version(account_links):
    account_links.default_api_version = "2025-12-15.preview"
    response = requests.post("https://api.stripe.com/v2/core/account_links",
                             json=params(configurations=["recipient"]),
                             headers={"Authorization": "Bearer sk_test_1"})
    assert response.status_code == 200
    assert response.json()["use_case"]["account_onboarding"]["configurations"] == ["recipient"]
    assert response.headers["Stripe-Version"] == "2025-12-15.preview"
""",
        passed=5,
    )


def test_a_full_offline_onboarding_story(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
@pytest.mark.stripe_accounts({"id": "acct_1Nv0FGQ9RKHgCVdK", "configurations": ["recipient"]})
def test_story(stripe_client, account_links):
    account_links.clock.freeze(datetime(2025, 3, 27, 17, 15, 18, tzinfo=timezone.utc))

    # The platform creates a link and emails it; the person opens it too late.
    first = stripe_client.v2.core.account_links.create(params())
    account_links.clock.advance(minutes=11)
    assert account_links.visit(first.url) == "https://example.com/refresh"

    # The refresh handler creates a new link; the person completes the flow.
    second = stripe_client.v2.core.account_links.create(params())
    assert second.url != first.url
    assert second.created == "2025-03-27T17:26:18.000Z"
    assert account_links.visit(second.url) == "https://example.com/return"

    # Stripe delivers the event; the webhook handler verifies and reads it.
    delivered = account_links.events[-1]
    notification = stripe_client.parse_event_notification(
        delivered.payload, delivered.headers["Stripe-Signature"], account_links.webhook_secret)
    assert notification.type == "v2.core.account_link.returned"
    assert notification.fetch_event().data.account_id == "acct_1Nv0FGQ9RKHgCVdK"

    # The link is single use.
    assert account_links.visit(second.url) == "https://example.com/refresh"
    assert [v.outcome for v in account_links.visits] == ["expired", "completed", "used"]
""",
        passed=1,
    )


def test_a_replay_under_another_version_does_not_crash(pytester: pytest.Pytester) -> None:
    _run(
        pytester,
        """
def test_replay(stripe_client, account_links):
    legacy = params(configurations=["recipient"])
    first = stripe_client.v2.core.account_links.create(
        legacy, {"idempotency_key": "k", "stripe_version": "2025-12-15.preview"})
    again = stripe_client.v2.core.account_links.create(legacy, {"idempotency_key": "k"})
    assert again.url == first.url
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert account_links.calls.last.request is None  # not valid under the newer rules
""",
        passed=1,
    )
