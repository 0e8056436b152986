"""``httpx``, sync and async: the SDK's ``HTTPXClient`` and users' own clients.

A small adapter of our own rather than respx: it replaces
``HTTPTransport.handle_request`` and ``AsyncHTTPTransport.handle_async_request``
for the test, answers Stripe hosts from the fake and hands every other request
to the real transport. It sees the exact bytes httpx would send, raises httpx's
own exceptions for transport faults, and costs a few attribute swaps a test and
no routing on the hot path (respx matches every request against its router and
patches httpcore through ``mock.patch``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from pytest_account_links._wire import TransportFault, WireRequest, WireResponse

if TYPE_CHECKING:
    from pytest_account_links.transports import Router


def _wire(request: httpx.Request, body: bytes) -> WireRequest:
    return WireRequest(
        method=request.method.upper(),
        url=str(request.url),
        headers={name.lower(): value for name, value in request.headers.items()},
        body=body,
    )


def _answer(router: Router, request: httpx.Request, body: bytes) -> httpx.Response:
    try:
        answer: WireResponse = router.dispatch(_wire(request, body))
    except TransportFault as fault:
        failure = httpx.ConnectError if fault.kind == "connection_refused" else httpx.ReadTimeout
        raise failure(str(fault), request=request) from None
    return httpx.Response(
        answer.status, headers=answer.headers, content=answer.body, request=request
    )


class HttpxTransport:
    """Interception of ``httpx`` (both transports) for one test."""

    name = "httpx"

    def __init__(self) -> None:
        self._previous: tuple[Any, Any] | None = None

    def start(self, router: Router) -> None:
        real_sync = httpx.HTTPTransport.__dict__["handle_request"]
        real_async = httpx.AsyncHTTPTransport.__dict__["handle_async_request"]

        def handle_request(transport: httpx.HTTPTransport, request: httpx.Request) -> Any:
            if not router.intercepts(request.url.host):
                return real_sync(transport, request)
            return _answer(router, request, request.read())

        async def handle_async_request(
            transport: httpx.AsyncHTTPTransport, request: httpx.Request
        ) -> Any:
            if not router.intercepts(request.url.host):
                return await real_async(transport, request)
            return _answer(router, request, await request.aread())

        self._previous = (real_sync, real_async)
        setattr(httpx.HTTPTransport, "handle_request", handle_request)  # noqa: B010
        setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request)  # noqa: B010

    def stop(self) -> None:
        previous, self._previous = self._previous, None
        if previous is not None:
            setattr(httpx.HTTPTransport, "handle_request", previous[0])  # noqa: B010
            setattr(httpx.AsyncHTTPTransport, "handle_async_request", previous[1])  # noqa: B010
