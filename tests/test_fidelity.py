"""What Stripe really answers, held against its published sources: each point through the
official SDK and through plain requests, with the status, error type and code, and the
exception the SDK raises."""

from __future__ import annotations

import ast
import json
import textwrap
from pathlib import Path

import pytest
import stripe

from pytest_account_links.core.versions import DATED, RELEASES, sdk_version
from pytest_account_links.errors import CATALOGUE, FAKES_CHOICE
from tests.conftest import OFFLINE_CONFTEST, ONBOARDING

DATA = Path(__file__).parent / "data"

HEADER = f"""
import base64

import pytest
import requests
import stripe

URL = "https://api.stripe.com/v2/core/account_links"
KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
LIVE = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
AUTH = {{"Authorization": "Bearer " + KEY}}
ONBOARDING = {ONBOARDING!r}


def client(**options):
    return stripe.StripeClient(KEY, **options)


def post(body=ONBOARDING, **headers):
    return requests.post(URL, json=body, headers={{**AUTH, **headers}})
"""


def run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(HEADER + textwrap.dedent(body))
    result = pytester.runpytest(*args)
    result.assert_outcomes(**outcomes)
    return result


# -- 1. API versions ----------------------------------------------------------------


def test_the_version_table_is_the_spec_enum_the_sdk_carries() -> None:
    """The table is Stripe's: the SDK generates WebhookEndpointCreateParams.api_version from
    the OpenAPI spec's enum."""
    source = Path(stripe.__file__).parent / "params" / "_webhook_endpoint_create_params.py"
    tree = ast.parse(source.read_text())
    literal = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "api_version"
    )
    enum = [n.value for n in ast.walk(literal.annotation) if isinstance(n, ast.Constant)]
    versions = [v for v in enum if isinstance(v, str) and v[:2] == "20"]

    assert versions == [*DATED, *RELEASES]
    assert sdk_version() == stripe._api_version._ApiVersion.CURRENT


def test_versions_stripe_does_not_have_are_refused(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        MADE_UP = ["2025-12-15.basil", "2025-12-16.clover", "2026-11-25.endive"]

        @pytest.mark.parametrize("version", MADE_UP)
        def test_sdk(account_links, version):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                client(stripe_version=version).v2.core.account_links.create(ONBOARDING)
            assert raised.value.http_status == 400
            assert raised.value.error.code == "invalid_api_version"
            assert raised.value.json_body["error"]["type"] == "invalid_request_error"
            assert raised.value.error.message == f"Invalid Stripe API version: {version}"

        @pytest.mark.parametrize("version", MADE_UP)
        def test_requests(account_links, version):
            response = post(**{"Stripe-Version": version})
            assert response.status_code == 400
            assert response.json()["error"]["message"] == f"Invalid Stripe API version: {version}"

        OLDER = ["2025-11-17.clover", "2025-06-30.preview", "2024-06-20"]

        @pytest.mark.parametrize("version", OLDER)
        def test_before_account_links_v2_existed(account_links, version):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                client(stripe_version=version).v2.core.account_links.create(ONBOARDING)
            assert raised.value.http_status == 404
            assert raised.value.error.code == "not_found"
            assert raised.value.error.message == "The API method cannot be found."

        @pytest.mark.account_links(extra_api_versions=["2026-11-25.endive"])
        def test_a_newer_release_can_be_added(account_links):
            assert post(**{"Stripe-Version": "2026-11-25.endive"}).status_code == 200

        def test_the_sdks_own_version(account_links):
            client().v2.core.account_links.create(ONBOARDING)
            assert account_links.calls.last.api_version == stripe._api_version._ApiVersion.CURRENT
        """,
        "--account-links-api-version=2025-12-15.preview",
        passed=11,
    )


# -- 2. the idempotency conflict ------------------------------------------------------


def test_an_idempotency_conflict_is_the_specs_idempotency_error(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_sdk(account_links):
            sdk = client()
            sdk.v2.core.account_links.create(ONBOARDING, {"idempotency_key": "key-1"})
            other = {**ONBOARDING, "account": "acct_1Nv0FGQ9RKHgCVdL"}
            with pytest.raises(stripe.IdempotencyError) as raised:
                sdk.v2.core.account_links.create(other, {"idempotency_key": "key-1"})
            assert raised.value.http_status == 400
            assert raised.value.error.code == "idempotency_error"
            assert raised.value.json_body["error"]["type"] == "idempotency_error"
            assert "other than 'key-1'" in raised.value.error.message

        def test_requests(account_links):
            assert post(**{"Idempotency-Key": "key-2"}).status_code == 200
            answer = post({**ONBOARDING, "account": "acct_other"}, **{"Idempotency-Key": "key-2"})
            assert answer.status_code == 400
            assert answer.json()["error"]["code"] == "idempotency_error"

        def test_keys_belong_to_one_mode(account_links):
            first = post(**{"Idempotency-Key": "key-3"})
            live = post(**{"Idempotency-Key": "key-3", "Authorization": "Bearer " + LIVE})
            assert live.status_code == 200
            assert "Idempotent-Replayed" not in live.headers
            assert live.json()["livemode"] is True and first.json()["livemode"] is False
        """,
        passed=3,
    )


# -- 3. Basic auth --------------------------------------------------------------------


def test_basic_auth_is_accepted(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        @pytest.mark.parametrize("authorization", [
            "Basic " + base64.b64encode((KEY + ":").encode()).decode(),  # curl -u KEY:
            "Basic " + KEY,  # the spec's other Basic form
        ])
        def test_header(account_links, authorization):
            response = requests.post(URL, json=ONBOARDING, headers={"Authorization": authorization})
            assert response.status_code == 200
            assert account_links.calls.last.headers["authorization"] == "Basic sk_test_...p7dc"

        def test_requests_auth(account_links):
            assert requests.post(URL, json=ONBOARDING, auth=(KEY, "")).status_code == 200
            assert account_links.calls.last.headers["authorization"] == "Basic sk_test_...p7dc"

        def test_not_a_key(account_links):
            response = requests.post(URL, json=ONBOARDING, auth=("someone", "secret"))
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "api_key_invalid"
        """,
        passed=4,
    )


# -- 4. where each code comes from --------------------------------------------------------


def test_every_code_says_where_it_comes_from() -> None:
    for code, spec in CATALOGUE.items():
        assert spec.source, code
        if spec.fakes_choice:
            assert spec.source.startswith(f"{FAKES_CHOICE}: "), code  # and why
    spec_codes = {code for code, spec in CATALOGUE.items() if "OpenAPI spec" in spec.source}
    # Every v2.error.* of the vendored specs, and nothing else, says it is the spec's.
    in_specs = set()
    for name in ("account-links-v2", "accounts-v2", "events-v2", "persons-v2", "account-tokens-v2"):
        schemas = json.loads((DATA / f"{name}.openapi.json").read_text())["components"]["schemas"]
        in_specs |= {key[len("v2.error.") :] for key in schemas if key.startswith("v2.error.")}
    assert spec_codes == in_specs
    assert {"accounts_v2_access_blocked", "not_found", "configs_must_match_to_close"} <= spec_codes


def test_keys_and_permissions(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_missing_key(account_links):
            response = requests.post(URL, json=ONBOARDING)
            assert response.status_code == 401
            error = response.json()["error"]
            assert error["type"] == "invalid_request_error"
            assert error["message"].startswith("You did not provide an API key.")

        def test_invalid_key(account_links):
            with pytest.raises(stripe.AuthenticationError) as raised:
                stripe.StripeClient("sk_test_not-a-key").v2.core.account_links.create(ONBOARDING)
            assert raised.value.http_status == 401
            assert raised.value.error.message == "Invalid API Key provided: sk_test_*****-key"

        def test_a_restricted_key_on_v2(account_links):
            with pytest.raises(stripe.PermissionError) as raised:
                stripe.StripeClient("rk_test_4eC39HqLyjWDarjtT1zdp7dc").v2.core.account_links.create(
                    ONBOARDING)
            assert raised.value.http_status == 403
            assert raised.value.error.code == "insufficient_permissions"
        """,
        passed=3,
    )


# -- 5. Stripe-Should-Retry on 5xx ------------------------------------------------------


def test_should_retry_on_5xx_as_the_sdk_expects(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        @pytest.mark.stripe_outage(500, times=1)
        def test_a_500_is_not_retried(account_links):
            with pytest.raises(stripe.APIError):
                client(max_network_retries=2).v2.core.account_links.create(ONBOARDING)
            assert [call.status for call in account_links.calls] == [500]
            assert account_links.calls[0].response_headers["Stripe-Should-Retry"] == "false"

        @pytest.mark.stripe_outage(503, times=1)
        def test_a_503_is(account_links):
            client(max_network_retries=2).v2.core.account_links.create(ONBOARDING)
            assert [call.status for call in account_links.calls] == [503, 200]
            assert "Stripe-Should-Retry" not in account_links.calls[0].response_headers

        @pytest.mark.stripe_outage(500, times=1, should_retry=True)
        def test_the_marker_overrides_it(account_links):
            client(max_network_retries=2).v2.core.account_links.create(ONBOARDING)
            assert [call.status for call in account_links.calls] == [500, 200]

        @pytest.mark.stripe_outage(502, times=1)
        def test_requests_sees_it_too(account_links):
            assert "Stripe-Should-Retry" not in post().headers
        """,
        passed=4,
    )


# -- 6. the account's default version ---------------------------------------------------


def test_a_request_without_a_version_gets_the_accounts_default(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_requests(account_links):
            response = requests.post(URL, json=dict(ONBOARDING, use_case={
                "type": "account_onboarding",
                "account_onboarding": {"refresh_url": "https://example.com/r",
                                       "configurations": ["recipient"]}}), headers=AUTH)
            assert response.status_code == 200
            assert response.headers["Stripe-Version"] == "2025-12-15.clover"

        def test_the_sdk_always_sends_its_own(account_links):
            client().v2.core.account_links.create(ONBOARDING)
            assert account_links.calls.last.api_version == "2026-10-28.endive"
        """,
        "--account-links-api-version=2025-12-15.clover",
        passed=2,
    )


# -- 7. unknown accounts ------------------------------------------------------------------


def test_unknown_accounts(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_accepted_by_default(account_links):
            assert post().status_code == 200

        @pytest.mark.account_links(unknown_accounts="not_found")
        def test_not_found_when_asked(account_links):
            with pytest.raises(stripe.InvalidRequestError) as raised:
                client().v2.core.account_links.create(ONBOARDING)
            assert raised.value.http_status == 404
            assert raised.value.error.code == "not_found"
            assert post().json()["error"]["code"] == "not_found"

        @pytest.mark.account_links(unknown_accounts="not_found")
        @pytest.mark.stripe_accounts("acct_1Nv0FGQ9RKHgCVdK")
        def test_declared_ones_exist(account_links):
            assert post().status_code == 200

        @pytest.mark.stripe_accounts("acct_1")
        def test_declaring_one_makes_the_others_not_found(account_links):
            assert post().json()["error"]["code"] == "not_found"

        @pytest.mark.account_links(unknown_accounts="exist")
        @pytest.mark.stripe_accounts({"id": "acct_1", "configurations": ["merchant"]})
        def test_every_well_formed_id_exists_when_asked(account_links, stripe_client):
            assert post().status_code == 200
            assert stripe_client.v1.accounts.retrieve("acct_xxxxxxxxxxxxx").id == (
                "acct_xxxxxxxxxxxxx"
            )
            assert account_links.accounts["acct_1"].configurations == ("merchant",)
            assert post(dict(ONBOARDING, account="acct-1")).status_code == 404

        @pytest.mark.parametrize("account", ["bad_1", "acct-1", "acct_"])
        def test_an_id_that_cannot_exist_is_not_found(account_links, account):
            response = post(dict(ONBOARDING, account=account))
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "not_found"
            assert response.json()["error"]["message"] == f"No such account: '{account}'"
        """,
        passed=8,
    )
    result = pytester.runpytest("--account-links-unknown-accounts=nowhere")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--account-links-unknown-accounts must be one of accept, not_found, exist, got 'nowhere'"]
    )


# -- 8. the link's token ------------------------------------------------------------------


def test_the_tokens_length_is_stripes_example(pytester: pytest.Pytester) -> None:
    example = "alu_test_61SGhyomRuz7xsw5216SGhyj0ASQdCLwMKdRUF3mi3H6"  # the reference page
    run(
        pytester,
        f"""
        import re

        def test_token(account_links):
            url = client().v2.core.account_links.create(ONBOARDING).url
            token = url.split("#")[1]
            assert re.fullmatch(r"alu_test_[A-Za-z0-9]{{{len(example) - 9}}}", token)
        """,
        passed=1,
    )
