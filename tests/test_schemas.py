"""The spec's schemas the fake ships are the spec's: regenerating them changes nothing, and
the schema reader refuses what the spec refuses, in Stripe's wording."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from pytest_account_links.api.endpoints._v2_accounts import body_schema, query_schema
from pytest_account_links.api.generations import Body, InvalidBody
from pytest_account_links.api.generations.v2 import V2

ROOT = Path(__file__).resolve().parent.parent


def _script() -> object:
    spec = importlib.util.spec_from_file_location(
        "extract", ROOT / "scripts" / "extract_schemas.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_regenerating_the_schemas_changes_nothing() -> None:
    script = _script()
    shipped = ROOT / "pytest_account_links" / "domain" / "schemas.json"
    assert shipped.read_text() == script.render()  # type: ignore[attr-defined]
    errors = ROOT / "pytest_account_links" / "core" / "spec_errors.json"
    assert errors.read_text() == script.render_errors()  # type: ignore[attr-defined]


def test_a_field_called_description_is_kept() -> None:
    """Prose is stripped from the schemas, but not a field that happens to be named like it
    (``requirements.entries[].description``)."""
    from pytest_account_links.domain.account_state import schemas

    account = schemas()["objects"]["v2.core.account"]
    entries = account["properties"]["requirements"]["properties"]["entries"]["items"]
    assert "description" in entries["properties"]
    assert "description" in entries["required"]


def _problems(name: str, body: object, *, query: bool = False) -> list[str]:
    from pytest_account_links.core.versions import LATEST_VERSION, parse_version

    model = query_schema(name) if query else body_schema(name)
    source = V2.parse_query(str(body)) if query else Body(b"", body)
    with pytest.raises(InvalidBody) as invalid:
        V2.validate(model, source, parse_version(LATEST_VERSION))
    return invalid.value.problems


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"return_url": "x"}, "return_url: unknown field"),
        (
            {"identity": {"business_details": {"registered_name": 5}}},
            "identity.business_details.registered_name: expected a string",
        ),
        ({"dashboard": "partial"}, "dashboard: invalid value 'partial' (expected 'express', "),
        (
            {"configuration": {"merchant": {"capabilities": {"card_payments": {}}}}},
            "configuration.merchant.capabilities.card_payments.requested: required request "
            "field missing",
        ),
        (
            {"configuration": {"merchant": {"capabilities": {"card_payments": {"requestd": 1}}}}},
            "configuration.merchant.capabilities.card_payments.requestd: unknown field",
        ),
        ({"include": "identity"}, "include: expected an array"),
        ({"include": ["identity", "everything"]}, "include[1]: invalid value 'everything'"),
        ({"metadata": {"a": 1}}, "metadata.a: expected a string"),
        ({"display_name": None}, "display_name: expected a string"),
        (
            {"identity": {"individual": {"relationship": {"percent_ownership": "lots"}}}},
            "identity.individual.relationship.percent_ownership: expected a decimal number",
        ),
        (
            {
                "identity": {
                    "attestations": {"terms_of_service": {"account": {"date": "today", "ip": "1"}}}
                }
            },
            "identity.attestations.terms_of_service.account.date: expected an RFC 3339 date",
        ),
        ([], "request body must be a JSON object, not an array"),
    ],
)
def test_create_body_problems_are_worded_as_stripe_words_them(body: object, problem: str) -> None:
    assert any(found.startswith(problem) for found in _problems("v2.core.accounts.create", body)), (
        _problems("v2.core.accounts.create", body)
    )


def test_update_unsets_metadata_with_null() -> None:
    from pytest_account_links.core.versions import LATEST_VERSION, parse_version

    model = body_schema("v2.core.accounts.update")
    checked = V2.validate(
        model, Body(b"", {"metadata": {"a": None}}), parse_version(LATEST_VERSION)
    )
    assert checked == {"metadata": {"a": None}}


def test_query_strings_are_read_as_the_sdk_writes_them() -> None:
    from pytest_account_links.core.versions import LATEST_VERSION, parse_version

    version = parse_version(LATEST_VERSION)
    accounts = query_schema("v2.core.accounts.list")
    read = V2.validate(
        accounts,
        V2.parse_query(
            "applied_configurations[0]=merchant&applied_configurations[1]=recipient"
            "&closed=true&limit=2"
        ),
        version,
    )
    assert read == {"applied_configurations": ["merchant", "recipient"], "closed": True, "limit": 2}
    events = query_schema("v2.core.events.list")
    read = V2.validate(
        events,
        V2.parse_query(
            "created[gt]=2025-01-01T00:00:00.000Z&types[0]=v2.core.account.created&object_id=acct_1"
        ),
        version,
    )
    assert read == {
        "created": {"gt": "2025-01-01T00:00:00.000Z"},
        "types": ["v2.core.account.created"],
        "object_id": "acct_1",
    }
    assert _problems("v2.core.accounts.list", "limit=ten", query=True) == [
        "limit: expected an integer"
    ]
    assert _problems("v2.core.accounts.list", "closed=maybe", query=True) == [
        "closed: expected a boolean"
    ]
    assert _problems("v2.core.accounts.retrieve", "include[0]=everything", query=True)[
        0
    ].startswith("include[0]: invalid value 'everything'")
    assert _problems("v2.core.accounts.list", "colour=red", query=True) == ["colour: unknown field"]


@pytest.mark.parametrize("limit", ["--5", "%C2%B2", "%EF%BC%95", "-", "1_000"])
def test_a_query_integer_that_is_no_integer_is_refused_not_crashed(limit: str) -> None:
    """Regression: ``limit=--5`` and ``limit=²`` (which ``str.isdigit`` passes) raised
    ``ValueError`` from ``int()`` inside the plugin instead of answering 400."""
    assert _problems("v2.core.accounts.list", f"limit={limit}", query=True) == [
        "limit: expected an integer"
    ]
