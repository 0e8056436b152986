"""Requests are validated as Stripe validates them; every failure gets a v2 envelope."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest
import requests
import stripe

from tests.conftest import ONBOARDING, schema

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake

URL = "https://api.stripe.com/v2/core/account_links"
KEY = {"Authorization": "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc"}
OLD = {**KEY, "Stripe-Version": "2025-12-15.preview"}
NEW = {**KEY, "Stripe-Version": "2026-10-28.endive"}


def _with(path: str, value: Any) -> dict[str, Any]:
    """ONBOARDING with the field at dotted ``path`` set to ``value`` (``...`` deletes it)."""
    body = copy.deepcopy(ONBOARDING)
    *parents, leaf = path.split(".")
    node: Any = body
    for part in parents:
        node = node[part]
    if value is ...:
        del node[leaf]
    else:
        node[leaf] = value
    return body


OPTIONS = "use_case.account_onboarding"

INVALID = [
    pytest.param(
        _with("account", ...), NEW, "account: required request field missing", id="no-account"
    ),
    pytest.param(_with("account", 42), NEW, "account: expected a string", id="account-type"),
    pytest.param(
        _with("use_case", ...), NEW, "use_case: required request field missing", id="no-use-case"
    ),
    pytest.param(
        _with("use_case", "onboarding"), NEW, "use_case: expected an object", id="use-case-type"
    ),
    pytest.param(
        _with("use_case.type", ...),
        NEW,
        "use_case.type: required request field missing",
        id="no-type",
    ),
    pytest.param(
        _with("use_case.type", "account_creation"),
        NEW,
        "use_case.type: invalid value 'account_creation' (expected "
        "'account_onboarding' or 'account_update')",
        id="type-enum",
    ),
    pytest.param(
        _with("use_case.type", "account_update"),
        NEW,
        "use_case.account_update: required request field missing",
        id="named-sub-object-missing",
    ),
    pytest.param(
        _with("use_case.account_update", {"refresh_url": "https://example.com/r"}),
        NEW,
        "use_case.account_update: not allowed when use_case.type is 'account_onboarding'",
        id="other-sub-object",
    ),
    pytest.param(
        _with(f"{OPTIONS}.refresh_url", ...),
        NEW,
        "use_case.account_onboarding.refresh_url: required request field missing",
        id="no-refresh-url",
    ),
    pytest.param(
        _with(f"{OPTIONS}.refresh_url", "/reauth"),
        NEW,
        "use_case.account_onboarding.refresh_url: invalid URL '/reauth': "
        "expected an absolute http:// or https:// URL",
        id="refresh-url-relative",
    ),
    pytest.param(
        _with(f"{OPTIONS}.return_url", 7),
        NEW,
        "use_case.account_onboarding.return_url: expected a string",
        id="return-url-type",
    ),
    pytest.param(
        _with(f"{OPTIONS}.collection_options", {"fields": "all"}),
        NEW,
        "use_case.account_onboarding.collection_options.fields: invalid value 'all' "
        "(expected 'currently_due' or 'eventually_due')",
        id="fields-enum",
    ),
    pytest.param(
        _with(f"{OPTIONS}.collection_options", {"future_requirements": "yes"}),
        NEW,
        "use_case.account_onboarding.collection_options.future_requirements: invalid value "
        "'yes' (expected 'include' or 'omit')",
        id="future-requirements-enum",
    ),
    pytest.param(
        _with("return_url", "https://example.com"),
        NEW,
        "return_url: unknown field",
        id="unknown-top",
    ),
    pytest.param(
        _with(f"{OPTIONS}.locale", "fr"),
        NEW,
        "use_case.account_onboarding.locale: unknown field",
        id="unknown-nested",
    ),
    pytest.param(
        _with(f"{OPTIONS}.configurations", ["recipient"]),
        NEW,
        "use_case.account_onboarding.configurations: unknown field (removed in API version "
        "2026-09-30.endive, this request uses 2026-10-28.endive)",
        id="configurations-after-removal",
    ),
    pytest.param(
        ONBOARDING,
        OLD,
        "use_case.account_onboarding.configurations: required request field missing",
        id="configurations-required-before-removal",
    ),
    pytest.param(
        _with(f"{OPTIONS}.configurations", ["seller"]),
        OLD,
        "use_case.account_onboarding.configurations[0]: invalid value 'seller' (expected "
        "'customer', 'merchant' or 'recipient')",
        id="configurations-enum",
    ),
    pytest.param(
        _with(f"{OPTIONS}.configurations", []),
        OLD,
        "use_case.account_onboarding.configurations: must not be empty",
        id="configurations-empty",
    ),
]


@pytest.mark.parametrize(("body", "headers", "message"), INVALID)
def test_invalid_body_gets_invalid_fields_naming_the_field(
    account_links: AccountLinksFake, body: dict[str, Any], headers: dict[str, str], message: str
) -> None:
    response = requests.post(URL, json=body, headers=headers)

    assert response.status_code == 400
    envelope = response.json()
    jsonschema.validate(envelope, schema("v2.error"))
    assert envelope == {
        "error": {"type": "invalid_request_error", "code": "invalid_fields", "message": message}
    }
    assert account_links.calls.last.request is None
    assert account_links.calls.last.error_code == "invalid_fields"


def test_several_problems_are_all_named(account_links: AccountLinksFake) -> None:
    response = requests.post(URL, json={"use_case": {"type": "nope"}, "x": 1}, headers=KEY)

    message = response.json()["error"]["message"]
    assert message.split("; ") == [
        "account: required request field missing",
        "use_case.type: invalid value 'nope' (expected 'account_onboarding' or 'account_update')",
        "x: unknown field",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"account=acct_1", "request body is not valid JSON", id="form-encoded"),
        pytest.param(b"", "request body is not valid JSON", id="empty"),
        pytest.param(b"\xff\xfe", "request body is not valid JSON", id="not-utf8"),
        pytest.param(b"[1, 2]", "request body must be a JSON object, not an array", id="array"),
        pytest.param(b'"acct_1"', "request body must be a JSON object, not a string", id="string"),
        pytest.param(b"null", "request body must be a JSON object, not null", id="null"),
    ],
)
def test_body_that_is_not_a_json_object_gets_a_400_envelope(
    account_links: AccountLinksFake, data: bytes, message: str
) -> None:
    response = requests.post(URL, data=data, headers={**KEY, "Content-Type": "application/json"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "invalid_fields"
    assert error["message"].startswith(message)


def test_sdk_raises_invalid_request_error_with_the_message(
    stripe_client: stripe.StripeClient,
) -> None:
    params = _with(f"{OPTIONS}.refresh_url", ...)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v2.core.account_links.create(params)  # type: ignore[arg-type]

    error = raised.value
    assert error.http_status == 400
    assert error.code == "invalid_fields"
    assert isinstance(error.json_body, dict)
    assert "user_message" not in error.json_body["error"]
    assert (
        error.json_body["error"]["message"]
        == "use_case.account_onboarding.refresh_url: required request field missing"
    )
    assert error.request_id is not None
    assert error.request_id.startswith("req_")


@pytest.mark.parametrize(
    ("authorization", "code", "shown"),
    [
        pytest.param(None, "api_key_missing", "You did not provide an API key", id="missing"),
        pytest.param("", "api_key_missing", "You did not provide an API key", id="empty"),
        pytest.param(
            "Basic dXNlcjpwYXNz", "api_key_invalid", "Invalid API Key provided: ***", id="basic"
        ),
        pytest.param(
            "Bearer pk_test_51Habcdefghijklmnop",
            "api_key_invalid",
            "Invalid API Key provided: pk_test_" + "*" * 15 + "mnop",
            id="publishable",
        ),
        pytest.param(
            "Bearer sk_test_",
            "api_key_invalid",
            "Invalid API Key provided: sk_test_",
            id="empty-key",
        ),
        pytest.param(
            "Bearer sk_test_abc def",
            "api_key_invalid",
            "expected 'Bearer <secret key>' or Basic auth",
            id="space-in-key",
        ),
    ],
)
def test_missing_or_malformed_key_gets_401(
    account_links: AccountLinksFake, authorization: str | None, code: str, shown: str
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    response = requests.post(URL, json=ONBOARDING, headers=headers)

    assert response.status_code == 401
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == code
    assert shown in error["message"]
    assert "51Habcdefghijklmnop" not in response.text


def test_sdk_raises_authentication_error_for_a_bad_key(account_links: AccountLinksFake) -> None:
    client = stripe.StripeClient("sk_test_has-a-dash-and-is-long-enough")

    with pytest.raises(stripe.AuthenticationError) as raised:
        client.v2.core.account_links.create(copy.deepcopy(ONBOARDING))  # type: ignore[arg-type]

    assert raised.value.http_status == 401
    assert "has-a-dash-and-is-long-enough" not in str(raised.value)
    # Stripe's own wording and masking, with every character but the last four starred.
    assert "Invalid API Key provided: sk_test_" + "*" * 25 + "ough" in str(raised.value)


@pytest.mark.parametrize("version", ["latest", "2026-13-01", "2026-10-28.Endive!", "v2"])
def test_malformed_version_header_gets_400(account_links: AccountLinksFake, version: str) -> None:
    response = requests.post(URL, json=ONBOARDING, headers={**KEY, "Stripe-Version": version})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_api_version"
    assert error["message"] == f"Invalid Stripe API version: {version}"


@pytest.mark.parametrize("version", ["2024-06-20", "2025-03-31.basil", "2025-06-30.preview"])
def test_versions_before_account_links_v2_existed_get_404(
    account_links: AccountLinksFake, version: str
) -> None:
    response = requests.post(URL, json=ONBOARDING, headers={**KEY, "Stripe-Version": version})

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "The API method cannot be found.",
    }


def test_without_a_version_header_the_newest_rules_apply(account_links: AccountLinksFake) -> None:
    response = requests.post(URL, json=ONBOARDING, headers=KEY)

    assert response.status_code == 200
    assert response.headers["Stripe-Version"] == "2026-10-28.endive"
    assert account_links.calls.last.api_version == "2026-10-28.endive"


def test_default_version_can_be_set_per_test(account_links: AccountLinksFake) -> None:
    account_links.default_api_version = "2025-12-15.preview"

    response = requests.post(URL, json=ONBOARDING, headers=KEY)

    assert response.status_code == 400
    assert "configurations: required request field missing" in response.json()["error"]["message"]


def test_a_malformed_default_version_is_refused(account_links: AccountLinksFake) -> None:
    with pytest.raises(ValueError, match="Invalid Stripe API version: soon"):
        account_links.default_api_version = "soon"
