"""Embedded onboarding: ``POST /v1/account_sessions`` through the SDK (both styles) and plain
HTTP, every answer held against Stripe's spec (``tests/openapi.py``), its refusals, and the
embedded onboarding component's controls (``account_links.complete_session``) bringing an
account from requirements due to ``active`` capabilities, with its events."""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import OFFLINE_CONFTEST

HEADER = '''
import datetime
import re

import httpx
import pytest
import requests
import stripe

from tests.openapi import check_answer

KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
AUTH = {"Authorization": f"Bearer {KEY}"}
SESSIONS = "https://api.stripe.com/v1/account_sessions"
SECRET = re.compile(r"^accs_secret__[A-Za-z0-9]{47}$")
EXPRESS = {
    "type": "express",
    "country": "US",
    "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
}
ONBOARDING = {"account_onboarding": {"enabled": True}}


def check_session(account_links, session):
    """The last answer is an account_session as the spec has it, its secret as Stripe's."""
    answer = account_links.all_calls[-1].response
    check_answer(answer, "account-sessions-v1", "/v1/account_sessions", "post")
    assert SECRET.match(answer["client_secret"]), answer["client_secret"]
    (session,) = [s for s in account_links.sessions if s.client_secret == answer["client_secret"]]
    # 30 minutes after the session was made (not after "now": the fake's clock runs on).
    assert answer["expires_at"] - int(session.created.timestamp()) == 30 * 60
    assert len(answer["components"]) == 22
    return answer


@pytest.fixture
def global_stripe(monkeypatch, stripe_api_key):
    monkeypatch.setattr(stripe, "api_key", stripe_api_key)
    return stripe
'''


def run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(HEADER + textwrap.dedent(body))
    result = pytester.runpytest(*args)
    result.assert_outcomes(**outcomes)
    return result


def test_a_session_through_both_sdk_styles_and_plain_http(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_client_style(account_links, stripe_client):
            # A Custom account: its platform collects requirements, so it may turn
            # external account collection off (the spec's rule for the feature).
            account = stripe_client.v1.accounts.create({**EXPRESS, "type": "custom"})
            session = stripe_client.v1.account_sessions.create({
                "account": account.id,
                "components": {
                    "account_onboarding": {"enabled": True,
                                           "features": {"external_account_collection": False}},
                    "payments": {"enabled": True, "features": {"refund_management": False}},
                }})
            answer = check_session(account_links, session)
            assert session.object == "account_session" and session.account == account.id
            onboarding = answer["components"]["account_onboarding"]
            # disable_stripe_user_authentication defaults to the opposite of collection
            assert onboarding == {"enabled": True, "features": {
                "disable_stripe_user_authentication": True,
                "external_account_collection": False}}
            payments = answer["components"]["payments"]["features"]
            assert payments["refund_management"] is False and payments["capture_payments"]
            assert payments["smart_disputes_management"] is True
            assert answer["components"]["payouts"]["enabled"] is False
            assert account_links.sessions[-1].client_secret == session.client_secret

        def test_global_style(account_links, global_stripe):
            account = stripe.Account.create(**EXPRESS)
            session = stripe.AccountSession.create(account=account.id, components=ONBOARDING)
            check_session(account_links, session)
            assert isinstance(session, stripe.AccountSession)

        def test_requests_and_httpx(account_links):
            account = requests.post("https://api.stripe.com/v1/accounts", headers=AUTH,
                                    data={"type": "express"}).json()
            form = {"account": account["id"], "components[account_onboarding][enabled]": "true"}
            got = requests.post(SESSIONS, headers=AUTH, data=form)
            assert got.status_code == 200
            check_session(account_links, got.json())
            again = httpx.post(SESSIONS, headers=AUTH, data=form)
            assert again.status_code == 200
            assert again.json()["client_secret"] != got.json()["client_secret"]

        def test_a_key_replays_the_first_session(account_links):
            account = requests.post("https://api.stripe.com/v1/accounts", headers=AUTH,
                                    data={"type": "express"}).json()
            form = {"account": account["id"], "components[account_onboarding][enabled]": "true"}
            headers = {**AUTH, "Idempotency-Key": "one"}
            first = requests.post(SESSIONS, headers=headers, data=form)
            second = requests.post(SESSIONS, headers=headers, data=form)
            assert second.headers["Idempotent-Replayed"] == "true"
            assert second.json() == first.json()
            assert len(account_links.sessions) == 1
        """,
        passed=4,
    )


def test_refusals_as_stripe_words_them(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def refused(call):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                call()
            return raised.value

        def test_validation(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)
            create = stripe_client.v1.account_sessions.create
            error = refused(lambda: create({"account": account.id,
                                            "components": {"onboarding": {"enabled": True}}}))
            assert error.param == "components[onboarding]"
            assert error.user_message == "Received unknown parameter: components[onboarding]"
            error = refused(lambda: create({"account": account.id}))
            assert error.param == "components" and error.code == "parameter_missing"
            error = refused(lambda: create({"account": account.id, "components": {
                "payments": {"enabled": False}}}))
            assert error.param == "components"
            assert "at least one component" in error.user_message
            error = refused(lambda: create({"account": account.id, "components": {
                "account_onboarding": {"enabled": True, "features": {
                    "disable_stripe_user_authentication": True}}}}))
            assert error.param == (
                "components[account_onboarding][features][disable_stripe_user_authentication]")
            assert "`controller.requirement_collection` is `application`" in error.user_message

        def test_an_unknown_or_closed_account(account_links, stripe_client):
            stripe_client.v1.accounts.create(EXPRESS)  # declared: unknown IDs are missing
            error = refused(lambda: stripe_client.v1.account_sessions.create(
                {"account": "acct_1Nv0FGQ9RKHgCVdK", "components": ONBOARDING}))
            assert error.code == "resource_missing" and error.param == "account"
            assert "No such account: 'acct_1Nv0FGQ9RKHgCVdK'" in error.user_message

        def test_a_v2_account_without_the_configuration(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({
                "identity": {"country": "us", "entity_type": "individual"},
                "configuration": {"recipient": {"capabilities": {"stripe_balance": {
                    "stripe_transfers": {"requested": True}}}}}})
            error = refused(lambda: stripe_client.v1.account_sessions.create(
                {"account": made.id, "components": {"payments": {"enabled": True}}}))
            assert error.param == "components[payments]"
            assert "`merchant`" in error.user_message
            ok = stripe_client.v1.account_sessions.create(
                {"account": made.id, "components": ONBOARDING})
            assert ok.components.account_onboarding.enabled

        @pytest.mark.stripe_error("rate_limit", endpoint="v1.account_sessions.create")
        def test_a_marker_aims_at_the_endpoint(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)  # not aimed at: answered
            with pytest.raises(stripe.RateLimitError):
                stripe_client.v1.account_sessions.create(
                    {"account": account.id, "components": ONBOARDING},
                    {"max_network_retries": 0})
            assert account_links.all_calls[-1].endpoint == "v1.account_sessions.create"

        @pytest.mark.stripe_outage(503, times=1, endpoint="v1.account_sessions.create")
        def test_an_outage_the_sdk_retries_through(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)
            session = stripe_client.v1.account_sessions.create(
                {"account": account.id, "components": ONBOARDING}, {"max_network_retries": 2})
            statuses = [call.status for call in account_links.all_calls]
            assert statuses == [200, 503, 200]
            assert len(account_links.sessions) == 1
            assert account_links.sessions[0].client_secret == session.client_secret

        @pytest.mark.stripe_error("resource_missing", endpoint="v1.account_sessions.create")
        def test_an_injected_refusal(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)
            error = refused(lambda: stripe_client.v1.account_sessions.create(
                {"account": account.id, "components": ONBOARDING}))
            assert error.code == "resource_missing"
            assert account_links.sessions == []
        """,
        passed=6,
    )


def test_the_embedded_path_onboards_the_account(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_a_v1_account_from_due_to_active(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)
            assert stripe_client.v1.accounts.retrieve(account.id).requirements.currently_due
            session = stripe_client.v1.account_sessions.create(
                {"account": account.id, "components": ONBOARDING})
            before = len(account_links.events)
            done = account_links.complete_session(session)
            assert done.outcome == "completed" and done.loaded == "account_onboarding"
            got = stripe_client.v1.accounts.retrieve(account.id)
            assert got.requirements.currently_due == []
            assert got.capabilities.card_payments == "active"
            assert got.capabilities.transfers == "active"
            assert got.charges_enabled and got.payouts_enabled and got.details_submitted
            new = [event.type for event in account_links.events[before:]]
            assert new == ["account.updated"]

        def test_a_v2_account_sends_v2_events(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({
                "identity": {"country": "us", "entity_type": "individual"},
                "configuration": {"recipient": {"capabilities": {"stripe_balance": {
                    "stripe_transfers": {"requested": True}}}}}})
            session = stripe_client.v1.account_sessions.create(
                {"account": made.id, "components": ONBOARDING})
            before = len(account_links.events)
            account_links.complete_session(session.client_secret)
            types = [event.type for event in account_links.events[before:]]
            # as a completed hosted link: what was filled in, then what it met
            requirements = types.index("v2.core.account[requirements].updated")
            capability = types.index(
                "v2.core.account[configuration.recipient].capability_status_updated")
            assert requirements < capability
            assert "v2.core.account_link.returned" not in types
            got = stripe_client.v2.core.accounts.retrieve(
                made.id, {"include": ["configuration.recipient", "requirements"]})
            assert got.requirements.entries == []
            status = got.configuration.recipient.capabilities.stripe_balance.stripe_transfers
            assert status.status == "active"

        def test_exiting_changes_nothing(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)
            session = stripe_client.v1.account_sessions.create(
                {"account": account.id, "components": ONBOARDING})
            before = len(account_links.events)
            assert account_links.complete_session(session, outcome="exited").outcome == "exited"
            assert len(account_links.events) == before
            assert stripe_client.v1.accounts.retrieve(account.id).requirements.currently_due

        def test_a_secret_is_single_use_and_expires(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)
            create = stripe_client.v1.account_sessions.create
            session = create({"account": account.id, "components": ONBOARDING})
            account_links.complete_session(session, outcome="exited")
            with pytest.raises(ValueError, match="used already"):
                account_links.complete_session(session)
            later = create({"account": account.id, "components": ONBOARDING})
            account_links.clock.advance(minutes=31)
            with pytest.raises(ValueError, match="expired"):
                account_links.complete_session(later)
            banner = create({"account": account.id,
                             "components": {"notification_banner": {"enabled": True}}})
            with pytest.raises(ValueError, match="does not enable account_onboarding"):
                account_links.complete_session(banner)
            with pytest.raises(ValueError, match="no Account Session"):
                account_links.complete_session("accs_secret__nope")
            with pytest.raises(ValueError, match="outcome must be one of"):
                account_links.complete_session(banner, outcome="finished")

        def test_the_state_stays_the_tests_to_set(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)
            create = stripe_client.v1.account_sessions.create
            account_links.complete_session(
                create({"account": account.id, "components": ONBOARDING}))
            account_links.accounts[account.id].require("identity.individual.id_numbers")
            got = stripe_client.v1.accounts.retrieve(account.id)
            assert got.requirements.currently_due and got.capabilities.card_payments != "active"
            account_links.complete_session(
                create({"account": account.id, "components": ONBOARDING}))
            got = stripe_client.v1.accounts.retrieve(account.id)
            assert got.requirements.currently_due == []
            assert got.capabilities.card_payments == "active"
        """,
        passed=5,
    )
