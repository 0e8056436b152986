"""Account tokens and person tokens (API v2): ``POST /v2/core/account_tokens``, its retrieve,
the person tokens of an account, and ``account_token`` on ``POST /v2/core/accounts`` (and
``/{id}``), through the SDK and plain HTTP, in-process and served; every answer held against
Stripe's spec (``tests/data/account-tokens-v2.openapi.json``), every refusal with its code,
message and status, an injected failure per endpoint, and an account onboarded through
tokens alone, from requirements due to ``active``."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.conftest import OFFLINE_CONFTEST
from tests.openapi import check_answer

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake

HEADER = '''
import datetime
import re

import httpx
import pytest
import requests
import stripe

from tests.openapi import check_account, check_answer

KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
LIVE = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
AUTH = {"Authorization": f"Bearer {KEY}"}
API = "https://api.stripe.com"
TOKENS = f"{API}/v2/core/account_tokens"
ACCOUNTS = f"{API}/v2/core/accounts"
ACCOUNT_TOKEN = re.compile(r"^accttok_[A-Za-z0-9]{44}$")
PERSON_TOKEN = re.compile(r"^perstok_[A-Za-z0-9]{44}$")
SPEC = "account-tokens-v2"
RECIPIENT = {"recipient": {"capabilities": {"stripe_balance": {
    "stripe_transfers": {"requested": True}}}}}
JANE = {
    "display_name": "Jane's Jams",
    "contact_email": "jane@example.com",
    "identity": {
        "entity_type": "individual",
        "individual": {"given_name": "Jane", "surname": "Doe"},
        "attestations": {"terms_of_service": {"account": {"shown_and_accepted": True}}},
    },
}


def when(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_token(answer, path, pattern):
    """An answer is the spec's token object, its ID as Stripe's example, ten minutes long."""
    answer = dict(answer)
    check_answer(answer, SPEC, path, "post" if "{id}" not in path else "get")
    assert pattern.match(answer["id"]), answer["id"]
    assert when(answer["expires_at"]) - when(answer["created"]) == datetime.timedelta(minutes=10)
    return answer


def refused(call, kind=stripe.InvalidRequestError):
    with pytest.raises(kind) as raised:
        call()
    return raised.value
'''


def run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(HEADER + textwrap.dedent(body))
    result = pytester.runpytest("-p", "no:randomly", *args)
    result.assert_outcomes(**outcomes)
    return result


def test_tokens_through_the_sdk_and_plain_http(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_an_account_token_through_the_sdk(account_links, stripe_client):
            token = stripe_client.v2.core.account_tokens.create(JANE)
            answer = check_token(account_links.all_calls[-1].response,
                                 "/v2/core/account_tokens", ACCOUNT_TOKEN)
            assert isinstance(token, stripe.v2.core.AccountToken)
            assert answer["object"] == "v2.core.account_token"
            assert answer["used"] is False and answer["livemode"] is False
            got = stripe_client.v2.core.account_tokens.retrieve(token.id)
            check_token(account_links.all_calls[-1].response,
                        "/v2/core/account_tokens/{id}", ACCOUNT_TOKEN)
            assert got.id == token.id and got.used is False
            assert got.created == token.created and got.expires_at == token.expires_at
            account_links.clock.advance(minutes=20)  # expired tokens are still retrieved
            assert stripe_client.v2.core.account_tokens.retrieve(token.id).id == token.id

        def test_a_person_token_through_the_sdk(account_links, stripe_client):
            account = stripe_client.v2.core.accounts.create({"identity": {"country": "us"}})
            token = stripe_client.v2.core.accounts.person_tokens.create(account.id, {
                "given_name": "Bob", "relationship": {"owner": True, "percent_ownership": "50"},
                "additional_terms_of_service": {"account": {"shown_and_accepted": True}}})
            answer = check_token(account_links.all_calls[-1].response,
                                 "/v2/core/accounts/{account_id}/person_tokens", PERSON_TOKEN)
            assert isinstance(token, stripe.v2.core.AccountPersonToken)
            assert answer["object"] == "v2.core.account_person_token"
            got = stripe_client.v2.core.accounts.person_tokens.retrieve(account.id, token.id)
            check_token(account_links.all_calls[-1].response,
                        "/v2/core/accounts/{account_id}/person_tokens/{id}", PERSON_TOKEN)
            assert got.id == token.id and got.used is False
            assert account_links.all_calls[-1].account_id == account.id

        def test_requests_and_httpx(account_links):
            made = requests.post(TOKENS, headers=AUTH, json=JANE)
            assert made.status_code == 200
            token = check_token(made.json(), "/v2/core/account_tokens", ACCOUNT_TOKEN)
            got = httpx.get(f"{TOKENS}/{token['id']}", headers=AUTH)
            assert got.status_code == 200 and got.json() == token
            account = httpx.post(ACCOUNTS, headers=AUTH, json={
                "account_token": token["id"], "identity": {"country": "us"},
                "include": ["identity"]}).json()
            check_account(account)
            assert account["display_name"] == "Jane's Jams"
            assert account["identity"]["individual"]["given_name"] == "Jane"
            assert requests.get(f"{TOKENS}/{token['id']}", headers=AUTH).json()["used"] is True
            person = httpx.post(f"{ACCOUNTS}/{account['id']}/person_tokens", headers=AUTH,
                                json={"surname": "Roe"})
            assert person.status_code == 200
            check_token(person.json(), "/v2/core/accounts/{account_id}/person_tokens",
                        PERSON_TOKEN)
            again = requests.get(
                f"{ACCOUNTS}/{account['id']}/person_tokens/{person.json()['id']}", headers=AUTH)
            assert again.json() == person.json()

        def test_the_body_is_the_specs(account_links):
            answer = requests.post(TOKENS, headers=AUTH, json={
                "identity": {"country": "us"}, "configuration": {}})
            assert answer.status_code == 400
            error = answer.json()["error"]
            assert error["code"] == "invalid_fields"
            assert "identity.country: unknown field" in error["message"]
            assert "configuration: unknown field" in error["message"]
            person = requests.post(f"{ACCOUNTS}/acct_1Nv0FGQ9RKHgCVdK/person_tokens",
                                   headers=AUTH, json={"relationship": {"owner": "yes"}})
            assert person.status_code == 400
            assert "relationship.owner: expected a boolean" in person.json()["error"]["message"]
            query = requests.get(f"{TOKENS}/accttok_x?expand=all", headers=AUTH)
            assert query.status_code == 400 and "expand: unknown field" in query.text
        """,
        passed=4,
    )


def test_an_account_takes_a_token_as_if_its_fields_were_sent(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_create_and_update(account_links, stripe_client):
            token = stripe_client.v2.core.account_tokens.create(JANE, {
                "headers": {"User-Agent": "Mozilla/5.0 (the platform's page)"}})
            account = stripe_client.v2.core.accounts.create({
                "account_token": token.id, "identity": {"country": "us"},
                "configuration": RECIPIENT, "include": ["identity"]})
            check_account(account_links.all_calls[-1].response)
            assert account.display_name == "Jane's Jams"
            assert account.contact_email == "jane@example.com"
            assert account.identity.country == "us"
            assert account.identity.individual.given_name == "Jane"
            # Stripe expands an attestation the token carries: its date, IP, user agent
            accepted = account.identity.attestations.terms_of_service.account
            assert accepted.date == token.created
            assert accepted.ip == "198.51.100.7"
            assert accepted.user_agent == "Mozilla/5.0 (the platform's page)"
            assert stripe_client.v2.core.account_tokens.retrieve(token.id).used is True

            before = len(account_links.events)
            update = stripe_client.v2.core.account_tokens.create(
                {"identity": {"individual": {"surname": "Smith"}}, "contact_phone": "+15555550100"})
            updated = stripe_client.v2.core.accounts.update(account.id, {
                "account_token": update.id, "metadata": {"via": "token"},
                "include": ["identity"]})
            assert updated.identity.individual.surname == "Smith"
            assert updated.identity.individual.given_name == "Jane"  # merged, as an update
            assert updated.contact_phone == "+15555550100"
            assert updated.metadata["via"] == "token"
            types = [event.type for event in account_links.events[before:]]
            assert types[:2] == ["v2.core.account.updated", "v2.core.account[identity].updated"]

        def test_the_same_key_replays_instead_of_reusing(account_links, stripe_client):
            token = stripe_client.v2.core.account_tokens.create(JANE)
            body = {"account_token": token.id, "identity": {"country": "us"}}
            first = requests.post(ACCOUNTS, headers={**AUTH, "Idempotency-Key": "k"}, json=body)
            again = requests.post(ACCOUNTS, headers={**AUTH, "Idempotency-Key": "k"}, json=body)
            assert again.headers["Idempotent-Replayed"] == "true"
            assert again.json() == first.json()
            other = requests.post(ACCOUNTS, headers={**AUTH, "Idempotency-Key": "k2"}, json=body)
            assert other.status_code == 400
            assert other.json()["error"]["code"] == "token_already_used"
        """,
        passed=2,
    )


def test_every_refusal_as_the_fake_words_it(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def error_of(response, status=400):
            assert response.status_code == status, response.text
            return response.json()["error"]

        def test_the_token_itself(account_links, stripe_client):
            create = stripe_client.v2.core.accounts.create
            token = stripe_client.v2.core.account_tokens.create(JANE)
            create({"account_token": token.id})
            error = refused(lambda: create({"account_token": token.id}))
            assert (error.code, error.http_status) == ("token_already_used", 400)
            assert error.error.message == (
                f"The account token '{token.id}' has already been used; a token can be used "
                "only once.")
            late = stripe_client.v2.core.account_tokens.create(JANE)
            account_links.clock.advance(minutes=10)
            error = refused(lambda: create({"account_token": late.id}))
            assert (error.code, error.http_status) == ("token_expired", 400)
            assert error.error.message == (
                f"The account token '{late.id}' expired at {late.expires_at}; create a new "
                "token.")
            unknown = "accttok_61RS0CgWt1xBt8M1Q16RS0Cg0WSQO5ZXUVpZxZ9tAIbY"
            error = refused(lambda: create({"account_token": unknown}))
            assert (error.code, error.http_status) == ("invalid_account_token", 400)
            assert error.error.message == f"Invalid account token: '{unknown}'."
            assert len(account_links.accounts) == 1

        def test_a_token_of_another_kind(account_links, stripe_client):
            account = stripe_client.v2.core.accounts.create({})
            person = stripe_client.v2.core.accounts.person_tokens.create(account.id, {})
            error = refused(lambda: stripe_client.v2.core.accounts.update(
                account.id, {"account_token": person.id}))
            assert (error.code, error.http_status) == ("incorrect_token_wrong_type", 400)
            assert error.error.message == (
                f"'{person.id}' is a person token; account_token takes an account token "
                "(accttok_...).")
            for v1 in ("ct_1BZ6xr2eZvKYlo2CsSOhuTfi", "cpt_1EDww82eZvKYlo2CsdelTHFu"):
                error = refused(lambda: stripe_client.v2.core.accounts.create(
                    {"account_token": v1}))
                assert (error.code, error.http_status) == ("v1_token_invalid_in_v2", 400)
                assert error.error.message == (
                    f"'{v1}' is a v1 token (from POST /v1/tokens); API v2 takes an account "
                    "token (accttok_...).")

        def test_a_field_beside_the_token(account_links, stripe_client):
            token = stripe_client.v2.core.account_tokens.create(JANE)
            body = {"account_token": token.id, "display_name": "Mine",
                    "identity": {"country": "us", "individual": {"given_name": "X"}}}
            error = error_of(requests.post(ACCOUNTS, headers=AUTH, json=body))
            assert error["code"] == "param_alongside_account_token"
            assert error["message"] == (
                "display_name, identity.individual cannot be passed alongside account_token: "
                "send them in the token instead.")
            # the country and the account's settings go beside it; the token is still unused
            ok = stripe_client.v2.core.accounts.create({
                "account_token": token.id, "identity": {"country": "fr"},
                "configuration": RECIPIENT, "dashboard": "none"})
            assert ok.id.startswith("acct_")

        @pytest.mark.stripe_accounts(platform_country="FR")
        def test_a_french_platform_in_live_mode(account_links):
            live = {"Authorization": f"Bearer {LIVE}"}
            error = error_of(requests.post(ACCOUNTS, headers=live, json={
                "identity": {"country": "fr", "entity_type": "individual"}}))
            assert error["code"] == "account_token_required"
            assert error["message"] == (
                "Account token required for platforms in mandated countries (e.g., France).")
            assert error["user_message"] == error["message"]
            assert error["doc_url"] == "https://docs.stripe.com/error-codes/account-token-required"
            # the country alone, or test mode, needs no token
            assert requests.post(ACCOUNTS, headers=live, json={
                "identity": {"country": "fr"}}).status_code == 200
            assert requests.post(ACCOUNTS, headers=AUTH, json={
                "identity": {"country": "fr", "entity_type": "individual"}}).status_code == 200

        def test_a_live_key_cannot_make_a_token(account_links):
            live = {"Authorization": f"Bearer {LIVE}"}
            for url in (TOKENS, f"{ACCOUNTS}/acct_1Nv0FGQ9RKHgCVdK/person_tokens"):
                error = error_of(requests.post(url, headers=live, json={}))
                assert error == {"code": "token_must_be_created_with_publishable_key",
                                 "message": "Token must be created with publishable key."}
            assert account_links.tokens == {}

        def test_retrieving_what_is_not_there(account_links, stripe_client):
            missing = "accttok_61RS0CgWt1xBt8M1Q16RS0Cg0WSQO5ZXUVpZxZ9tAIbY"
            error = refused(lambda: stripe_client.v2.core.account_tokens.retrieve(missing))
            assert (error.code, error.http_status) == ("not_found", 404)
            assert error.error.message == f"No such account token: '{missing}'"
            one = stripe_client.v2.core.accounts.create({})
            other = stripe_client.v2.core.accounts.create({})
            person = stripe_client.v2.core.accounts.person_tokens.create(one.id, {})
            error = refused(lambda: stripe_client.v2.core.accounts.person_tokens.retrieve(
                other.id, person.id))
            assert (error.code, error.http_status) == ("not_found", 404)
            assert error.error.message == f"No such person token: '{person.id}'"
            live = requests.get(f"{ACCOUNTS}/{one.id}/person_tokens/{person.id}",
                                headers={"Authorization": f"Bearer {LIVE}"})
            assert error_of(live, 404)["code"] == "not_found"  # made in test mode
        """,
        passed=6,
    )


ENDPOINTS = {
    "v2.core.account_tokens.create": ("post", "/v2/core/account_tokens"),
    "v2.core.account_tokens.retrieve": ("get", "/v2/core/account_tokens/accttok_x"),
    "v2.core.accounts.person_tokens.create": (
        "post",
        "/v2/core/accounts/acct_1Nv0FGQ9RKHgCVdK/person_tokens",
    ),
    "v2.core.accounts.person_tokens.retrieve": (
        "get",
        "/v2/core/accounts/acct_1Nv0FGQ9RKHgCVdK/person_tokens/perstok_x",
    ),
}


def test_each_documented_code_is_reachable_with_a_marker(pytester: pytest.Pytester) -> None:
    from pytest_account_links.api.registry import BY_NAME
    from pytest_account_links.core.errors import CATALOGUE

    cases = [
        (name, code, method, path, CATALOGUE[code].status)
        for name, (method, path) in ENDPOINTS.items()
        for code in BY_NAME[name].errors
    ]
    assert len(cases) == 14
    run(
        pytester,
        f"""
        @pytest.mark.parametrize(("name", "code", "method", "path", "status"), {cases!r})
        def test_marker(account_links, name, code, method, path, status):
            account_links.fail_next(code, endpoint=name)
            answer = requests.request(method.upper(), API + path, headers=AUTH,
                                      json={{}} if method == "post" else None)
            assert answer.status_code == status
            assert answer.json()["error"]["code"] == code
            assert account_links.all_calls[-1].endpoint == name

        @pytest.mark.stripe_error("token_expired", endpoint="v2.core.accounts.create")
        def test_the_marker_on_an_account_create(account_links, stripe_client):
            token = stripe_client.v2.core.account_tokens.create(JANE)
            error = refused(lambda: stripe_client.v2.core.accounts.create(
                {{"account_token": token.id}}))
            assert error.code == "token_expired"
            assert stripe_client.v2.core.account_tokens.retrieve(token.id).used is False

        @pytest.mark.stripe_error("platform_registration_required",
                                  endpoint="v2.core.account_tokens.create")
        def test_the_marker_through_the_sdk(account_links, stripe_client):
            error = refused(lambda: stripe_client.v2.core.account_tokens.create(JANE))
            assert error.code == "platform_registration_required"
            assert account_links.tokens == {{}}
        """,
        passed=len(cases) + 2,
    )


def test_an_account_onboarded_through_tokens_alone(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_from_due_to_active(account_links, stripe_client):
            tokens = stripe_client.v2.core.account_tokens
            first = tokens.create({"identity": {"entity_type": "individual", "individual": {
                "given_name": "Jane", "surname": "Doe"}}})
            account = stripe_client.v2.core.accounts.create({
                "account_token": first.id, "identity": {"country": "us"},
                "configuration": RECIPIENT, "include": ["identity", "requirements"]})
            assert account.identity.individual.given_name == "Jane"  # from the token
            due = {entry.description for entry in account.requirements.entries}
            assert "identity.individual.given_name" not in due
            assert {"identity.individual.date_of_birth.day",
                    "identity.attestations.terms_of_service.account"} <= due
            status = account_links.accounts[account.id].state["configuration"]["recipient"][
                "capabilities"]["stripe_balance"]["stripe_transfers"]["status"]
            assert status == "restricted"

            before = len(account_links.events)
            rest = tokens.create({"identity": {
                "individual": {
                    "date_of_birth": {"day": 1, "month": 2, "year": 1990},
                    "address": {"line1": "1 Main St", "city": "Springfield",
                                "postal_code": "62701", "state": "IL", "country": "us"},
                    "id_numbers": [{"type": "us_ssn_last_4", "value": "0000"}],
                },
                "attestations": {"terms_of_service": {"account": {"shown_and_accepted": True}}},
            }})
            stripe_client.v2.core.accounts.update(account.id, {"account_token": rest.id})
            got = stripe_client.v2.core.accounts.retrieve(
                account.id, {"include": ["configuration.recipient", "requirements"]})
            check_account(account_links.all_calls[-1].response)
            assert got.requirements.entries == []
            transfers = got.configuration.recipient.capabilities.stripe_balance.stripe_transfers
            assert transfers.status == "active"
            types = [event.type for event in account_links.events[before:]]
            assert "v2.core.account[requirements].updated" in types
            assert ("v2.core.account[configuration.recipient].capability_status_updated"
                    in types)
            assert all(token.used for token in account_links.tokens.values())
        """,
        passed=1,
    )


# -- served --------------------------------------------------------------------------------

JANE: Any = {"identity": {"entity_type": "individual", "individual": {"given_name": "Jane"}}}


def test_tokens_over_http(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    served = account_links_server
    token = served.client.v2.core.account_tokens.create(JANE)
    check_answer(
        account_links.all_calls[-1].response, "account-tokens-v2", "/v2/core/account_tokens", "post"
    )
    auth = {"Authorization": f"Bearer {served.api_key}"}
    got = requests.get(f"{served.url}/v2/core/account_tokens/{token.id}", headers=auth, timeout=10)
    assert got.status_code == 200
    check_answer(got.json(), "account-tokens-v2", "/v2/core/account_tokens/{id}")
    account = requests.post(
        f"{served.url}/v2/core/accounts",
        headers=auth,
        json={"account_token": token.id, "include": ["identity"]},
        timeout=10,
    ).json()
    assert account["identity"]["individual"]["given_name"] == "Jane"
    person = served.client.v2.core.accounts.person_tokens.create(account["id"], {"surname": "R"})
    check_answer(
        account_links.all_calls[-1].response,
        "account-tokens-v2",
        "/v2/core/accounts/{account_id}/person_tokens",
        "post",
    )
    again = served.client.v2.core.accounts.person_tokens.retrieve(account["id"], person.id)
    check_answer(
        account_links.all_calls[-1].response,
        "account-tokens-v2",
        "/v2/core/accounts/{account_id}/person_tokens/{id}",
    )
    assert again.id == person.id
    reused = requests.post(
        f"{served.url}/v2/core/accounts", headers=auth, json={"account_token": token.id}, timeout=10
    )
    assert reused.status_code == 400
    assert reused.json()["error"] == {
        "code": "token_already_used",
        "message": f"The account token '{token.id}' has already been used; a token can be "
        "used only once.",
    }


def test_a_person_takes_a_person_token_as_if_its_fields_were_sent(
    pytester: pytest.Pytester,
) -> None:
    run(
        pytester,
        """
        PERSONS = "/v2/core/accounts/{account_id}/persons"

        def company(stripe_client):
            return stripe_client.v2.core.accounts.create({
                "identity": {"country": "us", "entity_type": "company"},
                "configuration": RECIPIENT})

        def test_create_and_update(account_links, stripe_client):
            account = company(stripe_client)
            tokens = stripe_client.v2.core.accounts.person_tokens
            token = tokens.create(account.id, {
                "given_name": "Bob", "surname": "Roe",
                "relationship": {"owner": True, "percent_ownership": "40"},
                "additional_terms_of_service": {"account": {"shown_and_accepted": True}}})
            person = stripe_client.v2.core.accounts.persons.create(
                account.id, {"person_token": token.id})
            check_answer(account_links.all_calls[-1].response, "persons-v2", PERSONS, "post")
            assert (person.given_name, person.surname) == ("Bob", "Roe")
            assert person.relationship.owner is True
            accepted = person.additional_terms_of_service.account
            assert accepted.date == token.created and accepted.ip == "198.51.100.7"
            assert tokens.retrieve(account.id, token.id).used is True
            change = tokens.create(account.id, {"email": "bob@example.com"})
            updated = stripe_client.v2.core.accounts.persons.update(
                account.id, person.id, {"person_token": change.id})
            check_answer(account_links.all_calls[-1].response, "persons-v2",
                         PERSONS + "/{id}", "post")
            assert updated.email == "bob@example.com" and updated.given_name == "Bob"
            assert tokens.retrieve(account.id, change.id).used is True

        def test_the_refusals(account_links, stripe_client):
            account = company(stripe_client)
            other = company(stripe_client)
            tokens = stripe_client.v2.core.accounts.person_tokens
            create = stripe_client.v2.core.accounts.persons.create
            token = tokens.create(account.id, {"given_name": "Bob"})
            theirs = tokens.create(other.id, {"given_name": "Eve"})
            error = refused(lambda: create(account.id, {"person_token": theirs.id}))
            assert (error.code, error.http_status) == ("incorrect_account_for_person_token", 400)
            assert error.error.message == (
                f"The person token '{theirs.id}' was created for the account '{other.id}', "
                f"not '{account.id}'.")
            error = refused(lambda: create(account.id, {"person_token": token.id,
                                                        "surname": "Roe"}))
            assert (error.code, error.http_status) == ("param_alongside_person_token", 400)
            assert error.error.message == (
                "surname cannot be passed alongside person_token: send it in the token "
                "instead.")
            missing = "perstok_61RS0CgWt1xBt8M1Q16RS0Cg0WSQO5ZXUVpZxZ9tAIbY"
            error = refused(lambda: create(account.id, {"person_token": missing}))
            assert (error.code, error.http_status) == ("invalid_person_token", 400)
            assert error.error.message == f"Invalid person token: '{missing}'."
            made = stripe_client.v2.core.account_tokens.create(JANE)
            error = refused(lambda: create(account.id, {"person_token": made.id}))
            assert (error.code, error.http_status) == ("incorrect_token_wrong_type", 400)
            assert error.error.message == (
                f"'{made.id}' is an account token; person_token takes a person token "
                "(perstok_...).")
            error = refused(lambda: create(account.id, {
                "person_token": "cpt_1EDww82eZvKYlo2CsdelTHFu"}))
            assert (error.code, error.http_status) == ("v1_token_invalid_in_v2", 400)
            create(account.id, {"person_token": token.id})
            error = refused(lambda: create(account.id, {"person_token": token.id}))
            assert (error.code, error.http_status) == ("token_already_used", 400)
            late = tokens.create(account.id, {"given_name": "Al"})
            account_links.clock.advance(minutes=11)
            error = refused(lambda: create(account.id, {"person_token": late.id}))
            assert (error.code, error.http_status) == ("token_expired", 400)
            assert [p.given_name for p in
                    stripe_client.v2.core.accounts.persons.list(account.id).data] == ["Bob"]

        @pytest.mark.stripe_accounts(platform_country="fr")
        def test_a_french_platform_in_live_mode(account_links):
            live = {"Authorization": f"Bearer {LIVE}"}
            account = requests.post(ACCOUNTS, headers=live, json={
                "identity": {"country": "fr"}}).json()
            answer = requests.post(f"{ACCOUNTS}/{account['id']}/persons", headers=live,
                                   json={"given_name": "Bob"})
            assert answer.status_code == 400
            error = answer.json()["error"]
            assert error["code"] == "person_token_required"
            assert error["message"] == (
                "Person token required for platforms in mandated countries (e.g., France).")
        """,
        passed=3,
    )
