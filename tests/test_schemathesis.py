"""schemathesis, with Stripe's own v2 spec, against the standalone server: 0 failures.

schemathesis (a property-based API tester no one here wrote) reads the v2 extracts of
Stripe's OpenAPI spec (``tests/data/*-v2.openapi.json``: Account Links, Accounts, Events),
generates requests from them (valid and invalid bodies and queries, unknown methods,
stateful sequences through the links between operations) and checks each answer: no
server error, a status code, content type, headers and body the spec documents.

Where Stripe's spec and Stripe's documented answers part, the spec is read as Stripe
documents it (:func:`as_stripe_answers`):

* ``v2.core.account``: a field that depends on ``include`` is ``null`` unless included
  (docs.stripe.com/api/include_dependent_response_values), and every field is answered,
  ``null`` where the account has nothing (the fake's choice); the spec marks neither
  ``nullable``;
* an error answer is "one of" the operation's errors, which the spec writes as a
  ``oneOf`` of each specific error and the generic ``v2.error`` that every one of them
  also matches (so no error could satisfy ``oneOf``): read as ``anyOf``.

Bounded (``--max-examples``, one worker, a fixed seed) to about a minute.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.standalone import serving

DATA = Path(__file__).parent / "data"
EXTRACTS = ("account-links-v2", "accounts-v2", "events-v2")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
)
KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"


def as_stripe_answers(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec, read as Stripe documents its answers (the module's docstring)."""
    account = spec["components"]["schemas"]["v2.core.account"]
    for name, field in account["properties"].items():
        if name not in account.get("required", []):
            field["nullable"] = True
    for configuration in account["properties"]["configuration"]["properties"].values():
        configuration["nullable"] = True

    def errors_any_of(node: Any) -> Any:
        if isinstance(node, dict):
            if "oneOf" in node and any(
                one.get("$ref") == "#/components/schemas/v2.error" for one in node["oneOf"]
            ):
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                errors_any_of(value)
        elif isinstance(node, list):
            for value in node:
                errors_any_of(value)
        return node

    errors_any_of(spec["paths"])
    return spec


def v2_spec() -> dict[str, Any]:
    """Stripe's v2 extracts as one OpenAPI document."""
    spec: dict[str, Any] = {
        "openapi": "3.0.0",
        "info": {"title": "Stripe API v2 (Account Links, Accounts, Events)", "version": "v2"},
        "paths": {},
        "components": {"schemas": {}},
    }
    for name in EXTRACTS:
        extract = json.loads((DATA / f"{name}.openapi.json").read_text())
        spec["paths"].update(extract["paths"])
        spec["components"]["schemas"].update(extract["components"]["schemas"])
    return as_stripe_answers(spec)


def test_the_spec_as_read_changes_only_nullability_and_error_unions() -> None:
    raw = json.dumps(v2_spec())
    assert '"oneOf"' not in raw.replace('"oneOf": []', "")  # every error union read as anyOf
    account = v2_spec()["components"]["schemas"]["v2.core.account"]
    assert account["properties"]["id"].get("nullable") is None  # required: never null
    assert account["properties"]["requirements"]["nullable"] is True


def test_schemathesis_finds_nothing(tmp_path: Path) -> None:
    command = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert command is not None, "schemathesis is in the test extra: pip install -e '.[test]'"
    spec = tmp_path / "stripe-v2.openapi.json"
    spec.write_text(json.dumps(v2_spec()))

    with serving("--seed", "3") as url:
        started = time.monotonic()
        done = subprocess.run(
            [
                command,
                "run",
                str(spec),
                "--url",
                url,
                "--checks",
                ",".join(CHECKS),
                "--header",
                f"Authorization: Bearer {KEY}",
                "--max-examples",
                "3",
                "--seed",
                "1",
                "--workers",
                "1",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=600,
            cwd=tmp_path,
        )
        took = time.monotonic() - started

    summary = done.stdout[-3000:]
    assert done.returncode == 0, done.stdout[-20000:]
    cases = re.search(r"(\d+) generated", done.stdout)
    assert cases is not None, summary
    assert int(cases[1]) > 500, summary  # every operation, each phase, was exercised
    assert "Tested: 8" in done.stdout, summary
    print(f"schemathesis: {cases[1]} cases in {took:.0f} s")


# -- what schemathesis found, each fixed ------------------------------------------------
# (TRACE, PROPFIND, ... answered with http.server's HTML 501: tests/test_served_methods.py)


@pytest.mark.parametrize(
    ("configuration", "capabilities", "answered"),
    [
        (
            "recipient",
            {"stripe_balance": {"stripe_transfers": {"requested": False}}},
            {"stripe_balance": {}},
        ),
        ("merchant", {"card_payments": {"requested": False}}, {}),
    ],
)
def test_a_capability_not_requested_is_not_answered_without_its_status(
    account_links: Any,
    stripe_client: Any,
    configuration: str,
    capabilities: dict[str, Any],
    answered: dict[str, Any],
) -> None:
    """A capability in a response has the ``status`` and ``status_details`` the spec
    requires; one asked for with ``requested: false`` has neither, and is left out."""
    account = stripe_client.v2.core.accounts.create(
        {
            "configuration": {configuration: {"capabilities": capabilities}},
            "include": [f"configuration.{configuration}"],
        }
    )

    answer = account_links.all_calls[-1].response["configuration"][configuration]
    assert answer["capabilities"] == answered
    assert account.configuration[configuration].applied is True
