"""Every Accounts answer and every event is what Stripe's spec says, whatever was sent and
whatever the seed: a hypothesis run over countries, kinds of entity, configurations,
includes and account IDs (each account's details come from a seed of its own), held
against ``v2.core.account`` and ``v2.core.event`` with jsonschema (``tests/openapi.py``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_account_links.domain.onboarding import LOCALES
from tests.openapi import check_account, check_answer, check_event

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake

URL = "https://api.stripe.com/v2/core/accounts"
KEY = {"Authorization": "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc"}
INCLUDES = [
    "configuration.customer",
    "configuration.merchant",
    "configuration.recipient",
    "defaults",
    "future_requirements",
    "identity",
    "requirements",
]
CAPABILITIES = {
    "merchant": {"capabilities": {"card_payments": {"requested": True}}},
    "recipient": {"capabilities": {"stripe_balance": {"stripe_transfers": {"requested": True}}}},
    "customer": {},
}
ENTITIES = ["company", "individual", "non_profit", "government_entity"]


@st.composite
def create_bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {}
    country = draw(st.sampled_from(sorted(LOCALES)))
    identity: dict[str, Any] = {"country": draw(st.sampled_from([country, country.lower()]))}
    if draw(st.booleans()):
        identity["entity_type"] = draw(st.sampled_from(ENTITIES))
    body["identity"] = identity
    configurations = draw(st.lists(st.sampled_from(sorted(CAPABILITIES)), unique=True))
    if configurations:
        body["configuration"] = {name: CAPABILITIES[name] for name in configurations}
    if draw(st.booleans()):
        body["display_name"] = draw(st.text(min_size=1, max_size=30))
    if draw(st.booleans()):
        body["dashboard"] = draw(st.sampled_from(["express", "full", "none"]))
    if draw(st.booleans()):
        body["metadata"] = draw(
            st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=8), max_size=3)
        )
    return body


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    body=create_bodies(),
    include=st.lists(st.sampled_from(INCLUDES), unique=True),
    declared=st.from_regex(r"acct_1[A-Za-z0-9]{15}", fullmatch=True),
    declared_configurations=st.lists(
        st.sampled_from(["merchant", "recipient"]), min_size=1, unique=True
    ),
)
def test_every_answer_is_a_v2_core_account(
    account_links: AccountLinksFake,
    body: dict[str, Any],
    include: list[str],
    declared: str,
    declared_configurations: list[str],
) -> None:
    events_before = len(account_links.events)
    made = requests.post(URL, json={**body, "include": include}, headers=KEY)
    assert made.status_code == 200, made.text
    check_account(made.json())
    account_id = made.json()["id"]

    everything = {"include[" + str(n) + "]": name for n, name in enumerate(INCLUDES)}
    got = requests.get(f"{URL}/{account_id}", params=everything, headers=KEY).json()
    check_account(got)
    assert got["display_name"] == body.get("display_name")

    link = requests.post(
        "https://api.stripe.com/v2/core/account_links",
        json={
            "account": account_id,
            "use_case": {
                "type": "account_onboarding",
                "account_onboarding": {"refresh_url": "https://x.example/r"},
            },
        },
        headers=KEY,
    ).json()
    account_links.visit(link)
    onboarded = requests.get(f"{URL}/{account_id}", params=everything, headers=KEY).json()
    check_account(onboarded)
    assert onboarded["requirements"]["entries"] == []
    for settings_ in (onboarded["configuration"] or {}).values():
        for capability in _capabilities((settings_ or {}).get("capabilities") or {}):
            assert capability["status"] == "active"

    if declared not in account_links.accounts:
        account_links.accounts.add(declared, configurations=declared_configurations)
    fabricated = requests.get(f"{URL}/{declared}", params=everything, headers=KEY).json()
    check_account(fabricated)

    for event in account_links.events[events_before:]:
        check_event(json.loads(event.payload))
        check_event(event.event)
    listed = requests.get(URL, params={"limit": 3}, headers=KEY).json()
    check_answer(listed, "accounts-v2", "/v2/core/accounts")


def _capabilities(tree: dict[str, Any]) -> list[dict[str, Any]]:
    """Every capability object below a configuration's ``capabilities``."""
    if "status" in tree:
        return [tree]
    return [found for value in tree.values() for found in _capabilities(value)]
