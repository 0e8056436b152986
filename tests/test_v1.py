"""API v1: Account Links and the Accounts a v1 onboarding flow touches, offline, through every
style of the official SDK (global and ``StripeClient``, sync and async) and plain
``requests`` / ``httpx`` with form bodies; every answer held against Stripe's v1 schemas
(``tests/openapi.py``) and every event read back by the SDK."""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import OFFLINE_CONFTEST

HEADER = '''
import asyncio
import json
import re

import httpx
import pytest
import requests
import stripe

from tests.openapi import (
    check_account,
    check_account_list_v1,
    check_account_v1,
    check_event_v1,
    check_v1,
)

KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
AUTH = {"Authorization": f"Bearer {KEY}"}
LINKS = "https://api.stripe.com/v1/account_links"
ACCOUNTS = "https://api.stripe.com/v1/accounts"
URL_SHAPE = re.compile(r"^https://connect\\.stripe\\.com/setup/c/acct_[A-Za-z0-9]+/[A-Za-z0-9]{12}$")
EXPRESS = {
    "type": "express",
    "country": "US",
    "email": "owner@shop.example",
    "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
}


def onboarding(account, type="account_onboarding"):
    return {
        "account": account,
        "type": type,
        "refresh_url": "https://shop.example/reauth",
        "return_url": "https://shop.example/return",
    }


def answered(account_links):
    """The last answer's JSON, as the fake sent it."""
    return account_links.all_calls[-1].response


def check_link(link):
    check_v1(link, "account_link")
    assert list(link) == ["object", "created", "expires_at", "url"]
    assert link["expires_at"] - link["created"] == 300
    assert URL_SHAPE.match(link["url"]), link["url"]


@pytest.fixture
def global_stripe(monkeypatch, stripe_api_key):
    """The SDK's global style, its key set for this test only."""
    monkeypatch.setattr(stripe, "api_key", stripe_api_key)
    return stripe
'''


def run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(HEADER + textwrap.dedent(body))
    result = pytester.runpytest(*args)
    result.assert_outcomes(**outcomes)
    return result


# -- 1. the link, through every style ----------------------------------------------------


def test_a_link_through_every_sdk_style_and_plain_http(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_global_style(account_links, global_stripe):
            link = stripe.AccountLink.create(**onboarding("acct_1Nv0FGQ9RKHgCVdK"))
            check_link(answered(account_links))
            assert link.url == answered(account_links)["url"]
            call = account_links.calls_to("v1.account_links.create").last
            assert call.headers["content-type"] == "application/x-www-form-urlencoded"
            assert call.body == onboarding("acct_1Nv0FGQ9RKHgCVdK")  # the form, read back
            assert call.idempotency_key  # the SDK sends one on every v1 POST
            assert call.api_version == stripe.api_version
            assert len(account_links.calls) == 1  # calls: the link creations of both APIs

        def test_client_style(account_links, stripe_client):
            link = stripe_client.v1.account_links.create(
                {**onboarding("acct_1Nv0FGQ9RKHgCVdK"),
                 "collection_options": {
                     "fields": "eventually_due", "future_requirements": "include"}}
            )
            check_link(answered(account_links))
            assert link.object == "account_link"
            assert account_links.all_calls[-1].body["collection_options"] == {
                "fields": "eventually_due", "future_requirements": "include"}

        def test_async_httpx(account_links, stripe_api_key):
            async def create():
                http = stripe.HTTPXClient()
                try:
                    client = stripe.StripeClient(stripe_api_key, http_client=http)
                    return await client.v1.account_links.create_async(onboarding("acct_1Nv0FG"))
                finally:
                    await http.close_async()

            assert URL_SHAPE.match(asyncio.run(create()).url)

        def test_async_aiohttp(account_links, stripe_api_key):
            async def create():
                http = stripe.AIOHTTPClient()
                try:
                    client = stripe.StripeClient(stripe_api_key, http_client=http)
                    account = await client.v1.accounts.create_async(EXPRESS)
                    return await client.v1.account_links.create_async(onboarding(account.id))
                finally:
                    await http.close_async()

            link = asyncio.run(create())
            check_link(answered(account_links))
            assert link.url.startswith("https://connect.stripe.com/setup/c/acct_")

        def test_global_async(account_links, global_stripe):
            link = asyncio.run(stripe.AccountLink.create_async(**onboarding("acct_1Nv0FG")))
            assert URL_SHAPE.match(link.url)

        def test_requests_form(account_links):
            response = requests.post(LINKS, data=onboarding("acct_1Nv0FG"), headers=AUTH)
            assert response.status_code == 200
            assert response.headers["Content-Type"] == "application/json"
            assert response.headers["Request-Id"].startswith("req_")
            check_link(response.json())

        def test_httpx_form_and_basic_auth(account_links):
            with httpx.Client() as client:
                response = client.post(LINKS, data=onboarding("acct_1Nv0FG"), auth=(KEY, ""))
            assert response.status_code == 200
            check_link(response.json())
        """,
        passed=7,
    )


# -- 2. validation, in Stripe's v1 words ----------------------------------------------------


def test_validation_reports_the_first_problem_as_stripe_words_it(
    pytester: pytest.Pytester,
) -> None:
    run(
        pytester,
        """
        GOOD = onboarding("acct_1Nv0FGQ9RKHgCVdK")

        @pytest.mark.parametrize(
            ("body", "code", "param", "message"),
            [
                ({**GOOD, "type": None}, "parameter_missing", "type",
                 "Missing required param: type."),
                ({**GOOD, "return_url": None}, "parameter_missing", "return_url",
                 "Missing required param: return_url."),
                ({**GOOD, "collection_options[colour]": "red"}, "parameter_unknown",
                 "collection_options[colour]",
                 "Received unknown parameter: collection_options[colour]"),
                ({**GOOD, "type": "account_upgrade"}, None, "type",
                 "Invalid type: must be one of account_onboarding or account_update"),
                ({**GOOD, "collect": "everything"}, None, "collect",
                 "Invalid collect: must be one of currently_due or eventually_due"),
                ({**GOOD, "account": ""}, "parameter_invalid_empty", "account",
                 "You passed an empty string for 'account'. We assume empty values are an "
                 "attempt to unset a parameter; however 'account' cannot be unset. You should "
                 "remove 'account' from your request or supply a non-empty value."),
                ({**GOOD, "refresh_url": "not a url"}, "url_invalid", "refresh_url",
                 "Not a valid URL"),
                ({**GOOD, "collection_options": "all"}, None, "collection_options",
                 "Invalid object"),
            ],
        )
        def test_link(account_links, body, code, param, message):
            sent = {name: value for name, value in body.items() if value is not None}
            response = requests.post(LINKS, data=sent, headers=AUTH)
            assert response.status_code == 400
            check_v1(response.json(), "error")
            error = response.json()["error"]
            assert error["message"] == message
            assert error["param"] == param
            assert error.get("code") == code
            if code is not None:
                assert error["doc_url"] == (
                    "https://stripe.com/docs/error-codes/" + code.replace("_", "-")
                )
            request_id = response.headers["Request-Id"]
            assert error["request_log_url"].startswith(
                f"https://dashboard.stripe.com/test/logs/{request_id}?t="
            )
            assert account_links.links == []

        def test_the_sdk_raises_with_the_param(account_links, stripe_client):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v1.account_links.create({"account": "acct_1Nv0FG"})
            assert raised.value.http_status == 400
            assert raised.value.code == "parameter_missing"
            assert raised.value.param == "type"
            assert raised.value.error.request_log_url.startswith("https://dashboard.stripe.com/")

        def test_a_json_body_is_refused_as_stripe_refuses_it(account_links):
            response = requests.post(LINKS, json=GOOD, headers=AUTH)
            assert response.status_code == 400
            check_v1(response.json(), "error")
            assert response.json()["error"]["message"].startswith(
                "Invalid request (check that your POST content type is "
                "application/x-www-form-urlencoded)."
            )
            assert "code" not in response.json()["error"]
            assert account_links.all_calls[-1].error_code == "invalid_content_type"

        @pytest.mark.parametrize(
            ("query", "code", "message"),
            [
                ("limit=ten", "parameter_invalid_integer", "Invalid integer: ten"),
                ("limit=0", "parameter_invalid_integer",
                 "This value must be greater than or equal to 1."),
                ("limit=101", "parameter_invalid_integer",
                 "This value must be less than or equal to 100."),
                ("starting_after=acct_nope", "resource_missing", "No such account: 'acct_nope'"),
                ("colour=red", "parameter_unknown", "Received unknown parameter: colour"),
            ],
        )
        def test_list_query(account_links, query, code, message):
            response = requests.get(f"{ACCOUNTS}?{query}", headers=AUTH)
            assert response.status_code == 400
            check_v1(response.json(), "error")
            assert response.json()["error"]["message"] == message
            assert response.json()["error"]["code"] == code

        def test_account_bodies_are_checked_against_the_sdk_types(account_links, stripe_client):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v1.accounts.create({"type": "express", "business_type": "person"})
            assert str(raised.value.user_message) == (
                "Invalid business_type: must be one of company, government_entity, "
                "individual, or non_profit"
            )
            response = requests.post(
                ACCOUNTS, data={"type": "custom", "individual[dob][day]": "1"}, headers=AUTH
            )
            assert response.json()["error"]["message"] == (
                "Missing required param: individual[dob][month]."
            )
            response = requests.post(
                ACCOUNTS, data={"capabilities[card_payments][requested]": "sure"}, headers=AUTH)
            assert response.json()["error"]["message"] == "Invalid boolean: sure"
            assert response.json()["error"]["param"] == "capabilities[card_payments][requested]"
        """,
        passed=16,
    )


# -- 3. the link's refusals -----------------------------------------------------------------


def test_the_link_refuses_what_stripe_refuses(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        @pytest.mark.stripe_accounts("acct_1Nv0FGQ9RKHgCVdK")
        def test_an_unknown_account_is_resource_missing(account_links, stripe_client):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v1.account_links.create(onboarding("acct_1Unknown000000000"))
            error = raised.value
            assert error.http_status == 400
            assert error.code == "resource_missing"
            assert error.param == "account"
            assert error.user_message == "No such account: 'acct_1Unknown000000000'"
            check_v1(error.json_body, "error")
            # The declared account is linked, and is the one v2 knows.
            link = stripe_client.v1.account_links.create(onboarding("acct_1Nv0FGQ9RKHgCVdK"))
            assert "/acct_1Nv0FGQ9RKHgCVdK/" in link.url

        def test_any_well_formed_account_while_none_is_declared(account_links, stripe_client):
            link = stripe_client.v1.account_links.create(onboarding("acct_1Nv0FGQ9RKHgCVdK"))
            assert link.url
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v1.account_links.create(onboarding("not_an_account"))
            assert raised.value.code == "resource_missing"

        @pytest.mark.parametrize("kind", ["express", "standard"])
        def test_account_update_needs_an_account_without_a_dashboard(
            account_links, stripe_client, kind
        ):
            account = stripe_client.v1.accounts.create({**EXPRESS, "type": kind})
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v1.account_links.create(onboarding(account.id, "account_update"))
            assert raised.value.http_status == 400
            assert raised.value.param == "type"
            assert raised.value.user_message == (
                "You cannot create `account_update` type Account Links for this account. "
                'Valid types for this account are ["account_onboarding"].'
            )
            check_v1(raised.value.json_body, "error")
            assert "code" not in raised.value.json_body["error"]  # Stripe's shows none

        def test_account_update_for_a_custom_account(account_links, stripe_client):
            account = stripe_client.v1.accounts.create({**EXPRESS, "type": "custom"})
            link = stripe_client.v1.account_links.create(onboarding(account.id, "account_update"))
            assert URL_SHAPE.match(link.url)
            controlled = stripe_client.v1.accounts.create({
                "controller": {"stripe_dashboard": {"type": "none"},
                               "requirement_collection": "application",
                               "losses": {"payments": "application"},
                               "fees": {"payer": "application"}},
                "capabilities": {"transfers": {"requested": True}},
            })
            assert stripe_client.v1.account_links.create(
                onboarding(controlled.id, "account_update")).url

        @pytest.mark.stripe_accounts(v2_enabled=False)
        def test_accounts_v2_off_leaves_v1_alone(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)
            assert stripe_client.v1.account_links.create(onboarding(account.id)).url
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v2.core.accounts.retrieve(account.id)
            assert raised.value.code == "accounts_v2_access_blocked"

        def test_a_closed_account_gets_no_link(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create(
                {"configuration": {"recipient": {"capabilities": {"stripe_balance": {
                    "stripe_transfers": {"requested": True}}}}}})
            stripe_client.v2.core.accounts.close(made.id, {"applied_configurations": ["recipient"]})
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v1.account_links.create(onboarding(made.id))
            assert account_links.all_calls[-1].error_code == "account_closed"
            check_v1(raised.value.json_body, "error")
        """,
        passed=7,
    )


# -- 4. accounts ----------------------------------------------------------------------------


def test_accounts_are_created_as_their_type_says(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_express(account_links, stripe_client):
            account = stripe_client.v1.accounts.create({**EXPRESS, "metadata": {"seller": "42"}})
            body = answered(account_links)
            check_account_v1(body)
            assert account.id.startswith("acct_") and body["object"] == "account"
            assert body["type"] == "express"
            assert body["controller"] == {
                "fees": {"payer": "application_express"}, "is_controller": True,
                "losses": {"payments": "application"}, "requirement_collection": "stripe",
                "stripe_dashboard": {"type": "express"}, "type": "application",
            }
            assert body["country"] == "US" and body["default_currency"] == "usd"
            assert body["email"] == "owner@shop.example"
            assert body["metadata"] == {"seller": "42"}
            assert body["capabilities"] == {"card_payments": "inactive", "transfers": "inactive"}
            assert body["details_submitted"] is False
            assert body["charges_enabled"] is False and body["payouts_enabled"] is False
            requirements = body["requirements"]
            # As a real new US Express account lists them (business_type first, no company.*).
            assert requirements["currently_due"] == [
                "business_profile.mcc", "business_profile.url", "business_type",
                "external_account", "representative.dob.day", "representative.dob.month",
                "representative.dob.year", "representative.email", "representative.first_name",
                "representative.last_name", "tos_acceptance.date", "tos_acceptance.ip",
            ]
            assert requirements["eventually_due"] == requirements["currently_due"]
            assert requirements["past_due"] == requirements["currently_due"]
            assert requirements["disabled_reason"] == "requirements.past_due"
            assert requirements["current_deadline"] is None
            assert body["future_requirements"]["currently_due"] == []
            assert body["external_accounts"] == {
                "object": "list", "data": [], "has_more": False, "total_count": 0,
                "url": f"/v1/accounts/{account.id}/external_accounts",
            }
            assert isinstance(body["created"], int)
            assert account.requirements.currently_due == requirements["currently_due"]

        def test_custom_individual_in_germany(account_links, stripe_client):
            account = stripe_client.v1.accounts.create({
                "type": "custom", "country": "DE", "business_type": "individual",
                "capabilities": {"transfers": {"requested": True}},
                "individual": {"first_name": "Lena", "last_name": "Vogel",
                               "dob": {"day": 4, "month": 5, "year": 1990}},
                "tos_acceptance": {"date": 1700000000, "ip": "203.0.113.9"},
            })
            body = answered(account_links)
            check_account_v1(body)
            assert body["controller"]["requirement_collection"] == "application"
            assert body["controller"]["stripe_dashboard"] == {"type": "none"}
            assert body["default_currency"] == "eur"
            assert body["individual"]["first_name"] == "Lena"
            assert body["individual"]["dob"] == {"day": 4, "month": 5, "year": 1990}
            assert body["tos_acceptance"]["date"] == 1700000000
            due = body["requirements"]["currently_due"]
            assert "individual.first_name" not in due and "tos_acceptance.date" not in due
            assert {"individual.address.city", "external_account"} <= set(due)
            assert "business_type" not in due
            # The same account, read through API v2: the same person.
            v2 = stripe_client.v2.core.accounts.retrieve(account.id, {"include": ["identity"]})
            check_account(answered(account_links))
            assert v2.identity.individual.given_name == "Lena"
            assert v2.identity.country == "de"

        def test_what_is_sent_at_creation_is_not_due(account_links, stripe_client):
            # Regression: an MCC sent with card_payments stayed due (it was written before
            # the merchant configuration it belongs to existed).
            account = stripe_client.v1.accounts.create(
                {**EXPRESS, "business_profile": {"mcc": "5734", "url": "https://shop.example"}}
            )
            due = account.requirements.currently_due
            assert "business_profile.mcc" not in due and "business_profile.url" not in due
            assert account.business_profile.mcc == "5734"
            v2 = stripe_client.v2.core.accounts.retrieve(
                account.id, {"include": ["configuration.merchant"]})
            assert v2.configuration.merchant.mcc == "5734"

        def test_custom_needs_capabilities(account_links, stripe_client):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v1.accounts.create({"type": "custom"})
            assert raised.value.code == "parameter_missing"
            assert raised.value.param == "capabilities"
            assert len(account_links.accounts) == 0

        def test_standard_and_controller_defaults(account_links, stripe_client):
            standard = stripe_client.v1.accounts.create({"type": "standard"})
            assert standard.controller.fees.payer == "account"
            assert standard.controller.stripe_dashboard.type == "full"
            assert set(standard.capabilities.to_dict()) == {"card_payments", "transfers"}
            typeless = stripe_client.v1.accounts.create(
                {"controller": {"fees": {"payer": "application"}}})
            check_account_v1(answered(account_links))
            assert typeless.type == "none"
            assert typeless.controller.fees.payer == "application"
            assert typeless.controller.losses.payments == "stripe"
            assert typeless.controller.requirement_collection == "stripe"
            assert typeless.controller.stripe_dashboard.type == "full"
        """,
        passed=5,
    )


def test_retrieve_update_and_list(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_retrieve(account_links, stripe_client, global_stripe):
            made = stripe_client.v1.accounts.create(EXPRESS)
            got = stripe.Account.retrieve(made.id)
            check_account_v1(answered(account_links))
            assert got.id == made.id and got.email == "owner@shop.example"
            assert account_links.all_calls[-1].endpoint == "v1.accounts.retrieve"
            assert account_links.all_calls[-1].account == made.id
            modified = stripe.Account.modify(made.id, email="new@shop.example")
            assert modified.email == "new@shop.example"
            assert account_links.all_calls[-1].endpoint == "v1.accounts.update"

        def test_an_unknown_account_is_403_as_stripe_answers(account_links, stripe_client):
            stripe_client.v1.accounts.create(EXPRESS)
            with pytest.raises(stripe.PermissionError) as raised:
                stripe_client.v1.accounts.retrieve("acct_1Unknown000000000")
            error = raised.value
            assert error.http_status == 403 and error.error.code == "account_invalid"
            check_v1(error.json_body, "error")
            assert "does not have access to account 'acct_1Unknown000000000'" in str(error)
            assert KEY not in json.dumps(error.json_body)  # the key is masked
            assert re.search(r"'sk_test_\\.\\.\\.[A-Za-z0-9]{4}'", error.user_message)

        def test_a_v2_flow_then_read_through_v1(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({
                "identity": {"country": "us", "entity_type": "individual"},
                "configuration": {"recipient": {"capabilities": {"stripe_balance": {
                    "stripe_transfers": {"requested": True}}}}}})
            link = stripe_client.v2.core.account_links.create({
                "account": made.id,
                "use_case": {"type": "account_onboarding", "account_onboarding": {
                    "refresh_url": "https://shop.example/r",
                    "return_url": "https://shop.example/b"}}})
            account_links.visit(link)
            assert account_links.events[-1].type == "v2.core.account_link.returned"
            assert all(event.generation == "v2" for event in account_links.events)
            got = stripe_client.v1.accounts.retrieve(made.id)
            check_account_v1(answered(account_links))
            assert got.requirements.currently_due == []
            assert got.capabilities.transfers == "active"
            assert got.details_submitted and got.payouts_enabled  # the page took a bank account
            assert got.external_accounts.data[0].object == "bank_account"

        def test_a_v2_account_read_through_v1(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({
                "display_name": "Kunstwerk", "contact_email": "hallo@kunstwerk.example",
                "identity": {"country": "de", "entity_type": "individual"},
                "configuration": {"recipient": {"capabilities": {"stripe_balance": {
                    "stripe_transfers": {"requested": True}}}}}})
            got = stripe_client.v1.accounts.retrieve(made.id)
            check_account_v1(answered(account_links))
            assert got.email == "hallo@kunstwerk.example" and got.country == "DE"
            assert got.settings.dashboard.display_name == "Kunstwerk"
            assert got.capabilities.transfers == "inactive"
            assert got.type == "none"
            assert "individual.first_name" in got.requirements.currently_due

        def test_update(account_links, stripe_client):
            made = stripe_client.v1.accounts.create({**EXPRESS, "metadata": {"a": "1", "b": "2"}})
            before = len(account_links.events)
            updated = stripe_client.v1.accounts.update(made.id, {
                "business_type": "company",
                "business_profile": {"mcc": "5734", "url": "https://shop.example"},
                "metadata": {"a": "", "c": "3"},
            })
            body = answered(account_links)
            check_account_v1(body)
            assert updated.business_type == "company"
            assert body["metadata"] == {"b": "2", "c": "3"}
            assert body["business_profile"]["mcc"] == "5734"
            due = body["requirements"]["currently_due"]
            assert "business_type" not in due and "business_profile.url" not in due
            assert "company.name" in due  # now that it is a company, its details are due
            [event] = account_links.events[before:]
            assert event.type == "account.updated"
            previous = event.event["data"]["previous_attributes"]
            assert previous["business_type"] is None
            assert previous["metadata"] == {"a": "1", "c": None}  # the changed keys
            assert previous["business_profile"] == {"mcc": None, "url": None}
            assert "business_type" in previous["requirements"]["currently_due"]
            request = event.event["request"]
            assert request["id"] == account_links.all_calls[-1].request_id
            assert request["idempotency_key"] == account_links.all_calls[-1].idempotency_key
            check_event_v1(event.event)
            # Nothing changed: nothing announced.
            stripe_client.v1.accounts.update(made.id, {"business_type": "company"})
            assert len(account_links.events) == before + 1
            stripe_client.v1.accounts.update(made.id, {"metadata": ""})
            assert answered(account_links)["metadata"] == {}

        def test_list_pages_both_styles(account_links, stripe_client, global_stripe):
            made = [stripe_client.v1.accounts.create({**EXPRESS, "email": f"s{n}@shop.example"}).id
                    for n in range(5)]
            page = stripe_client.v1.accounts.list({"limit": 2})
            body = answered(account_links)
            check_account_list_v1(body)
            assert body["url"] == "/v1/accounts" and body["has_more"] is True
            assert [account["id"] for account in body["data"]] == made[::-1][:2]
            assert [account.id for account in page.auto_paging_iter()] == made[::-1]
            assert [a.id for a in stripe.Account.list(limit=3).auto_paging_iter()] == made[::-1]
            later = stripe_client.v1.accounts.list({"starting_after": made[3], "limit": 2})
            assert [a.id for a in later.data] == [made[2], made[1]]
            earlier = stripe_client.v1.accounts.list({"ending_before": made[1], "limit": 2})
            assert [a.id for a in earlier.data] == [made[3], made[2]]
            assert earlier.has_more is True

        def test_list_created_filter(account_links, stripe_client):
            first = stripe_client.v1.accounts.create(EXPRESS)
            account_links.clock.advance(seconds=60)
            second = stripe_client.v1.accounts.create(EXPRESS)
            cut = first.created + 30
            assert [a.id for a in stripe_client.v1.accounts.list({"created": {"gt": cut}})] == [
                second.id]
            assert [a.id for a in stripe_client.v1.accounts.list({"created": first.created})] == [
                first.id]
        """,
        passed=7,
    )


# -- 5. the flow: link, visit, webhook, retrieve ---------------------------------------------


def test_the_onboarding_flow_moves_the_account(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_completed(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)
            link = stripe_client.v1.account_links.create(onboarding(account.id))
            before = len(account_links.events)
            assert account_links.visit(link, outcome="completed") == "https://shop.example/return"
            done = stripe_client.v1.accounts.retrieve(account.id)
            body = answered(account_links)
            check_account_v1(body)
            assert body["details_submitted"] is True
            assert body["charges_enabled"] is True and body["payouts_enabled"] is True
            assert body["capabilities"] == {"card_payments": "active", "transfers": "active"}
            assert body["requirements"]["currently_due"] == []
            assert body["requirements"]["disabled_reason"] is None
            assert body["business_type"] == "company"
            assert body["business_profile"]["mcc"] and body["business_profile"]["url"]
            assert body["tos_acceptance"]["date"] and body["tos_acceptance"]["ip"]
            [bank] = body["external_accounts"]["data"]
            assert bank["object"] == "bank_account" and bank["currency"] == "usd"
            assert bank["routing_number"] == "110000000" and bank["last4"] == "6789"
            # One account.updated for the visit, with what it was before; no v2 event.
            [event] = account_links.events[before:]
            assert event.type == "account.updated"
            assert event.event["data"]["object"] == body
            previous = event.event["data"]["previous_attributes"]
            assert previous["charges_enabled"] is False
            assert previous["capabilities"] == {
                "card_payments": "inactive", "transfers": "inactive"}
            assert "external_account" in previous["requirements"]["currently_due"]
            assert event.event["request"] == {"id": None, "idempotency_key": None}  # automatic
            assert done.charges_enabled is True

        def test_abandoned_and_expired(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)
            link = stripe_client.v1.account_links.create(onboarding(account.id))
            assert account_links.visit(link, outcome="abandoned") == "https://shop.example/return"
            assert stripe_client.v1.accounts.retrieve(account.id).details_submitted is False
            assert account_links.visit(link) == "https://shop.example/reauth"  # used
            stale = stripe_client.v1.account_links.create(onboarding(account.id))
            account_links.clock.advance(seconds=301)  # a v1 link lives 300 s
            assert account_links.visit(stale.url) == "https://shop.example/reauth"
            assert [visit.outcome for visit in account_links.visits] == [
                "abandoned", "used", "expired"]
            assert account_links.links[-1].generation == "v1"

        def test_a_restriction_after_onboarding(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)
            account_links.visit(stripe_client.v1.account_links.create(onboarding(account.id)))
            held = account_links.accounts[account.id]
            held.set_capability("merchant", "card_payments", "restricted")
            event = account_links.events[-1]
            assert event.type == "account.updated"
            assert event.event["data"]["object"]["charges_enabled"] is False
            assert event.event["data"]["previous_attributes"]["capabilities"] == {
                "card_payments": "active"}  # the changed fields of an object
            held.require("individual.verification.document")
            got = stripe_client.v1.accounts.retrieve(account.id)
            assert got.requirements.currently_due == ["individual.verification.document"]
            assert got.payouts_enabled is False
            account_links.visit(stripe_client.v1.account_links.create(onboarding(account.id)))
            assert stripe_client.v1.accounts.retrieve(account.id).requirements.currently_due == []

        def test_an_account_update_link_changes_what_the_test_says(account_links, stripe_client):
            account = stripe_client.v1.accounts.create({**EXPRESS, "type": "custom"})
            link = stripe_client.v1.account_links.create(onboarding(account.id, "account_update"))
            with pytest.raises(ValueError, match=re.escape(
                "visit(changes=...): Received unknown parameter: contact_email"
            )):
                account_links.visit(link, changes={"contact_email": "new@shop.example"})
            before = len(account_links.events)
            account_links.visit(link, changes={"email": "new@shop.example", "metadata": {"k": "v"}})
            got = stripe_client.v1.accounts.retrieve(account.id)
            assert got.email == "new@shop.example" and got.metadata.to_dict() == {"k": "v"}
            assert got.details_submitted is False
            [event] = account_links.events[before:]
            assert event.event["data"]["previous_attributes"] == {"email": "owner@shop.example",
                                                                   "metadata": {"k": None}}
        """,
        passed=4,
    )


def test_v1_events_are_signed_and_read_by_the_sdk(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_construct_event_both_styles(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(EXPRESS)
            account_links.visit(stripe_client.v1.account_links.create(onboarding(account.id)))
            assert [e.type for e in account_links.events] == [
                "account.application.authorized", "account.updated"]
            for delivered in account_links.events:
                payload = json.loads(delivered.payload)
                check_event_v1(payload)
                assert payload["object"] == "event" and payload["account"] == account.id
                assert payload["id"].startswith("evt_1") and "test" not in payload["id"]
                assert payload["api_version"] == account_links.default_api_version
                assert payload["livemode"] is False and payload["pending_webhooks"] == 0
                signature = delivered.headers["Stripe-Signature"]
                event = stripe.Webhook.construct_event(
                    delivered.payload, signature, account_links.webhook_secret)
                assert event.id == delivered.id and event.type == delivered.type
                again = stripe_client.construct_event(
                    delivered.payload, signature, account_links.webhook_secret)
                assert again.account == account.id
            authorized = account_links.events[0].event
            assert authorized["data"]["object"]["object"] == "application"
            assert re.match(r"^ca_[0-9a-f]{32}$", authorized["data"]["object"]["id"])
            updated = stripe.Webhook.construct_event(
                account_links.events[1].payload,
                account_links.events[1].headers["Stripe-Signature"],
                account_links.webhook_secret,
            )
            assert updated.data.object.charges_enabled is True
            assert updated.data.previous_attributes.charges_enabled is False
            with pytest.raises(stripe.SignatureVerificationError):
                stripe.Webhook.construct_event(
                    account_links.events[1].payload,
                    account_links.events[1].headers["Stripe-Signature"],
                    "whsec_someone_else",
                )

        def test_handed_to_the_apps_handler_in_order(account_links, stripe_client):
            seen = []

            def handler(payload, headers):
                event = stripe.Webhook.construct_event(
                    payload, headers["Stripe-Signature"], account_links.webhook_secret)
                seen.append((event.type, event.data.object.to_dict().get("charges_enabled")))

            account = stripe_client.v1.accounts.create(EXPRESS)
            account_links.visit(stripe_client.v1.account_links.create(onboarding(account.id)))
            account_links.deliver_events(handler)
            assert seen == [("account.application.authorized", None), ("account.updated", True)]

        def test_v2_events_stay_v2(account_links, stripe_client):
            stripe_client.v1.accounts.create(EXPRESS)
            made = stripe_client.v2.core.accounts.create({"display_name": "Two"})
            v2 = stripe_client.v2.core.events.list()
            assert [event.type for event in v2.data] == ["v2.core.account.created"]
            with pytest.raises(stripe.InvalidRequestError):
                stripe_client.v2.core.events.retrieve(account_links.events[0].id)
            # A v2 account stays v2 until a v1 request names it; then it speaks v1.
            stripe_client.v2.core.accounts.update(made.id, {"display_name": "Deux"})
            assert account_links.events[-1].type == "v2.core.account.updated"
            stripe_client.v1.accounts.retrieve(made.id)
            before = len(account_links.events)
            stripe_client.v2.core.accounts.update(made.id, {"display_name": "Drei"})
            [event] = account_links.events[before:]
            assert event.type == "account.updated"
            assert event.event["data"]["previous_attributes"] == {
                "settings": {"dashboard": {"display_name": "Deux"}}}
            # One request, one account.updated, however many parts of the account it moved.
            stripe_client.v2.core.accounts.update(made.id, {
                "identity": {"entity_type": "individual", "country": "de"},
                "configuration": {"merchant": {"capabilities": {"card_payments": {
                    "requested": True}}}},
            })
            [event] = account_links.events[before + 1 :]
            previous = event.event["data"]["previous_attributes"]
            assert previous["business_type"] is None
            assert previous["capabilities"] == {"card_payments": None}  # it was not there
            assert "card_payments" in event.event["data"]["object"]["capabilities"]
        """,
        passed=3,
    )


# -- 6. idempotency, retries, versions, keys -------------------------------------------------


def test_idempotency_retries_versions_and_keys_the_v1_way(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_a_key_replays_the_first_answer(account_links):
            headers = {**AUTH, "Idempotency-Key": "create-seller-42"}
            first = requests.post(ACCOUNTS, data={"type": "express"}, headers=headers)
            again = requests.post(ACCOUNTS, data={"type": "express"}, headers=headers)
            assert again.json() == first.json()
            assert again.headers["Idempotent-Replayed"] == "true"
            assert len(account_links.accounts) == 1
            other = requests.post(ACCOUNTS, data={"type": "custom"}, headers=headers)
            assert other.status_code == 400
            check_v1(other.json(), "error")
            assert other.json()["error"]["type"] == "idempotency_error"

        def test_the_sdk_raises_idempotency_error(account_links, stripe_client):
            options = {"idempotency_key": "k-1"}
            stripe_client.v1.account_links.create(onboarding("acct_1Nv0FG"), options)
            with pytest.raises(stripe.IdempotencyError):
                stripe_client.v1.account_links.create(onboarding("acct_1Nv0FH"), options)

        def test_v1_keeps_a_failure_too(account_links):
            account_links.fail_next("resource_missing", endpoint="v1.account_links.create")
            headers = {**AUTH, "Idempotency-Key": "k-fail"}
            first = requests.post(LINKS, data=onboarding("acct_1Nv0FG"), headers=headers)
            again = requests.post(LINKS, data=onboarding("acct_1Nv0FG"), headers=headers)
            assert first.status_code == again.status_code == 400
            assert again.json() == first.json()
            assert again.headers["Idempotent-Replayed"] == "true"
            # ...but not a request turned away before the endpoint took it up.
            bad = {**AUTH, "Idempotency-Key": "k-invalid"}
            assert requests.post(LINKS, data={"account": "acct_1"}, headers=bad).status_code == 400
            fixed = requests.post(LINKS, data=onboarding("acct_1Nv0FG"), headers=bad)
            assert fixed.status_code == 200

        def test_the_global_style_retries_an_outage_with_one_key(account_links, global_stripe):
            account_links.outage(503, times=2, endpoint="v1.account_links.create")
            link = stripe.AccountLink.create(**onboarding("acct_1Nv0FG"))  # 2 retries by default
            assert URL_SHAPE.match(link.url)
            calls = account_links.calls_to("v1.account_links.create")
            assert [call.status for call in calls] == [503, 503, 200]
            assert len({call.idempotency_key for call in calls}) == 1
            assert len(account_links.retry_sleeps) == 2  # skipped, the fake's clock moved on
            assert "code" not in calls[0].response["error"]  # a 5xx carries none in v1
            assert calls[0].response["error"]["type"] == "api_error"

        def test_an_injected_error_is_replayed_to_the_sdks_retries(account_links, global_stripe):
            account_links.fail_next("internal_server_error", endpoint="v1.account_links.create")
            with pytest.raises(stripe.APIError):
                stripe.AccountLink.create(**onboarding("acct_1Nv0FG"))
            calls = account_links.calls_to("v1.account_links.create")
            assert [call.status for call in calls] == [500, 500, 500]
            assert [call.replayed for call in calls] == [False, True, True]

        @pytest.mark.parametrize(
            "version", ["2023-10-16", "2020-08-27", "2011-01-01", "2024-09-30.acacia",
                        "2025-12-15.preview"])
        def test_every_version_v1_has(account_links, stripe_api_key, version):
            client = stripe.StripeClient(stripe_api_key, stripe_version=version)
            client.v1.account_links.create(onboarding("acct_1Nv0FG"))
            assert account_links.all_calls[-1].api_version == version
            assert account_links.all_calls[-1].response_headers["Stripe-Version"] == version

        def test_a_version_stripe_never_had(account_links, stripe_api_key):
            client = stripe.StripeClient(stripe_api_key, stripe_version="2023-10-17")
            with pytest.raises(stripe.InvalidRequestError) as raised:
                client.v1.accounts.create(EXPRESS)
            assert raised.value.http_status == 400
            assert raised.value.json_body["error"]["message"] == (
                "Invalid Stripe API version: 2023-10-17")
            assert "code" not in raised.value.json_body["error"]
            check_v1(raised.value.json_body, "error")
            v2 = stripe.StripeClient(stripe_api_key, stripe_version="2023-10-16")
            with pytest.raises(stripe.InvalidRequestError) as raised:  # v2 has no dated versions
                v2.v2.core.accounts.create({})
            assert raised.value.http_status == 404

        def test_restricted_and_live_keys(account_links):
            restricted = {"Authorization": "Bearer rk_test_4eC39HqLyjWDarjtT1zdp7dc"}
            assert requests.post(ACCOUNTS, data=EXPRESS_FORM, headers=restricted).ok
            live = {"Authorization": "Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc"}
            refused = requests.post(LINKS, data={"account": "acct_1"}, headers=live)
            assert refused.json()["error"]["request_log_url"].startswith(
                "https://dashboard.stripe.com/logs/req_")
            made = requests.post(ACCOUNTS, data=EXPRESS_FORM, headers=live).json()
            assert account_links.accounts[made["id"]].state["livemode"] is True

        def test_no_key(account_links):
            response = requests.post(LINKS, data=onboarding("acct_1"))
            assert response.status_code == 401
            check_v1(response.json(), "error")
            error = response.json()["error"]
            assert "request_log_url" not in error and "code" not in error
            assert error["type"] == "invalid_request_error"

        EXPRESS_FORM = {"type": "express", "capabilities[transfers][requested]": "true"}
        """,
        passed=13,
    )


# -- 7. markers, the catalogue, the report ---------------------------------------------------


def test_markers_reach_v1_endpoints_and_answer_in_the_v1_envelope(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        from pytest_account_links import CATALOGUE

        @pytest.mark.stripe_error("resource_missing", endpoint="v1.account_links.create")
        def test_error(account_links, stripe_client):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v1.account_links.create(onboarding("acct_1Nv0FG"))
            assert raised.value.code == "resource_missing"
            check_v1(raised.value.json_body, "error")
            assert account_links.all_calls[-1].injected == "@stripe_error"

        @pytest.mark.stripe_outage(503, endpoint="v1.accounts.retrieve")
        def test_outage(account_links, stripe_client):
            made = stripe_client.v1.accounts.create(EXPRESS)
            with pytest.raises(stripe.APIError) as raised:
                stripe_client.v1.accounts.retrieve(made.id)
            check_v1(raised.value.json_body, "error")
            assert account_links.all_calls[-1].outcome == "503 service_unavailable"

        @pytest.mark.stripe_rate_limit(1, endpoint="v1.accounts.update")
        def test_rate_limit(account_links, stripe_client):
            made = stripe_client.v1.accounts.create(EXPRESS)
            stripe_client.v1.accounts.update(made.id, {"email": "a@shop.example"})
            with pytest.raises(stripe.RateLimitError) as raised:
                stripe_client.v1.accounts.update(made.id, {"email": "b@shop.example"})
            assert raised.value.http_status == 429
            assert raised.value.json_body["error"]["code"] == "rate_limit"
            check_v1(raised.value.json_body, "error")

        @pytest.mark.stripe_response(
            200, json={"object": "account_link", "created": 1, "expires_at": 2, "url": "x"},
            endpoint="v1.account_links.create")
        def test_stubbed(stripe_client):
            assert stripe_client.v1.account_links.create(onboarding("acct_1")).url == "x"

        def test_override_writes_unix_times(account_links, stripe_client):
            from datetime import datetime, timezone

            later = datetime(2030, 1, 1, tzinfo=timezone.utc)
            account_links.override_next(expires_at=later, endpoint="v1.account_links.create")
            link = stripe_client.v1.account_links.create(onboarding("acct_1Nv0FG"))
            assert link.expires_at == int(later.timestamp())
            assert account_links.links[-1].expires_at == later

        def status_class(spec):
            # stripe-python's specific_v1_api_error: by status; idempotency_error at 400/404.
            if spec.status == 429:
                return stripe.RateLimitError
            if spec.status in (400, 404):
                if spec.type == "idempotency_error":
                    return stripe.IdempotencyError
                return stripe.InvalidRequestError
            return {401: stripe.AuthenticationError, 402: stripe.CardError,
                    403: stripe.PermissionError}.get(spec.status, stripe.APIError)

        @pytest.mark.parametrize("code", sorted(CATALOGUE))
        def test_every_code_in_the_v1_envelope(account_links, stripe_client, code):
            spec = CATALOGUE[code]
            account_links.fail_next(code, endpoint="v1.account_links.create")
            client = stripe.StripeClient("sk_test_1", max_network_retries=0)
            with pytest.raises(stripe.StripeError) as raised:
                client.v1.account_links.create(onboarding("acct_1Nv0FG"))
            assert type(raised.value) is status_class(spec)
            assert raised.value.http_status == spec.status
            check_v1(raised.value.json_body, "error")
            error = raised.value.json_body["error"]
            assert error["message"] == spec.message
            assert ("code" in error) is spec.v1_code
            assert account_links.all_calls[-1].error_code == code

        def test_the_report_names_v1_calls(account_links, stripe_client):
            made = stripe_client.v1.accounts.create(EXPRESS)
            stripe_client.v1.account_links.create(onboarding(made.id))
            assert False, "show the report"
        """,
        "--account-links-seed=7",
        passed=5 + len(__import__("pytest_account_links").CATALOGUE),
        failed=1,
    )
    result.stdout.fnmatch_lines(
        [
            "*account-links: 2 calls (seed 7)*",
            "*v1.accounts.create*/v1/accounts *200*acct_*",
            "*v1.account_links.create*/v1/account_links *200*acct_*",
        ]
    )


def test_a_misnamed_v1_endpoint_is_named(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        @pytest.mark.stripe_error("resource_missing", endpoint="v1.account_link.create")
        def test_typo(account_links):
            pass

        def test_calls_to(account_links):
            with pytest.raises(ValueError, match="did you mean 'v1.accounts.retrieve'"):
                account_links.calls_to("v1.account.retrieve")
        """,
        passed=1,
        errors=1,
    )
    result.stdout.fnmatch_lines(["*did you mean 'v1.account_links.create'*"])


# -- 8. the global style leaves nothing behind ---------------------------------------------


def test_the_global_style_leaks_nothing_between_tests(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_one_sets_the_globals(account_links, monkeypatch):
            monkeypatch.setattr(stripe, "api_key", "sk_test_onlyinthistestxxxxxxxxxx")
            monkeypatch.setattr(stripe, "api_version", "2023-10-16")
            stripe.Account.create(**EXPRESS)
            assert account_links.all_calls[-1].api_version == "2023-10-16"
            assert len(account_links.all_calls) == 1

        def test_two_sees_none_of_them(account_links, stripe_client, global_stripe):
            assert stripe.api_version != "2023-10-16"
            assert len(account_links.accounts) == 0  # test one's account is gone
            stripe.Account.create(**EXPRESS)  # the SDK's shared http client, this test's fake
            assert len(account_links.all_calls) == 1
            assert account_links.all_calls[-1].api_version == stripe.api_version

        def test_three_without_a_key(account_links):
            assert stripe.api_key is None
            with pytest.raises(stripe.AuthenticationError):
                stripe.Account.create(**EXPRESS)  # the SDK refuses before sending
            assert len(account_links.all_calls) == 0
        """,
        "-p",
        "no:randomly",
        passed=3,
    )
