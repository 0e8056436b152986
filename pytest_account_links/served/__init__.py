"""The fake over HTTP, for an application in another process and for a real browser.

:mod:`.server` serves the fake on ``127.0.0.1`` (Stripe's API, the hosted
onboarding page, the control endpoints); :mod:`.page` renders the hosted page;
:mod:`.control` answers the control endpoints; :mod:`.webhooks` posts
the events of the fake to an application's webhook endpoint; :mod:`.fixture`
is what the ``account_links_server`` fixture gives a test; :mod:`.cli` is
``python -m pytest_account_links serve``.

Standard library only: nothing here is imported until a test (or the command)
asks for the served fake.
"""
