"""The plugin's own hooks: implement them in a ``conftest.py`` (or a plugin) to shape
what the fake does for a whole team, without forking it.

Each is called with keyword arguments only. ``fake`` is the test's
:class:`~pytest_account_links.AccountLinksFake`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from faker import Faker

    from pytest_account_links.core.calls import Call
    from pytest_account_links.harness.fake import AccountLinksFake


@pytest.hookspec
def pytest_account_links_exchange(call: Call, fake: AccountLinksFake) -> None:
    """Observe every exchange with the fake, once it is recorded.

    Called after each request to a faked endpoint, answered or failed, with the
    :class:`~pytest_account_links.Call` as ``account_links.all_calls`` holds it
    (``call.endpoint`` names the endpoint). The return value is ignored.
    """


@pytest.hookspec(firstresult=True)
def pytest_account_links_response(
    body: dict[str, Any], params: Any, api_version: str, endpoint: str, fake: AccountLinksFake
) -> dict[str, Any] | None:
    """Change or replace the object the fake is about to answer with.

    Called for each successful answer of every faked endpoint, after
    validation, with ``body`` the object as the fake built it (an Account Link
    for ``endpoint == "v2.core.account_links.create"``), ``params`` the
    validated request (a pydantic model, or None for an endpoint without a
    body). Return the body to answer with instead (a new dict, or ``body``
    changed), or ``None`` to leave the decision to the next implementation. The
    first non-``None`` result wins (``firstresult``); the plugin's own
    implementation runs last and returns ``body`` unchanged. A test's own
    ``account_links.override_next(...)`` applies after this hook.
    """


@pytest.hookspec
def pytest_account_links_validate(
    params: Any, api_version: str, endpoint: str, fake: AccountLinksFake
) -> list[str] | str | None:
    """Add checks to the validation of a request.

    Called for each request to ``endpoint`` whose body passed the fake's own
    validation (``params`` is the validated request, a pydantic model).
    Return a problem (``"use_case.account_onboarding.return_url: must be on
    our domain"``), a list of them, or ``None``. Every implementation is
    called; any problem makes the answer 400 ``invalid_fields`` with all of
    them in the message, as Stripe words its own.
    """


@pytest.hookspec(firstresult=True)
def pytest_account_links_account(
    account_id: str, faker: Faker, fake: AccountLinksFake
) -> dict[str, Any] | None:
    """Supply the fabricated details of a connected account.

    Called when an account's details are first read (an account declared with
    only an ID, or one first seen in a request). Return a dict with any of
    ``display_name``, ``contact_email``, ``country``; the keys you leave out
    keep the plugin's values. ``faker`` is seeded for this account alone, so
    values drawn from it are as deterministic as the plugin's own, whenever
    and whether the test reads them. The plugin's own implementation runs last
    and fabricates all three.
    """
