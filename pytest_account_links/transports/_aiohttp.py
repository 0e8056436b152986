"""``aiohttp``: the SDK's ``AIOHTTPClient`` and users' own ``ClientSession``.

``ClientSession._request`` is replaced for the test: requests to Stripe hosts
are answered by the fake, every other request goes to the real method.

Our own adapter rather than aioresponses: aioresponses 0.7.9 cannot build a
response on aiohttp 3.14 (``ClientResponse`` gained a required
``stream_writer`` argument), and its ``mock.patch(autospec=True)`` costs about
3 ms a test. :func:`_response` builds the ``ClientResponse`` the way aiohttp's
own connection would leave it, passing only the constructor arguments the
installed aiohttp declares.
"""

from __future__ import annotations

import asyncio
import errno
import functools
import inspect
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import aiohttp
from aiohttp.client_proto import ResponseHandler
from aiohttp.client_reqrep import ConnectionKey, RequestInfo
from aiohttp.helpers import TimerNoop
from aiohttp.streams import StreamReader
from multidict import CIMultiDict, CIMultiDictProxy

from pytest_account_links._wire import TransportFault, WireRequest, WireResponse

if TYPE_CHECKING:
    from yarl import URL

    from pytest_account_links.transports import Router


class _SentRequest:
    """Stands in for the stream writer of a request that was sent in full."""

    output_size = 0


@functools.cache
def _response_parameters() -> frozenset[str]:
    return frozenset(inspect.signature(aiohttp.ClientResponse.__init__).parameters)


def _response(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    request_headers: CIMultiDict[str],
    answer: WireResponse,
) -> aiohttp.ClientResponse:
    loop = asyncio.get_running_loop()
    offered: dict[str, Any] = {
        "writer": None,
        "continue100": None,
        "timer": TimerNoop(),
        "request_info": RequestInfo(url, method, CIMultiDictProxy(request_headers), url),
        "traces": [],
        "loop": loop,
        "session": session,
        "stream_writer": _SentRequest(),
    }
    accepted = _response_parameters()
    response = aiohttp.ClientResponse(
        method, url, **{name: value for name, value in offered.items() if name in accepted}
    )
    headers = CIMultiDict(answer.headers)
    response._headers = CIMultiDictProxy(headers)
    response._raw_headers = tuple((k.encode(), v.encode()) for k, v in headers.items())
    response.status = answer.status
    response.reason = _reason(answer.status)
    content = StreamReader(ResponseHandler(loop=loop), limit=2**16, loop=loop)
    content.feed_data(answer.body)
    content.feed_eof()
    response.content = content
    return response


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _body(session: aiohttp.ClientSession, kwargs: dict[str, Any]) -> bytes:
    if kwargs.get("json") is not None:
        serialize = getattr(session, "_json_serialize", json.dumps)
        return str(serialize(kwargs["json"])).encode()
    data = kwargs.get("data")
    if data is None:
        return b""
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode()
    if isinstance(data, dict):
        return urlencode(data).encode()
    return str(data).encode()


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


class AiohttpTransport:
    """Interception of ``aiohttp.ClientSession`` for one test."""

    name = "aiohttp"

    def __init__(self) -> None:
        self._previous: Any = None

    def start(self, router: Router) -> None:
        real = aiohttp.ClientSession.__dict__["_request"]

        async def _request(
            session: aiohttp.ClientSession, method: str, str_or_url: Any, **kwargs: Any
        ) -> Any:
            url = session._build_url(str_or_url)
            if not router.intercepts(url.host):
                return await real(session, method, str_or_url, **kwargs)
            if session.closed:
                raise RuntimeError("Session is closed")
            if kwargs.get("params"):
                url = url.extend_query(kwargs["params"])
            headers = session._prepare_headers(kwargs.get("headers"))
            if kwargs.get("json") is not None and "Content-Type" not in headers:
                headers["Content-Type"] = "application/json"
            try:
                answer = router.dispatch(
                    WireRequest(
                        method=method.upper(),
                        url=str(url),
                        headers={name.lower(): value for name, value in headers.items()},
                        body=_body(session, kwargs),
                    )
                )
            except TransportFault as fault:
                raise _fault(fault, url) from None
            response = _response(session, method.upper(), url, headers, answer)
            raise_for_status = kwargs.get("raise_for_status")
            if raise_for_status is None:
                raise_for_status = getattr(session, "_raise_for_status", False)
            if callable(raise_for_status):
                await raise_for_status(response)
            elif raise_for_status:
                response.raise_for_status()
            return response

        self._previous = real
        setattr(aiohttp.ClientSession, "_request", _request)  # noqa: B010

    def stop(self) -> None:
        previous, self._previous = self._previous, None
        if previous is not None:
            setattr(aiohttp.ClientSession, "_request", previous)  # noqa: B010
