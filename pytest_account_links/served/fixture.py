"""What the ``account_links_server`` fixture gives a test: the fake, over HTTP."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, final

from pytest_account_links.served.serving import Serving
from pytest_account_links.served.webhooks import check_url

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
        """Each event POSTed to :attr:`webhook_url`, and what became of it."""
        delivered: list[Delivery] = self._serving.deliveries
        return delivered
