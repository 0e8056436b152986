"""``urllib.request``: the SDK's ``UrllibClient`` and users' own ``urlopen`` calls.

**Answer**: ``AbstractHTTPHandler.do_open`` (behind both ``HTTPHandler`` and
``HTTPSHandler``) is wrapped. By the time it runs, urllib has added every
header it sends (``User-Agent``, ``Content-Type``, ``Content-Length``, ...),
through a proxy or not. A request the router serves gets its answer as an
``addinfourl``, which urllib's own processors turn into ``HTTPError`` for a
4xx/5xx as they would for a real one; anything else goes on to the real
``do_open``, where ``http.client``'s guard stops a Stripe host.
"""

from __future__ import annotations

import errno
import http.client
import io
import urllib.error
import urllib.request
import urllib.response
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pytest_account_links.core.wire import TransportFault, WireRequest, header_text
from pytest_account_links.transports.interception import Patch, active

if TYPE_CHECKING:
    from types import ModuleType

    from pytest_account_links.api.registry import Route
    from pytest_account_links.core.wire import WireResponse


def _read(data: Any) -> bytes:
    if data is None:
        return b""
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    if isinstance(data, str):
        return header_text(data).encode("latin-1")
    if hasattr(data, "read"):
        return _read(data.read())
    if isinstance(data, Iterable):
        return b"".join(_read(chunk) for chunk in data)
    return bytes(data)


def _wire(request: urllib.request.Request, method: str, routed: Route) -> WireRequest:
    headers = dict(request.unredirected_hdrs)
    headers.update({k: v for k, v in request.headers.items() if k not in headers})
    return WireRequest(
        method=method,
        url=request.full_url,
        headers={name.lower(): header_text(value) for name, value in headers.items()},
        body=_read(request.data),
        route=routed,
    )


def _response(request: urllib.request.Request, answer: WireResponse) -> Any:
    headers = http.client.HTTPMessage()
    for name, value in answer.headers.items():
        headers[name] = header_text(value)
    response = urllib.response.addinfourl(
        io.BytesIO(answer.body), headers, request.full_url, answer.status
    )
    reason = http.client.responses.get(answer.status, "")
    response.msg = reason  # type: ignore[attr-defined]  # what urllib's processors read
    response.reason = reason  # type: ignore[attr-defined]
    return response


def install(module: ModuleType) -> list[Patch]:
    """Wrap ``urllib.request.AbstractHTTPHandler.do_open``."""
    handler_class = module.AbstractHTTPHandler
    real = handler_class.__dict__["do_open"]

    def do_open(self: Any, http_class: Any, request: urllib.request.Request, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        router = active()
        method = request.get_method().upper()
        routed = router.serves(method, request.full_url) if router is not None else None
        if router is None or routed is None:
            return real(self, http_class, request, **kwargs)
        try:
            answer = router.dispatch(_wire(request, method, routed))
        except TransportFault as fault:
            if fault.kind == "read_timeout":  # raised while reading, so not wrapped
                raise TimeoutError(str(fault)) from None
            refused = ConnectionRefusedError(errno.ECONNREFUSED, str(fault))
            raise urllib.error.URLError(refused) from None
        return _response(request, answer)

    return [Patch(handler_class, "do_open", do_open)]
