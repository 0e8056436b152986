"""API v1's generation on its own: the form reader, Stripe's v1 wording of a validation
problem (one, with its ``param``), and the v1 envelope of every catalogue code."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pytest_account_links.api.generations import ErrorContext, InvalidBody
from pytest_account_links.api.generations.schema import Schema
from pytest_account_links.api.generations.v1 import V1, parse_form
from pytest_account_links.core.versions import LATEST_VERSION, parse_version
from pytest_account_links.errors import CATALOGUE

#: A schema shaped like the v1 ones: required fields, an enum, a nested object, an integer,
#: a boolean, an array, an emptyable map, a token-or-object.
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["account", "type"],
    "properties": {
        "account": {"type": "string"},
        "type": {"type": "string", "enum": ["account_onboarding", "account_update"]},
        "collect": {"type": "string", "enum": ["currently_due", "eventually_due", "later"]},
        "options": {"type": "object", "properties": {"fields": {"type": "string"}}},
        "count": {"type": "integer"},
        "flag": {"type": "boolean"},
        "expand": {"type": "array", "items": {"type": "string"}},
        "metadata": {
            "type": "object",
            "emptyable": True,
            "additionalProperties": {"type": "string", "emptyable": True},
        },
        "external": {
            "anyOf": [
                {"type": "string"},
                {
                    "type": "object",
                    "required": ["number"],
                    "properties": {"number": {"type": "string"}},
                },
            ]
        },
    },
}


def _validate(form: str) -> Any:
    version = parse_version(LATEST_VERSION)
    return V1.validate(Schema(SCHEMA, form=True), V1.parse_body(form.encode()), version)


def _invalid(form: str) -> InvalidBody:
    with pytest.raises(InvalidBody) as raised:
        _validate(form)
    return raised.value


def test_forms_are_read_as_the_sdk_writes_them() -> None:
    assert parse_form(
        "account=acct_1&options[fields]=a&expand[0]=a&expand[1]=b&tags[]=x&tags[]=y"
        "&metadata[k]=&empty"
    ) == {
        "account": "acct_1",
        "options": {"fields": "a"},
        "expand": {"0": "a", "1": "b"},
        "tags": {"0": "x", "1": "y"},
        "metadata": {"k": ""},
        "empty": "",
    }
    assert parse_form("a=1&a=2") == {"a": ["1", "2"]}
    assert parse_form("url=https%3A%2F%2Fe.example%2Fr%3Fa%3D1") == {
        "url": "https://e.example/r?a=1"
    }
    assert parse_form("a=x&a[b]=y") == {"a": {"b": "y"}}  # never a crash
    assert parse_form("=&a+b=c+d&%ZZ=1") == {"": "", "a b": "c d", "%ZZ": "1"}  # as parse_qsl


def test_a_valid_form_is_typed() -> None:
    assert _validate(
        "account=acct_1&type=account_update&count=3&flag=false&expand[0]=x&metadata[k]="
        "&external[number]=000123456789"
    ) == {
        "account": "acct_1",
        "type": "account_update",
        "count": 3,
        "flag": False,
        "expand": ["x"],
        "metadata": {"k": ""},
        "external": {"number": "000123456789"},
    }
    assert _validate("account=a&type=account_update&metadata=&external=btok_1")["metadata"] == ""


@pytest.mark.parametrize(
    ("form", "message", "code", "param"),
    [
        ("account=a", "Missing required param: type.", "parameter_missing", "type"),
        ("account=a&type=account_update&options[x]=1",
         "Received unknown parameter: options[x]", "parameter_unknown", "options[x]"),
        ("account=a&type=x", "Invalid type: must be one of account_onboarding or account_update",
         None, "type"),
        ("account=a&type=account_update&collect=x",
         "Invalid collect: must be one of currently_due, eventually_due, or later", None,
         "collect"),
        ("account=a&type=account_update&count=many", "Invalid integer: many",
         "parameter_invalid_integer", "count"),
        ("account=a&type=account_update&count=%C2%B2", "Invalid integer: ²",
         "parameter_invalid_integer", "count"),
        ("account=a&type=account_update&flag=yes", "Invalid boolean: yes", None, "flag"),
        ("account=a&type=account_update&expand[a]=b", "Invalid array", None, "expand"),
        ("account=a&type=account_update&options=x", "Invalid object", None, "options"),
        ("account[x]=a&type=account_update", "Invalid string", None, "account"),
        ("account=&type=account_update",
         "You passed an empty string for 'account'. We assume empty values are an attempt to "
         "unset a parameter; however 'account' cannot be unset. You should remove 'account' "
         "from your request or supply a non-empty value.", "parameter_invalid_empty", "account"),
        ("account=a&type=account_update&external[x]=1",
         "Received unknown parameter: external[x]", "parameter_unknown", "external[x]"),
    ],
)  # fmt: skip
def test_the_first_problem_is_worded_as_stripe_words_it(
    form: str, message: str, code: str | None, param: str
) -> None:
    invalid = _invalid(form)
    assert invalid.problems == [message]
    assert invalid.code == code
    assert invalid.param == param


def test_a_json_body_is_refused() -> None:
    invalid = _invalid('{"account": "acct_1"}')
    assert invalid.code == "invalid_content_type"
    assert invalid.problems[0].startswith("Invalid request (check that your POST content type")


#: The ``error`` object of Stripe's v1 spec (``shared/spec/account-links-v1.openapi.json``).
_V1_ERROR = json.loads(
    (Path(__file__).parent / "data" / "account-links-v1.openapi.json").read_text()
)["components"]["schemas"]["api_errors"]


def _check_error(body: dict[str, Any]) -> None:
    properties: dict[str, Any] = {name: {} for name in _V1_ERROR["properties"]}
    schema = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": _V1_ERROR["required"],
                "properties": {**properties, "type": _V1_ERROR["properties"]["type"]},
                "additionalProperties": False,
            }
        },
        "additionalProperties": False,
    }
    jsonschema.validate(body, schema)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_code_has_a_v1_envelope(code: str) -> None:
    spec = CATALOGUE[code]
    context = ErrorContext("req_abcdefghijklmn", False, datetime(2026, 1, 1, tzinfo=timezone.utc))
    body = V1.error_body(spec, None, {"param": "account", "user_message": "x"}, context)
    _check_error(body)
    error = body["error"]
    assert list(error) == sorted(error)
    assert error["message"] == spec.message
    assert error["param"] == "account"
    assert "user_message" not in error  # a v2 field
    assert error["request_log_url"] == (
        "https://dashboard.stripe.com/test/logs/req_abcdefghijklmn?t=1767225600"
    )
    if spec.fakes_choice:
        assert "code" not in error
        assert "doc_url" not in error
    else:
        assert error["code"] == code
        assert error["doc_url"] == f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if spec.status >= 500:
        assert error["type"] == "api_error"


def test_the_envelope_without_a_key_or_in_live_mode() -> None:
    spec = CATALOGUE["api_key_missing"]
    assert "request_log_url" not in V1.error_body(spec, None, {})["error"]
    live = ErrorContext("req_1", True, datetime(2026, 1, 1, tzinfo=timezone.utc))
    url = V1.error_body(spec, None, {}, live)["error"]["request_log_url"]
    assert url == "https://dashboard.stripe.com/logs/req_1?t=1767225600"
    rate_limited = V1.error_body(CATALOGUE["account_rate_limit_exceeded"], None, {})
    assert rate_limited["error"]["type"] == "invalid_request_error"  # "rate_limit" is v2's


def test_what_differs_from_v2() -> None:
    from pytest_account_links.api.generations.v2 import V2

    assert (V1.rate_limit_code, V2.rate_limit_code) == ("rate_limit", "account_rate_limit_exceeded")
    assert (V1.keeps_failures, V2.keeps_failures) == (True, False)
    assert (V1.takes_restricted_keys, V2.takes_restricted_keys) == (True, False)
    dated = parse_version("2023-10-16")
    assert V1.takes_version(dated)
    assert not V2.takes_version(dated)
    assert V1.timestamp(datetime(2026, 1, 1, tzinfo=timezone.utc)) == 1767225600
