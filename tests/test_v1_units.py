"""The v1 endpoints' pieces on their own: their schemas (regenerating them changes nothing,
and they refuse what Stripe refuses, in its words), the requirements' v1 names, the
events' ``previous_attributes``; and a hypothesis run of whole v1 flows held against the
v1 schemas."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_account_links.api.endpoints._v1_accounts import model
from pytest_account_links.api.generations import InvalidBody
from pytest_account_links.api.generations.v1 import V1
from pytest_account_links.api.registry import BY_NAME
from pytest_account_links.domain.v1_state import previous
from pytest_account_links.domain.v1_view import currently_due, v1_names
from tests.openapi import check_account, check_account_v1, check_event_v1, check_v1

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake

ROOT = Path(__file__).resolve().parent.parent


def _version() -> Any:
    from pytest_account_links.core.versions import LATEST_VERSION, parse_version

    return parse_version(LATEST_VERSION)


def _invalid(name: str, form: str) -> InvalidBody:
    with pytest.raises(InvalidBody) as raised:
        V1.validate(
            model(name, BY_NAME[name].method)(_version()),
            V1.parse_body(form.encode()),
            _version(),
        )
    return raised.value


# -- the schemas' refusals -----------------------------------------------------------------


def test_validated_forms_are_typed() -> None:
    found = V1.validate(
        model("v1.accounts.create", "POST")(_version()),
        V1.parse_body(
            b"type=custom&capabilities[transfers][requested]=true"
            b"&individual[dob][day]=4&individual[dob][month]=5&individual[dob][year]=1990"
            b"&metadata=&external_account=btok_us_verified"
        ),
        _version(),
    )
    assert found["capabilities"] == {"transfers": {"requested": True}}
    assert found["individual"]["dob"] == {"day": 4, "month": 5, "year": 1990}
    assert found["metadata"] == ""  # an emptyable parameter: unset
    assert found["external_account"] == "btok_us_verified"


@pytest.mark.parametrize(
    ("name", "form", "message", "code", "param"),
    [
        (
            "v1.account_links.create",
            "account=acct_1",
            "Missing required param: type.",
            "parameter_missing",
            "type",
        ),
        (
            "v1.account_links.create",
            "account=acct_1&type=account_onboarding&refresh_url=x"
            "&return_url=y&collection_options[x]=1",
            "Received unknown parameter: collection_options[x]",
            "parameter_unknown",
            "collection_options[x]",
        ),
        (
            "v1.account_links.create",
            "account=acct_1&type=x&refresh_url=x&return_url=y",
            "Invalid type: must be one of account_onboarding or account_update",
            None,
            "type",
        ),
        (
            "v1.accounts.create",
            "business_type=x",
            "Invalid business_type: must be one of company, government_entity, individual, "
            "or non_profit",
            None,
            "business_type",
        ),
        (
            "v1.accounts.create",
            "business_profile[estimated_worker_count]=many",
            "Invalid integer: many",
            "parameter_invalid_integer",
            "business_profile[estimated_worker_count]",
        ),
        (
            "v1.accounts.create",
            "capabilities[transfers][requested]=yes",
            "Invalid boolean: yes",
            None,
            "capabilities[transfers][requested]",
        ),
        ("v1.accounts.create", "expand=a&expand[b]=c", "Invalid array", None, "expand"),
        ("v1.accounts.create", "business_profile=x", "Invalid object", None, "business_profile"),
        ("v1.accounts.create", "email[x]=1", "Invalid string", None, "email"),
        (
            "v1.accounts.create",
            "country=",
            "You passed an empty string for 'country'. We "
            "assume empty values are an attempt to unset a parameter; however 'country' cannot "
            "be unset. You should remove 'country' from your request or supply a non-empty value.",
            "parameter_invalid_empty",
            "country",
        ),
        (
            "v1.accounts.create",
            "external_account[object]=bank_account",
            "Missing required param: external_account[account_number].",
            "parameter_missing",
            "external_account[account_number]",
        ),
    ],
)
def test_problems_are_worded_as_stripe_words_them(
    name: str, form: str, message: str, code: str | None, param: str
) -> None:
    invalid = _invalid(name, form)
    assert invalid.problems == [message]
    assert invalid.code == code
    assert invalid.param == param


_FIFTY_ONE = "&".join(f"metadata[k{n}]=v" for n in range(51))


@pytest.mark.parametrize(
    ("form", "message", "param"),
    [
        (
            f"metadata[{'k' * 41}]=v",
            f"Invalid key: {'k' * 41} must be a string under 40 characters",
            "metadata",
        ),
        (
            f"individual[metadata][k]={'v' * 501}",
            f"Invalid val: {'v' * 77}... must be a string under 500 characters",
            "individual[metadata]",
        ),
        (
            _FIFTY_ONE,
            "Metadata can have up to 50 keys, but you've set 51. Email us at "
            "support+metadata@stripe.com for more information.",
            "metadata",
        ),
    ],
)
def test_metadata_is_held_to_stripes_limits(form: str, message: str, param: str) -> None:
    invalid = _invalid("v1.accounts.update", form)
    assert (invalid.problems, invalid.param, invalid.code) == ([message], param, None)


def test_metadata_at_the_limits_is_taken() -> None:
    fifty = "&".join(f"metadata[{str(n).rjust(40, 'k')}]={'v' * 500}" for n in range(50))
    name = "v1.accounts.update"
    found = V1.validate(
        model(name, BY_NAME[name].method)(_version()), V1.parse_body(fifty.encode()), _version()
    )
    assert len(found["metadata"]) == 50


# -- the schemas ------------------------------------------------------------------------------


def test_regenerating_the_v1_schemas_changes_nothing() -> None:
    spec = importlib.util.spec_from_file_location(
        "extract_v1", ROOT / "scripts" / "extract_v1_schemas.py"
    )
    assert spec is not None
    assert spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    shipped = ROOT / "pytest_account_links" / "api" / "endpoints" / "schemas_v1.json"
    assert shipped.read_text() == script.render()
    link = json.loads(shipped.read_text())["endpoints"]["v1.account_links.create"]["body"]
    assert link["required"] == ["account", "type", "refresh_url", "return_url"]


# -- the view ----------------------------------------------------------------------------------


def test_requirements_are_named_as_v1_names_them() -> None:
    assert v1_names("identity.individual.given_name", individual=True) == ["individual.first_name"]
    assert v1_names("identity.individual.date_of_birth.day", individual=False) == [
        "representative.dob.day"
    ]
    assert v1_names("identity.attestations.terms_of_service.account", individual=False) == [
        "tos_acceptance.date",
        "tos_acceptance.ip",
    ]
    assert v1_names("identity.business_details.address.state", individual=False) == [
        "company.address.state"
    ]
    assert v1_names("individual.verification.document", individual=True) == [
        "individual.verification.document"
    ]
    due: dict[str, list[Any]] = {
        "identity.business_details.registered_name": [],
        "configuration.merchant.mcc": [],
    }
    state: dict[str, Any] = {"id": "acct_1", "_due": due, "identity": {}}
    assert currently_due(state) == ["business_profile.mcc"]  # company.* wait for business_type
    state["identity"]["entity_type"] = "company"
    assert currently_due(state) == ["business_profile.mcc", "company.name"]


def test_previous_attributes() -> None:
    before = {"a": 1, "b": {"c": 1, "d": 2}, "e": [1, 2], "f": "same"}
    after = {"a": 2, "b": {"c": 1, "d": 3}, "e": [1, 3], "f": "same", "g": True}
    assert previous(before, after) == {"a": 1, "b": {"d": 2}, "e": [1, 2], "g": None}


# -- whole flows, any seed -----------------------------------------------------------------------

KEY = {"Authorization": "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc"}
ACCOUNTS = "https://api.stripe.com/v1/accounts"


@st.composite
def create_forms(draw: st.DrawFn) -> dict[str, str]:
    form: dict[str, str] = {}
    kind = draw(st.sampled_from(["express", "custom", "standard", None]))
    if kind is not None:
        form["type"] = kind
    form["country"] = draw(st.sampled_from(["US", "DE", "GB", "AU", "FR", "JP", "CA"]))
    if draw(st.booleans()):
        form["business_type"] = draw(st.sampled_from(["company", "individual", "non_profit"]))
    for capability in draw(
        st.lists(st.sampled_from(["card_payments", "transfers"]), min_size=1, unique=True)
    ):
        form[f"capabilities[{capability}][requested]"] = "true"
    if draw(st.booleans()):
        form["email"] = draw(st.emails())
    if draw(st.booleans()):
        form["metadata[note]"] = draw(st.text(min_size=1, max_size=10))
    return form


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(form=create_forms())
def test_every_v1_answer_and_event_is_what_the_schemas_say(
    account_links: AccountLinksFake, form: dict[str, str]
) -> None:
    events_before = len(account_links.events)
    made = requests.post(ACCOUNTS, data=form, headers=KEY)
    assert made.status_code == 200, made.text
    check_account_v1(made.json())
    account_id = made.json()["id"]
    link = requests.post(
        "https://api.stripe.com/v1/account_links",
        data={
            "account": account_id,
            "type": "account_onboarding",
            "refresh_url": "https://x.example/r",
            "return_url": "https://x.example/b",
        },
        headers=KEY,
    )
    check_v1(link.json(), "account_link")
    account_links.visit(link.json()["url"])
    done = requests.get(f"{ACCOUNTS}/{account_id}", headers=KEY).json()
    check_account_v1(done)
    assert done["requirements"]["currently_due"] == []
    assert done["details_submitted"] is True
    assert done["payouts_enabled"] is True
    assert set(done["capabilities"].values()) == {"active"}
    v2 = requests.get(
        f"https://api.stripe.com/v2/core/accounts/{account_id}",
        params={"include[0]": "identity", "include[1]": "requirements"},
        headers=KEY,
    ).json()
    check_account(v2)
    for event in account_links.events[events_before:]:
        check_event_v1(json.loads(event.payload))
    garbage = requests.post(ACCOUNTS, data={**form, "colour": "red"}, headers=KEY)
    assert garbage.status_code == 400
    check_v1(garbage.json(), "error")


_NAMES = st.sampled_from(
    [
        "account",
        "type",
        "refresh_url",
        "return_url",
        "collection_options[fields]",
        "collection_options",
        "expand[0]",
        "expand[]",
        "metadata[k]",
        "metadata",
        "capabilities[transfers][requested]",
        "individual[dob][day]",
        "external_account",
        "external_account[object]",
        "business_type",
        "limit",
        "starting_after",
        "created[gt]",
        "[",
        "a]",
        "x[y",
    ]
) | st.text(max_size=12)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    pairs=st.lists(st.tuples(_NAMES, st.text(max_size=20)), max_size=6),
    target=st.sampled_from(
        [
            ("POST", "https://api.stripe.com/v1/account_links"),
            ("POST", ACCOUNTS),
            ("POST", f"{ACCOUNTS}/acct_1Nv0FGQ9RKHgCVdK"),
            ("GET", ACCOUNTS),
            ("GET", f"{ACCOUNTS}/acct_1Nv0FGQ9RKHgCVdK"),
        ]
    ),
    raw=st.sampled_from([None, b"{not json", b"\xff\xfe=\x00", b"a" * 10_000]),
)
def test_any_form_gets_a_v1_answer(
    account_links: AccountLinksFake,
    pairs: list[tuple[str, str]],
    target: tuple[str, str],
    raw: bytes | None,
) -> None:
    """Whatever a form holds, the answer is a v1 account, link or list, or the v1 error
    envelope: never an exception from inside the plugin."""
    method, url = target
    if method == "GET":
        response = requests.get(url, params=pairs, headers=KEY)
    else:
        response = requests.post(url, data=raw if raw is not None else pairs, headers=KEY)
    body = response.json()
    if response.status_code == 200:
        assert body["object"] in ("account", "account_link", "list")
    else:
        assert response.status_code in (400, 403), body
        check_v1(body, "error")


def test_a_v1_endpoint_reads_the_part_its_method_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    """A GET has no body: its parameters are the query's, whatever the endpoint's name."""
    from pytest_account_links.api.endpoints import _v1_accounts

    monkeypatch.setattr(_v1_accounts, "_schema", lambda name, part: (name, part))

    assert model("v1.accounts.search", "GET")(_version()) == ("v1.accounts.search", "query")
    assert model("v1.accounts.list", "get")(_version()) == ("v1.accounts.list", "query")
    assert model("v1.accounts.list", "POST")(_version()) == ("v1.accounts.list", "body")
    assert model("v1.accounts.retrieve", "DELETE")(_version()) == ("v1.accounts.retrieve", "body")


def test_every_v1_endpoint_validates_what_its_method_sends() -> None:
    from pytest_account_links.api.registry import REGISTRY

    for endpoint in REGISTRY:
        if endpoint.generation is not V1 or endpoint.params is None:
            continue
        schema = endpoint.params(_version())
        part = "query" if endpoint.method == "GET" else "body"
        assert schema is model(endpoint.name, endpoint.method)(_version()), endpoint.name
        assert schema is _v1_schema(endpoint.name, part), endpoint.name


def _v1_schema(name: str, part: str) -> Any:
    from pytest_account_links.api.endpoints._v1_accounts import _schema

    return _schema(name, part)
