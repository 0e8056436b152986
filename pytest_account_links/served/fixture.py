"""What the ``account_links_server`` fixture gives a test: the fake, over HTTP."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, final

from pytest_account_links.served.serving import Serving
from pytest_account_links.served.webhooks import check_url, enabled_types

#: Every URL on Stripe's hosts (``connect-js.stripe.com``, ``js.stripe.com``, ...), as
#: Playwright's ``page.route`` takes a pattern.
STRIPE_HOSTS = re.compile(r"^https?://([a-z0-9-]+\.)*stripe\.(com|network)(:\d+)?/")

if TYPE_CHECKING:
    from collections.abc import Iterable

    import stripe
    from stripe._base_address import BaseAddresses

    from pytest_account_links.domain.accounts import Accounts
    from pytest_account_links.served.server import FakeServer
    from pytest_account_links.served.webhooks import Delivery, Destination
    from pytest_account_links.transports.driver import Driver


@final
class ServedFake:
    """The test's ``account_links`` fake, served over HTTP on 127.0.0.1.

    Stripe's API, the hosted onboarding page and the control endpoints answer on
    :attr:`url` while the test runs, from the same fake as ``account_links``: its
    state, markers and settings; every exchange is in ``account_links.calls`` and
    the report. Links the fake creates point at :attr:`url` (``<url>/r/<acct>#<token>``),
    so a browser can open them. In-process interception keeps working beside it.
    """

    def __init__(self, server: FakeServer, serving: Serving, api_key: str) -> None:
        self._server = server
        self._serving = serving
        #: ``http://127.0.0.1:<port>``: Stripe's API base (``/v2/...``) and the hosted page's.
        self.url: str = server.url
        #: The test's fabricated secret key (the ``stripe_api_key`` fixture's).
        self.api_key = api_key
        self._client: stripe.StripeClient | None = None

    @classmethod
    def _attach(cls, server: FakeServer, driver: Driver, api_key: str) -> ServedFake:
        """Serve ``driver``'s fake until :meth:`_detach` (the plugin's fixture calls both)."""
        store = driver.store
        with store.lock:
            store.hosted_base = server.url
            store.connect_base = server.url  # API v1's links (/setup/<s|e|c>/<acct>/<token>)
        return cls(server, server.attach(Serving(driver)), api_key)

    def _detach(self) -> list[str]:
        """Stop serving this test's fake (a stalled answer ends); the server's failures."""
        self._server.detach(self._serving)
        return list(self._serving.errors)

    def __repr__(self) -> str:
        return f"<ServedFake {self.url}>"

    @property
    def base_addresses(self) -> BaseAddresses:
        """``{"api": url}``, for ``stripe.StripeClient(key, base_addresses=...)``."""
        return {"api": self.url}

    @property
    def client(self) -> stripe.StripeClient:
        """A ``stripe.StripeClient`` with the test's key, pointed at :attr:`url`."""
        if self._client is None:
            try:
                import stripe
            except ImportError:  # pragma: no cover - the SDK is an optional extra
                raise ImportError(
                    "pytest-account-links: account_links_server.client needs the official SDK: "
                    "pip install 'pytest-account-links[stripe]'"
                ) from None
            self._client = stripe.StripeClient(self.api_key, base_addresses=self.base_addresses)
        return self._client

    @property
    def env(self) -> dict[str, str]:
        """What a process started by the test needs to use the fake, to add to its
        environment: ``STRIPE_API_BASE``, ``STRIPE_API_KEY``, ``STRIPE_WEBHOOK_SECRET`` (of
        :attr:`webhook_url`), ``STRIPE_THIN_WEBHOOK_SECRET`` (of :attr:`thin_webhook_url`),
        and ``NO_PROXY`` (so 127.0.0.1 is reached directly)."""
        inherited = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
        no_proxy = ",".join(part for part in (inherited, "127.0.0.1", "localhost") if part)
        return {
            "STRIPE_API_BASE": self.url,
            "STRIPE_API_KEY": self.api_key,
            "STRIPE_WEBHOOK_SECRET": self._serving.store.webhook_secret,
            "STRIPE_THIN_WEBHOOK_SECRET": self.thin_webhook_secret,
            "NO_PROXY": no_proxy,
            "no_proxy": no_proxy,
        }

    @property
    def accounts(self) -> Accounts:
        """The test's connected accounts, as ``account_links.accounts``: ``add()`` declares
        one mid-test, as ``@pytest.mark.stripe_accounts`` (which applies here too) does."""
        return self._serving.store.accounts

    @property
    def webhook_url(self) -> str | None:
        """Where the fake's events are POSTed, in order (signed with ``webhook_secret``, as
        Stripe does): every event, but API v2's thin events once a thin destination
        (:attr:`thin_webhook_url`, :meth:`add_event_destination`) takes them. None (the
        default): nowhere."""
        return self._serving.webhook_url

    @webhook_url.setter
    def webhook_url(self, url: str | None) -> None:
        self._serving.webhook_url = check_url(url)

    @property
    def thin_webhook_url(self) -> str | None:
        """Where API v2's thin events (``v2.core.account...``) are POSTed, signed with
        :attr:`thin_webhook_secret`, as a thin event destination of Stripe's would; then
        :attr:`webhook_url` takes API v1's snapshot events only. None (the default)."""
        return self._serving.thin_webhook_url

    @thin_webhook_url.setter
    def thin_webhook_url(self, url: str | None) -> None:
        self._serving.thin_webhook_url = check_url(url)

    @property
    def thin_webhook_secret(self) -> str:
        """The signing secret of :attr:`thin_webhook_url` (``whsec_...``, seeded)."""
        return self._serving.store.destination_secret("thin")

    def add_event_destination(
        self, url: str, event_payload: str, enabled_events: Iterable[str] | None = None
    ) -> Destination:
        """One more event destination, as Stripe's event destinations are: ``url``, the
        style of event it takes (``"thin"`` or ``"snapshot"``), and the event types it
        takes (None or ``["*"]``: every one). Returns it, with its own signing ``secret``."""
        from pytest_account_links.served.webhooks import PAYLOADS

        __tracebackhide__ = True
        check_url(url)
        if event_payload not in PAYLOADS:
            raise ValueError(
                f"pytest-account-links: add_event_destination: event_payload is one of "
                f"{', '.join(PAYLOADS)}, got {event_payload!r}"
            )
        named = None if enabled_events is None else _event_types(enabled_events)
        try:
            types = enabled_types(event_payload, named)
        except ValueError as unknown:
            raise ValueError(f"pytest-account-links: add_event_destination: {unknown}") from None
        self._serving.add_destination(url, event_payload, types)
        return self._serving.destinations[-1]

    @property
    def destinations(self) -> list[Destination]:
        """Every event destination (:attr:`webhook_url`'s, :attr:`thin_webhook_url`'s and
        those added), each with its URL, style, event types and signing secret."""
        return self._serving.destinations

    @property
    def webhook_retries(self) -> int:
        """How many times a failed delivery is tried again (0.5 s, 1 s, 2 s, ... apart;
        each attempt is one of :attr:`deliveries`). Default 0: once."""
        return self._serving.retries

    @webhook_retries.setter
    def webhook_retries(self, times: int) -> None:
        __tracebackhide__ = True
        if not isinstance(times, int) or isinstance(times, bool) or not 0 <= times <= 10:
            raise ValueError(
                f"pytest-account-links: webhook_retries is a whole number from 0 to 10, got "
                f"{times!r}"
            )
        self._serving.retries = times

    @property
    def deliveries(self) -> list[Delivery]:
        """Each event POSTed to a destination, and what became of it, in order (each
        attempt: see :attr:`webhook_retries`).

        Deliveries go out in the background: :meth:`wait_for_deliveries` waits for them.
        """
        return self._serving.deliveries

    def wait_for_deliveries(self, timeout: float = 30.0) -> list[Delivery]:
        """Wait until every event the fake made so far has been delivered (or has failed),
        then :attr:`deliveries`. ``TimeoutError`` if they take longer than ``timeout``
        seconds (each delivery has a timeout of its own, 5 seconds).

        Events made in-process (``account_links.visit()``, the SDK intercepted) are
        handed on here too, as a served request would hand them on.
        """
        __tracebackhide__ = True
        self._serving.queue_new_events()
        if not self._serving.wait_for_deliveries(timeout):
            raise TimeoutError(
                f"pytest-account-links: the webhook deliveries did not finish within "
                f"{timeout} s ({len(self.deliveries)} done so far); is the endpoint at "
                f"{self.webhook_url} answering?"
            )
        return self.deliveries

    @property
    def connect_js(self) -> str:
        """The stand-in for Connect.js that speaks to this server (the JavaScript that
        :meth:`route_connect_js` answers ``https://connect-js.stripe.com/...`` with; also
        served at ``<url>/_account_links/connect.js``)."""
        from pytest_account_links.served.connect_js import script

        return script(self.url)

    def route_connect_js(self, page: Any) -> None:
        """Answer Connect.js's script URL with the fake's stand-in in a Playwright ``page``
        (or browser context), and refuse every other request to Stripe's hosts, so the
        application's own page is tested unchanged and nothing leaves the machine."""
        from pytest_account_links.served.connect_js import answer_route

        page.route(STRIPE_HOSTS, lambda route: answer_route(route, self.connect_js))


def _event_types(enabled_events: object) -> frozenset[str]:
    """``enabled_events`` as a set of event types; ``TypeError``/``ValueError`` saying what
    is wrong (a destination that takes no event could never receive one)."""
    shown = "pytest-account-links: add_event_destination: enabled_events"
    if isinstance(enabled_events, str) or not hasattr(enabled_events, "__iter__"):
        raise TypeError(
            f"{shown} is a list of event types (['account.updated'], or ['*'] for all), got "
            f"{enabled_events!r}"
        )
    types = list(enabled_events)
    wrong = [name for name in types if not isinstance(name, str) or not name.strip()]
    if wrong or not types:
        raise ValueError(
            f"{shown} names at least one event type, each a non-empty string, got {types!r}"
        )
    return frozenset(types)
