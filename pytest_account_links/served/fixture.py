"""What the ``account_links_server`` fixture gives a test: the fake, over HTTP."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any, final

from pytest_account_links.served.serving import Serving
from pytest_account_links.served.webhooks import check_url

#: Every URL on Stripe's hosts (``connect-js.stripe.com``, ``js.stripe.com``, ...), as
#: Playwright's ``page.route`` takes a pattern.
STRIPE_HOSTS = re.compile(r"^https?://([a-z0-9-]+\.)*stripe\.(com|network)(:\d+)?/")

if TYPE_CHECKING:
    import stripe
    from stripe._base_address import BaseAddresses

    from pytest_account_links.domain.accounts import Accounts
    from pytest_account_links.served.server import FakeServer
    from pytest_account_links.served.webhooks import Delivery
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
            store.connect_base = server.url  # API v1's links (/setup/c/<acct>/<token>)
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
        environment: ``STRIPE_API_BASE``, ``STRIPE_API_KEY``, ``STRIPE_WEBHOOK_SECRET``,
        and ``NO_PROXY`` (so 127.0.0.1 is reached directly)."""
        inherited = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
        no_proxy = ",".join(part for part in (inherited, "127.0.0.1", "localhost") if part)
        return {
            "STRIPE_API_BASE": self.url,
            "STRIPE_API_KEY": self.api_key,
            "STRIPE_WEBHOOK_SECRET": self._serving.store.webhook_secret,
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
        """Where every event of the fake is POSTed, in order (signed, as
        Stripe does), before the browser is sent back; None (the default): nowhere."""
        return self._serving.webhook_url

    @webhook_url.setter
    def webhook_url(self, url: str | None) -> None:
        self._serving.webhook_url = check_url(url)

    @property
    def deliveries(self) -> list[Delivery]:
        """Each event POSTed to :attr:`webhook_url`, and what became of it, in order.

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
