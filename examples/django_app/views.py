"""The platform's views, on the sync stripe SDK.

``POST /sellers`` creates a v2 account; ``GET /sellers/<acct>/onboard`` makes an Account
Link and redirects the seller to it; Stripe sends them back to ``/sellers/<acct>/return``,
which reads the account; ``POST /webhooks`` verifies each thin event and fetches its
related object.
"""

from __future__ import annotations

import json
from typing import Any

import stripe
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

RECIPIENT = {"capabilities": {"stripe_balance": {"stripe_transfers": {"requested": True}}}}
#: What the webhook handler saw (a real app would write it to its database).
SEEN: dict[str, list[str]] = {"received": [], "fetched": []}


def client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE
    return stripe.StripeClient(
        settings.STRIPE_API_KEY, base_addresses={"api": base} if base else None
    )


@csrf_exempt
@require_POST
def create_seller(request: HttpRequest) -> JsonResponse:
    seller = json.loads(request.body)
    account = client().v2.core.accounts.create(
        {
            "display_name": seller["name"],
            "contact_email": seller["email"],
            "identity": {"country": "us"},
            "configuration": {"recipient": RECIPIENT},  # type: ignore[typeddict-item]
            "include": ["requirements"],
        }
    )
    assert account.requirements is not None
    due = account.requirements.entries or []
    return JsonResponse({"account": account.id, "due": len(due)}, status=201)


@require_GET
def onboard(request: HttpRequest, account: str) -> HttpResponseRedirect:
    base = settings.APP_BASE_URL
    link = client().v2.core.account_links.create(
        {
            "account": account,
            "use_case": {
                "type": "account_onboarding",
                "account_onboarding": {
                    "refresh_url": f"{base}/sellers/{account}/onboard",
                    "return_url": f"{base}/sellers/{account}/return",
                },
            },
        }
    )
    response = HttpResponseRedirect(link.url)
    response.status_code = 303
    return response


@require_GET
def came_back(request: HttpRequest, account: str) -> JsonResponse:
    found = client().v2.core.accounts.retrieve(account, {"include": ["requirements"]})
    assert found.requirements is not None
    due = found.requirements.entries or []
    return JsonResponse({"account": account, "complete": not due, "due": len(due)})


@csrf_exempt
@require_POST
def webhooks(request: HttpRequest) -> HttpResponse:
    stripe_client = client()
    try:
        notification: Any = stripe_client.parse_event_notification(
            request.body,
            request.headers.get("Stripe-Signature", ""),
            settings.STRIPE_WEBHOOK_SECRET,
        )
    except (stripe.SignatureVerificationError, ValueError):
        return HttpResponse("bad signature", status=400)
    SEEN["received"].append(notification.type)
    related = getattr(notification, "related_object", None)
    if settings.STRIPE_FETCH_ON_WEBHOOK and related is not None:
        SEEN["fetched"].append(notification.fetch_related_object().id)
    return JsonResponse({"received": True})


@require_GET
def events(request: HttpRequest) -> JsonResponse:
    return JsonResponse(SEEN)
