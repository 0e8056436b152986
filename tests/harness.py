"""One interface over every HTTP library the fake intercepts, for the transport matrix.

Each harness sends plain requests through its library and creates account links
through the official SDK configured to use that library.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
import requests
import stripe

TRANSPORTS = ["requests", "httpx", "httpx_async", "aiohttp"]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class Harness:
    name: str
    #: What the library raises for a refused connection, and for a read timeout.
    connection_error: type[BaseException]
    timeout_error: type[BaseException]

    def request(
        self, method: str, url: str, *, body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        raise NotImplementedError

    def post(self, url: str, body: Any, headers: dict[str, str] | None = None) -> Reply:
        return self.request("POST", url, body=body, headers=headers)

    def create(self, api_key: str, params: Any, **client_options: Any) -> Any:
        """``client.v2.core.account_links.create(params)`` through this library."""
        raise NotImplementedError


def _create_async(
    http_client: Any, api_key: str, params: Any, client_options: dict[str, Any]
) -> Any:
    """``create_async(params)`` through a fresh SDK ``http_client``, closed afterwards."""

    async def create() -> Any:
        http = http_client()
        try:
            client = stripe.StripeClient(api_key, http_client=http, **client_options)
            return await client.v2.core.account_links.create_async(params)
        finally:
            await http.close_async()

    return asyncio.run(create())


def _lower(headers: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


class RequestsHarness(Harness):
    name = "requests"
    connection_error = requests.ConnectionError
    timeout_error = requests.ReadTimeout

    def request(
        self, method: str, url: str, *, body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        response = requests.request(method, url, json=body, headers=headers, timeout=10)
        return Reply(response.status_code, _lower(response.headers), response.text)

    def create(self, api_key: str, params: Any, **client_options: Any) -> Any:
        client = stripe.StripeClient(api_key, http_client=stripe.RequestsClient(), **client_options)
        return client.v2.core.account_links.create(params)


class HttpxHarness(Harness):
    name = "httpx"
    connection_error = httpx.ConnectError
    timeout_error = httpx.ReadTimeout

    def request(
        self, method: str, url: str, *, body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        with httpx.Client() as client:
            response = client.request(method, url, json=body, headers=headers)
        return Reply(response.status_code, _lower(response.headers), response.text)

    def create(self, api_key: str, params: Any, **client_options: Any) -> Any:
        http = stripe.HTTPXClient(allow_sync_methods=True)
        try:
            client = stripe.StripeClient(api_key, http_client=http, **client_options)
            return client.v2.core.account_links.create(params)
        finally:
            http.close()  # type: ignore[no-untyped-call]


class HttpxAsyncHarness(Harness):
    name = "httpx_async"
    connection_error = httpx.ConnectError
    timeout_error = httpx.ReadTimeout

    def request(
        self, method: str, url: str, *, body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        async def send() -> Reply:
            async with httpx.AsyncClient() as client:
                response = await client.request(method, url, json=body, headers=headers)
            return Reply(response.status_code, _lower(response.headers), response.text)

        return asyncio.run(send())

    def create(self, api_key: str, params: Any, **client_options: Any) -> Any:
        return _create_async(stripe.HTTPXClient, api_key, params, client_options)


class AiohttpHarness(Harness):
    name = "aiohttp"
    connection_error = aiohttp.ClientConnectorError
    timeout_error = aiohttp.ServerTimeoutError

    def request(
        self, method: str, url: str, *, body: Any = None, headers: dict[str, str] | None = None
    ) -> Reply:
        async def send() -> Reply:
            async with (
                aiohttp.ClientSession() as session,
                session.request(method, url, json=body, headers=headers) as response,
            ):
                return Reply(response.status, _lower(response.headers), await response.text())

        return asyncio.run(send())

    def create(self, api_key: str, params: Any, **client_options: Any) -> Any:
        return _create_async(stripe.AIOHTTPClient, api_key, params, client_options)


HARNESSES: dict[str, type[Harness]] = {
    "requests": RequestsHarness,
    "httpx": HttpxHarness,
    "httpx_async": HttpxAsyncHarness,
    "aiohttp": AiohttpHarness,
}
