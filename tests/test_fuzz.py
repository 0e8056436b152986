"""Any request, however odd, gets a Stripe-shaped answer or a clear refusal, and no key shows.

A hypothesis fuzz of what a test or an application can send through ``requests`` and
``httpx``: bodies (valid, mutated, random JSON, deeply nested, up to 10 MB, invalid
UTF-8), header values as ``str`` or ``bytes`` (keys, versions, idempotency keys, with
non-ASCII bytes), keys hidden in every place. Each example asserts that the answer is
Stripe's v2 shape (an Account Link, or ``{"error": {"code", "message", ...}}``) or the
request was refused with ``UnfakedRequestError``, that nothing else was raised, and that
no full key shows in the answer, the recorded call, the report or the exception.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import requests
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pytest_account_links import UnfakedRequestError
from pytest_account_links.harness.report import render
from tests.conftest import ONBOARDING

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake

#: Examples per run: enough to reach every branch several times (about 20 s here).
EXAMPLES = 400

SECRET = "Fz9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LzXcVbNm1234"
KEYS = [f"sk_live_{SECRET}", f"sk_test_{SECRET}", f"rk_live_{SECRET}", f"rk_test_{SECRET}"]
URL = "https://api.stripe.com/v2/core/account_links"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def _mutated(value: Any, path: list[str], replacement: Any) -> Any:
    copy = json.loads(json.dumps(value))
    target = copy
    for part in path[:-1]:
        target = target[part]
    if replacement is _DELETE:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = replacement
    return copy


_DELETE = object()
_PATHS = [
    ["account"],
    ["use_case"],
    ["use_case", "type"],
    ["use_case", "account_onboarding"],
    ["use_case", "account_onboarding", "refresh_url"],
    ["use_case", "account_onboarding", "return_url"],
    ["use_case", "account_onboarding", "configurations"],
    ["use_case", "account_onboarding", "collection_options"],
    ["extra"],
]


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(
        st.sampled_from(["valid", "mutated", "random", "deep", "large", "binary", "key", "latin1"])
    )
    event(f"body: {kind}")
    if kind == "valid":
        return json.dumps(ONBOARDING).encode()
    if kind == "mutated":
        path = draw(st.sampled_from(_PATHS))
        replacement = draw(st.just(_DELETE) | json_values | st.sampled_from(KEYS))
        return json.dumps(_mutated(ONBOARDING, path, replacement)).encode()
    if kind == "random":
        return json.dumps(draw(json_values)).encode()
    if kind == "deep":
        depth = draw(st.integers(1, 200_000))
        opener, closer = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
        return opener * depth + b"1" + closer * depth
    if kind == "large":
        size = draw(st.integers(0, 10_000_000))
        return b'{"account": "acct_1", "pad": "' + b"x" * size + b'"}'
    if kind == "key":
        return json.dumps({**ONBOARDING, "account": draw(st.sampled_from(KEYS))}).encode()
    if kind == "latin1":
        return '{"account": "acct_\u00e9"}'.encode("latin-1")
    return draw(st.binary(max_size=200))


def header_value(text: st.SearchStrategy[str]) -> st.SearchStrategy[str | bytes]:
    return st.one_of(
        text,
        text.map(lambda value: value.encode("utf-8")),
    )


@st.composite
def headers(draw: st.DrawFn) -> dict[str, str | bytes]:
    found: dict[str, str | bytes] = {}
    printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300)
    auth = draw(st.sampled_from(["good"] * 6 + ["odd", "none"]))
    if auth == "good":
        found["Authorization"] = draw(
            header_value(st.sampled_from(KEYS).map(lambda key: "Bearer " + key))
        )
    elif auth == "odd":
        key = draw(st.sampled_from([*KEYS, "sk_test_short", "pk_test_xyz", ""]) | printable)
        scheme = draw(st.sampled_from(["Bearer ", "Basic ", "bearer ", ""]))
        found["Authorization"] = draw(header_value(st.just(scheme + key)))
    if draw(st.integers(0, 3)) == 0:
        version = draw(
            st.sampled_from(
                ["2026-10-28.endive", "2025-12-15.preview", "2024-06-20", "2026-02-30.endive"]
            )
            | printable
        )
        found["Stripe-Version"] = draw(header_value(st.just(version)))
    if draw(st.booleans()):
        found["Idempotency-Key"] = draw(
            header_value(st.sampled_from(KEYS) | printable)
            | st.binary(min_size=1, max_size=40).filter(lambda b: b"\r" not in b and b"\n" not in b)
        )
    return found


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    library=st.sampled_from(["requests", "httpx"]),
    target=st.sampled_from(
        [
            URL,
            URL,
            URL,
            "https://api.stripe.com/v1/balance",
            f"https://{KEYS[0]}:@api.stripe.com/v2/core/account_links",
        ]
    ),
    body=bodies(),
    sent=headers(),
)
def test_any_request_gets_a_stripe_answer_or_a_clear_refusal(
    account_links: AccountLinksFake,
    library: str,
    target: str,
    body: bytes,
    sent: dict[str, str | bytes],
) -> None:
    calls_before = len(account_links.calls)
    try:
        if library == "requests":
            answer = requests.post(target, data=body, headers=sent, timeout=5)
            status, text, answer_headers = answer.status_code, answer.text, dict(answer.headers)
        else:
            if "@" in target:
                return  # httpx moves userinfo into Basic auth itself: covered by requests
            reply = httpx.post(target, content=body, headers=sent)  # type: ignore[arg-type]
            status, text, answer_headers = reply.status_code, reply.text, dict(reply.headers)
    except UnfakedRequestError as refused:
        message = str(refused)
        _no_key(message, repr(refused))
        account_links.unfaked.clear()
        assert "/v1/balance" in target
        assert "is not faked" in message
        return
    except (httpx.LocalProtocolError, requests.exceptions.InvalidHeader):
        # The library refused to build the request (an illegal header value) before
        # anything reached the fake.
        assert len(account_links.calls) == calls_before
        return

    answered = json.loads(text)
    event(f"answer: {status} {answered.get('error', {}).get('code', '')}")
    if status == 200:
        assert answered["object"] == "v2.core.account_link"
    else:
        error = answered["error"]
        assert isinstance(error["code"], str)
        assert isinstance(error["message"], str)
        assert status in (400, 401, 403, 404, 409, 429)
    call = account_links.calls.last
    assert call.status == status
    _no_key(text, json.dumps(answer_headers), repr(call), str(call.headers), call.url)
    _no_key(repr(call.body)[:100_000], call.raw_body.decode("latin-1")[:100_000])
    _no_key(*render(account_links._store))


def _no_key(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text


@pytest.mark.parametrize("depth", [1_000, 100_000, 1_000_000])
def test_any_depth_of_nesting_is_a_400(account_links: AccountLinksFake, depth: int) -> None:
    body = b"[" * depth + b"]" * depth

    response = requests.post(URL, data=body, headers={"Authorization": f"Bearer {KEYS[1]}"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_fields"
