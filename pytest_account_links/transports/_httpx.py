"""``httpx``, sync and async: the SDK's ``HTTPXClient`` and users' own clients.

**Answer**: ``Client._transport_for_url`` and ``AsyncClient._transport_for_url``
are wrapped. While a test routes requests, a Stripe URL gets a transport in front
of the one the client would have used: a request the router serves is answered
by the fake, anything else goes on to that transport (so ``pytest-httpx``, which
patches ``HTTPTransport``, and ``respx``, which patches ``httpcore``, still see
it), whichever was started first. Faults are raised as httpx's own exceptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from pytest_account_links.core.wire import (
    TransportFault,
    WireRequest,
    WireResponse,
    is_stripe_host,
)
from pytest_account_links.transports.interception import Patch, active

if TYPE_CHECKING:
    from types import ModuleType

    from pytest_account_links.api.registry import Route
    from pytest_account_links.transports.interception import Router


def _wire(request: httpx.Request, method: str, url: str, body: bytes, routed: Route) -> WireRequest:
    return WireRequest(
        method=method,
        url=url,
        headers={
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in request.headers.raw
        },
        body=body,
        route=routed,
    )


def _response(request: httpx.Request, answer: WireResponse) -> httpx.Response:
    return httpx.Response(
        answer.status, headers=answer.header_bytes(), content=answer.body, request=request
    )


def _fault(fault: TransportFault, request: httpx.Request) -> Exception:
    failure = httpx.ConnectError if fault.kind == "connection_refused" else httpx.ReadTimeout
    return failure(str(fault), request=request)


class StripeTransport(httpx.BaseTransport):
    """Stands in front of the client's transport for a Stripe URL while a test routes."""

    def __init__(self, fallback: httpx.BaseTransport, router: Router) -> None:
        self._fallback = fallback
        self._router = router

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        __tracebackhide__ = True
        method, url = request.method.upper(), str(request.url)
        routed = self._router.serves(method, url)
        if routed is None:
            return self._fallback.handle_request(request)
        try:
            answer = self._router.dispatch(_wire(request, method, url, request.read(), routed))
        except TransportFault as fault:
            raise _fault(fault, request) from None
        return _response(request, answer)


class AsyncStripeTransport(httpx.AsyncBaseTransport):
    """:class:`StripeTransport` for ``httpx.AsyncClient``."""

    def __init__(self, fallback: httpx.AsyncBaseTransport, router: Router) -> None:
        self._fallback = fallback
        self._router = router

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        __tracebackhide__ = True
        method, url = request.method.upper(), str(request.url)
        routed = self._router.serves(method, url)
        if routed is None:
            return await self._fallback.handle_async_request(request)
        body = await request.aread()
        try:
            answer = self._router.dispatch(_wire(request, method, url, body, routed))
        except TransportFault as fault:
            raise _fault(fault, request) from None
        return _response(request, answer)


def _wrap(client_class: Any, front: type[StripeTransport | AsyncStripeTransport]) -> Patch:
    real = client_class.__dict__["_transport_for_url"]

    def _transport_for_url(self: Any, url: httpx.URL) -> Any:
        transport = real(self, url)
        router = active()
        if router is None or not is_stripe_host(url.host):
            return transport
        return front(transport, router)

    return Patch(client_class, "_transport_for_url", _transport_for_url)


def install(module: ModuleType) -> list[Patch]:
    """Wrap the transport choice of ``httpx.Client`` and ``httpx.AsyncClient``."""
    return [
        _wrap(module.Client, StripeTransport),
        _wrap(module.AsyncClient, AsyncStripeTransport),
    ]
