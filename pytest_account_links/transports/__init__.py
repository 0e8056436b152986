"""One small adapter per HTTP library: each turns its library's request into a
:class:`~pytest_account_links._wire.WireRequest`, hands it to the fake and turns
the answer back into its library's response.

Requests to Stripe hosts go to the fake (which answers the endpoint and refuses
everything else); requests to other hosts are left to the library.
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pytest_account_links._wire import WireRequest, WireResponse


class Router(Protocol):
    """What an adapter asks of the fake."""

    def intercepts(self, host: str | None) -> bool:
        """True when a request to ``host`` goes to :meth:`dispatch` (Stripe hosts)."""

    def dispatch(self, request: WireRequest) -> WireResponse:
        """Answer the request, or raise (UnfakedRequestError, TransportFault)."""


class Transport(Protocol):
    """Interception of one HTTP library, started and stopped once per test."""

    name: str

    def start(self, router: Router) -> None:
        """Route the library's requests the router intercepts through it."""

    def stop(self) -> None:
        """Undo :meth:`start`; safe to call twice."""


def installed(module: str) -> bool:
    """True when ``module`` can be imported (looked up once per process)."""
    if module not in _INSTALLED:
        _INSTALLED[module] = importlib.util.find_spec(module) is not None
    return _INSTALLED[module]


_INSTALLED: dict[str, bool] = {}


def available_transports() -> list[Transport]:
    """An adapter for each supported HTTP library that is installed.

    Every installed library is intercepted, used by the test or not, so that no
    request to Stripe can slip out through a library nobody thought of.
    """
    if not _ADAPTERS:
        from pytest_account_links.transports._requests import RequestsTransport

        _ADAPTERS.append(RequestsTransport)
        if installed("httpx"):
            from pytest_account_links.transports._httpx import HttpxTransport

            _ADAPTERS.append(HttpxTransport)
        if installed("aiohttp"):
            from pytest_account_links.transports._aiohttp import AiohttpTransport

            _ADAPTERS.append(AiohttpTransport)
    return [adapter() for adapter in _ADAPTERS]


#: The adapter classes of the installed libraries, found once per process.
_ADAPTERS: list[type[Transport]] = []
