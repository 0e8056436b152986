"""``requests`` (what the ``stripe`` SDK uses by default) and users' own sessions.

**Answer**: ``Session.get_adapter`` is wrapped. While a test routes requests,
a URL on a Stripe host gets a :class:`StripeAdapter` in front of the adapter
the session would have used: a request the router serves is answered by the
fake, anything else goes on to that adapter, so a user's ``responses`` mock (or
any mounted adapter) still sees it. Because the choice of adapter comes before
``HTTPAdapter.send``, the fake answers its endpoints whether the user's
``responses`` mock was started before the fake or after it.

The answer is built with ``responses`` (``Response.get_response``): the same
``urllib3`` response, with the original-response shim ``requests`` reads
cookies from, that a ``responses`` mock returns. The session then does what it
always does (hooks, cookies, ``stream=``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from requests.adapters import BaseAdapter, HTTPAdapter
from requests.exceptions import ConnectionError, ReadTimeout

from pytest_account_links.core.wire import (
    TransportFault,
    WireRequest,
    header_text,
    is_stripe_host,
    url_host,
)
from pytest_account_links.transports.interception import Patch, active

if TYPE_CHECKING:
    from types import ModuleType

    from requests import PreparedRequest, Response, Session

    from pytest_account_links.api.registry import Route
    from pytest_account_links.transports.interception import Router

_ANY_URL = re.compile("")
#: Only used to turn a urllib3 response into a ``requests`` one.
_BUILDER = HTTPAdapter.build_response


def read_body(body: Any) -> bytes:
    """The bytes ``requests`` would send for a prepared body (str, bytes, file, iterable)."""
    if body is None:
        return b""
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return header_text(body).encode("latin-1")  # http.client sends str bodies as latin-1
    if hasattr(body, "read"):
        return read_body(body.read())
    if isinstance(body, Iterable):  # a generator: requests sends it chunked
        return b"".join(read_body(chunk) for chunk in body)
    return str(body).encode("utf-8")


def _wire(request: PreparedRequest, method: str, url: str, routed: Route) -> WireRequest:
    headers: Any = request.headers
    # requests' CaseInsensitiveDict keeps the lower-case names: read them as they are.
    items = headers.lower_items() if hasattr(headers, "lower_items") else headers.items()
    return WireRequest(
        method=method,
        url=url,
        headers={name.lower(): header_text(value) for name, value in items},
        body=read_body(request.body),
        route=routed,
    )


class StripeAdapter(BaseAdapter):
    """Stands in front of the session's adapter for a Stripe URL while a test routes."""

    def __init__(self, fallback: BaseAdapter, router: Router) -> None:
        super().__init__()
        self._fallback = fallback
        self._router = router

    def send(  # type: ignore[override]
        self, request: PreparedRequest, stream: bool = False, **kwargs: Any
    ) -> Response:
        __tracebackhide__ = True
        method = (request.method or "GET").upper()
        url = request.url or ""
        routed = self._router.serves(method, url)
        if routed is None:
            return self._fallback.send(request, stream=stream, **kwargs)
        try:
            answer = self._router.dispatch(_wire(request, method, url, routed))
        except TransportFault as fault:
            failure = ConnectionError if fault.kind == "connection_refused" else ReadTimeout
            raise failure(str(fault), request=request) from None
        import responses  # loaded by the first answer, not by every run that imports requests

        mocked = responses.Response(
            method=method,
            url=_ANY_URL,
            body=answer.body,
            status=answer.status,
            headers={name: header_text(value) for name, value in answer.headers.items()},
            content_type=None,
        )
        response: Response = _BUILDER(self, request, mocked.get_response(request))  # type: ignore[arg-type]
        if not stream:
            _ = response.content  # read it now, as HTTPAdapter does
        return response

    def close(self) -> None:
        pass


def install(module: ModuleType) -> list[Patch]:
    """Wrap ``requests.sessions.Session.get_adapter``."""
    session_class = module.Session
    real = session_class.__dict__["get_adapter"]

    def get_adapter(self: Session, url: str) -> BaseAdapter:
        adapter: BaseAdapter = real(self, url)
        router = active()
        if router is None or "stripe.com" not in url.lower() or not is_stripe_host(url_host(url)):
            return adapter
        return StripeAdapter(adapter, router)

    return [Patch(session_class, "get_adapter", get_adapter)]
