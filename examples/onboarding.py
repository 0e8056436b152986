"""Connect onboarding, as a platform writes it: the code the example suite tests.

A platform sends each new seller through Stripe's hosted onboarding: it creates
an Account Link, redirects the seller to it, and handles the two ways back
(``return_url`` when the flow completes, ``refresh_url`` when the link expired
or was used) and the ``v2.core.account_link.returned`` event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import stripe

API_VERSION = "2026-10-28.endive"


class OnboardingUnavailable(Exception):
    """Stripe cannot onboard this seller now; show a "try again later" page."""


class UnknownSeller(Exception):
    """The seller's Stripe account does not exist (anymore)."""


def make_client(api_key: str, api_base: str | None = None) -> stripe.StripeClient:
    """The platform's client: retries network failures and 5xx answers twice.

    ``api_base`` replaces ``https://api.stripe.com`` (the served fake's URL, in the
    end-to-end tests).
    """
    return stripe.StripeClient(
        api_key,
        max_network_retries=2,
        stripe_version=API_VERSION,
        base_addresses={"api": api_base} if api_base else None,
    )


@dataclass
class Onboarding:
    client: stripe.StripeClient
    base_url: str
    #: Sellers whose onboarding Stripe reported complete, by account ID.
    completed: set[str] = field(default_factory=set)
    #: How many links each seller was sent, for idempotency keys.
    attempts: dict[str, int] = field(default_factory=dict)

    def start(self, account_id: str) -> str:
        """Create a link for the seller and return the URL to redirect them to."""
        attempt = self.attempts.get(account_id, 0) + 1
        self.attempts[account_id] = attempt
        try:
            link = self.client.v2.core.account_links.create(
                {
                    "account": account_id,
                    "use_case": {
                        "type": "account_onboarding",
                        "account_onboarding": {
                            "refresh_url": f"{self.base_url}/onboarding/{account_id}/refresh",
                            "return_url": f"{self.base_url}/onboarding/{account_id}/return",
                        },
                    },
                },
                # One key per attempt: a retry of the same attempt gets the same link.
                {"idempotency_key": f"onboarding-{account_id}-{attempt}"},
            )
        except stripe.RateLimitError as error:
            raise OnboardingUnavailable("Stripe is busy with this account") from error
        except stripe.APIConnectionError as error:
            raise OnboardingUnavailable("Stripe cannot be reached") from error
        except stripe.APIError as error:
            raise OnboardingUnavailable("Stripe is having trouble") from error
        except stripe.InvalidRequestError as error:
            if error.http_status == 404:
                raise UnknownSeller(account_id) from error
            if error.error is not None and error.error.code == "accounts_v2_access_blocked":
                raise OnboardingUnavailable("Accounts v2 is not enabled") from error
            raise
        return link.url

    def on_refresh(self, account_id: str) -> str:
        """The seller came back through ``refresh_url``: send them a fresh link."""
        return self.start(account_id)

    def on_return(self, account_id: str) -> str:
        """The seller came back through ``return_url``: what the page says."""
        if account_id in self.completed:
            return "You're all set."
        return "Thanks! We're confirming your details with Stripe."

    def on_event(self, payload: str, signature: str, secret: str) -> None:
        """The webhook endpoint: verify the event, then record the completed onboarding."""
        notification = self.client.parse_event_notification(payload, signature, secret)
        if notification.type == "v2.core.account_link.returned":
            event = notification.fetch_event()
            self.completed.add(event.data.account_id)
