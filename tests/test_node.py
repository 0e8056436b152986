"""The standalone server, driven by a client no one here wrote: the stripe npm package.

``tests/node/onboarding.mjs`` runs the whole onboarding flow in Node (stripe-node, pinned
in ``tests/node/package.json`` and its lock) against ``python -m pytest_account_links
serve``: an account, its link, the hosted page's form submitted as the page's script does,
the account retrieved, and the webhooks received by a Node http server on 127.0.0.1 and
parsed with ``parseEventNotification``, ``fetchEvent`` and ``fetchRelatedObject``.

Installing the npm package is the one exception to "the tests never touch the network":
``.ci/run`` runs ``npm ci`` in ``tests/node`` before pytest (and installs Node from the
distribution's packages when it is missing, so CI never skips this); locally, the
session fixture below runs ``npm ci`` once when ``tests/node/node_modules`` is missing.
The test skips only when ``node`` is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

from tests.standalone import free_port, serving

if TYPE_CHECKING:
    from collections.abc import Iterator

NODE_DIR = Path(__file__).parent / "node"
KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"


@pytest.fixture(scope="session")
def node() -> str:
    """``node``, with ``tests/node``'s locked packages installed (by ``.ci/run``, or by
    hand: the suite never downloads anything itself)."""
    found = shutil.which("node")
    if found is None:
        pytest.skip("node is not installed (.ci/run installs nodejs and npm, so CI runs this)")
    if not (NODE_DIR / "node_modules" / "stripe" / "package.json").exists():
        pytest.fail(
            "tests/node's locked packages are not installed: run `(cd tests/node && npm ci)` "
            "first (.ci/run does)",
            pytrace=False,
        )
    return found


@pytest.fixture
def standalone() -> Iterator[tuple[str, int]]:
    """The standalone server, posting its events to a port the Node script will listen
    on; its URL and that port. Stopped on teardown, whatever happened."""
    port = free_port()
    with serving("--seed", "7", "--webhook-url", f"http://127.0.0.1:{port}/webhooks") as url:
        yield url, port


def test_the_onboarding_flow_in_node(node: str, standalone: tuple[str, int]) -> None:
    url, webhook_port = standalone
    env = {
        **os.environ,
        "STRIPE_API_BASE": url,
        "STRIPE_API_KEY": KEY,
        "WEBHOOK_PORT": str(webhook_port),
        "NO_PROXY": "127.0.0.1",
    }

    done = subprocess.run(
        [node, "onboarding.mjs"],
        cwd=NODE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    seen: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    account = seen["account"]
    assert seen["link"].startswith(f"{url}/r/{account}#alu_test_")
    assert seen["due_at_first"] > 0
    assert seen["page_status"] == 200
    assert seen["page_is_the_hosted_page"] is True
    assert seen["link_state"] == "valid"
    assert seen["visit_status"] == 303
    assert seen["visit_location"] == "https://kunstwerk.example/return"
    assert seen["due_after"] == 0
    assert seen["transfers"] == "active"
    types = [event["type"] for event in seen["events"]]
    assert types[0] == "v2.core.account.created"
    assert types[-1] == "v2.core.account_link.returned"
    assert "v2.core.account[requirements].updated" in types
    for event in seen["events"]:
        assert event["path"] == "/webhooks"
        assert event["fetched_type"] == event["type"]
        expected = None if event["type"] == "v2.core.account_link.returned" else account
        assert event["related"] == expected
    assert seen["forged"] == "StripeSignatureVerificationError"
    # The fake recorded what Node sent: stripe-node's own headers, every call answered.
    calls = requests.get(f"{url}/_account_links/calls", timeout=10).json()
    assert {call["status"] for call in calls} == {200}
    agents = {call["headers"]["user-agent"] for call in calls}
    assert agents == {"Stripe/v2 NodeBindings/23.1.0"}, agents
