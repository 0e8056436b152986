"""Many threads, or many coroutines, on one fake: every call answered and recorded once."""

from __future__ import annotations

import asyncio
import re
import threading
from collections import Counter
from typing import TYPE_CHECKING, Any

import aiohttp
import httpx
import pytest
import requests

from tests.conftest import ONBOARDING

if TYPE_CHECKING:
    from pytest_account_links import AccountLinksFake

URL = "https://api.stripe.com/v2/core/account_links"
AUTH = {"Authorization": "Bearer sk_test_4eC39HqLyjWDarjtT1zdp7dc"}
THREADS, PER_THREAD, CONCURRENT = 16, 200, 1000


def _check(account_links: AccountLinksFake, replies: list[tuple[int, dict[str, Any]]]) -> None:
    total = len(replies)
    assert [status for status, _ in replies] == [200] * total
    urls = [body["url"] for _, body in replies]
    tokens = [url.split("#", 1)[1] for url in urls]
    assert all(re.fullmatch(r"alu_test_[A-Za-z0-9]{44}", token) for token in tokens)
    assert len(set(tokens)) == total, "two calls got the same link token"
    assert len(account_links.calls) == total
    recorded = Counter(call.response["url"] for call in account_links.calls)
    assert recorded == Counter(urls), "a call was recorded twice, or not at all"
    assert len({call.request_id for call in account_links.calls}) == total


@pytest.mark.parametrize("library", ["requests", "httpx"])
def test_threads_on_one_fake(account_links: AccountLinksFake, library: str) -> None:
    replies: list[tuple[int, dict[str, Any]]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker() -> None:
        try:
            client: Any = requests.Session() if library == "requests" else httpx.Client()
            with client:
                start.wait()
                for _ in range(PER_THREAD):
                    response = client.post(URL, json=ONBOARDING, headers=AUTH)
                    with lock:
                        replies.append((response.status_code, response.json()))
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(replies) == THREADS * PER_THREAD
    _check(account_links, replies)


async def _httpx_calls() -> list[tuple[int, dict[str, Any]]]:
    limits = httpx.Limits(max_connections=None)
    async with httpx.AsyncClient(limits=limits) as client:
        responses = await asyncio.gather(
            *(client.post(URL, json=ONBOARDING, headers=AUTH) for _ in range(CONCURRENT))
        )
    return [(r.status_code, r.json()) for r in responses]


async def _aiohttp_calls() -> list[tuple[int, dict[str, Any]]]:
    async with aiohttp.ClientSession() as session:

        async def one() -> tuple[int, dict[str, Any]]:
            async with session.post(URL, json=ONBOARDING, headers=AUTH) as response:
                return response.status, await response.json()

        return list(await asyncio.gather(*(one() for _ in range(CONCURRENT))))


@pytest.mark.parametrize("library", ["httpx", "aiohttp"])
def test_concurrent_async_calls(account_links: AccountLinksFake, library: str) -> None:
    calls = _httpx_calls if library == "httpx" else _aiohttp_calls

    replies = asyncio.run(calls())

    assert len(replies) == CONCURRENT
    _check(account_links, replies)


def test_injected_failures_are_counted_exactly_under_threads(
    account_links: AccountLinksFake,
) -> None:
    account_links.fail_next("not_found", times=500)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        with requests.Session() as session:
            for _ in range(100):
                status = session.post(URL, json=ONBOARDING, headers=AUTH).status_code
                with lock:
                    statuses.append(status)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(statuses) == {404: 500, 200: 500}
