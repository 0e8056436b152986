"""@pytest.mark.stripe_error: every catalogue code, as the official SDK and requests see it."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_account_links import CATALOGUE

#: What stripe-python 16 raises for each code (see CONTRACT: by type first, then by status).
SDK_EXCEPTIONS = {
    "accounts_v2_access_blocked": ("InvalidRequestError", 400),
    "configs_must_match_to_use_account_links": ("InvalidRequestError", 400),
    "not_found": ("InvalidRequestError", 404),
    "account_rate_limit_exceeded": ("RateLimitError", 429),
    "invalid_fields": ("InvalidRequestError", 400),
    "invalid_api_version": ("InvalidRequestError", 400),
    "api_key_missing": ("AuthenticationError", 401),
    "api_key_invalid": ("AuthenticationError", 401),
    "insufficient_permissions": ("PermissionError", 403),
    "invalid_idempotency_key": ("InvalidRequestError", 400),
    "idempotency_error": ("IdempotencyError", 400),
    "api_key_expired": ("AuthenticationError", 401),
    "idempotency_key_in_use": ("IdempotencyError", 409),
    "internal_server_error": ("APIError", 500),
    "bad_gateway": ("APIError", 502),
    "service_unavailable": ("APIError", 503),
    "gateway_timeout": ("APIError", 504),
    "account_closed": ("InvalidRequestError", 400),
    # API v1's
    "resource_missing": ("InvalidRequestError", 400),
    "account_invalid": ("PermissionError", 403),
    "parameter_missing": ("InvalidRequestError", 400),
    "parameter_unknown": ("InvalidRequestError", 400),
    "parameter_invalid_empty": ("InvalidRequestError", 400),
    "parameter_invalid_integer": ("InvalidRequestError", 400),
    "rate_limit": ("RateLimitError", 429),
    "account_update_not_allowed": ("InvalidRequestError", 400),
    "invalid_content_type": ("InvalidRequestError", 400),
    "account_session_no_component": ("InvalidRequestError", 400),
    "account_session_configuration_missing": ("InvalidRequestError", 400),
    "account_session_feature_not_allowed": ("InvalidRequestError", 400),
    "person_not_allowed": ("InvalidRequestError", 400),
}

#: The other codes: every ``v2.error.*`` the faked Accounts operations list in Stripe's spec.
SPEC_CODES = sorted(set(CATALOGUE) - set(SDK_EXCEPTIONS))

PARAMS = """
PARAMS = {
    "account": "acct_1Nv0FGQ9RKHgCVdK",
    "use_case": {"type": "account_onboarding",
                 "account_onboarding": {"refresh_url": "https://example.com/reauth"}},
}
"""


def test_every_catalogue_code_has_an_expected_sdk_exception() -> None:
    assert set(SDK_EXCEPTIONS) <= set(CATALOGUE)
    # The catalogue's own mapping (shown in the docs) agrees with what the SDK is seen to do.
    assert {code: CATALOGUE[code].sdk_exception for code in SDK_EXCEPTIONS} == {
        code: exception for code, (exception, _) in SDK_EXCEPTIONS.items()
    }
    # The codes read from the spec: 400s (the fake's choice), so InvalidRequestError.
    assert len(SPEC_CODES) > 100
    assert {CATALOGUE[code].sdk_exception for code in SPEC_CODES} == {"InvalidRequestError"}
    assert all("Stripe's OpenAPI spec" in CATALOGUE[code].source for code in SPEC_CODES)


def test_every_spec_code_answers_the_specs_envelope(pytester: pytest.Pytester) -> None:
    """Each ``v2.error.*`` of the Accounts (persons, tokens) operations, injected, is what the
    spec's schema of that error says (its required extra fields too), and the SDK raises
    on it."""
    data = Path(__file__).parent / "data"
    specs = [
        str(data / f"{name}.openapi.json")
        for name in ("persons-v2", "account-tokens-v2", "accounts-v2")
    ]
    pytester.makepyfile(
        f"""
        import json, pathlib, jsonschema, pytest, requests, stripe

        SCHEMAS = {{
            name: schema
            for spec in {specs!r}
            for name, schema in json.loads(pathlib.Path(spec).read_text())[
                "components"]["schemas"].items()
        }}
        URL = "https://api.stripe.com/v2/core/accounts"

        @pytest.mark.parametrize("code", {SPEC_CODES!r})
        def test_envelope(account_links, code):
            account_links.fail_next(code, endpoint="v2.core.accounts.create")
            key = {{"Authorization": "Bearer sk_test_1"}}
            response = requests.post(URL, json={{}}, headers=key)
            assert response.status_code == 400
            jsonschema.validate(response.json(), SCHEMAS["v2.error." + code])
            assert response.json()["error"]["code"] == code

        def test_through_the_sdk(account_links, stripe_client):
            account_links.fail_next("email_invalid", endpoint="v2.core.accounts.create")
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v2.core.accounts.create({{"contact_email": "not an email"}})
            assert raised.value.code == "email_invalid"
            assert raised.value.error.user_message == "Incorrect email is provided."
        """
    )

    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=len(SPEC_CODES) + 1)


def test_each_code_raises_what_the_sdk_raises_for_stripe(pytester: pytest.Pytester) -> None:
    tests = "\n".join(
        f"""
@pytest.mark.stripe_error({code!r})
def test_{code}(stripe_client):
    with pytest.raises(stripe.{exception}) as raised:
        stripe_client.v2.core.account_links.create(PARAMS)
    error = raised.value
    assert type(error) is stripe.{exception}
    assert error.http_status == {status}
    assert error.error.code == {code!r}
    assert error.json_body["error"]["code"] == {code!r}
    assert error.json_body["error"]["message"] == CATALOGUE[{code!r}].message
    assert error.request_id.startswith("req_")
    assert error.request_id == error.headers["Request-Id"]
"""
        for code, (exception, status) in SDK_EXCEPTIONS.items()
    )
    pytester.makepyfile(
        "import pytest\nimport stripe\nfrom pytest_account_links import CATALOGUE\n"
        + PARAMS
        + tests
    )

    pytester.runpytest().assert_outcomes(passed=len(SDK_EXCEPTIONS))


def test_documented_codes_have_stripes_exact_envelope(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest, requests, jsonschema, json, pathlib\n"
        + PARAMS
        + f"""
SPEC = json.loads(pathlib.Path({str(pytester.path.parent)!r}).joinpath("spec.json").read_text())
URL = "https://api.stripe.com/v2/core/account_links"

def _post():
    return requests.post(URL, json=PARAMS, headers={{"Authorization": "Bearer sk_test_1"}})

def _schema(code):
    return SPEC["components"]["schemas"]["v2.error." + code]

@pytest.mark.stripe_error("accounts_v2_access_blocked")
def test_access_blocked(account_links):
    response = _post()
    assert response.status_code == 400
    jsonschema.validate(response.json(), _schema("accounts_v2_access_blocked"))
    assert set(response.json()["error"]) == {{"code", "message", "user_message"}}

@pytest.mark.stripe_error("configs_must_match_to_use_account_links")
def test_configs_must_match(account_links):
    response = _post()
    assert response.status_code == 400
    jsonschema.validate(response.json(), _schema("configs_must_match_to_use_account_links"))
    assert set(response.json()["error"]) == {{
        "code", "message", "user_message", "applied_configurations"}}

@pytest.mark.stripe_error("not_found")
def test_not_found(account_links):
    response = _post()
    assert response.status_code == 404
    jsonschema.validate(response.json(), _schema("not_found"))
    assert set(response.json()["error"]) == {{"code", "message"}}

@pytest.mark.stripe_error("account_rate_limit_exceeded")
def test_rate_limit(account_links):
    response = _post()
    assert response.status_code == 429
    jsonschema.validate(response.json(), _schema("account_rate_limit_exceeded"))
    assert response.json()["error"]["type"] == "rate_limit"
"""
    )
    spec = pytester.path.parent / "spec.json"
    spec.write_text(
        (
            __import__("pathlib").Path(__file__).parent / "data" / "account-links-v2.openapi.json"
        ).read_text()
    )

    pytester.runpytest().assert_outcomes(passed=4)


def test_options_set_the_message_user_message_and_configurations(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest, stripe\n"
        + PARAMS
        + """
@pytest.mark.stripe_error(
    "configs_must_match_to_use_account_links",
    message="Use the merchant configuration.",
    user_message="Please finish setting up your store.",
    applied_configurations=["merchant", "customer"],
)
def test_options(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v2.core.account_links.create(PARAMS)
    body = raised.value.json_body["error"]
    assert body == {
        "code": "configs_must_match_to_use_account_links",
        "message": "Use the merchant configuration.",
        "user_message": "Please finish setting up your store.",
        "applied_configurations": ["merchant", "customer"],
    }
    assert raised.value.error.user_message == "Please finish setting up your store."

@pytest.mark.stripe_error("service_unavailable", should_retry=False)
def test_should_retry_header(stripe_client):
    with pytest.raises(stripe.APIError) as raised:
        stripe_client.v2.core.account_links.create(PARAMS)
    assert raised.value.headers["Stripe-Should-Retry"] == "false"
"""
    )

    pytester.runpytest().assert_outcomes(passed=2)


def test_injected_errors_do_not_hide_validation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, stripe

        @pytest.mark.stripe_error("not_found")
        @pytest.mark.account_links(assert_all_used=False)  # never reached: the body is invalid
        def test_invalid_request_is_still_invalid(stripe_client):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                stripe_client.v2.core.account_links.create({"account": "acct_1"})
            assert raised.value.code == "invalid_fields"
        """
    )

    pytester.runpytest().assert_outcomes(passed=1)
