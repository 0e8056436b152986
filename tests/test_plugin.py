"""The plugin as pytest loads it: entry point, start-up cost, fixtures, options."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest


def test_registered_through_the_pytest11_entry_point() -> None:
    found = [ep for ep in entry_points(group="pytest11") if ep.name == "account_links"]

    assert [ep.value for ep in found] == ["pytest_account_links.plugin"]


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, pytest\n"
        "before = set(sys.modules)\n"
        "import pytest_account_links.plugin\n"
        "heavy = ('faker', 'pydantic', 'responses', 'stripe', 'httpx', 'aiohttp', 'requests')\n"
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert out.strip() == "[]"


def test_a_run_that_does_not_use_the_fake_imports_nothing_heavy(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_nothing_heavy():
            assert "pydantic" not in sys.modules
            assert "responses" not in sys.modules
            assert "pytest_account_links.harness.fake" not in sys.modules
        """
    )

    pytester.runpytest_subprocess("-p", "no:faker").assert_outcomes(passed=1)


def test_fixtures_are_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures")

    result.stdout.fnmatch_lines(
        [
            "*account_links -- *plugin.py*",
            "*Fake Stripe's Connect onboarding endpoints offline; refuse every other Stripe URL.",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*stripe_client -- *", "*A stripe.StripeClient with the stripe_api_key key*"]
    )
    result.stdout.fnmatch_lines(
        ["*stripe_faker -- *", "*A Faker (en_US) with Stripe-style values*"]
    )
    result.stdout.fnmatch_lines(
        [
            "*stripe_api_key -- *",
            "*A fabricated secret key (sk_test_..., or sk_live_... in live mode)*",
        ]
    )


def test_help_shows_the_option_group(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")

    result.stdout.fnmatch_lines(
        [
            "pytest-account-links (an offline fake of Stripe's Connect onboarding endpoints):",
            "*--account-links-seed=INT*",
        ]
    )
    result.stdout.fnmatch_lines(["*account_links_seed (string):*"])


def test_disabling_the_plugin_removes_its_fixtures(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_uses(account_links): pass")

    result = pytester.runpytest("-p", "no:account_links")

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'account_links' not found*"])


def test_stripe_client_skips_with_a_reason_without_the_sdk(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import sys
        sys.modules["stripe"] = None  # as if the SDK were not installed
        """
    )
    pytester.makepyfile("def test_needs_client(stripe_client): pass")

    result = pytester.runpytest("-rs")

    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        [
            "*the stripe_client fixture needs the official SDK: "
            "pip install 'pytest-account-links?stripe?'*"
        ]
    )


def test_stripe_client_is_wired_to_the_fake(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import stripe

        def test_client(stripe_client, stripe_api_key, account_links):
            assert isinstance(stripe_client, stripe.StripeClient)
            link = stripe_client.v2.core.account_links.create({
                "account": "acct_1Nv0FGQ9RKHgCVdK",
                "use_case": {"type": "account_update",
                             "account_update": {"refresh_url": "https://example.com/r"}},
            })
            assert link.account == "acct_1Nv0FGQ9RKHgCVdK"
            masked = account_links.calls.last.headers["authorization"]
            assert masked == "Bearer sk_test_..." + stripe_api_key[-4:]
        """
    )

    pytester.runpytest().assert_outcomes(passed=1)


def test_public_names_import_lazily_and_resolve() -> None:
    code = (
        "import sys, pytest_account_links as pal\n"
        "assert 'pydantic' not in sys.modules\n"
        "for name in pal.__all__:\n"
        "    assert getattr(pal, name) is not None, name\n"
        "try:\n"
        "    pal.NoSuchName\n"
        "except AttributeError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout

    assert out.strip() == "module 'pytest_account_links' has no attribute 'NoSuchName'"
