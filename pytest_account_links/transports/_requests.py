"""``requests`` (what the ``stripe`` SDK uses by default), through ``responses``.

One custom ``responses`` route takes every request to a Stripe host and hands
it to the fake; a pass-through rule lets every other host reach the network as
usual. The route is a single registry entry, so ``responses``' "pop the first
of several matches" behaviour never applies to it.

``responses`` installs its ``send`` with ``unittest.mock.patch``, which imports
the target by name on every start: two thirds of the fixture's set-up cost.
This adapter sets and restores ``HTTPAdapter.send`` itself (the same LIFO
discipline, a tenth of the cost) and leaves the rest to ``responses``.
"""

from __future__ import annotations

import re
from http.client import responses as reasons
from io import BytesIO
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import responses
from requests.adapters import HTTPAdapter
from requests.exceptions import ConnectionError, ReadTimeout
from urllib3.response import HTTPResponse

from pytest_account_links._wire import (
    ENDPOINT_HOST,
    ENDPOINT_PATH,
    TransportFault,
    WireRequest,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from requests import PreparedRequest

    from pytest_account_links.transports import Router

_ANY_URL = re.compile("")


class _StripeRoute(responses.BaseResponse):
    def __init__(self, router: Router) -> None:
        super().__init__(method="POST", url=f"https://{ENDPOINT_HOST}{ENDPOINT_PATH}")
        self._router = router

    def matches(self, request: PreparedRequest) -> tuple[bool, str]:
        if self._router.intercepts(urlsplit(request.url or "").hostname):
            return True, ""
        return False, "not a Stripe host"

    def get_response(self, request: PreparedRequest) -> HTTPResponse:
        body = request.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        try:
            answer = self._router.dispatch(
                WireRequest(
                    method=(request.method or "GET").upper(),
                    url=request.url or "",
                    headers={name.lower(): value for name, value in request.headers.items()},
                    body=body or b"",
                )
            )
        except TransportFault as fault:
            # What requests raises for a refused connection or a read timeout.
            failure = ConnectionError if fault.kind == "connection_refused" else ReadTimeout
            raise failure(str(fault), request=request) from None
        return HTTPResponse(
            body=BytesIO(answer.body),
            headers=answer.headers,
            status=answer.status,
            reason=reasons.get(answer.status),
            preload_content=False,
            decode_content=False,
            request_method=request.method,
        )


class RequestsTransport:
    """Interception of ``requests`` for one test."""

    name = "requests"

    def __init__(self) -> None:
        self._mock: responses.RequestsMock | None = None
        self._previous: Callable[..., object] | None = None

    def start(self, router: Router) -> None:
        mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        mock.add(_StripeRoute(router))
        mock.add_passthru(_ANY_URL)
        self._previous = HTTPAdapter.__dict__["send"]
        setattr(HTTPAdapter, "send", mock.unbound_on_send())  # noqa: B010
        self._mock = mock

    def stop(self) -> None:
        mock, self._mock = self._mock, None
        if mock is not None:
            setattr(HTTPAdapter, "send", self._previous)  # noqa: B010
            self._previous = None
            mock.reset()
