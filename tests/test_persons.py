"""The people of an account, for API-only onboarding: ``/v2/core/accounts/{id}/persons``
and ``/v1/accounts/{account}/persons`` through the SDK (both styles for v1) and plain HTTP,
every answer held against Stripe's spec (``tests/data/persons-v*.openapi.json``), their
refusals, an injected failure for each endpoint, their events parsed by the SDK, one person
read through both APIs, and the point of it all: a company made through the API reaches
``active`` capabilities once the platform sends its representative."""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import OFFLINE_CONFTEST

HEADER = """
import json

import httpx
import pytest
import requests
import stripe

from tests.openapi import check_answer

KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
AUTH = {"Authorization": f"Bearer {KEY}"}
V2 = "https://api.stripe.com/v2/core/accounts"
V1 = "https://api.stripe.com/v1/accounts"
V2_LIST = "/v2/core/accounts/{account_id}/persons"
V2_ONE = "/v2/core/accounts/{account_id}/persons/{id}"
V1_LIST = "/v1/accounts/{account}/persons"
V1_ONE = "/v1/accounts/{account}/persons/{person}"
INCLUDE = ["configuration.merchant", "identity", "requirements"]
COMPANY = {
    "identity": {"country": "us", "entity_type": "company"},
    "configuration": {"merchant": {"capabilities": {"card_payments": {"requested": True}}}},
}
BUSINESS = {
    "configuration": {"merchant": {"mcc": "5734"}},
    "defaults": {"profile": {"business_url": "https://furever.example"}},
    "identity": {
        "business_details": {
            "registered_name": "Furever Inc.",
            "phone": "+14155550100",
            "address": {"line1": "510 Townsend St", "city": "San Francisco",
                        "postal_code": "94103", "state": "CA", "country": "us"},
            "id_numbers": [{"type": "us_ein", "value": "000000000"}],
        },
        "attestations": {"terms_of_service": {"account": {
            "date": "2026-01-02T03:04:05.000Z", "ip": "203.0.113.7"}}},
    },
}
REPRESENTATIVE = {
    "given_name": "Jenny",
    "surname": "Rosen",
    "email": "jenny@furever.example",
    "phone": "+14155550111",
    "date_of_birth": {"day": 14, "month": 2, "year": 1985},
    "address": {"line1": "1 Main St", "city": "San Francisco", "postal_code": "94103",
                "state": "CA", "country": "US"},
    "id_numbers": [{"type": "us_ssn_last_4", "value": "0000"}],
    "relationship": {"representative": True, "executive": True, "title": "CEO"},
}
OWNER = {"given_name": "Ola", "surname": "Owner", "address": {"country": "US"},
         "relationship": {"owner": True, "percent_ownership": "60"}}
V1_COMPANY = {
    "type": "custom", "country": "US", "business_type": "company",
    "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
}
V1_BUSINESS = {
    "business_profile": {"mcc": "5734", "url": "https://furever.example"},
    "company": {"name": "Furever Inc.", "phone": "+14155550100", "tax_id": "000000000",
                "address": {"line1": "510 Townsend St", "city": "San Francisco",
                            "postal_code": "94103", "state": "CA"}},
    "tos_acceptance": {"date": 1700000000, "ip": "203.0.113.7"},
    "external_account": "btok_us_verified",
}
V1_REPRESENTATIVE = {
    "first_name": "Jenny", "last_name": "Rosen", "email": "jenny@furever.example",
    "phone": "+14155550111", "dob": {"day": 14, "month": 2, "year": 1985},
    "address": {"line1": "1 Main St", "city": "San Francisco", "postal_code": "94103",
                "state": "CA"},
    "ssn_last_4": "0000",
    "relationship": {"representative": True, "executive": True, "title": "CEO"},
}


def answered(account_links):
    return account_links.all_calls[-1].response


def company(stripe_client, **more):
    return stripe_client.v2.core.accounts.create({**COMPANY, **more, "include": INCLUDE})


def card_status(stripe_client, account_id):
    account = stripe_client.v2.core.accounts.retrieve(account_id, {"include": INCLUDE})
    return account.configuration.merchant.capabilities.card_payments.status


@pytest.fixture
def global_stripe(monkeypatch, stripe_api_key):
    monkeypatch.setattr(stripe, "api_key", stripe_api_key)
    return stripe
"""


def run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(HEADER + textwrap.dedent(body))
    result = pytester.runpytest("-p", "no:randomly", *args)
    result.assert_outcomes(**outcomes)
    return result


# -- 1. API v2: create, retrieve, update, list, delete -------------------------------------


def test_v2_persons_through_the_sdk_and_plain_http(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_sdk(account_links, stripe_client):
            account = company(stripe_client)
            person = stripe_client.v2.core.accounts.persons.create(account.id, REPRESENTATIVE)
            body = answered(account_links)
            check_answer(body, "persons-v2", V2_LIST, "post")
            assert person.object == "v2.core.account_person" and person.account == account.id
            assert person.id.startswith("person_") and person.livemode is False
            assert body["given_name"] == "Jenny" and body["surname"] == "Rosen"
            assert body["id_numbers"] == [{"type": "us_ssn_last_4"}]  # never the number
            assert body["relationship"]["representative"] is True
            assert body["created"] == body["updated"]

            got = stripe_client.v2.core.accounts.persons.retrieve(account.id, person.id)
            check_answer(answered(account_links), "persons-v2", V2_ONE, "get")
            assert got.id == person.id and got.email == "jenny@furever.example"

            account_links.clock.advance(seconds=5)
            changed = stripe_client.v2.core.accounts.persons.update(
                account.id, person.id,
                {"phone": "+14155550122", "metadata": {"role": "ceo"},
                 "address": {"line2": "Suite 4"}})
            body = answered(account_links)
            check_answer(body, "persons-v2", V2_ONE, "post")
            assert changed.phone == "+14155550122" and body["metadata"] == {"role": "ceo"}
            assert body["address"]["line1"] == "1 Main St" and body["address"]["line2"] == "Suite 4"
            assert body["updated"] > body["created"]
            stripe_client.v2.core.accounts.persons.update(
                account.id, person.id, {"metadata": {"role": None}})
            assert answered(account_links)["metadata"] == {}

            owner = stripe_client.v2.core.accounts.persons.create(account.id, OWNER)
            assert owner.id != person.id and owner.id.startswith("person_1")
            listed = stripe_client.v2.core.accounts.persons.list(account.id)
            check_answer(answered(account_links), "persons-v2", V2_LIST, "get")
            assert [p.id for p in listed.data] == [owner.id, person.id]  # newest first
            paged = stripe_client.v2.core.accounts.persons.list(account.id, {"limit": 1})
            assert answered(account_links)["next_page_url"].endswith("limit=1&page=page_1")
            assert [p.id for p in paged.auto_paging_iter()] == [owner.id, person.id]

            deleted = stripe_client.v2.core.accounts.persons.delete(account.id, owner.id)
            check_answer(answered(account_links), "persons-v2", V2_ONE, "delete")
            assert answered(account_links) == {"id": owner.id, "object": "v2.core.account_person"}
            assert deleted.id == owner.id
            listed = stripe_client.v2.core.accounts.persons.list(account.id)
            assert [p.id for p in listed.data] == [person.id]

        def test_requests_and_httpx(account_links, stripe_client):
            account = company(stripe_client)
            url = f"{V2}/{account.id}/persons"
            made = requests.post(url, json=REPRESENTATIVE, headers=AUTH)
            assert made.status_code == 200
            check_answer(made.json(), "persons-v2", V2_LIST, "post")
            one = httpx.get(f"{url}/{made.json()['id']}", headers=AUTH)
            assert one.status_code == 200 and one.json() == made.json()
            listed = httpx.get(url, headers=AUTH)
            check_answer(listed.json(), "persons-v2", V2_LIST, "get")
            assert listed.json() == {"data": [made.json()], "next_page_url": None,
                                     "previous_page_url": None}
            gone = requests.delete(f"{url}/{made.json()['id']}", headers=AUTH)
            assert gone.status_code == 200
            check_answer(gone.json(), "persons-v2", V2_ONE, "delete")
        """,
        passed=2,
    )


# -- 2. API v1: both SDK styles and plain HTTP ---------------------------------------------


def test_v1_persons_through_both_sdk_styles_and_plain_http(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_client_style(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(V1_COMPANY)
            person = stripe_client.v1.accounts.persons.create(account.id, V1_REPRESENTATIVE)
            body = answered(account_links)
            check_answer(body, "persons-v1", V1_LIST, "post")
            assert person.object == "person" and person.account == account.id
            assert body["first_name"] == "Jenny" and body["dob"] == {
                "day": 14, "month": 2, "year": 1985}
            assert body["ssn_last_4_provided"] is True and body["id_number_provided"] is True
            assert body["relationship"]["representative"] is True
            assert body["relationship"]["title"] == "CEO"
            assert body["address"]["country"] is None and body["address"]["line1"] == "1 Main St"

            got = stripe_client.v1.accounts.persons.retrieve(account.id, person.id)
            check_answer(answered(account_links), "persons-v1", V1_ONE, "get")
            assert got.id == person.id

            changed = stripe_client.v1.accounts.persons.update(
                account.id, person.id, {"metadata": {"role": "ceo"}, "dob": ""})
            check_answer(answered(account_links), "persons-v1", V1_ONE, "post")
            assert changed.metadata.to_dict() == {"role": "ceo"} and changed.phone == "+14155550111"
            assert answered(account_links)["dob"] == {"day": None, "month": None, "year": None}

            owner = stripe_client.v1.accounts.persons.create(
                account.id, {"first_name": "Ola", "relationship": {
                    "owner": True, "percent_ownership": 60.5}})
            assert answered(account_links)["relationship"]["percent_ownership"] == 60.5
            everyone = stripe_client.v1.accounts.persons.list(account.id)
            body = answered(account_links)
            check_answer(body, "persons-v1", V1_LIST, "get")
            assert body["url"] == f"/v1/accounts/{account.id}/persons"
            assert [p.id for p in everyone.data] == [owner.id, person.id]
            owners = stripe_client.v1.accounts.persons.list(
                account.id, {"relationship": {"owner": True}})
            assert [p.id for p in owners.data] == [owner.id]
            others = stripe_client.v1.accounts.persons.list(
                account.id, {"relationship": {"representative": False}})
            assert [p.id for p in others.data] == [owner.id]
            page = stripe_client.v1.accounts.persons.list(account.id, {"limit": 1})
            assert page.has_more is True
            assert [p.id for p in page.auto_paging_iter()] == [owner.id, person.id]

            gone = stripe_client.v1.accounts.persons.delete(account.id, owner.id)
            check_answer(answered(account_links), "persons-v1", V1_ONE, "delete")
            assert answered(account_links) == {"deleted": True, "id": owner.id, "object": "person"}
            assert gone.deleted is True

        def test_global_style(account_links, global_stripe):
            account = stripe.Account.create(**V1_COMPANY)
            person = stripe.Account.create_person(account.id, **V1_REPRESENTATIVE)
            check_answer(answered(account_links), "persons-v1", V1_LIST, "post")
            assert isinstance(person, stripe.Person)
            assert stripe.Account.retrieve_person(account.id, person.id).first_name == "Jenny"
            changed = stripe.Account.modify_person(account.id, person.id, last_name="Rose")
            assert changed.last_name == "Rose"
            other = stripe.Account.create_person(account.id, first_name="Bo")
            assert [p.id for p in stripe.Account.list_persons(account.id).data] == [
                other.id, person.id]
            deleted = stripe.Account.delete_person(account.id, other.id)
            check_answer(answered(account_links), "persons-v1", V1_ONE, "delete")
            assert deleted.deleted is True and deleted.id == other.id

        def test_requests_and_httpx(account_links):
            account = requests.post(V1, headers=AUTH, data={"type": "custom", "country": "US",
                "business_type": "company", "capabilities[transfers][requested]": "true"}).json()
            url = f"{V1}/{account['id']}/persons"
            made = requests.post(url, headers=AUTH, data={
                "first_name": "Jenny", "relationship[owner]": "true",
                "relationship[percent_ownership]": "25.5", "dob[day]": "1", "dob[month]": "2",
                "dob[year]": "1990"})
            assert made.status_code == 200, made.text
            check_answer(made.json(), "persons-v1", V1_LIST, "post")
            assert made.json()["relationship"]["percent_ownership"] == 25.5
            listed = httpx.get(url, headers=AUTH, params={"relationship[owner]": "true"})
            check_answer(listed.json(), "persons-v1", V1_LIST, "get")
            assert [p["id"] for p in listed.json()["data"]] == [made.json()["id"]]
            gone = httpx.delete(f"{url}/{made.json()['id']}", headers=AUTH)
            assert gone.status_code == 200 and gone.json()["deleted"] is True
        """,
        passed=3,
    )


# -- 3. one person, two views ----------------------------------------------------------------


def test_a_person_made_through_one_api_reads_back_through_the_other(
    pytester: pytest.Pytester,
) -> None:
    run(
        pytester,
        """
        def test_v2_then_v1(account_links, stripe_client):
            account = company(stripe_client)
            person = stripe_client.v2.core.accounts.persons.create(account.id, {
                **REPRESENTATIVE, "nationalities": ["US"], "legal_gender": "female",
                "additional_terms_of_service": {"account": {
                    "date": "2026-01-02T03:04:05.000Z", "ip": "203.0.113.9"}}})
            v1 = stripe_client.v1.accounts.persons.retrieve(account.id, person.id)
            body = answered(account_links)
            check_answer(body, "persons-v1", V1_ONE, "get")
            assert body["id"] == person.id
            assert (body["first_name"], body["last_name"]) == ("Jenny", "Rosen")
            assert body["dob"] == {"day": 14, "month": 2, "year": 1985}
            assert body["nationality"] == "US" and body["gender"] == "female"
            assert body["additional_tos_acceptances"]["account"]["ip"] == "203.0.113.9"
            assert body["verification"]["status"] == "verified"
            assert v1.requirements.currently_due == []
            # The representative is the account's identity.individual: one person.
            v2 = stripe_client.v2.core.accounts.retrieve(account.id, {"include": ["identity"]})
            assert v2.identity.individual.id == person.id
            assert v2.identity.individual.given_name == "Jenny"

        def test_v1_then_v2(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(V1_COMPANY)
            person = stripe_client.v1.accounts.persons.create(account.id, {
                **V1_REPRESENTATIVE, "nationality": "US", "first_name_kana": "ジェニー",
                "us_cfpb_data": {"self_identified_gender": "woman"}})
            assert answered(account_links)["us_cfpb_data"] == {"self_identified_gender": "woman"}
            v2 = stripe_client.v2.core.accounts.persons.retrieve(account.id, person.id)
            body = answered(account_links)
            check_answer(body, "persons-v2", V2_ONE, "get")
            assert (body["given_name"], body["surname"]) == ("Jenny", "Rosen")
            assert body["date_of_birth"] == {"day": 14, "month": 2, "year": 1985}
            assert body["nationalities"] == ["US"]
            assert body["script_names"] == {"kana": {"given_name": "ジェニー"}}
            assert v2.id_numbers[0].type == "us_ssn_last_4"
            assert person.id == v2.id

        def test_an_individuals_person_is_its_individual(account_links, stripe_client):
            account = stripe_client.v1.accounts.create({
                "type": "custom", "country": "US", "business_type": "individual",
                "capabilities": {"transfers": {"requested": True}},
                "individual": {"first_name": "Lena", "last_name": "Vogel"}})
            individual = answered(account_links)["individual"]
            listed = stripe_client.v1.accounts.persons.list(account.id)
            body = answered(account_links)
            check_answer(body, "persons-v1", V1_LIST, "get")
            assert [p["id"] for p in body["data"]] == [individual["id"]]
            assert body["data"][0]["first_name"] == "Lena"
            assert listed.data[0].id == individual["id"]
            stripe_client.v1.accounts.persons.update(account.id, individual["id"], {
                "dob": {"day": 4, "month": 5, "year": 1990}})
            again = stripe_client.v1.accounts.retrieve(account.id)
            assert again.individual.dob.year == 1990
            assert again.individual.id == individual["id"]
            v2 = stripe_client.v2.core.accounts.persons.list(account.id)
            assert [p.id for p in v2.data] == [individual["id"]]

        def test_a_completed_link_fills_in_the_representative(account_links, stripe_client):
            account = company(stripe_client)
            assert stripe_client.v2.core.accounts.persons.list(account.id).data == []
            link = stripe_client.v2.core.account_links.create({
                "account": account.id,
                "use_case": {"type": "account_onboarding", "account_onboarding": {
                    "refresh_url": "https://example.com/r", "return_url": "https://example.com/d"}},
            })
            account_links.visit(link)
            listed = stripe_client.v2.core.accounts.persons.list(account.id)
            check_answer(answered(account_links), "persons-v2", V2_LIST, "get")
            (person,) = listed.data
            assert person.given_name and person.surname and person.email
            v2 = stripe_client.v2.core.accounts.retrieve(account.id, {"include": ["identity"]})
            assert v2.identity.individual.id == person.id
            v1 = stripe_client.v1.accounts.persons.list(account.id)
            assert [p.id for p in v1.data] == [person.id]
        """,
        passed=4,
    )


# -- 4. refusals ------------------------------------------------------------------------------


def test_v2_refusals(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def refused(call):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                call()
            error = raised.value.json_body["error"]
            return raised.value.http_status, error["code"], error["message"], error

        def test_unknown_account_and_person(account_links, stripe_client):
            persons = stripe_client.v2.core.accounts.persons
            account = company(stripe_client)
            assert refused(lambda: persons.create("acct_1Nv0FGQ9RKHgCVdK", REPRESENTATIVE))[:3] == (
                404, "not_found", "No such account: 'acct_1Nv0FGQ9RKHgCVdK'")
            assert refused(lambda: persons.list("acct_1Nv0FGQ9RKHgCVdK"))[:2] == (404, "not_found")
            assert refused(lambda: persons.retrieve(account.id, "person_nope"))[:3] == (
                404, "not_found", "No such person: 'person_nope'")
            assert refused(lambda: persons.update(account.id, "person_nope", {}))[:2] == (
                404, "not_found")
            assert refused(lambda: persons.delete(account.id, "person_nope"))[:2] == (
                404, "not_found")

        def test_closed_account(account_links, stripe_client):
            account = company(stripe_client)
            person = stripe_client.v2.core.accounts.persons.create(account.id, OWNER)
            stripe_client.v2.core.accounts.close(
                account.id, {"applied_configurations": ["merchant"]})
            persons = stripe_client.v2.core.accounts.persons
            status, code, message, _ = refused(lambda: persons.create(account.id, REPRESENTATIVE))
            assert (status, code, message) == (
                400, "account_closed", f"The account {account.id} is closed.")
            assert refused(lambda: persons.update(account.id, person.id, {}))[1] == (
                "account_closed")
            assert refused(lambda: persons.delete(account.id, person.id))[1] == "account_closed"
            assert persons.retrieve(account.id, person.id).id == person.id  # still readable

        def test_the_rules(account_links, stripe_client):
            persons = stripe_client.v2.core.accounts.persons
            account = company(stripe_client)
            first = persons.create(account.id, REPRESENTATIVE)
            status, code, message, error = refused(lambda: persons.create(account.id, {
                "given_name": "Two", "relationship": {"representative": True}}))
            assert (status, code) == (400, "additional_representative_not_allowed")
            assert message == (f"The account {account.id} has a representative already "
                               f"({first.id}); there can only be one.")
            status, code, message, error = refused(lambda: persons.create(account.id, {
                "given_name": "Zero", "relationship": {"owner": True, "percent_ownership": "0"}}))
            assert (status, code) == (400, "person_percent_ownership_invalid")
            assert message == "An owner's relationship.percent_ownership must be more than 0."
            assert error["user_message"]
            owner = persons.create(account.id, OWNER)
            status, code, message, _ = refused(lambda: persons.create(account.id, {
                "given_name": "Big", "relationship": {"owner": True, "percent_ownership": "41"}}))
            assert (status, code) == (400, "total_person_ownership_exceeded")
            assert message == f"The persons of {account.id} would own more than 100% in all."
            assert refused(lambda: persons.update(account.id, owner.id, {
                "relationship": {"percent_ownership": "100.5"}}))[1] == (
                "total_person_ownership_exceeded")
            persons.update(account.id, owner.id, {"relationship": {"percent_ownership": "100"}})
            status, code, message, error = refused(lambda: persons.create(account.id, {
                "given_name": "Jenny", "surname": "Rosen",
                "date_of_birth": {"day": 14, "month": 2, "year": 1985}}))
            assert (status, code) == (400, "duplicate_person_not_allowed")
            assert error["duplicate_person_id"] == first.id
            assert message == ("A person with the same given name, surname and date of birth "
                               f"exists already ({first.id}).")

        def test_an_individual_has_one_person(account_links, stripe_client):
            account = stripe_client.v2.core.accounts.create({
                "identity": {"country": "us", "entity_type": "individual"},
                "configuration": {"recipient": {"capabilities": {
                    "stripe_balance": {"stripe_transfers": {"requested": True}}}}}})
            persons = stripe_client.v2.core.accounts.persons
            one = persons.create(account.id, {"given_name": "Lena"})
            status, code, message, _ = refused(lambda: persons.create(account.id, {
                "given_name": "Other"}))
            assert (status, code) == (400, "individual_additional_person_not_allowed")
            assert message == (f"The individual's account {account.id} has its one person "
                               f"already ({one.id}).")

        def test_bad_input(account_links, stripe_client):
            account = company(stripe_client)
            url = f"{V2}/{account.id}/persons"
            bad = requests.post(url, json={"given_name": 5, "nope": 1}, headers=AUTH)
            assert bad.status_code == 400
            assert bad.json()["error"]["code"] == "invalid_fields"
            assert "given_name" in bad.json()["error"]["message"]
            assert "nope" in bad.json()["error"]["message"]
            no_country = requests.post(url, json={"address": {"city": "SF"}}, headers=AUTH)
            assert no_country.status_code == 400
            assert "address.country" in no_country.json()["error"]["message"]
            limit = requests.get(url, params={"limit": 0}, headers=AUTH)
            assert limit.status_code == 400 and limit.json()["error"]["code"] == "invalid_fields"
        """,
        passed=5,
    )


def test_v1_refusals(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def refused(call, kind=stripe.InvalidRequestError):
            with pytest.raises(kind) as raised:
                call()
            error = raised.value.json_body["error"]
            return raised.value.http_status, error.get("code"), error["message"], error

        def test_unknown_account_and_person(account_links, stripe_client):
            persons = stripe_client.v1.accounts.persons
            account = stripe_client.v1.accounts.create(V1_COMPANY)
            status, code, message, _ = refused(
                lambda: persons.create("acct_1Nv0FGQ9RKHgCVdK", {}), stripe.PermissionError)
            assert (status, code) == (403, "account_invalid")
            assert message.endswith("does not have access to account 'acct_1Nv0FGQ9RKHgCVdK' "
                                    "(or that account does not exist). Application access may "
                                    "have been revoked.")
            status, code, message, error = refused(lambda: persons.retrieve(account.id, "person_x"))
            assert (status, code) == (400, "resource_missing")
            assert message == "No such person: 'person_x'"
            assert error["param"] == "id"
            assert refused(lambda: persons.update(account.id, "person_x", {}))[1] == (
                "resource_missing")
            assert refused(lambda: persons.delete(account.id, "person_x"))[1] == "resource_missing"
            status, code, message, error = refused(
                lambda: persons.list(account.id, {"starting_after": "person_x"}))
            assert (code, message, error["param"]) == (
                "resource_missing", "No such person: 'person_x'", "starting_after")
            status, code, message, error = refused(lambda: persons.list(account.id, {"limit": 101}))
            assert (code, message) == ("parameter_invalid_integer",
                                       "This value must be less than or equal to 100.")

        def test_the_rules(account_links, stripe_client):
            persons = stripe_client.v1.accounts.persons
            account = stripe_client.v1.accounts.create(V1_COMPANY)
            first = persons.create(account.id, V1_REPRESENTATIVE)
            status, code, message, error = refused(lambda: persons.create(account.id, {
                "first_name": "Two", "relationship": {"representative": True}}))
            assert (status, code) == (400, None)  # no code: the fake's refusal
            assert error["type"] == "invalid_request_error"
            assert message == (f"The account {account.id} has a representative already "
                               f"({first.id}); there can only be one.")
            persons.create(account.id, {"first_name": "Ola", "relationship": {
                "owner": True, "percent_ownership": 70}})
            assert refused(lambda: persons.create(account.id, {"first_name": "Big", "relationship":
                {"owner": True, "percent_ownership": 31}}))[2] == (
                f"The persons of {account.id} would own more than 100% in all.")
            assert refused(lambda: persons.create(account.id, {
                "first_name": "Jenny", "last_name": "Rosen",
                "dob": {"day": 14, "month": 2, "year": 1985}}))[2].startswith(
                "A person with the same given name, surname and date of birth")
            status, code, message, _ = refused(lambda: persons.delete(account.id, first.id))
            assert message == (f"The person {first.id} is the representative of {account.id}: "
                               "it cannot be deleted (make another person the representative "
                               "first).")

        def test_closed_account_and_bad_input(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(V1_COMPANY)
            url = f"{V1}/{account.id}/persons"
            unknown = requests.post(url, headers=AUTH, data={"nickname": "x"})
            assert unknown.status_code == 400
            assert unknown.json()["error"]["code"] == "parameter_unknown"
            assert unknown.json()["error"]["param"] == "nickname"
            wrong = requests.post(url, headers=AUTH, data={"dob[day]": "x"})
            assert wrong.status_code == 400 and wrong.json()["error"]["param"] == "dob[day]"
            account_links.accounts[account.id].state["closed"] = True
            closed = requests.post(url, headers=AUTH, data={"first_name": "A"})
            assert closed.status_code == 400
            assert closed.json()["error"]["message"] == f"The account {account.id} is closed."
        """,
        passed=3,
    )


# -- 5. an injected failure for each endpoint ---------------------------------------------


def test_each_endpoint_takes_an_injected_failure(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        V2_CALLS = {
            "v2.core.accounts.persons.create": ("total_person_ownership_exceeded",
                lambda c, a, p: c.v2.core.accounts.persons.create(a, {"given_name": "X"})),
            "v2.core.accounts.persons.retrieve": ("not_found",
                lambda c, a, p: c.v2.core.accounts.persons.retrieve(a, p)),
            "v2.core.accounts.persons.update": ("duplicate_person_not_allowed",
                lambda c, a, p: c.v2.core.accounts.persons.update(a, p, {})),
            "v2.core.accounts.persons.list": ("account_not_yet_compatible_with_v2",
                lambda c, a, p: c.v2.core.accounts.persons.list(a)),
            "v2.core.accounts.persons.delete": ("not_found",
                lambda c, a, p: c.v2.core.accounts.persons.delete(a, p)),
        }
        V1_CALLS = {
            "v1.accounts.persons.create": lambda c, a, p: c.v1.accounts.persons.create(a, {}),
            "v1.accounts.persons.retrieve": lambda c, a, p: c.v1.accounts.persons.retrieve(a, p),
            "v1.accounts.persons.update": lambda c, a, p: c.v1.accounts.persons.update(a, p, {}),
            "v1.accounts.persons.list": lambda c, a, p: c.v1.accounts.persons.list(a),
            "v1.accounts.persons.delete": lambda c, a, p: c.v1.accounts.persons.delete(a, p),
        }

        @pytest.mark.parametrize("endpoint", sorted(V2_CALLS))
        def test_v2(account_links, stripe_client, endpoint):
            code, call = V2_CALLS[endpoint]
            account = company(stripe_client)
            person = stripe_client.v2.core.accounts.persons.create(account.id, OWNER)
            account_links.fail_next(code, endpoint=endpoint)
            with pytest.raises(stripe.InvalidRequestError) as raised:
                call(stripe_client, account.id, person.id)
            assert raised.value.json_body["error"]["code"] == code
            call(stripe_client, account.id, person.id)  # once only

        @pytest.mark.stripe_error("rate_limit", endpoint="v1.accounts.persons.list")
        def test_marker(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(V1_COMPANY)
            with pytest.raises(stripe.RateLimitError):
                stripe_client.v1.accounts.persons.list(account.id)

        @pytest.mark.parametrize("endpoint", sorted(V1_CALLS))
        def test_v1(account_links, stripe_client, endpoint):
            account = stripe_client.v1.accounts.create(V1_COMPANY)
            person = stripe_client.v1.accounts.persons.create(account.id, {"first_name": "A"})
            account_links.fail_next("resource_missing", endpoint=endpoint)
            with pytest.raises(stripe.InvalidRequestError) as raised:
                V1_CALLS[endpoint](stripe_client, account.id, person.id)
            assert raised.value.json_body["error"]["code"] == "resource_missing"

        @pytest.mark.stripe_error(
            "person_percent_ownership_invalid", endpoint="v2.core.accounts.persons.create")
        def test_v2_marker(account_links, stripe_client):
            account = company(stripe_client)
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v2.core.accounts.persons.create(account.id, OWNER)
            assert raised.value.json_body["error"]["code"] == "person_percent_ownership_invalid"
        """,
        passed=12,
    )


# -- 6. events, and the point of it all --------------------------------------------------------


def test_v2_a_company_made_through_the_api_reaches_active_with_its_representative(
    pytester: pytest.Pytester,
) -> None:
    run(
        pytester,
        """
        def test_onboarding(account_links, stripe_client):
            account = company(stripe_client)
            assert card_status(stripe_client, account.id) == "restricted"
            stripe_client.v2.core.accounts.update(account.id, {**BUSINESS, "include": INCLUDE})
            due = [e["description"] for e in answered(account_links)["requirements"]["entries"]]
            assert due and all(d.startswith("identity.individual.") for d in due)
            assert card_status(stripe_client, account.id) == "restricted"
            start = len(account_links.events)

            person = stripe_client.v2.core.accounts.persons.create(account.id, REPRESENTATIVE)
            assert card_status(stripe_client, account.id) == "active"
            v2 = stripe_client.v2.core.accounts.retrieve(account.id, {"include": INCLUDE})
            assert v2.requirements.entries == []
            types = [event.type for event in account_links.events[start:]]
            assert types == [
                "v2.core.account_person.created",
                "v2.core.account[requirements].updated",
                "v2.core.account[configuration.merchant].capability_status_updated",
            ]
            for delivered in account_links.events[start:]:
                notification = stripe_client.parse_event_notification(
                    delivered.payload, delivered.headers["Stripe-Signature"],
                    account_links.webhook_secret)
                assert type(notification).__name__ != "UnknownEventNotification"
                event = notification.fetch_event()
                assert event.type == delivered.type
            created = stripe_client.parse_event_notification(
                account_links.events[start].payload,
                account_links.events[start].headers["Stripe-Signature"],
                account_links.webhook_secret)
            assert type(created).__name__ == "V2CoreAccountPersonCreatedEventNotification"
            assert created.related_object.id == person.id
            assert created.related_object.type == "v2.core.account_person"
            fetched = created.fetch_related_object()
            assert fetched.id == person.id and fetched.given_name == "Jenny"
            assert created.fetch_event().data.account_id == account.id

            # Changed and then deleted, the representative's fields are due again.
            stripe_client.v2.core.accounts.persons.update(account.id, person.id, {"phone": "+1"})
            stripe_client.v2.core.accounts.persons.delete(account.id, person.id)
            assert card_status(stripe_client, account.id) == "restricted"
            later = [event.type for event in account_links.events[start + 3:]]
            assert later[0] == "v2.core.account_person.updated"
            assert "v2.core.account_person.deleted" in later
            for delivered in account_links.events[start + 3:]:
                stripe_client.parse_event_notification(
                    delivered.payload, delivered.headers["Stripe-Signature"],
                    account_links.webhook_secret)
        """,
        passed=1,
    )


def test_v1_a_company_made_through_the_api_reaches_active_with_its_representative(
    pytester: pytest.Pytester,
) -> None:
    run(
        pytester,
        """
        def test_onboarding(account_links, stripe_client):
            account = stripe_client.v1.accounts.create(V1_COMPANY)
            account = stripe_client.v1.accounts.update(account.id, V1_BUSINESS)
            assert account.capabilities.card_payments == "inactive"
            assert all(name.startswith("representative.")
                       for name in account.requirements.currently_due), (
                account.requirements.currently_due)
            start = len(account_links.events)

            person = stripe_client.v1.accounts.persons.create(account.id, V1_REPRESENTATIVE)
            account = stripe_client.v1.accounts.retrieve(account.id)
            assert account.requirements.currently_due == []
            caps = account.capabilities.to_dict()
            assert caps == {"card_payments": "active", "transfers": "active"}
            assert account.charges_enabled is True and account.payouts_enabled is True
            types = [event.type for event in account_links.events[start:]]
            assert types == ["person.created", "account.updated"]
            created, updated = account_links.events[start:]
            event = stripe.Webhook.construct_event(
                created.payload, created.headers["Stripe-Signature"],
                account_links.webhook_secret)
            assert event.type == "person.created" and event.account == account.id
            assert isinstance(event.data.object, stripe.Person)
            assert event.data.object.id == person.id
            check_answer(json.loads(created.payload)["data"]["object"],
                         "persons-v1", V1_ONE, "get")
            changed = stripe_client.construct_event(
                updated.payload, updated.headers["Stripe-Signature"],
                account_links.webhook_secret)
            # transfers (a company recipient's) needed no representative: active already.
            assert changed.data.previous_attributes["capabilities"].to_dict() == {
                "card_payments": "inactive"}

            start = len(account_links.events)
            stripe_client.v1.accounts.persons.update(account.id, person.id, {"phone": "+1"})
            (modified,) = account_links.events[start:]
            assert modified.type == "person.updated"
            event = stripe.Webhook.construct_event(
                modified.payload, modified.headers["Stripe-Signature"],
                account_links.webhook_secret)
            assert event.data.previous_attributes.to_dict() == {"phone": "+14155550111"}
            other = stripe_client.v1.accounts.persons.create(account.id, {"first_name": "Bo"})
            stripe_client.v1.accounts.persons.delete(account.id, other.id)
            deleted = account_links.events[-1]
            assert deleted.type == "person.deleted"
            event = stripe.Webhook.construct_event(
                deleted.payload, deleted.headers["Stripe-Signature"],
                account_links.webhook_secret)
            assert event.data.object.id == other.id
        """,
        passed=1,
    )
