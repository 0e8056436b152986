"""The router of one test's fake: what the patches of :mod:`._interception` ask.

While the fixture has it started, every request to a Stripe host reaches it:
a request for a faked endpoint (:func:`.endpoints.route`) is answered by the
pipeline (:func:`._pipeline.run`); any other request to a Stripe host that is
about to leave the process is refused with ``UnfakedRequestError``, and
remembered so the test fails at teardown even if the application swallowed it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pytest_account_links.api.pipeline import run
from pytest_account_links.api.registry import route, served
from pytest_account_links.core.errors import UnfakedRequestError
from pytest_account_links.core.wire import TransportFault, is_stripe_host, url_endpoint, url_host
from pytest_account_links.transports import interception as _interception

if TYPE_CHECKING:
    from pytest_account_links.api.registry import Route
    from pytest_account_links.core.wire import WireRequest, WireResponse
    from pytest_account_links.domain.store import Store

#: Each exchange with the fake, at DEBUG (every key in it masked).
_log = logging.getLogger("pytest_account_links")


class Driver:
    """Routes the process's requests to one test's :class:`~._store.Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._block_other_hosts = store.settings.other_hosts == "block"
        self._routing = False

    # -- what the patches call ------------------------------------------------------

    def serves(self, method: str, url: str) -> Route | None:
        """The faked endpoint (on ``api.stripe.com``) a request is for, or None: the fake
        does not answer it. An adapter hands the route on with the request
        (:attr:`.WireRequest.route`), so a request is routed once."""
        return route(method, url) if "stripe.com" in url.lower() else None

    def dispatch(self, request: WireRequest) -> WireResponse:
        """Answer a request :meth:`serves`, through the pipeline; record it."""
        __tracebackhide__ = True
        routed: Route | None = request.route
        if routed is None:
            routed = route(request.method, request.url)
        if routed is None:  # a patch asked without checking serves(): refuse it
            self.check(request.method, request.url, "fake")
            raise AssertionError("unreachable")  # pragma: no cover
        store = self.store
        with store.lock:
            call, response = run(request, routed.endpoint, routed.path, store)
        if _log.isEnabledFor(logging.DEBUG):
            _log.debug("%s %s -> %s (%s)", call.method, call.url, call.outcome, call.request_id)
        store.extensions.exchange(call)
        if call.fault is not None:
            raise TransportFault(call.fault, request.url)
        return response

    def check(self, method: str, url: str, library: str) -> None:
        """Stop a request to a Stripe host (any host, with ``other_hosts='block'``)."""
        __tracebackhide__ = True
        stripe = is_stripe_host(url_host(url))
        if not stripe and (
            not self._block_other_hosts
            or url.startswith(self.store.hosted_base + "/")
            or url_endpoint(url) in self.store.webhook_endpoints
        ):
            return  # (the served fake's own URL, and where it delivers, are the fake's)
        refused = UnfakedRequestError(
            method, url, stripe=stripe, why=_why(method, url, library), served=served()
        )
        with self.store.lock:
            self.store.unfaked.append(refused)
        raise refused

    def retry_sleep(self, seconds: float) -> float:
        """The SDK asked to sleep before a retry: skip it, but let the fake's clock move."""
        if self.store.settings.real_retry_sleeps:
            return seconds
        with self.store.lock:
            self.store.retry_sleeps.append(seconds)
            self.store.clock.advance(seconds)
        return 0.0

    # -- life cycle, driven by the fixture ------------------------------------------

    def start(self) -> None:
        """Route the process's requests through this fake (until :meth:`stop`)."""
        if not self._routing:
            _interception.install()
            _interception.push(self)
            self._routing = True

    def stop(self) -> None:
        """Stop routing through this fake; idempotent."""
        if self._routing:
            self._routing = False
            _interception.pop(self)
            _interception.uninstall()


def _why(method: str, url: str, library: str) -> str:
    """Why a request to a faked endpoint got down to a guard: the library it took."""
    if route(method, url) is None:
        return ""
    if library == "aiohttp":
        return (
            "is faked, but this aiohttp has no client middlewares (aiohttp 3.12 added them), "
            "through which the fake answers: upgrade aiohttp. Nothing was sent to Stripe."
        )
    return (
        f"is faked, but not through {library} used directly: send it with requests, httpx, "
        "aiohttp, urllib.request or the stripe SDK. Nothing was sent to Stripe."
    )
