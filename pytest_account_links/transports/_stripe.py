"""The official ``stripe`` SDK: its retry back-off sleeps, and its pycurl client.

**Retry sleeps.** With ``max_network_retries=N`` the SDK sleeps
``min(0.5 * 2**(n-1), 5)`` seconds (times a jitter, at least 0.5 s) before retry
``n``. ``HTTPClient._sleep_time_seconds`` is wrapped: while a test routes
requests, the router decides how long the SDK really sleeps (the fake records
the sleep, moves its clock on by it and answers 0 s, unless the test keeps real
sleeps).

**pycurl.** ``PycurlClient`` talks to the network through libcurl, below
anything Python can see, so its ``_request_internal`` is the only place to
catch it: a request the router serves is answered there, any other request to
a Stripe host is stopped there.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any

from pytest_account_links.core.wire import TransportFault, WireRequest, header_text
from pytest_account_links.transports.interception import Patch, active

if TYPE_CHECKING:
    from types import ModuleType


def _install_sleeps(http_client: Any) -> Patch:
    base = http_client.HTTPClient
    real = base.__dict__["_sleep_time_seconds"]

    def _sleep_time_seconds(self: Any, num_retries: int, *args: Any, **kwargs: Any) -> float:
        seconds: float = real(self, num_retries, *args, **kwargs)
        router = active()
        return seconds if router is None else router.retry_sleep(seconds)

    return Patch(base, "_sleep_time_seconds", _sleep_time_seconds)


def _install_pycurl(http_client: Any) -> Patch:
    client_class = http_client.PycurlClient
    real = client_class.__dict__["_request_internal"]

    def _request_internal(
        self: Any, method: str, url: str, headers: Any, post_data: Any, is_streaming: bool
    ) -> Any:
        __tracebackhide__ = True
        router = active()
        verb = method.upper()
        if router is None:
            return real(self, method, url, headers, post_data, is_streaming)
        routed = router.serves(verb, url)
        if routed is None:
            router.check(verb, url, "pycurl")  # libcurl is beyond every other guard
            return real(self, method, url, headers, post_data, is_streaming)
        body = post_data.encode("utf-8") if isinstance(post_data, str) else post_data or b""
        wire = WireRequest(
            method=verb,
            url=url,
            headers={str(k).lower(): header_text(v) for k, v in dict(headers).items()},
            body=bytes(body),
            route=routed,
        )
        try:
            answer = router.dispatch(wire)
        except TransportFault as fault:
            code = (
                self.pycurl.E_COULDNT_CONNECT
                if fault.kind == "connection_refused"
                else self.pycurl.E_OPERATION_TIMEOUTED
            )
            self._handle_request_error(self.pycurl.error(code, str(fault)))
        content: Any = BytesIO(answer.body) if is_streaming else answer.body.decode("utf-8")
        return content, answer.status, {k.lower(): v for k, v in answer.headers.items()}

    return Patch(client_class, "_request_internal", _request_internal)


def install(module: ModuleType) -> list[Patch]:
    """Wrap the SDK's retry sleeps and its pycurl client."""
    http_client = module._http_client
    patches = [_install_sleeps(http_client)]
    if "_request_internal" in getattr(http_client, "PycurlClient", object).__dict__:
        patches.append(_install_pycurl(http_client))
    return patches
