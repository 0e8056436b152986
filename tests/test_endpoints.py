"""Every faked endpoint goes through the same pipeline: the key, the version, recording,
injected failures aimed at it by name; the calls say which endpoint answered."""

from __future__ import annotations

import ast
import textwrap

import pytest

from pytest_account_links.api.pipeline import AFTER, STEPS
from pytest_account_links.api.registry import BY_NAME, REGISTRY
from pytest_account_links.harness.marker_options import _OPTIONS
from pytest_account_links.harness.markers import MARKERS
from tests.conftest import OFFLINE_CONFTEST, ONBOARDING

HEADER = f"""
import pytest
import requests
import stripe

ONBOARDING = {ONBOARDING!r}
EVENTS = "https://api.stripe.com/v2/core/events/"


def completed_event(stripe_client, account_links):
    link = stripe_client.v2.core.account_links.create(ONBOARDING)
    account_links.visit(link)
    delivered = account_links.events[-1]
    return stripe_client.parse_event_notification(
        delivered.payload, delivered.headers["Stripe-Signature"], account_links.webhook_secret
    )
"""


def run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(HEADER + textwrap.dedent(body))
    result = pytester.runpytest(*args)
    result.assert_outcomes(**outcomes)
    return result


def test_the_events_endpoint_goes_through_the_pipeline(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_fetch_event_is_recorded(stripe_client, account_links):
            notification = completed_event(stripe_client, account_links)
            event = notification.fetch_event()
            assert event.type == "v2.core.account_link.returned"
            fetched = account_links.all_calls.last
            assert fetched.endpoint == "v2.core.events.retrieve"
            assert fetched.method == "GET" and fetched.status == 200
            assert [call.endpoint for call in account_links.all_calls] == [
                "v2.core.account_links.create", "v2.core.events.retrieve"]
            assert len(account_links.calls) == 1  # calls: the Account Link calls, as before

        def test_without_a_key_it_is_401(stripe_client, account_links):
            event_id = completed_event(stripe_client, account_links).id
            response = requests.get(EVENTS + event_id)
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "api_key_missing"

        def test_a_bad_version_is_400(stripe_client, account_links):
            event_id = completed_event(stripe_client, account_links).id
            response = requests.get(EVENTS + event_id, headers={
                "Authorization": "Bearer sk_test_1", "Stripe-Version": "2026-13-01.endive"})
            assert response.status_code == 400
            assert response.json()["error"]["code"] == "invalid_api_version"

        @pytest.mark.stripe_outage(503, endpoint="v2.core.events.retrieve")
        def test_an_outage_aimed_at_it(stripe_client, account_links):
            notification = completed_event(stripe_client, account_links)  # links unaffected
            with pytest.raises(stripe.APIError):
                notification.fetch_event()
            assert account_links.all_calls.last.outcome == "503 service_unavailable"
            assert account_links.all_calls.last.injected == "@stripe_outage"
        """,
        passed=4,
    )


def test_failures_name_the_endpoints_they_hit(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        @pytest.mark.stripe_error("not_found", endpoint="*")
        def test_every_endpoint(stripe_client, account_links):
            with pytest.raises(stripe.InvalidRequestError):
                stripe_client.v2.core.account_links.create(ONBOARDING)

        @pytest.mark.stripe_error("not_found", endpoint=["v2.core.events.retrieve"])
        def test_a_list(stripe_client, account_links):
            notification = completed_event(stripe_client, account_links)
            with pytest.raises(stripe.InvalidRequestError):
                notification.fetch_event()

        def test_the_methods_take_endpoint(stripe_client, account_links):
            account_links.fail_next("not_found", endpoint="v2.core.events.retrieve")
            notification = completed_event(stripe_client, account_links)
            with pytest.raises(stripe.InvalidRequestError):
                notification.fetch_event()
            account_links.clock.freeze()
            account_links.rate_limit(1, endpoint="*", per="total")
            notification.fetch_event()
            with pytest.raises(stripe.RateLimitError):
                notification.fetch_event()

        def test_script_and_override_too(stripe_client, account_links):
            account_links.script(504, endpoint="v2.core.events.retrieve")
            account_links.override_next(type="v2.core.account_link.renamed",
                                        endpoint="v2.core.events.retrieve")
            notification = completed_event(stripe_client, account_links)
            with pytest.raises(stripe.APIError):
                notification.fetch_event()
            assert notification.fetch_event().type == "v2.core.account_link.renamed"

        def test_an_unknown_endpoint_name(account_links):
            with pytest.raises(ValueError, match="did you mean 'v2.core.events.retrieve'"):
                account_links.outage(endpoint="v2.core.event.retrieve")
        """,
        passed=5,
    )


def test_the_report_shows_every_exchange(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        def test_fails(stripe_client, account_links):
            completed_event(stripe_client, account_links).fetch_event()
            assert False
        """,
        "-v",
        failed=1,
    )
    result.stdout.fnmatch_lines(
        [
            "*account-links: 2 calls (seed 0)*",
            "1  v2.core.account_links.create  /v2/core/account_links  *",
            "2  v2.core.events.retrieve       /v2/core/events/evt_test_*",
            "account-links: 2 calls faked; *",
        ]
    )


def test_the_stage_list_is_the_pipelines() -> None:
    assert [step.__name__ for step in STEPS] == [
        "injected_outage",
        "api_key",
        "stubbed_response",
        "api_version",
        "idempotency",
        "rate_limit",
        "validation",
        "user_validation",
        "injected_error",
        "endpoint_state",
        "respond",
    ]
    assert [step.__name__ for step in AFTER] == ["overrides", "keep", "remember", "record"]
    for step in (*STEPS, *AFTER):
        assert (step.__doc__ or "").strip(), f"{step.__name__} has no docstring for the docs"


def test_the_registry() -> None:
    assert [endpoint.name for endpoint in REGISTRY] == list(BY_NAME)
    for endpoint in REGISTRY:
        assert endpoint.summary
        module = endpoint.respond.__module__
        assert module.endswith(endpoint.name.replace(".", "_")), (
            f"{endpoint.name} is declared in {module}: one module an endpoint, named after it"
        )


@pytest.mark.parametrize("marker", MARKERS, ids=lambda marker: marker.name)
def test_each_markers_signature_is_its_options(marker: object) -> None:
    name, signature, options = marker.name, marker.signature, marker.options  # type: ignore[attr-defined]
    tree = ast.parse(f"def {signature}: pass")
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    assert function.name == name
    arguments = function.args
    parameters = [a.arg for a in (*arguments.args, *arguments.kwonlyargs)]
    if arguments.vararg is not None:
        parameters.insert(0, arguments.vararg.arg)
    model = _OPTIONS[options]
    fields = {info.alias or name: name for name, info in model.model_fields.items()}
    assert parameters == list(fields)
    defaults = {
        a.arg: ast.literal_eval(d)
        for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        if d is not None
    }
    defaults.update(
        zip(
            [a.arg for a in arguments.args][len(arguments.args) - len(arguments.defaults) :],
            [ast.literal_eval(d) for d in arguments.defaults],
            strict=True,
        )
    )
    for parameter, default in defaults.items():
        assert model.model_fields[fields[parameter]].default == default, parameter
