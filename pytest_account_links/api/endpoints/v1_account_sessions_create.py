"""``POST /v1/account_sessions``: create an Account Session (Connect embedded components).

The SDK's ``client.v1.account_sessions.create`` and ``stripe.AccountSession.create``.

Sources: Stripe's OpenAPI spec (``stripe/openapi`` ``latest/openapi.spec3.json``,
extracted to ``tests/data/account-sessions-v1.openapi.json``): the form body
(``account`` and ``components`` required, each component ``enabled`` with its
``features``; no other component), the ``account_session`` object (``account``,
``client_secret``, ``components``: every component, ``expires_at``, ``livemode``),
and "a single-use token that the platform can use on their front-end"; the
``features`` defaults from the spec's descriptions of the answer's features
(``external_account_collection`` "The default value for this feature is ``true``";
``disable_stripe_user_authentication`` "the opposite of the
``external_account_collection`` value"; ``capture_payments``, ``dispute_management``,
``refund_management`` "``true`` by default"; ``destination_on_behalf_of_charge_management``
"``false`` by default"; ``smart_disputes_management`` "Defaults to the value of
``dispute_management``"; ``edit_payout_schedule`` "Defaults to ``true`` when
``controller.losses.payments`` is set to ``stripe``"). Stripe's example secret
(``openapi/fixtures3.json``): ``accs_secret__`` and 47 letters and digits.

The fake's choices, where Stripe is silent: a session lives 30 minutes (the spec says
only that sessions "expire relatively quickly"); ``instant_payouts`` and
``standard_payouts`` default as ``edit_payout_schedule`` does; features whose default
Stripe does not describe are ``false``; the refusals' codes and wording
(``account_session_no_component``, ``account_session_feature_not_allowed``,
``account_session_configuration_missing``; an
unknown account is ``resource_missing``, "No such account", as for a v1 link).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pytest_account_links.api.endpoints import _v1_accounts as accounts
from pytest_account_links.api.generations.v1 import V1
from pytest_account_links.api.pipeline import Endpoint
from pytest_account_links.domain.links import AccountSession
from pytest_account_links.domain.v1_state import speaks_v1
from pytest_account_links.domain.v1_view import lookup

if TYPE_CHECKING:
    from pytest_account_links.api.pipeline import Answer, Exchange
    from pytest_account_links.domain.accounts import ConnectedAccount

NAME = "v1.account_sessions.create"
#: How long a session lives (the fake's choice: see the module's docstring).
LIFETIME = timedelta(minutes=30)

#: The features of each component, as the spec's answer lists them.
_ACCOUNT = ("disable_stripe_user_authentication", "external_account_collection")
_PAYOUTS = (*_ACCOUNT, "edit_payout_schedule", "instant_payouts", "standard_payouts")
_PAYMENTS = (
    "capture_payments",
    "destination_on_behalf_of_charge_management",
    "dispute_management",
    "refund_management",
    "smart_disputes_management",
)
_ISSUING = (
    "card_management",
    "card_spend_dispute_management",
    "cardholder_management",
    "spend_control_management",
)
FEATURES: dict[str, tuple[str, ...]] = {
    "account_management": _ACCOUNT,
    "account_onboarding": _ACCOUNT,
    "balance_report": (),
    "balances": _PAYOUTS,
    "disputes_list": _PAYMENTS,
    "documents": (),
    "financial_account": (*_ACCOUNT, "send_money", "transfer_balance"),
    "financial_account_transactions": ("card_spend_dispute_management",),
    "instant_payouts_promotion": (*_ACCOUNT, "instant_payouts"),
    "issuing_card": _ISSUING,
    "issuing_cards_list": (*_ISSUING, "disable_stripe_user_authentication"),
    "notification_banner": _ACCOUNT,
    "payment_details": _PAYMENTS,
    "payment_disputes": _PAYMENTS[1:],
    "payment_method_settings": ("disable_stripe_user_authentication",),
    "payments": _PAYMENTS,
    "payout_details": (),
    "payout_reconciliation_report": (),
    "payouts": _PAYOUTS,
    "payouts_list": (),
    "tax_registrations": (),
    "tax_settings": (),
}

#: The Accounts v2 configurations a component needs, any one of them (the fake's reading
#: of docs.stripe.com/connect/accounts-v2: merchant accepts payments, recipient receives
#: transfers; onboarding collects what one of them owes).
_MERCHANT = ("payments", "payment_details", "payment_disputes", "disputes_list")
_ANY = (
    "account_onboarding",
    "account_management",
    "notification_banner",
    "payouts",
    "balances",
    "payouts_list",
    "payout_details",
    "instant_payouts_promotion",
)
NEEDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys((*_MERCHANT, "payment_method_settings"), ("merchant",)),
    **dict.fromkeys(_ANY, ("merchant", "recipient")),
}

_TRUE_BY_DEFAULT = frozenset(
    {"external_account_collection", "capture_payments", "dispute_management", "refund_management"}
)
_WHEN_STRIPE_LIABLE = frozenset({"edit_payout_schedule", "instant_payouts", "standard_payouts"})


def _features(names: tuple[str, ...], sent: dict[str, Any], stripe_liable: bool) -> dict[str, Any]:
    """The features of a component: those sent, the rest as the spec says they default."""
    chosen: dict[str, Any] = {}
    for name in names:
        if name in sent:
            chosen[name] = sent[name]
        elif name in _TRUE_BY_DEFAULT:
            chosen[name] = True
        elif name in _WHEN_STRIPE_LIABLE:
            chosen[name] = stripe_liable
        else:
            chosen[name] = False
    if (
        "disable_stripe_user_authentication" in names
        and "disable_stripe_user_authentication" not in sent
    ):
        chosen["disable_stripe_user_authentication"] = not chosen.get(
            "external_account_collection", True
        )
    if "smart_disputes_management" in names and "smart_disputes_management" not in sent:
        chosen["smart_disputes_management"] = chosen["dispute_management"]
    return chosen


def components(sent: dict[str, Any], state: dict[str, Any]) -> dict[str, Any]:
    """Every component of the answer: ``enabled`` as sent (or ``false``), its features."""
    stripe_liable = lookup(state, "defaults.responsibilities.losses_collector") == "stripe"
    answered = {}
    for name, names in FEATURES.items():
        config = sent.get(name) or {}
        answered[name] = {
            "enabled": bool(config.get("enabled", False)),
            "features": _features(names, config.get("features") or {}, stripe_liable),
        }
    return answered


def _missing_configuration(account: ConnectedAccount, enabled: list[str]) -> str | None:
    """The first enabled component the (Accounts v2) account lacks a configuration for."""
    if speaks_v1(account.state):
        return None  # a v1 account: its capabilities, not configurations, say what it does
    applied = set(account.state.get("applied_configurations") or ())
    for name in enabled:
        wanted = NEEDS.get(name)
        if wanted and not applied.intersection(wanted):
            return name
    return None


#: What the spec says of two features: "This value can only be ``true`` for accounts
#: where ``controller.requirement_collection`` is ``application``"
#: (``disable_stripe_user_authentication``); "This feature can only be ``false`` for
#: accounts where you're responsible for collecting updated information when
#: requirements are due or change, like Custom accounts" (``external_account_collection``).
_ONLY_FOR_THE_PLATFORMS = {
    "disable_stripe_user_authentication": True,
    "external_account_collection": False,
}


def _feature_not_allowed(account: ConnectedAccount, sent: dict[str, Any]) -> tuple[str, str] | None:
    """The first feature sent that the account's requirement collector does not allow:
    (its param, the message)."""
    collector = lookup(account.state, "defaults.responsibilities.requirements_collector")
    if collector == "application":
        return None
    for name, config in sent.items():
        features = (config or {}).get("features") or {}
        for feature, value in _ONLY_FOR_THE_PLATFORMS.items():
            if features.get(feature) is value:
                return (
                    f"components[{name}][features][{feature}]",
                    f"`{feature}` can only be `{str(value).lower()}` for accounts where "
                    "`controller.requirement_collection` is `application`.",
                )
    return None


def _refused(x: Exchange) -> Answer | None:
    sent = x.params.get("components") or {}
    enabled = [name for name in FEATURES if (sent.get(name) or {}).get("enabled") is True]
    if not enabled:
        return x.error("account_session_no_component", param="components")
    account_id = x.params["account"]
    account = x.named_account(account_id)
    if account is None:
        return x.error("resource_missing", f"No such account: '{account_id}'", param="account")
    if account.closed:
        return x.error("account_closed", f"The account {account_id} is closed.", param="account")
    feature = _feature_not_allowed(account, sent)
    if feature is not None:
        return x.error("account_session_feature_not_allowed", feature[1], param=feature[0])
    missing = _missing_configuration(account, enabled)
    if missing is not None:
        needs = " or ".join(f"`{name}`" for name in NEEDS[missing])
        return x.error(
            "account_session_configuration_missing",
            f"The account {account_id} has no {needs} configuration, which the "
            f"`{missing}` component needs. Add it with v2.core.accounts.update.",
            param=f"components[{missing}]",
        )
    x.found = account
    return None


def _respond(x: Exchange) -> Answer:
    assert x.key is not None
    created = x.store.clock.now()
    return x.ok(
        {
            "object": "account_session",
            "account": x.found.id,
            "client_secret": f"accs_secret__{x.store.ids.token(47)}",
            "components": components(x.params.get("components") or {}, x.found.state),
            "expires_at": V1.timestamp(created + LIFETIME),
            "livemode": x.key.livemode,
        }
    )


def _keep(x: Exchange, answered: Any) -> None:
    """Keep the session as answered (after hooks and overrides), for Connect.js."""
    from pytest_account_links.api.endpoints.v1_account_links_create import _time

    assert x.key is not None
    created = x.store.clock.now()
    x.store.sessions.append(
        AccountSession(
            client_secret=str(answered.get("client_secret", "")),
            account=x.params["account"],
            components=dict(answered.get("components") or {}),
            created=created,
            expires_at=_time(answered.get("expires_at")) or created + LIFETIME,
            livemode=x.key.livemode,
        )
    )


ENDPOINT = Endpoint(
    name=NAME,
    method="POST",
    path="/v1/account_sessions",
    generation=V1,
    summary="Create an Account Session (API v1): a single-use client secret for Connect.js.",
    respond=_respond,
    errors=(
        "account_session_no_component",
        "account_session_feature_not_allowed",
        "account_session_configuration_missing",
    ),
    params=accounts.model(NAME, "POST"),
    check=_refused,
    keep=_keep,
    account=lambda x: x.body.field("account"),
    fields=("object", "account", "client_secret", "components", "expires_at", "livemode"),
)
