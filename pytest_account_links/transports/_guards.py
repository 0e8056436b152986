"""The guards: the last places a request passes before it leaves the process.

A request that reaches one of these was not answered by the fake: it was not
for a faked endpoint, or a user's mock let it through (``responses``' and
``aioresponses``' pass-through, ``respx``' ``pass_through``, an unmocked
``pytest-httpx`` URL), or it came from a client the answer layer does not see
(``urllib3`` or ``http.client`` used directly). Each guard asks the router to
:meth:`~pytest_account_links.transports.interception.Router.check` it, which stops a
request to a Stripe host with ``UnfakedRequestError`` before a connection is
opened; any other request goes on untouched.

One function per library, chosen by the module that was imported:

* ``http.client``: ``HTTPConnection.putrequest`` (every request, ``urllib`` and
  ``urllib3`` included) and ``HTTPConnection.connect``;
* ``urllib3``: ``HTTPConnectionPool.urlopen``, which runs before urllib3 opens
  a connection;
* ``httpcore`` (under ``httpx``): the connection pools' request handlers;
* ``aiohttp``: ``BaseConnector.connect``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_account_links.transports.interception import Patch, active

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType


def _check(method: str, url: str, library: str) -> None:
    __tracebackhide__ = True
    router = active()
    if router is not None:
        router.check(method, url, library)


def _absolute(scheme: str, host: str, port: int | None, target: str) -> str:
    if "://" in target:  # an absolute URL (a request through a forwarding proxy)
        return target
    authority = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    return f"{scheme}://{authority}{target if target.startswith('/') else '/' + target}"


def _http_client(module: ModuleType) -> list[Patch]:
    connection = module.HTTPConnection
    real_putrequest = connection.__dict__["putrequest"]
    real_connect = connection.__dict__["connect"]

    def putrequest(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        host = getattr(self, "_tunnel_host", None) or self.host
        scheme = "https" if hasattr(self, "_context") or self.port == 443 else "http"
        _check(method.upper(), _absolute(scheme, host, self.port, url), "http.client")
        return real_putrequest(self, method, url, *args, **kwargs)

    def connect(self: Any) -> Any:
        __tracebackhide__ = True
        host = getattr(self, "_tunnel_host", None) or self.host
        _check("CONNECT", _absolute("https", host, self.port, "/"), "http.client")
        return real_connect(self)

    return [
        Patch(connection, "putrequest", putrequest),
        Patch(connection, "connect", connect),
    ]


def _urllib3(module: ModuleType) -> list[Patch]:
    pool = module.connectionpool.HTTPConnectionPool
    real = pool.__dict__["urlopen"]

    def urlopen(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        _check(method.upper(), _absolute(self.scheme, self.host, self.port, url), "urllib3")
        return real(self, method, url, *args, **kwargs)

    return [Patch(pool, "urlopen", urlopen)]


def _httpcore_url(request: Any) -> tuple[str, str]:
    url = request.url
    text = _absolute(
        url.scheme.decode("ascii", "replace"),
        url.host.decode("ascii", "replace"),
        url.port,
        url.target.decode("latin-1"),
    )
    return request.method.decode("latin-1").upper(), text


def _httpcore(module: ModuleType) -> list[Patch]:
    sync_pool = module.ConnectionPool
    async_pool = module.AsyncConnectionPool
    real_sync = sync_pool.__dict__["handle_request"]
    real_async = async_pool.__dict__["handle_async_request"]

    def handle_request(self: Any, request: Any) -> Any:
        __tracebackhide__ = True
        _check(*_httpcore_url(request), "httpx")
        return real_sync(self, request)

    async def handle_async_request(self: Any, request: Any) -> Any:
        __tracebackhide__ = True
        _check(*_httpcore_url(request), "httpx")
        return await real_async(self, request)

    return [
        Patch(sync_pool, "handle_request", handle_request),
        Patch(async_pool, "handle_async_request", handle_async_request),
    ]


def _aiohttp(module: ModuleType) -> list[Patch]:
    connector = module.connector.BaseConnector
    real = connector.__dict__["connect"]

    async def connect(self: Any, req: Any, *args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True
        _check(str(req.method).upper(), str(req.url), "aiohttp")
        return await real(self, req, *args, **kwargs)

    return [Patch(connector, "connect", connect)]


_GUARDS: dict[str, Callable[[ModuleType], list[Patch]]] = {
    "http.client": _http_client,
    "urllib3": _urllib3,
    "httpcore": _httpcore,
    "aiohttp": _aiohttp,
}


def install(module: ModuleType) -> list[Patch]:
    """Guard the library ``module`` is (by its name)."""
    return _GUARDS[module.__name__](module)
