"""v2 Accounts and events: the whole onboarding flow offline, through the official SDK (sync
and async) and plain HTTP, every answer held against Stripe's spec (``tests/openapi.py``)
and every event parsed by the SDK."""

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

from tests.openapi import check_account, check_answer, check_event

URL = "https://api.stripe.com/v2/core/accounts"
VERSION = "2026-10-28.endive"
KEY = {"Authorization": "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc", "Stripe-Version": VERSION}
ALL = [
    "configuration.customer", "configuration.merchant", "configuration.recipient",
    "defaults", "future_requirements", "identity", "requirements",
]
MERCHANT_US = {
    "display_name": "Furever",
    "contact_email": "owner@furever.example",
    "identity": {"country": "us", "entity_type": "company"},
    "configuration": {"merchant": {"capabilities": {"card_payments": {"requested": True}}}},
    "defaults": {
        "responsibilities": {"fees_collector": "application", "losses_collector": "application"}
    },
}
RECIPIENT_DE = {
    "display_name": "Kunstwerk",
    "identity": {"country": "de", "entity_type": "individual"},
    "configuration": {
        "recipient": {"capabilities": {"stripe_balance": {"stripe_transfers": {"requested": True}}}}
    },
}


def answered(account_links):
    """The last answer's JSON, as the fake sent it."""
    return account_links.all_calls[-1].response


def onboarding(account_id, use_case="account_onboarding"):
    return {
        "account": account_id,
        "use_case": {
            "type": use_case,
            use_case: {
                "refresh_url": "https://shop.example/refresh",
                "return_url": "https://shop.example/return",
            },
        },
    }


def statuses(account):
    """Each onboarding capability's status, from a retrieved account's JSON."""
    found = {}
    config = account["configuration"] or {}
    if config.get("merchant"):
        found["card_payments"] = config["merchant"]["capabilities"]["card_payments"]["status"]
    if config.get("recipient"):
        caps = config["recipient"]["capabilities"]["stripe_balance"]
        found["stripe_transfers"] = caps["stripe_transfers"]["status"]
    return found
'''


def run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(HEADER + textwrap.dedent(body))
    result = pytester.runpytest(*args)
    result.assert_outcomes(**outcomes)
    return result


# -- 1. create, retrieve, update, list, close ---------------------------------------------


def test_create_echoes_what_was_sent_and_fills_in_what_stripe_does(
    pytester: pytest.Pytester,
) -> None:
    run(
        pytester,
        """
        def test_merchant(account_links, stripe_client):
            account = stripe_client.v2.core.accounts.create({**MERCHANT_US, "include": ALL})
            body = answered(account_links)
            check_account(body)
            assert account.id == body["id"] and account.id.startswith("acct_")
            assert body["object"] == "v2.core.account"
            assert body["display_name"] == "Furever"
            assert body["contact_email"] == "owner@furever.example"
            assert body["applied_configurations"] == ["merchant"]
            assert body["livemode"] is False and body["closed"] is False
            assert body["dashboard"] == "none"  # the platform is liable: no Stripe Dashboard
            assert body["defaults"]["currency"] == "usd"
            assert body["defaults"]["locales"] == ["en-US"]
            assert body["identity"] == {"country": "us", "entity_type": "company"}
            # A new US company merchant has what such an account needs currently due...
            due = {entry["description"] for entry in body["requirements"]["entries"]}
            assert {
                "identity.business_details.registered_name",
                "identity.business_details.address.state",
                "identity.business_details.id_numbers",
                "configuration.merchant.mcc",
                "identity.attestations.terms_of_service.account",
            } <= due
            entry = body["requirements"]["entries"][0]
            assert entry["awaiting_action_from"] == "user"
            assert entry["requested_reasons"] == [{"code": "routine_onboarding"}]
            assert entry["impact"]["restricts_capabilities"][0]["capability"] == "card_payments"
            # ...so its capability is restricted until they are provided.
            card = body["configuration"]["merchant"]["capabilities"]["card_payments"]
            assert card == {
                "status": "restricted",
                "status_details": [{"code": "requirements_past_due", "resolution": "provide_info"}],
            }
            assert account.configuration.merchant.capabilities.card_payments.status == "restricted"
            assert account_links.accounts[account.id].capability("merchant", "card_payments") == (
                "restricted"
            )

        def test_live_key_makes_a_live_account(account_links):
            live = {**KEY, "Authorization": "Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc"}
            response = requests.post(URL, json={"display_name": "Live"}, headers=live)
            assert response.status_code == 200
            assert response.json()["livemode"] is True
            assert account_links.events[-1].event["livemode"] is True
            assert account_links.events[-1].id.startswith("evt_") and "test" not in (
                account_links.events[-1].id
            )

        def test_what_is_not_included_is_null(account_links):
            response = requests.post(URL, json=RECIPIENT_DE, headers=KEY)
            body = response.json()
            check_account(body)
            for name in ("configuration", "defaults", "future_requirements", "identity",
                         "requirements"):
                assert body[name] is None, name
            assert body["display_name"] == "Kunstwerk"  # not includable: always there
        """,
        passed=3,
    )


def test_create_through_every_transport_and_async(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_async(account_links, stripe_api_key):
            async def create():
                http = stripe.HTTPXClient()
                try:
                    client = stripe.StripeClient(stripe_api_key, http_client=http)
                    made = await client.v2.core.accounts.create_async(RECIPIENT_DE)
                    got = await client.v2.core.accounts.retrieve_async(
                        made.id, {"include": ["requirements"]}
                    )
                    return made, got
                finally:
                    await http.close_async()

            made, got = asyncio.run(create())
            assert got.id == made.id
            assert got.requirements.entries  # an individual in Germany has things due
            check_account(answered(account_links))

        def test_aiohttp_sdk(account_links, stripe_api_key):
            async def create():
                http = stripe.AIOHTTPClient()
                try:
                    client = stripe.StripeClient(stripe_api_key, http_client=http)
                    return await client.v2.core.accounts.create_async({"display_name": "A"})
                finally:
                    await http.close_async()

            assert asyncio.run(create()).display_name == "A"

        def test_httpx(account_links):
            with httpx.Client() as client:
                made = client.post(URL, json=MERCHANT_US, headers=KEY).json()
                include = {"include[0]": "identity"}
                got = client.get(f"{URL}/{made['id']}", headers=KEY, params=include)
            assert got.status_code == 200
            assert got.json()["identity"]["country"] == "us"
            check_account(got.json())

        def test_requests_include_as_the_sdk_writes_it(account_links):
            made = requests.post(URL, json=MERCHANT_US, headers=KEY).json()
            got = requests.get(
                f"{URL}/{made['id']}?include[0]=configuration.merchant&include[1]=requirements",
                headers=KEY,
            ).json()
            check_account(got)
            assert got["configuration"]["merchant"]["applied"] is True
            assert got["configuration"]["recipient"] is None
            assert got["configuration"]["customer"] is None
            assert got["requirements"]["entries"]
            assert got["identity"] is None
        """,
        passed=4,
    )


def test_validation_names_the_field_as_stripe_does(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        @pytest.mark.parametrize(
            ("body", "message"),
            [
                ({"identity": {"business_details": {"registered_name": 5}}},
                 "identity.business_details.registered_name: expected a string"),
                ({"configuration": {"merchant": {"capabilities": {"card_payments": {}}}}},
                 "configuration.merchant.capabilities.card_payments.requested: required request "
                 "field missing"),
                ({"return_url": "https://x.example"}, "return_url: unknown field"),
                ({"dashboard": "partial"},
                 "dashboard: invalid value 'partial' (expected 'express', 'full' or 'none')"),
            ],
        )
        def test_create(account_links, stripe_client, body, message):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v2.core.accounts.create(body)
            assert raised.value.http_status == 400
            assert raised.value.code == "invalid_fields"
            assert message in str(raised.value)
            assert account_links.accounts.declared is False  # nothing was created
            assert account_links.events == []

        def test_update(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({"display_name": "A"})
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v2.core.accounts.update(made.id, {"contact_email": ["a"]})
            assert "contact_email: expected a string" in str(raised.value)

        def test_retrieve_include(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({"display_name": "A"})
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v2.core.accounts.retrieve(made.id, {"include": ["everything"]})
            assert "include[0]: invalid value 'everything'" in str(raised.value)

        def test_malformed_json(account_links):
            response = requests.post(URL, data=b"{", headers=KEY)
            assert response.status_code == 400
            assert response.json()["error"]["message"].startswith("request body is not valid JSON")
        """,
        passed=7,
    )


def test_update_merges_and_announces_what_changed(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_update(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create(
                {**MERCHANT_US, "metadata": {"plan": "gold", "region": "west"}}
            )
            before = len(account_links.events)
            updated = stripe_client.v2.core.accounts.update(
                made.id,
                {
                    "display_name": "Furever Inc.",
                    "metadata": {"plan": None, "tier": "1"},
                    "identity": {"business_details": {"registered_name": "Furever Inc."}},
                    "include": ["identity", "requirements"],
                },
            )
            body = answered(account_links)
            check_account(body)
            assert updated.display_name == "Furever Inc."
            assert body["metadata"] == {"region": "west", "tier": "1"}
            assert body["identity"]["business_details"]["registered_name"] == "Furever Inc."
            assert body["identity"]["country"] == "us"  # merged, not replaced
            due = [entry["description"] for entry in body["requirements"]["entries"]]
            assert "identity.business_details.registered_name" not in due
            assert [event.type for event in account_links.events[before:]] == [
                "v2.core.account.updated",
                "v2.core.account[identity].updated",
                "v2.core.account[requirements].updated",
            ]
            for event in account_links.events[before:]:
                assert event.event["reason"]["type"] == "request"
                request = event.event["reason"]["request"]
                assert request["id"] == account_links.all_calls[-1].request_id
                assert request["idempotency_key"] == account_links.all_calls[-1].idempotency_key

        def test_an_update_that_changes_nothing_announces_nothing(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({"display_name": "Same"})
            before = len(account_links.events)
            stripe_client.v2.core.accounts.update(made.id, {"display_name": "Same"})
            assert len(account_links.events) == before

        def test_a_configuration_added_and_taken_off(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({"display_name": "A"})
            stripe_client.v2.core.accounts.update(made.id, RECIPIENT_DE)
            assert account_links.accounts[made.id].configurations == ("recipient",)
            assert "v2.core.account[configuration.recipient].updated" in [
                event.type for event in account_links.events
            ]
            stripe_client.v2.core.accounts.update(
                made.id, {"configuration": {"recipient": {"applied": False}}}
            )
            assert answered(account_links)["applied_configurations"] == []
        """,
        passed=3,
    )


def test_list_pages_and_filters(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_pages(account_links, stripe_client):
            made = [stripe_client.v2.core.accounts.create({"display_name": f"Shop {n}"}).id
                    for n in range(5)]
            page = stripe_client.v2.core.accounts.list({"limit": 2})
            body = answered(account_links)
            check_answer(body, "accounts-v2", "/v2/core/accounts")
            assert [account["id"] for account in body["data"]] == made[::-1][:2]  # newest first
            assert body["next_page_url"] == "/v2/core/accounts?limit=2&page=page_2"
            assert body["previous_page_url"] is None
            assert [account.id for account in page.auto_paging_iter()] == made[::-1]
            last = answered(account_links)
            assert last["next_page_url"] is None
            assert last["previous_page_url"] == "/v2/core/accounts?limit=2&page=page_2"

        def test_filters(account_links, stripe_client):
            merchant = stripe_client.v2.core.accounts.create(MERCHANT_US)
            recipient = stripe_client.v2.core.accounts.create(RECIPIENT_DE)
            both = stripe_client.v2.core.accounts.create(
                {"configuration": {**MERCHANT_US["configuration"], **RECIPIENT_DE["configuration"]}}
            )
            listed = stripe_client.v2.core.accounts.list({"applied_configurations": ["merchant"]})
            assert [account.id for account in listed.data] == [both.id, merchant.id]
            stripe_client.v2.core.accounts.close(
                recipient.id, {"applied_configurations": ["recipient"]}
            )
            open_ = stripe_client.v2.core.accounts.list()
            assert recipient.id not in [account.id for account in open_.data]
            closed = stripe_client.v2.core.accounts.list({"closed": True})
            assert [account.id for account in closed.data] == [recipient.id]
            assert closed.data[0].closed is True

        def test_declared_accounts_are_listed_with_created_ones(account_links, stripe_client):
            declared = account_links.accounts.add("acct_1Nv0FGQ9RKHgCVdK")
            made = stripe_client.v2.core.accounts.create({"display_name": "New"})
            listed = stripe_client.v2.core.accounts.list()
            assert [account.id for account in listed.data] == [made.id, declared.id]
            check_answer(answered(account_links), "accounts-v2", "/v2/core/accounts")

        @pytest.mark.parametrize(
            ("query", "message"),
            [
                ("limit=0", "limit: must be between 1 and 100, got 0"),
                ("limit=101", "limit: must be between 1 and 100, got 101"),
                ("page=whatever", "page: 'whatever' is not a page token this list gave"),
                ("closed=perhaps", "closed: expected a boolean"),
            ],
        )
        def test_bad_paging(account_links, query, message):
            response = requests.get(f"{URL}?{query}", headers=KEY)
            assert response.status_code == 400
            assert response.json()["error"]["message"] == message
        """,
        passed=7,
    )


def test_close_needs_every_configuration_and_ends_links(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_close(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create(MERCHANT_US)
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v2.core.accounts.close(made.id)
            error = raised.value.json_body["error"]
            assert error["code"] == "configs_must_match_to_close"
            assert error["applied_configurations"] == ["merchant"]
            assert error["user_message"]
            assert account_links.accounts[made.id].closed is False

            closed = stripe_client.v2.core.accounts.close(
                made.id, {"applied_configurations": ["merchant"]}
            )
            assert closed.closed is True
            check_account(answered(account_links))
            assert account_links.events[-1].type == "v2.core.account.closed"
            # Closing again answers it as it is, and delivers nothing more.
            stripe_client.v2.core.accounts.close(made.id, {"applied_configurations": ["merchant"]})
            assert [e.type for e in account_links.events].count("v2.core.account.closed") == 1

            with pytest.raises(stripe.InvalidRequestError) as refused:
                stripe_client.v2.core.account_links.create(onboarding(made.id))
            assert refused.value.code == "account_closed"
            with pytest.raises(stripe.InvalidRequestError) as refused:
                stripe_client.v2.core.accounts.update(made.id, {"display_name": "Back"})
            assert refused.value.code == "account_closed"
            # It can still be read.
            assert stripe_client.v2.core.accounts.retrieve(made.id).closed is True
        """,
        passed=1,
    )


# -- 2. one registry of accounts ------------------------------------------------------------


def test_declared_and_created_accounts_are_one_registry(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        @pytest.mark.stripe_accounts("acct_1Nv0FGQ9RKHgCVdK")
        def test_unknown_accounts_are_not_found_once_one_is_declared(account_links, stripe_client):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v2.core.accounts.retrieve("acct_1Unknown000000000")
            assert raised.value.http_status == 404
            assert raised.value.code == "not_found"
            declared = stripe_client.v2.core.accounts.retrieve(
                "acct_1Nv0FGQ9RKHgCVdK", {"include": ALL}
            )
            check_account(answered(account_links))
            known = account_links.accounts["acct_1Nv0FGQ9RKHgCVdK"]
            assert declared.display_name == known.display_name
            made = stripe_client.v2.core.accounts.create({"display_name": "New"})
            link = stripe_client.v2.core.account_links.create(onboarding(made.id))
            assert link.account == made.id

        @pytest.mark.account_links(unknown_accounts="not_found")
        def test_created_accounts_exist_under_not_found(account_links, stripe_client):
            with pytest.raises(stripe.InvalidRequestError):
                stripe_client.v2.core.account_links.create(onboarding("acct_1Unknown000000000"))
            made = stripe_client.v2.core.accounts.create({"display_name": "New"})
            link = stripe_client.v2.core.account_links.create(onboarding(made.id))
            assert link.account == made.id
            assert stripe_client.v2.core.accounts.retrieve(made.id).id == made.id

        @pytest.mark.stripe_accounts(v2_enabled=False)
        def test_access_blocked_everywhere(account_links, stripe_client):
            for call in (
                lambda: stripe_client.v2.core.accounts.create({}),
                lambda: stripe_client.v2.core.accounts.retrieve("acct_1Nv0FGQ9RKHgCVdK"),
                lambda: stripe_client.v2.core.accounts.list(),
                lambda: stripe_client.v2.core.account_links.create(onboarding("acct_1Nv0FG")),
            ):
                with pytest.raises(stripe.InvalidRequestError) as raised:
                    call()
                assert raised.value.code == "accounts_v2_access_blocked"

        def test_malformed_ids_are_not_found(account_links):
            response = requests.get(f"{URL}/not-an-account", headers=KEY)
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "not_found"

        def test_accounts_lookup_names_the_known_ones(account_links):
            account_links.accounts.add("acct_1Nv0FGQ9RKHgCVdK")
            with pytest.raises(KeyError, match="acct_1Nv0FGQ9RKHgCVdK"):
                account_links.accounts["acct_nope"]
        """,
        passed=5,
    )


# -- 3. the link's outcomes move the account ----------------------------------------------


def test_completed_onboarding_meets_requirements_and_activates(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_completed(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create(RECIPIENT_DE)
            link = stripe_client.v2.core.account_links.create(onboarding(made.id))
            before = len(account_links.events)
            assert account_links.visit(link, outcome="completed") == "https://shop.example/return"
            got = stripe_client.v2.core.accounts.retrieve(made.id, {"include": ALL})
            body = answered(account_links)
            check_account(body)
            assert body["requirements"]["entries"] == []
            assert statuses(body) == {"stripe_transfers": "active"}
            # Collected as a German account holder would fill them in.
            individual = body["identity"]["individual"]
            assert individual["given_name"] and individual["surname"]
            assert len(individual["address"]["postal_code"]) == 5
            assert body["identity"]["attestations"]["terms_of_service"]["account"]["ip"]
            assert [event.type for event in account_links.events[before:]] == [
                "v2.core.account.updated",
                "v2.core.account[identity].updated",
                "v2.core.account[requirements].updated",
                "v2.core.account[configuration.recipient].capability_status_updated",
                "v2.core.account_link.returned",
            ]
            capability = account_links.events[-2].event
            assert capability["data"] == {"updated_capability": "stripe_balance.stripe_transfers"}
            returned = account_links.events[-1].event
            assert returned["data"] == {
                "account_id": made.id,
                "configurations": ["recipient"],
                "use_case": "account_onboarding",
            }
            assert "related_object" not in returned  # that type has none
            balance = got.configuration.recipient.capabilities.stripe_balance
            assert balance.stripe_transfers.status == "active"

        def test_abandoned_changes_nothing(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create(MERCHANT_US)
            before = stripe_client.v2.core.accounts.retrieve(made.id, {"include": ALL}).to_dict()
            events = len(account_links.events)
            link = stripe_client.v2.core.account_links.create(onboarding(made.id))
            assert account_links.visit(link, outcome="abandoned") == "https://shop.example/return"
            after = stripe_client.v2.core.accounts.retrieve(made.id, {"include": ALL}).to_dict()
            assert after == before
            assert len(account_links.events) == events
            assert statuses(answered(account_links)) == {"card_payments": "restricted"}

        def test_expired_link_goes_to_refresh_and_a_new_one_completes(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create(MERCHANT_US)
            link = stripe_client.v2.core.account_links.create(onboarding(made.id))
            account_links.clock.advance(minutes=11)
            assert account_links.visit(link) == "https://shop.example/refresh"
            assert account_links.accounts[made.id].requirements  # still due
            fresh = stripe_client.v2.core.account_links.create(onboarding(made.id))
            assert account_links.visit(fresh) == "https://shop.example/return"
            assert account_links.accounts[made.id].requirements == []
            account = account_links.accounts[made.id]
            assert account.capability("merchant", "card_payments") == "active"

        def test_account_update_changes_only_what_the_test_says(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create(MERCHANT_US)
            due = list(account_links.accounts[made.id].requirements)
            link = stripe_client.v2.core.account_links.create(onboarding(made.id, "account_update"))
            account_links.visit(link)
            assert account_links.accounts[made.id].requirements == due
            assert account_links.events[-1].type == "v2.core.account_link.returned"
            assert account_links.events[-2].type == "v2.core.account.created"

            update = onboarding(made.id, "account_update")
            second = stripe_client.v2.core.account_links.create(update)
            account_links.visit(second, changes={"contact_phone": "+1 555 0100"})
            got = stripe_client.v2.core.accounts.retrieve(made.id)
            assert got.contact_phone == "+1 555 0100"
            assert "v2.core.account.updated" in [e.type for e in account_links.events[-3:]]

        def test_changes_are_validated(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create(MERCHANT_US)
            link = stripe_client.v2.core.account_links.create(onboarding(made.id))
            problem = "visit(changes=...): contact_phone: expected a string"
            with pytest.raises(ValueError, match=re.escape(problem)):
                account_links.visit(link, changes={"contact_phone": 5})
            assert account_links.visit(link) == "https://shop.example/return"  # not used up
        """,
        passed=5,
    )


def test_tests_set_requirements_and_capabilities_directly(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_onboarded_but_payouts_restricted(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create(RECIPIENT_DE)
            account_links.visit(stripe_client.v2.core.account_links.create(onboarding(made.id)))
            account = account_links.accounts[made.id]
            account.set_capability(
                "recipient", "stripe_balance.stripe_transfers", "restricted",
                code="requirements_past_due",
            )
            event = account_links.events[-1]
            assert event.type == (
                "v2.core.account[configuration.recipient].capability_status_updated"
            )
            assert event.event["data"] == {"updated_capability": "stripe_balance.stripe_transfers"}
            got = stripe_client.v2.core.accounts.retrieve(made.id, {"include": ALL})
            check_account(answered(account_links))
            assert statuses(answered(account_links)) == {"stripe_transfers": "restricted"}
            assert got.requirements.entries == []

        def test_a_new_requirement_restricts_until_onboarding_again(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create(RECIPIENT_DE)
            account_links.visit(stripe_client.v2.core.account_links.create(onboarding(made.id)))
            account = account_links.accounts[made.id]
            account.require("identity.individual.id_numbers")
            assert account.requirements == ["identity.individual.id_numbers"]
            transfers = account.capability("recipient", "stripe_balance.stripe_transfers")
            assert transfers == "restricted"
            assert account_links.events[-1].type.endswith("capability_status_updated")
            account_links.visit(stripe_client.v2.core.account_links.create(onboarding(made.id)))
            assert account.requirements == []
            assert account.capability("recipient", "stripe_balance.stripe_transfers") == "active"

        def test_accounts_share_no_state(account_links):
            one = account_links.accounts.add("acct_1Nv0FGQ9RKHgCVdK", configurations=["merchant"])
            two = account_links.accounts.add("acct_1Nv0FGQ9RKHgCVd2", configurations=["merchant"])
            one.set_capability("merchant", "card_payments", "rejected")
            assert two.capability("merchant", "card_payments") == "restricted"
            three = account_links.accounts.add("acct_1Nv0FGQ9RKHgCVd3", configurations=["merchant"])
            assert three.capability("merchant", "card_payments") == "restricted"

        @pytest.mark.parametrize(
            ("args", "kwargs", "message"),
            [
                (("merchant", "card_payments", "enabled"), {},
                 "status 'enabled' is not one Stripe has; choose from active, pending"),
                (("merchant", "card_payment", "active"), {},
                 "merchant capability 'card_payment' is not one Stripe has "
                 "(did you mean 'card_payments'?)"),
                (("seller", "card_payments", "active"), {}, "configuration 'seller'"),
                (("merchant", "card_payments", "restricted"), {"code": "too_risky"},
                 "code 'too_risky' is not one Stripe has"),
                (("merchant", "card_payments", "restricted"), {"resolution": "wait"},
                 "resolution 'wait' is not one Stripe has"),
            ],
        )
        def test_bad_arguments_are_named(account_links, args, kwargs, message):
            account = account_links.accounts.add(configurations=["merchant"])
            with pytest.raises(ValueError, match=re.escape(message)):
                account.set_capability(*args, **kwargs)
            assert account.capability("merchant", "card_payments") == "restricted"

        def test_require_takes_descriptions(account_links):
            account = account_links.accounts.add(configurations=["merchant"])
            with pytest.raises(TypeError, match="require.. takes requirement descriptions"):
                account.require(["identity.individual.id_numbers"])
        """,
        passed=9,
    )


# -- 4. events ------------------------------------------------------------------------------


def test_every_event_is_parsed_and_fetched_by_the_sdk(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_events(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create(MERCHANT_US)
            stripe_client.v2.core.accounts.update(made.id, {"display_name": "Renamed"})
            account_links.visit(stripe_client.v2.core.account_links.create(onboarding(made.id)))
            stripe_client.v2.core.accounts.close(made.id, {"applied_configurations": ["merchant"]})
            types = [event.type for event in account_links.events]
            assert types[0] == "v2.core.account.created" and types[-1] == "v2.core.account.closed"
            assert "v2.core.account[configuration.merchant].capability_status_updated" in types
            for delivered in account_links.events:
                check_event(json.loads(delivered.payload))
                check_event(delivered.event)
                notification = stripe_client.parse_event_notification(
                    delivered.payload,
                    delivered.headers["Stripe-Signature"],
                    account_links.webhook_secret,
                )
                assert type(notification).__name__ != "UnknownEventNotification", delivered.type
                assert notification.id == delivered.id
                event = notification.fetch_event()
                assert event.id == delivered.id and event.type == delivered.type
                check_event(answered(account_links))
                if delivered.type != "v2.core.account_link.returned":
                    account = notification.fetch_related_object()
                    assert account.id == made.id
                    assert type(account).__name__ == "Account"

        def test_list_and_retrieve(account_links, stripe_client):
            one = stripe_client.v2.core.accounts.create({"display_name": "One"})
            account_links.clock.advance(seconds=30)
            two = stripe_client.v2.core.accounts.create({"display_name": "Two"})
            stripe_client.v2.core.accounts.update(two.id, {"display_name": "Deux"})
            everything = stripe_client.v2.core.events.list()
            check_answer(answered(account_links), "events-v2", "/v2/core/events")
            assert [event.type for event in everything.data] == [
                "v2.core.account.updated", "v2.core.account.created", "v2.core.account.created",
            ]
            about_one = stripe_client.v2.core.events.list({"object_id": one.id})
            assert [event.related_object.id for event in about_one.data] == [one.id]
            created = stripe_client.v2.core.events.list({"types": ["v2.core.account.created"]})
            assert [event.related_object.id for event in created.data] == [two.id, one.id]
            later = account_links.events[1].event["created"]
            recent = stripe_client.v2.core.events.list({"created": {"gte": later}})
            assert len(recent.data) == 2
            paged = stripe_client.v2.core.events.list({"limit": 1})
            assert len(list(paged.auto_paging_iter())) == 3
            fetched = stripe_client.v2.core.events.retrieve(account_links.events[0].id)
            assert fetched.related_object.id == one.id
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v2.core.events.retrieve("evt_test_nope")
            assert raised.value.http_status == 404

        def test_too_many_types(account_links):
            query = "&".join(f"types[{n}]=t{n}" for n in range(21))
            response = requests.get(f"https://api.stripe.com/v2/core/events?{query}", headers=KEY)
            assert response.status_code == 400
            assert response.json()["error"]["message"] == "types: at most 20 event types, got 21"
        """,
        passed=3,
    )


def test_deliver_events_to_a_callable_and_a_test_client(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        from pytest_account_links import WebhookDeliveryError

        def test_callable(account_links, stripe_client):
            received = []

            def handler(payload, headers):
                event = stripe_client.parse_event_notification(
                    payload, headers["Stripe-Signature"], account_links.webhook_secret
                )
                received.append(event.type)

            stripe_client.v2.core.accounts.create({"display_name": "A"})
            assert [event.type for event, _ in account_links.deliver_events(handler)] == [
                "v2.core.account.created"
            ]
            assert account_links.deliver_events(handler) == []  # each event once
            made = stripe_client.v2.core.accounts.create({"display_name": "B"})
            account_links.deliver_events(handler)
            assert received == ["v2.core.account.created", "v2.core.account.created"]
            assert len(account_links.deliver_events(handler, again=True)) == 2

        class Answer:
            def __init__(self, status_code):
                self.status_code = status_code

        class Client:
            '''A test client's shape: post(path, data=..., headers=...).'''
            def __init__(self, status):
                self.status, self.posted = status, []

            def post(self, path, data=None, headers=None):
                self.posted.append((path, data, headers))
                return Answer(self.status)

        def test_test_client(account_links, stripe_client):
            stripe_client.v2.core.accounts.create({"display_name": "A"})
            client = Client(200)
            account_links.deliver_events(client, path="/stripe/webhook")
            path, data, headers = client.posted[0]
            assert path == "/stripe/webhook"
            assert json.loads(data)["type"] == "v2.core.account.created"
            assert headers["Stripe-Signature"].startswith("t=")
            assert headers["Content-Type"].startswith("application/json")

        def test_an_httpx_client_gets_the_raw_body(account_links, stripe_client):
            seen = []

            def app(request):
                seen.append((request.url.path, request.content, dict(request.headers)))
                return httpx.Response(204)

            stripe_client.v2.core.accounts.create({"display_name": "A"})
            with httpx.Client(transport=httpx.MockTransport(app), base_url="http://app") as client:
                account_links.deliver_events(client, path="/hooks")
            path, content, headers = seen[0]
            assert path == "/hooks"
            assert content == account_links.events[0].payload.encode()
            signed = account_links.events[0].headers["Stripe-Signature"]
            assert headers["stripe-signature"] == signed

        def test_a_refusing_handler_fails_naming_the_event(account_links, stripe_client):
            stripe_client.v2.core.accounts.create({"display_name": "A"})
            refused = "answered 500 to v2.core.account.created"
            with pytest.raises(WebhookDeliveryError, match=refused):
                account_links.deliver_events(Client(500))

        def test_not_a_handler(account_links):
            with pytest.raises(TypeError, match="a test client with a post"):
                account_links.deliver_events(42)
        """,
        passed=5,
    )


# -- 5. markers and the report reach the new endpoints ------------------------------------


def test_markers_and_the_report_reach_the_account_endpoints(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        @pytest.mark.stripe_error("not_found", endpoint="v2.core.accounts.retrieve")
        def test_not_found(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({"display_name": "A"})
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v2.core.accounts.retrieve(made.id)
            assert raised.value.http_status == 404
            assert account_links.all_calls[-1].injected == "@stripe_error"

        @pytest.mark.stripe_outage(503, endpoint="v2.core.accounts.retrieve")
        def test_outage_on_retrieve_only(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({"display_name": "A"})
            with pytest.raises(stripe.APIError):
                stripe_client.v2.core.accounts.retrieve(made.id)
            assert stripe_client.v2.core.account_links.create(onboarding(made.id))

        @pytest.mark.stripe_rate_limit(1, endpoint="v2.core.accounts.update")
        def test_rate_limited_per_account(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({"display_name": "A"})
            stripe_client.v2.core.accounts.update(made.id, {"display_name": "B"})
            with pytest.raises(stripe.RateLimitError):
                stripe_client.v2.core.accounts.update(made.id, {"display_name": "C"})

        @pytest.mark.stripe_error("email_invalid", endpoint="v2.core.accounts.create")
        def test_a_spec_code(account_links, stripe_client):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v2.core.accounts.create({"contact_email": "nope"})
            assert raised.value.code == "email_invalid"

        def test_report_names_the_endpoint_and_account(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({"display_name": "A"})
            stripe_client.v2.core.accounts.retrieve(made.id)
            assert [call.account for call in account_links.all_calls] == [made.id, made.id]
            assert False, "show the report"
        """,
        "--account-links-seed=7",
        passed=4,
        failed=1,
    )
    result.stdout.fnmatch_lines(
        [
            "*account-links: 2 calls (seed 7)*",
            "*v2.core.accounts.create*/v2/core/accounts *200*acct_*",
            "*v2.core.accounts.retrieve*/v2/core/accounts/acct_*200*acct_*",
        ]
    )


# -- 6. realistic and seeded --------------------------------------------------------------


def test_accounts_are_seeded_and_look_like_their_country(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(
        HEADER
        + textwrap.dedent(
            """
            def test_seeded(account_links, stripe_client):
                from datetime import datetime, timezone

                account_links.clock.freeze(datetime(2026, 1, 1, tzinfo=timezone.utc))
                made = stripe_client.v2.core.accounts.create(RECIPIENT_DE)
                account_links.visit(stripe_client.v2.core.account_links.create(onboarding(made.id)))
                got = stripe_client.v2.core.accounts.retrieve(made.id, {"include": ["identity"]})
                print("DETAILS", made.id, json.dumps(got.to_dict()["identity"], sort_keys=True))
            """
        )
    )
    first = pytester.runpytest("-s", "--account-links-seed=3")
    second = pytester.runpytest("-s", "--account-links-seed=3")
    other = pytester.runpytest("-s", "--account-links-seed=4")

    def details(result: pytest.RunResult) -> str:
        line = next(line for line in result.outlines if "DETAILS" in line)
        return line.split("DETAILS ", 1)[1].split(" ", 1)[1]

    assert details(first) == details(second)
    assert details(first) != details(other)
    assert '"country": "de"' in details(first)
    assert '"postal_code": "' in details(first)


def test_calls_to_one_endpoint(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_calls_to(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({"display_name": "A"})
            stripe_client.v2.core.accounts.retrieve(made.id)
            retrieves = account_links.calls_to("v2.core.accounts.retrieve")
            retrieves.assert_call_count(1)
            assert retrieves.last.account == made.id
            with pytest.raises(ValueError, match="did you mean 'v2.core.accounts.retrieve'"):
                account_links.calls_to("v2.core.account.retrieve")
        """,
        passed=1,
    )
