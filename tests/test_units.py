"""The core, called without any HTTP library: endpoint, keys, versions, hosts, clock."""

from __future__ import annotations

import functools
import json
import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_account_links import Clock
from pytest_account_links.api.generations.v2 import V2
from pytest_account_links.api.pipeline import run
from pytest_account_links.api.registry import BY_NAME, route
from pytest_account_links.core.secrets import mask_authorization, mask_key
from pytest_account_links.core.versions import parse_version
from pytest_account_links.core.wire import WireRequest, WireResponse, is_stripe_host
from pytest_account_links.errors import CATALOGUE
from pytest_account_links.harness.fake import FakeFactory
from tests.conftest import ONBOARDING

if TYPE_CHECKING:
    from pytest_account_links.domain.store import Store

URL = "https://api.stripe.com/v2/core/account_links"
LINKS = BY_NAME["v2.core.account_links.create"]


@functools.cache
def _factory() -> FakeFactory:
    return FakeFactory()


def _store() -> Store:
    return _factory().store_for("tests/test_units.py::unit")


@pytest.fixture
def store() -> Store:
    return _store()


def _request(body: bytes, **headers: str) -> WireRequest:
    return WireRequest(
        method="POST",
        url=URL,
        headers={"authorization": "Bearer sk_test_1", **headers},
        body=body,
    )


def _answer(request: WireRequest, store: Store) -> tuple[dict[str, object], WireResponse]:
    call, response = run(request, LINKS, {}, store)
    return call.response, response


def test_the_pipeline_is_a_plain_function(store: Store) -> None:
    store.clock.freeze(datetime(2025, 3, 27, 17, 15, 18, tzinfo=timezone.utc))

    call, response = run(_request(json.dumps(ONBOARDING).encode()), LINKS, {}, store)

    assert response.status == 200
    assert json.loads(response.body) == call.response
    assert call.response["created"] == "2025-03-27T17:15:18.000Z"
    assert call.response["expires_at"] == "2025-03-27T17:25:18.000Z"
    assert call.request is not None
    assert call.endpoint == "v2.core.account_links.create"
    assert response.headers["Request-Id"] == call.request_id
    assert store.calls.every == [call]


def test_key_is_checked_before_the_body(store: Store) -> None:
    request = WireRequest(method="POST", url=URL, headers={}, body=b"not json")

    assert _answer(request, store)[1].status == 401


def test_version_is_checked_before_the_body(store: Store) -> None:
    body, _ = _answer(_request(b"not json", **{"stripe-version": "bad"}), store)

    assert body["error"]["code"] == "invalid_api_version"  # type: ignore[index]


@pytest.mark.parametrize(
    ("method", "url", "found"),
    [
        ("POST", URL, ("v2.core.account_links.create", {})),
        (
            "POST",
            "https://api.stripe.com:443/v2/core/account_links",
            ("v2.core.account_links.create", {}),
        ),
        (
            "GET",
            "https://api.stripe.com/v2/core/events/evt_1?x=1",
            ("v2.core.events.retrieve", {"id": "evt_1"}),
        ),
        ("GET", URL, None),
        ("POST", "http://api.stripe.com/v2/core/account_links", None),
        ("POST", "https://files.stripe.com/v2/core/account_links", None),
        ("GET", "https://api.stripe.com/v2/core/events/evt_1/more", None),
        ("GET", "https://api.stripe.com/v2/core/events/", None),
        ("POST", "https://api.stripe.com:8443/v2/core/account_links", None),
        ("POST", "https://[::1/v2/core/account_links", None),
    ],
)
def test_routing_is_by_method_and_path(
    method: str, url: str, found: tuple[str, dict[str, str]] | None
) -> None:
    routed = route(method, url)

    assert (None if routed is None else (routed[0].name, routed[1])) == found


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "account",
                    "use_case",
                    "type",
                    "account_onboarding",
                    "account_update",
                    "refresh_url",
                    "return_url",
                    "configurations",
                    "collection_options",
                    "fields",
                    "x",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    body=st.one_of(JSON.map(lambda v: json.dumps(v).encode()), st.binary(max_size=40)),
    version=st.sampled_from(["2025-12-15.preview", "2026-10-28.endive", "x", ""]),
    authorization=st.sampled_from(["Bearer sk_test_1", "Bearer sk_live_2", "", "Bearer", "x y z"]),
)
def test_whatever_is_sent_gets_a_stripe_shaped_answer(
    body: bytes, version: str, authorization: str
) -> None:
    request = WireRequest(
        method="POST",
        url=URL,
        headers={"authorization": authorization, "stripe-version": version},
        body=body,
    )

    _, response = _answer(request, _store())

    decoded = json.loads(response.body)
    if response.status == 200:
        assert decoded["object"] == "v2.core.account_link"
    else:
        assert response.status in (400, 401)
        assert set(decoded) == {"error"}
        assert decoded["error"]["code"] in CATALOGUE
        assert decoded["error"]["message"]


@pytest.mark.parametrize(
    ("key", "masked"),
    [
        ("sk_test_BQokikJOvBiI2HlWgH4olfQ2", "sk_test_...lfQ2"),
        ("rk_live_abcdefghijklmnop", "rk_live_...mnop"),
        ("sk_test_short", "sk_test_..."),
        ("whsec_abcdefghijklmnopqrstu", "...rstu"),
        ("secret", "***"),
        ("", "***"),
    ],
)
def test_mask_key_never_shows_the_secret(key: str, masked: str) -> None:
    assert mask_key(key) == masked


def test_mask_authorization() -> None:
    assert mask_authorization("Bearer sk_test_BQokikJOvBiI2HlWgH4olfQ2") == "Bearer sk_test_...lfQ2"
    assert mask_authorization("sk_test_BQokikJOvBiI2HlWgH4olfQ2") == "sk_test_...lfQ2"


@pytest.mark.parametrize(
    ("raw", "takes_configurations"),
    [
        ("2025-12-15.preview", True),
        ("2026-08-26.dahlia", True),
        ("2024-06-20", True),
        ("2026-09-30.endive", False),
        ("2026-09-30.preview", False),
        ("2026-10-28.endive", False),
    ],
)
def test_configurations_depend_on_the_version_date(raw: str, takes_configurations: bool) -> None:
    assert parse_version(raw).takes_configurations is takes_configurations


@pytest.mark.parametrize(
    "raw",
    [
        "2099-01-01.endive",
        "2026-10-28.zinnia",
        "2025-12-15.basil",
        "2025-12-16.clover",
        "2026-11-25.endive",
        "2025-12-16.preview",
        "2023-10-17",
        "2026-02-30.endive",
        "\uff12\uff10\uff12\uff16-10-28.endive",
        "latest",
    ],
)
def test_unknown_or_malformed_versions_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"Invalid Stripe API version: {raw}")):
        parse_version(raw)


@pytest.mark.parametrize(
    ("host", "stripe"),
    [
        ("api.stripe.com", True),
        ("API.STRIPE.COM", True),
        ("connect.stripe.com", True),
        ("files.stripe.com", True),
        ("meter-events.stripe.com", True),
        ("accounts.stripe.com", True),
        ("stripe.com", True),
        ("api.stripe.com.", True),
        ("notstripe.com", False),
        ("stripe.com.example.org", False),
        ("example.com", False),
        ("", False),
        (None, False),
    ],
)
def test_stripe_hosts(host: str | None, stripe: bool) -> None:
    assert is_stripe_host(host) is stripe


def test_clock_freezes_and_advances() -> None:
    clock = Clock()
    start = clock.freeze(datetime(2025, 1, 1, 12, 0))

    assert start == datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert clock.advance(minutes=11) == start + timedelta(minutes=11)
    assert clock.advance(timedelta(seconds=1)) == start + timedelta(minutes=11, seconds=1)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(minutes=-1)
    clock.unfreeze()
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_error_body_follows_the_catalogue() -> None:
    def error_body(code: str, **extras: object) -> dict[str, dict[str, object]]:
        body: dict[str, dict[str, object]] = V2.error_body(CATALOGUE[code], None, dict(extras))
        return body

    assert error_body("not_found") == {
        "error": {"code": "not_found", "message": "The resource wasn't found."}
    }
    body = error_body(
        "configs_must_match_to_use_account_links", applied_configurations=["merchant"]
    )
    assert body["error"]["applied_configurations"] == ["merchant"]
    assert body["error"]["user_message"]
    assert error_body("account_rate_limit_exceeded")["error"]["type"] == "rate_limit"


@pytest.mark.parametrize(
    "url",
    [
        "https://api.stripe.com/v2/core/account_links",
        "https://api.stripe.com/v2/core/account_links?expand=x",
        "https://api.stripe.com/v2/core/account_links#frag?x",
        "https://api.stripe.com/v2/core/accounts/acct_1?include[0]=requirements",
        "https://api.stripe.com/v2/core/accounts/acct%5F1",
        "https://api.stripe.com/v2/core/accounts/a b",
        "https://api.stripe.com/v2/core/account_links\t",
        "https://api.stripe.com/v2/core/account\nlinks",
        "https://api.stripe.com/v2/core/events/\u00e9",
        "https://api.stripe.com//v2/core/account_links",
        "https://api.stripe.com/v2/core/accounts/acct_1/close",
        "https://api.stripe.com/v1/accounts/acct_1",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_url_is_routed_as_urlsplit_reads_it(
    method: str, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pytest_account_links.api import registry

    fast = registry.route(method, url)
    monkeypatch.setattr(registry, "_PLAIN_PREFIX", "\0 (no URL starts so)")

    assert fast == registry.route(method, url)
    if fast is not None:  # each request its own parameters, never another's dict
        assert fast.path is not registry.route(method, url).path  # type: ignore[union-attr]
