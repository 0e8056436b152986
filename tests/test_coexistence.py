"""The fake and your own mocks, in any order: the fake answers its endpoints, your mock
answers what it matches, and no pass-through of any kind reaches Stripe."""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import OFFLINE_CONFTEST, ONBOARDING

HEADER = f"""
import asyncio

import httpx
import pytest
import requests
import stripe

from pytest_account_links import UnfakedRequestError

URL = "https://api.stripe.com/v2/core/account_links"
BALANCE = "https://api.stripe.com/v1/balance"
AUTH = {{"Authorization": "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc"}}
ONBOARDING = {ONBOARDING!r}
MY_BALANCE = {{"object": "balance", "available": [{{"amount": 1000, "currency": "usd"}}]}}


def sdk_link():
    client = stripe.StripeClient("sk_test_4eC39HqLyjWDarjtT1zdp7dc")
    return client.v2.core.account_links.create(ONBOARDING)
"""


def run(pytester: pytest.Pytester, body: str, *args: str, **outcomes: int) -> pytest.RunResult:
    pytester.makeconftest(OFFLINE_CONFTEST)
    pytester.makepyfile(HEADER + textwrap.dedent(body))
    result = pytester.runpytest(*args)
    result.assert_outcomes(**outcomes)
    return result


def test_responses(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        import responses

        @pytest.fixture
        def my_stub():
            with responses.RequestsMock() as mock:
                mock.get(BALANCE, json=MY_BALANCE)
                mock.add_passthru("https://api.stripe.com/v1/customers")
                yield mock

        def test_mine_started_first(my_stub, account_links):
            assert requests.get(BALANCE, headers=AUTH).json() == MY_BALANCE
            assert sdk_link().account == "acct_1Nv0FGQ9RKHgCVdK"
            with pytest.raises(UnfakedRequestError):  # its pass-through: still not sent
                requests.get("https://api.stripe.com/v1/customers", headers=AUTH)
            account_links.unfaked.clear()

        def test_mine_started_inside(account_links):
            with responses.RequestsMock() as mock:
                mock.get(BALANCE, json=MY_BALANCE)
                assert requests.get(BALANCE, headers=AUTH).json() == MY_BALANCE
                assert requests.post(URL, json=ONBOARDING, headers=AUTH).status_code == 200
            assert len(account_links.calls) == 1
        """,
        passed=2,
    )


def test_respx(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        import respx

        @pytest.fixture
        def my_router():
            with respx.mock(assert_all_called=True) as router:
                router.get(BALANCE).respond(json=MY_BALANCE)
                router.route(host="api.stripe.com", path="/v1/customers").pass_through()
                yield router

        def test_mine_started_first(my_router, account_links):
            assert httpx.get(BALANCE, headers=AUTH).json() == MY_BALANCE
            assert httpx.post(URL, json=ONBOARDING, headers=AUTH).status_code == 200
            with pytest.raises(UnfakedRequestError):  # its pass-through: still not sent
                httpx.get("https://api.stripe.com/v1/customers", headers=AUTH)
            account_links.unfaked.clear()

        def test_mine_started_inside_async(account_links):
            async def both():
                with respx.mock:
                    respx.get(BALANCE).respond(json=MY_BALANCE)
                    async with httpx.AsyncClient() as client:
                        mine = await client.get(BALANCE, headers=AUTH)
                        link = await client.post(URL, json=ONBOARDING, headers=AUTH)
                return mine.json(), link.status_code

            assert asyncio.run(both()) == (MY_BALANCE, 200)
        """,
        passed=2,
    )


def test_pytest_httpx(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        def test_both(httpx_mock, account_links):
            httpx_mock.add_response(url=BALANCE, json=MY_BALANCE)
            assert httpx.get(BALANCE, headers=AUTH).json() == MY_BALANCE
            assert httpx.post(URL, json=ONBOARDING, headers=AUTH).status_code == 200
            assert len(account_links.calls) == 1

        def test_fake_first(account_links, httpx_mock):
            httpx_mock.add_response(url=BALANCE, json=MY_BALANCE)
            assert httpx.post(URL, json=ONBOARDING, headers=AUTH).status_code == 200
            assert httpx.get(BALANCE, headers=AUTH).json() == MY_BALANCE
        """,
        passed=2,
    )


def _aioresponses_works() -> bool:
    """aioresponses 0.7.9 cannot build a response on aiohttp 3.14 (its ClientResponse gained
    a required argument); CI runs this module's aioresponses test on aiohttp 3.13 too."""
    import asyncio

    import aiohttp
    from aioresponses import aioresponses

    async def probe() -> bool:
        with aioresponses() as mocked:
            mocked.get("http://probe.invalid/", payload={})
            async with aiohttp.ClientSession() as session:
                try:
                    await session.get("http://probe.invalid/")
                except TypeError:
                    return False
        return True

    return asyncio.run(probe())


@pytest.mark.skipif(
    not _aioresponses_works(),
    reason="aioresponses cannot build responses on this aiohttp (its own bug); the "
    "aiohttp-3.13 step of .ci/run runs this test",
)
def test_aioresponses(pytester: pytest.Pytester) -> None:
    run(
        pytester,
        """
        import aiohttp
        from aioresponses import aioresponses

        def test_both(account_links):
            async def both():
                with aioresponses(passthrough=["https://api.stripe.com/v1/customers"]) as mine:
                    mine.get(BALANCE, payload=MY_BALANCE)
                    async with aiohttp.ClientSession() as session:
                        async with session.get(BALANCE, headers=AUTH) as answer:
                            balance = await answer.json()
                        async with session.post(URL, json=ONBOARDING, headers=AUTH) as answer:
                            status = answer.status
                        with pytest.raises(UnfakedRequestError):
                            await session.get("https://api.stripe.com/v1/customers", headers=AUTH)
                return balance, status

            assert asyncio.run(both()) == (MY_BALANCE, 200)
            account_links.unfaked.clear()
        """,
        passed=1,
    )
