"""Persons over HTTP: the ten persons endpoints through the served fake (the SDK pointed at
it, and plain ``requests``), each answer held against Stripe's spec, a refusal, and the
events of a representative delivered to a webhook endpoint."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import requests

from tests.openapi import check_answer

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake
    from tests.conftest import Webhooks

COMPANY: Any = {
    "identity": {"country": "us", "entity_type": "company"},
    "configuration": {"merchant": {"capabilities": {"card_payments": {"requested": True}}}},
}
REPRESENTATIVE: Any = {
    "given_name": "Jenny",
    "surname": "Rosen",
    "email": "jenny@furever.example",
    "date_of_birth": {"day": 14, "month": 2, "year": 1985},
    "relationship": {"representative": True},
}
V2_LIST = "/v2/core/accounts/{account_id}/persons"
V2_ONE = "/v2/core/accounts/{account_id}/persons/{id}"
V1_LIST = "/v1/accounts/{account}/persons"
V1_ONE = "/v1/accounts/{account}/persons/{person}"


def _last(account_links: AccountLinksFake) -> Any:
    return account_links.all_calls[-1].response


def test_v2_persons_over_http(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    client = account_links_server.client
    account = client.v2.core.accounts.create(COMPANY)
    persons = client.v2.core.accounts.persons
    person = persons.create(account.id, REPRESENTATIVE)
    check_answer(_last(account_links), "persons-v2", V2_LIST, "post")
    assert persons.retrieve(account.id, person.id).given_name == "Jenny"
    check_answer(_last(account_links), "persons-v2", V2_ONE, "get")
    assert persons.update(account.id, person.id, {"phone": "+14155550111"}).phone
    check_answer(_last(account_links), "persons-v2", V2_ONE, "post")
    assert [p.id for p in persons.list(account.id).data] == [person.id]
    check_answer(_last(account_links), "persons-v2", V2_LIST, "get")
    plain = requests.get(
        f"{account_links_server.url}/v2/core/accounts/{account.id}/persons/person_nope",
        headers={"Authorization": f"Bearer {account_links_server.api_key}"},
        timeout=10,
    )
    assert plain.status_code == 404
    assert plain.json()["error"]["message"] == "No such person: 'person_nope'"
    assert persons.delete(account.id, person.id).id == person.id
    check_answer(_last(account_links), "persons-v2", V2_ONE, "delete")


def test_v1_persons_over_http(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    client = account_links_server.client
    account = client.v1.accounts.create(
        {
            "type": "custom",
            "country": "US",
            "business_type": "company",
            "capabilities": {"transfers": {"requested": True}},
        }
    )
    persons = client.v1.accounts.persons
    person = persons.create(account.id, {"first_name": "Jenny", "last_name": "Rosen"})
    check_answer(_last(account_links), "persons-v1", V1_LIST, "post")
    assert persons.retrieve(account.id, person.id).first_name == "Jenny"
    check_answer(_last(account_links), "persons-v1", V1_ONE, "get")
    assert persons.update(account.id, person.id, {"last_name": "Rose"}).last_name == "Rose"
    check_answer(_last(account_links), "persons-v1", V1_ONE, "post")
    listed = requests.get(
        f"{account_links_server.url}/v1/accounts/{account.id}/persons",
        params={"relationship[owner]": "false"},
        headers={"Authorization": f"Bearer {account_links_server.api_key}"},
        timeout=10,
    )
    assert listed.status_code == 200
    check_answer(listed.json(), "persons-v1", V1_LIST, "get")
    assert [p["id"] for p in listed.json()["data"]] == [person.id]
    assert persons.delete(account.id, person.id).deleted is True
    check_answer(_last(account_links), "persons-v1", V1_ONE, "delete")


def test_a_representatives_events_reach_the_webhook_endpoint(
    account_links: AccountLinksFake, account_links_server: ServedFake, webhooks: Webhooks
) -> None:
    served = account_links_server
    served.webhook_url = webhooks.url
    client = served.client
    account = client.v2.core.accounts.create(COMPANY)
    client.v2.core.accounts.persons.create(account.id, REPRESENTATIVE)
    wanted = {"v2.core.account.created", "v2.core.account_person.created"}
    deadline = time.monotonic() + 10
    types: list[str] = []
    while time.monotonic() < deadline:
        types = [
            client.parse_event_notification(body, signature, account_links.webhook_secret).type
            for body, signature in list(webhooks.received)
        ]
        if wanted <= set(types):
            break
        time.sleep(0.05)
    assert types[:2] == ["v2.core.account.created", "v2.core.account_person.created"]
