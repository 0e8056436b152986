"""``aiohttp``: the SDK's ``AIOHTTPClient`` and users' own ``ClientSession``.

**Answer**: the session's request methods (``request``, ``get``, ``post``, ...)
are wrapped. While a test routes requests, a request the router serves goes to
aiohttp's own ``ClientSession._request`` (the real one, even while
``aioresponses`` has replaced it) with one more client middleware, innermost:
by then aiohttp has built the request itself (auth, default headers, cookies,
the body from ``json=``, ``data=`` bytes, files, form data, async iterables),
so the fake sees exactly what aiohttp would send, and answers it there. Every
other request calls the method as it is now (so ``aioresponses`` still answers
what it matches), and one that reaches the network path meets the guard of
:mod:`._guards`, which stops a Stripe host.

Client middlewares came with aiohttp 3.12; on an older aiohttp the fake does not
answer aiohttp requests, and the guard refuses them with a message that says so.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import inspect
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp.client_proto import ResponseHandler
from aiohttp.client_reqrep import ConnectionKey, RequestInfo
from aiohttp.helpers import TimerNoop
from aiohttp.streams import StreamReader
from multidict import CIMultiDict, CIMultiDictProxy

from pytest_account_links.core.wire import TransportFault, WireRequest, is_stripe_host
from pytest_account_links.transports.interception import Patch, active

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from types import ModuleType

    from yarl import URL

    from pytest_account_links.api.registry import Route
    from pytest_account_links.core.wire import WireResponse
    from pytest_account_links.transports.interception import Router

    #: A request the router serves, as the session method saw it: its method, its URL
    #: and the endpoint's route, which the middleware reuses for the same method and URL.
    Seen = tuple[str, str, Route]

#: The methods of ``ClientSession`` that start a request, and the HTTP method of each.
_METHODS = {
    "get": "GET",
    "options": "OPTIONS",
    "head": "HEAD",
    "post": "POST",
    "put": "PUT",
    "patch": "PATCH",
    "delete": "DELETE",
}


def supported() -> bool:
    """True when this aiohttp has client middlewares (3.12 and later)."""
    return "middlewares" in _request_parameters()


@functools.cache
def _request_parameters() -> frozenset[str]:
    return frozenset(inspect.signature(aiohttp.ClientSession._request).parameters)


@functools.cache
def _response_parameters() -> frozenset[str]:
    return frozenset(inspect.signature(aiohttp.ClientResponse.__init__).parameters)


class _SentRequest:
    """Stands in for the stream writer of a request that was sent in full."""

    output_size = 0


class _Collector:
    """A stream writer that keeps what a payload writes."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.buffer_size = 0
        self.output_size = 0

    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        self.chunks.append(bytes(chunk))

    async def write_eof(self, chunk: bytes = b"") -> None:
        self.chunks.append(bytes(chunk))

    async def drain(self) -> None:
        pass

    def enable_compression(self, *args: Any, **kwargs: Any) -> None:
        pass

    def enable_chunking(self) -> None:
        pass


async def _body(request: aiohttp.ClientRequest) -> bytes:
    body: Any = request.body
    if isinstance(body, bytes | bytearray | memoryview):
        return bytes(body)
    if body is None:
        return b""
    collector = _Collector()
    await body.write(collector)
    return b"".join(collector.chunks)


def _response(request: aiohttp.ClientRequest, answer: WireResponse) -> aiohttp.ClientResponse:
    loop = asyncio.get_running_loop()
    url = request.url
    offered: dict[str, Any] = {
        "writer": None,
        "continue100": None,
        "timer": TimerNoop(),
        "request_info": RequestInfo(url, request.method, CIMultiDictProxy(request.headers), url),
        "traces": [],
        "loop": loop,
        "session": getattr(request, "_session", None),
        "stream_writer": _SentRequest(),
    }
    accepted = _response_parameters()
    response = request.response_class(
        request.method,
        url,
        **{name: value for name, value in offered.items() if name in accepted},
    )
    raw = answer.header_bytes()
    headers = CIMultiDict((name.decode("latin-1"), value.decode("latin-1")) for name, value in raw)
    response._headers = CIMultiDictProxy(headers)
    response._raw_headers = tuple(raw)
    response.status = answer.status
    try:
        response.reason = HTTPStatus(answer.status).phrase
    except ValueError:
        response.reason = ""
    content = StreamReader(ResponseHandler(loop=loop), limit=2**16, loop=loop)
    content.feed_data(answer.body)
    content.feed_eof()
    response.content = content
    return response


def _fault(fault: TransportFault, url: URL) -> Exception:
    if fault.kind == "read_timeout":
        return aiohttp.ServerTimeoutError(str(fault))
    host = url.host or ""
    fields: dict[str, Any] = dict.fromkeys(ConnectionKey._fields)
    fields.update(host=host, port=url.port, is_ssl=url.scheme == "https", ssl=True)
    if "server_hostname" in fields:
        fields["server_hostname"] = host
    key = ConnectionKey(**fields)
    return aiohttp.ClientConnectorError(key, ConnectionRefusedError(errno.ECONNREFUSED, str(fault)))


def _middleware(router: Router, seen: Seen) -> Callable[..., Awaitable[aiohttp.ClientResponse]]:
    async def account_links_fake(
        request: aiohttp.ClientRequest,
        handler: Callable[[aiohttp.ClientRequest], Awaitable[aiohttp.ClientResponse]],
    ) -> aiohttp.ClientResponse:
        __tracebackhide__ = True
        url = str(request.url)
        # Routed once: the session method routed this method and URL already.
        same = (request.method, url) == seen[:2]
        routed = seen[2] if same else router.serves(request.method, url)
        if routed is None:
            return await handler(request)
        wire = WireRequest(
            method=request.method,
            url=url,
            # aiohttp writes header values as UTF-8.
            headers={
                name.lower(): value.encode("utf-8").decode("latin-1")
                for name, value in request.headers.items()
            },
            body=await _body(request),
            route=routed,
        )
        try:
            answer = router.dispatch(wire)
        except TransportFault as fault:
            raise _fault(fault, request.url) from None
        return _response(request, answer)

    return account_links_fake


def _routed(session: aiohttp.ClientSession, method: str, url: Any) -> tuple[Router, Seen] | None:
    """The router and what it routed, when it serves ``method url``; None lets the
    session's own ``_request`` (a user's ``aioresponses``, or the network path and its
    guard) have the request."""
    router = active()
    if router is None:
        return None
    try:
        built = session._build_url(url)
    except (ValueError, TypeError):
        return None
    if not is_stripe_host(built.host):
        return None
    verb, text = method.upper(), str(built)
    routed = router.serves(verb, text)
    return None if routed is None else (router, (verb, text, routed))


def install(module: ModuleType) -> list[Patch]:
    """Wrap the request methods of ``aiohttp.ClientSession`` (aiohttp 3.12 and later)."""
    session_class = module.ClientSession
    if not supported():
        return []
    real_request = session_class.__dict__["_request"]
    context = module.client._RequestContextManager

    def through_the_fake(
        session: aiohttp.ClientSession,
        routed: tuple[Router, Seen],
        method: str,
        url: Any,
        kwargs: Any,
    ) -> Any:
        middlewares = kwargs.get("middlewares")
        if middlewares is None:
            middlewares = getattr(session, "_middlewares", ())
        kwargs = {**kwargs, "middlewares": (*middlewares, _middleware(*routed))}
        return context(real_request(session, method, url, **kwargs))

    def request(session: aiohttp.ClientSession, method: str, url: Any, **kwargs: Any) -> Any:
        routed = _routed(session, method, url)
        if routed is None:
            return real_methods["request"](session, method, url, **kwargs)
        return through_the_fake(session, routed, method, url, kwargs)

    def verb(name: str, http_method: str) -> Callable[..., Any]:
        real = real_methods[name]

        @functools.wraps(real)
        def call(session: aiohttp.ClientSession, url: Any, **kwargs: Any) -> Any:
            routed = _routed(session, http_method, url)
            if routed is None:
                return real(session, url, **kwargs)
            if http_method in ("GET", "OPTIONS"):
                kwargs.setdefault("allow_redirects", True)
            elif http_method == "HEAD":
                kwargs.setdefault("allow_redirects", False)
            return through_the_fake(session, routed, http_method, url, kwargs)

        return call

    real_methods = {name: session_class.__dict__[name] for name in ("request", *_METHODS)}
    functools.update_wrapper(request, real_methods["request"])
    return [
        Patch(session_class, "request", request),
        *(Patch(session_class, name, verb(name, method)) for name, method in _METHODS.items()),
    ]
