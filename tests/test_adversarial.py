"""Regressions an adversarial pass over the Accounts, events, v1 and served code found: each
failed before its fix (a traceback from inside the plugin, a key shown, state changed for
good, a control that did the wrong thing)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import pytest
import requests

from pytest_account_links.served.cli import main
from tests.conftest import OFFLINE_CONFTEST

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake
    from pytest_account_links.served.fixture import ServedFake

KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
MASKED = "sk_test_...p7dc"

HEADER = f"""
import json
import re

import pytest
import requests
import stripe

KEY = {{"Authorization": "Bearer {KEY}", "Stripe-Version": "2026-10-28.endive"}}
V2 = "https://api.stripe.com/v2/core"
V1 = "https://api.stripe.com/v1"
FORM = {{**KEY, "Content-Type": "application/x-www-form-urlencoded"}}
"""


def run(pytester: pytest.Pytester, body: str, **outcomes: int) -> pytest.RunResult:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(HEADER + textwrap.dedent(body))
    result = pytester.runpytest()
    result.assert_outcomes(**outcomes)
    return result


def test_odd_indexes_and_huge_integers_are_400s(pytester: pytest.Pytester) -> None:
    """``int()`` refuses ``²`` (which ``str.isdigit`` passes) and over 4,300 digits."""
    run(
        pytester,
        """
        @pytest.mark.parametrize(
            "url",
            [
                V2 + "/accounts?applied_configurations[²]=merchant",
                V2 + "/events?types[²]=x",
                V2 + "/accounts?limit=" + "9" * 5000,
                V2 + "/events?types[" + "9" * 5000 + "]=x",
                V1 + "/accounts?expand[²]=x",
                V1 + "/accounts?limit=" + "9" * 5000,
            ],
        )
        def test_query(account_links, url):
            response = requests.get(url, headers=KEY)
            assert response.status_code == 400, response.text
            assert response.json()["error"]["message"]
            assert len(account_links.all_calls) == 1
        """,
        passed=6,
    )


def test_v1_bodies_that_crashed_are_v1_400s(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        BASE = "type=custom&capabilities[transfers][requested]=true"

        @pytest.mark.parametrize("date", ["99999999999999", "-5"])
        def test_tos_date_out_of_range(account_links, date):
            response = requests.post(
                V1 + "/accounts", data=BASE + "&tos_acceptance[date]=" + date, headers=FORM
            )
            assert response.status_code == 400
            error = response.json()["error"]
            assert (error["code"], error["param"]) == (
                "parameter_invalid_integer", "tos_acceptance[date]"
            )
            assert len(account_links.accounts) == 0  # nothing half-written

        def test_link_url_that_urlsplit_refuses(account_links):
            account = requests.post(V1 + "/accounts", data="type=express", headers=FORM).json()
            response = requests.post(
                V1 + "/account_links",
                data={"account": account["id"], "type": "account_onboarding",
                      "refresh_url": "http://[::1", "return_url": "https://x.example"},
                headers=KEY,
            )
            assert response.status_code == 400
            assert response.json()["error"]["param"] == "refresh_url"

        def test_a_deeply_nested_form(account_links):
            response = requests.post(
                V1 + "/accounts", data="type=express&metadata" + "[a]" * 5000 + "=1", headers=FORM
            )
            assert response.status_code == 400
            assert response.json()["error"]["param"].startswith("metadata[a]")
        """,
        passed=4,
    )


def test_recorded_bodies_mask_keys_the_bytes_hid(pytester: pytest.Pytester) -> None:
    """A key percent-encoded in a form or ``\\u``-escaped in JSON is a key once parsed."""
    run(
        pytester,
        f"""
        def test_form(account_links):
            requests.post(
                V1 + "/accounts", data="type=express&metadata[note]=%73{KEY[1:]}", headers=FORM
            )
            call = account_links.all_calls[-1]
            assert call.body["metadata"]["note"] == "{MASKED}"
            assert "{KEY}" not in repr(call.request) + repr(call.body)

        def test_json(account_links):
            body = '{{"display_name": "\\\\u0073{KEY[1:]}"}}'
            headers = {{**KEY, "Content-Type": "application/json"}}
            requests.post(V2 + "/accounts", data=body, headers=headers)
            call = account_links.all_calls[-1]
            assert call.body == {{"display_name": "{MASKED}"}}
            assert call.request == {{"display_name": "{MASKED}"}}
        """,
        passed=2,
    )


def test_a_refused_event_is_handed_over_again(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        from pytest_account_links import WebhookDeliveryError

        def test_retry(account_links, stripe_client):
            for name in ("A", "B", "C"):
                stripe_client.v2.core.accounts.create({"display_name": name})
            seen, refuse = [], [True]

            class Answer:
                def __init__(self, status_code):
                    self.status_code = status_code

            def handler(payload, headers):
                seen.append(json.loads(payload)["id"])
                return Answer(500 if refuse.pop() else 200) if refuse else Answer(200)

            with pytest.raises(WebhookDeliveryError):
                account_links.deliver_events(handler)
            delivered = account_links.deliver_events(handler)
            ids = [event.id for event in account_links.events]
            assert seen == [ids[0], *ids]  # the refused one again, then the rest
            assert [event.id for event, _ in delivered] == ids
        """,
        passed=1,
    )


def test_an_override_of_an_event_changes_one_answer(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_override(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({"display_name": "A"})
            event = account_links.events[0]
            payload = event.payload

            def rewrite(body):
                body["related_object"]["id"] = "acct_overridden"

            account_links.override_next(rewrite, endpoint="v2.core.events.retrieve")
            assert stripe_client.v2.core.events.retrieve(event.id).related_object.id == (
                "acct_overridden"
            )
            assert stripe_client.v2.core.events.retrieve(event.id).related_object.id == made.id
            assert event.payload == payload
            assert json.loads(event.payload)["related_object"]["id"] == made.id

        @pytest.mark.stripe_error("configs_must_match_to_use_account_links")
        def test_catalogue_defaults_are_copies(account_links):
            link = {"account": "acct_1Nv0FGQ9RKHgCVdK", "use_case": {"type": "account_onboarding",
                    "account_onboarding": {"refresh_url": "https://x.example/r"}}}
            requests.post(V2 + "/account_links", json=link, headers=KEY)
            account_links.all_calls[-1].response["error"]["applied_configurations"].append("x")
            from pytest_account_links.errors import CATALOGUE

            spec = CATALOGUE["configs_must_match_to_use_account_links"]
            assert spec.extras["applied_configurations"] == ["recipient"]
        """,
        passed=2,
    )


def test_state_helpers_refuse_what_they_cannot_do(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        RECIPIENT = {"capabilities": {"stripe_balance": {"stripe_transfers": {"requested": True}}}}

        def test_require(account_links):
            seller = account_links.accounts.add(configurations=["recipient"])
            with pytest.raises(ValueError, match="has the configurations recipient"):
                seller.require("identity.individual.id_numbers", configuration="merchnat")
            with pytest.raises(TypeError, match="at least one requirement"):
                seller.require()

        def test_set_capability(account_links):
            seller = account_links.accounts.add(configurations=["recipient"])
            with pytest.raises(ValueError, match="has no merchant configuration"):
                seller.set_capability("merchant", "card_payments", "active")
            with pytest.raises(TypeError, match="the capability is a name"):
                seller.set_capability("recipient", ["x"], "active")
            assert seller.configurations == ("recipient",)

        def test_a_status_the_test_set_stays(account_links, stripe_client):
            recipient = {"configuration": {"recipient": RECIPIENT}}
            made = stripe_client.v2.core.accounts.create(recipient)
            link = stripe_client.v2.core.account_links.create({"account": made.id, "use_case": {
                "type": "account_onboarding",
                "account_onboarding": {"refresh_url": "https://x.example/r"}}})
            account_links.visit(link)
            seller = account_links.accounts[made.id]
            seller.set_capability("recipient", "stripe_balance.stripe_transfers", "restricted")
            stripe_client.v2.core.accounts.update(made.id, {"metadata": {"a": "b"}})
            assert seller.capability("recipient", "stripe_balance.stripe_transfers") == (
                "restricted"
            )

        def test_changes_need_a_completed_visit(account_links, stripe_client):
            made = stripe_client.v2.core.accounts.create({"display_name": "A"})
            link = stripe_client.v2.core.account_links.create({"account": made.id, "use_case": {
                "type": "account_update",
                "account_update": {"refresh_url": "https://x.example/r"}}})
            with pytest.raises(ValueError, match="changes nothing"):
                account_links.visit(link, outcome="abandoned", changes={"display_name": "B"})
            assert account_links.visits == []  # not used up
        """,
        passed=4,
    )


def test_times_are_rfc_3339_and_answered_as_stripe_writes_them(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        from tests.openapi import check_account

        def tos(date):
            return {"identity": {"attestations": {"terms_of_service": {
                "account": {"date": date, "ip": "203.0.113.7"}}}}, "include": ["identity"]}

        @pytest.mark.parametrize("date", ["2024-01-01", "20240101", "2024-W01-1T00"])
        def test_not_rfc_3339(account_links, date):
            response = requests.post(V2 + "/accounts", json=tos(date), headers=KEY)
            assert response.status_code == 400
            assert "expected an RFC 3339 date and time" in response.json()["error"]["message"]

        def test_an_offset_is_answered_in_utc(account_links):
            response = requests.post(V2 + "/accounts", json=tos("2024-01-01T10:00:00+02:00"),
                                     headers=KEY)
            check_account(response.json())
            attested = response.json()["identity"]["attestations"]["terms_of_service"]
            assert attested["account"]["date"] == "2024-01-01T08:00:00.000Z"

        def test_events_list_created_filter(account_links):
            response = requests.get(V2 + "/events?created[gt]=2024-01-01", headers=KEY)
            assert response.status_code == 400
        """,
        passed=5,
    )


# -- the served fake -----------------------------------------------------------------------


def test_the_expire_control_expires_a_v1_link(
    account_links: AccountLinksFake, account_links_server: ServedFake
) -> None:
    served = account_links_server
    account = served.client.v1.accounts.create({"type": "express", "country": "US"})
    link = served.client.v1.account_links.create(
        {
            "account": account.id,
            "type": "account_onboarding",
            "refresh_url": "https://x.example/refresh",
            "return_url": "https://x.example/return",
        }
    )
    token = link.url.rsplit("/", 1)[1]
    # The page's form: the link's token and the form token the page got for it.
    form_token = requests.get(f"{served.url}/_account_links/links/{token}").json()["form_token"]
    answer = requests.post(
        served.url + "/_account_links/visit",
        data={
            "account": account.id,
            "token": token,
            "form_token": form_token,
            "outcome": "expired",
        },
        allow_redirects=False,
    )
    assert answer.headers["Location"] == "https://x.example/refresh"
    assert [visit.outcome for visit in account_links.visits] == ["expired"]
    assert account_links.accounts[account.id].completed == []


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("POST", "fail_next", {"json": {"code": KEY}}),
        ("POST", "fail_next", {"json": {"code": "not_found", "endpoint": KEY}}),
        ("POST", "fail_next", {"json": {KEY: 1}}),
        ("POST", "fail_next", {"data": KEY}),
        ("POST", "outage", {"json": {"kind": KEY}}),
        ("POST", "visit", {"json": {"url": KEY}}),
        ("POST", "visit", {"json": {"outcome": KEY}}),
        ("GET", f"nope{KEY}", {}),
    ],
)
def test_control_endpoints_never_echo_a_key(
    account_links: AccountLinksFake,
    account_links_server: ServedFake,
    method: str,
    path: str,
    kwargs: dict[str, Any],
) -> None:
    answer = requests.request(method, f"{account_links_server.url}/_account_links/{path}", **kwargs)
    assert answer.status_code >= 400
    assert KEY not in answer.text
    page = requests.get(f"{account_links_server.url}/r/{KEY}")
    assert KEY not in page.text
    assert KEY not in requests.get(f"{account_links_server.url}/x/{KEY}").text


def test_the_serve_command_refuses_a_port_out_of_range_and_masks_keys(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for argv in (["serve", "--port", "99999"], ["serve", "--port", "-1"]):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2
        assert "a port is 0 (a free one) to 65535" in capsys.readouterr().err
    for option in ("--api-version", "--seed"):
        assert main(["serve", option, KEY]) == 2
        err = capsys.readouterr().err
        assert KEY not in err
        assert MASKED in err
    with pytest.raises(SystemExit):
        main(["serve", "--port", KEY])
    err = capsys.readouterr().err
    assert KEY not in err
