"""Account Sessions and the embedded onboarding component: what a session allows, what
loading a component uses up, and what the component's controls do to the account.

``POST /v1/account_sessions`` (:mod:`..api.endpoints.v1_account_sessions_create`) keeps
an :class:`~.links.AccountSession` in the test's store. A page hands its
``client_secret`` to Connect.js, which loads a component with it; the fake's
stand-in for Connect.js (the served fake's ``/_account_links/connect.js``) and
:meth:`~..harness.fake.AccountLinksFake.complete_session` both come here.

Stripe's rules, and the fake's choices where Stripe is silent:

* A client secret is single use ("cannot be used more than once", the spec's
  ``account_session`` description): the first component load claims it; a second load
  with the same secret is refused (the component reports a load error), as is a
  secret past ``expires_at``.
* ``completed`` fills in everything the account still owes, as a completed hosted link
  does (:func:`.visit.fill`), so its requirements are met and its capabilities
  ``active``, with the same events; ``exited`` (the holder left the component) changes
  nothing. Either way the page learns of it from ``setOnExit``. Only the
  ``account_onboarding`` component onboards (the fake's choice: the other components
  have no controls here).
* An account announces the changes in the API it speaks: a v2 account delivers
  ``v2.core.account[requirements].updated`` and
  ``v2.core.account[configuration.<name>].capability_status_updated``; an account a v1
  request created or named delivers one ``account.updated``. A session is no Account
  Link: there is no ``v2.core.account_link.returned``. (The fake's choice: creating a
  session does not make a v2 account speak v1.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_account_links.domain.links import AccountSession
    from pytest_account_links.domain.store import Store

#: What the account holder can do in the embedded onboarding component: finish, or
#: leave without finishing.
OUTCOMES = ("completed", "exited")

#: Connect.js's name for each component (``create("account-onboarding")``) and the
#: session's (``components[account_onboarding]``), from ``@stripe/connect-js``'s
#: ``componentNameMapping`` and the spec's ``components`` parameter.
TAGS = {
    "account-onboarding": "account_onboarding",
    "account-management": "account_management",
    "notification-banner": "notification_banner",
    "payments": "payments",
    "payouts": "payouts",
    "payment-details": "payment_details",
    "payment-disputes": "payment_disputes",
    "disputes-list": "disputes_list",
    "payment-method-settings": "payment_method_settings",
    "balances": "balances",
    "payouts-list": "payouts_list",
    "payout-details": "payout_details",
    "documents": "documents",
    "tax-registrations": "tax_registrations",
    "tax-settings": "tax_settings",
    "instant-payouts-promotion": "instant_payouts_promotion",
    "issuing-card": "issuing_card",
    "issuing-cards-list": "issuing_cards_list",
    "financial-account": "financial_account",
    "financial-account-transactions": "financial_account_transactions",
}


class SessionRefused(ValueError):
    """A component load (or a control) the fake refuses; ``kind`` is Connect.js's
    load error type, ``reason`` the fake's word for why."""

    def __init__(self, kind: str, reason: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.reason = reason


def find(store: Store, client_secret: str) -> AccountSession | None:
    for session in store.sessions:
        if session.client_secret == client_secret:
            return session
    return None


def load(store: Store, client_secret: str, component: str) -> AccountSession:
    """A component (the session's name, ``account_onboarding``) loaded with the secret:
    the secret is used up; raises :class:`SessionRefused` for a secret that is unknown,
    expired, used, or that does not enable the component."""
    session = find(store, client_secret)
    if session is None:
        raise SessionRefused(
            "authentication_error",
            "unknown",
            "pytest-account-links: no Account Session of this test has this client secret",
        )
    problem = _problem(store, session, component)
    if problem is not None:
        session.refused.append((component, problem[1]))
        raise SessionRefused(*problem)
    session.loaded = component
    session.page_token = store.ids.token(32)
    return session


def _problem(store: Store, session: AccountSession, component: str) -> tuple[str, str, str] | None:
    if session.loaded is not None:
        return (
            "authentication_error",
            "used",
            f"pytest-account-links: the client secret of this Account Session was used "
            f"already (by {session.loaded}); a secret is single use: create a new session",
        )
    if store.clock.now() >= session.expires_at:
        return (
            "authentication_error",
            "expired",
            "pytest-account-links: this Account Session expired; create a new one",
        )
    if not session.enabled(component):
        enabled = [name for name in session.components if session.enabled(name)]
        return (
            "invalid_request_error",
            "not_enabled",
            f"pytest-account-links: this Account Session does not enable {component}; it "
            f"enables {', '.join(enabled) or 'nothing'}",
        )
    return None


def finish(store: Store, session: AccountSession, outcome: str) -> None:
    """The loaded component's control ``outcome``: ``completed`` onboards the account."""
    from pytest_account_links.domain.v1_state import speaks_v1
    from pytest_account_links.domain.visit import fill

    if outcome not in OUTCOMES:
        raise ValueError(
            f"pytest-account-links: outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}"
        )
    if session.outcome is not None:
        raise SessionRefused(
            "invalid_request_error",
            "finished",
            f"pytest-account-links: this Account Session's component was {session.outcome} "
            "already; create a new session",
        )
    session.outcome = outcome
    if outcome != "completed" or session.loaded != "account_onboarding":
        return
    account = store.accounts.get(session.account)
    if account is None:  # the test removed it from account_links.accounts
        return
    generation = "v1" if speaks_v1(account.state) else "v2"
    with store.one_change():
        fill(store, account, "account_onboarding", generation, None)


def complete(
    store: Store,
    client_secret: str,
    *,
    outcome: str = "completed",
    component: str = "account_onboarding",
) -> AccountSession:
    """Load ``component`` with the secret and use its control ``outcome``, as the
    account holder would in the browser."""
    with store.lock:
        if outcome not in OUTCOMES:
            raise ValueError(
                f"pytest-account-links: complete_session(): outcome must be one of "
                f"{', '.join(OUTCOMES)}, got {outcome!r}"
            )
        session = load(store, client_secret, component)
        finish(store, session, outcome)
        return session
