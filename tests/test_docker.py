"""The repository's Dockerfile and the docs' compose file, as far as a machine with no
container engine can check them: the image's command line runs the server the way the
compose file expects, and the compose file names what that command line reads."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
import requests
import stripe
import yaml

from tests.conftest import ONBOARDING, Webhooks
from tests.test_served_cli import Served

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).parent.parent
KEY = "sk_test_composeKey0000000000000000"
PARAMS: Any = ONBOARDING


class Dockerfile:
    """What a Dockerfile says: its instructions, its ENV defaults, its CMD."""

    def __init__(self, text: str) -> None:
        joined = re.sub(r"\\\n\s*", " ", text)  # continuation lines
        self.instructions = [
            tuple(line.split(None, 1))
            for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        self.env: dict[str, str] = {}
        for _, rest in self.of("ENV"):
            self.env.update(dict(pair.split("=", 1) for pair in shlex.split(rest)))

    def of(self, name: str) -> list[tuple[str, ...]]:
        return [instruction for instruction in self.instructions if instruction[0] == name]

    def last(self, name: str) -> str:
        found = self.of(name)
        assert found, f"no {name} in the Dockerfile"
        return found[-1][1]


DOCKERFILE = Dockerfile((ROOT / "Dockerfile").read_text())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def image_env() -> dict[str, str]:
    """The environment of the image's command: the Dockerfile's ENV, no STRIPE_* of ours, and
    this interpreter as ``python`` (the image's)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("STRIPE")}
    env.update(DOCKERFILE.env)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["STRIPE_FAKE_PORT"] = str(_free_port())
    return env


@pytest.fixture
def run_cmd() -> Iterator[Any]:
    """Run the Dockerfile's CMD (shell form) as the image's /bin/sh would; killed after."""
    started: list[subprocess.Popen[str]] = []

    def run(env: dict[str, str]) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            ["/bin/sh", "-c", DOCKERFILE.last("CMD")],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        started.append(process)
        return process

    try:
        yield run
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=30)
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


@pytest.mark.own_network
def test_the_image_runs_the_server_its_compose_file_expects(
    run_cmd: Any, image_env: dict[str, str], webhooks: Webhooks, tmp_path: Path
) -> None:
    accounts = tmp_path / "accounts.toml"
    accounts.write_text('[[accounts]]\nid = "acct_1Nv0FGQ9RKHgCVdK"\n')
    env = {
        **image_env,
        "STRIPE_API_KEY": KEY,
        "STRIPE_WEBHOOK_URL": webhooks.url,
        "STRIPE_FAKE_ACCOUNTS": str(accounts),
        "STRIPE_FAKE_ARGS": "--seed 7 --link-lifetime 90s",
    }
    served = Served(run_cmd(env))
    port = env["STRIPE_FAKE_PORT"]
    assert served.url == f"http://127.0.0.1:{port}"
    lines = [served.line() for _ in range(3)]
    assert lines[0].endswith(", only the key sk_test_...0000")
    assert lines[1] == f"  accounts: 1 declared (--accounts {accounts}); any other is not_found"
    assert lines[2].endswith(f", posted to {webhooks.url}")
    client = stripe.StripeClient(KEY, base_addresses={"api": served.url})

    link = client.v2.core.account_links.create(PARAMS)
    assert link.account == "acct_1Nv0FGQ9RKHgCVdK"
    other = requests.get(served.url + "/v1/accounts", auth=("sk_test_" + "9" * 24, ""))
    assert other.status_code == 401
    # The image's health check, as docker runs it (exec form).
    (health,) = DOCKERFILE.of("HEALTHCHECK")
    check = json.loads(health[1].partition("CMD ")[2])
    assert subprocess.run(check, env=env, timeout=30).returncode == 0

    status, rest = served.stop(signal.SIGTERM)  # `docker stop`: the server is PID 1 (exec)

    assert (status, rest.splitlines()[-1]) == (0, "pytest-account-links: stopped")
    warning = "\n".join(served.errors)
    assert warning.startswith(f"pytest-account-links: warning: listening on 0.0.0.0 port {port}")
    assert KEY not in warning + rest + "\n".join(lines)


def test_the_image_needs_its_key(run_cmd: Any, image_env: dict[str, str]) -> None:
    process = run_cmd(image_env)  # no STRIPE_API_KEY

    assert process.wait(timeout=60) == 2
    assert process.stderr is not None
    assert "error: --api-key must be a secret key (sk_test_... or sk_live_...)" in (
        process.stderr.read()
    )


def test_the_image_copies_what_the_package_is_built_from() -> None:
    copied = {part for _, rest in DOCKERFILE.of("COPY") for part in rest.split()[:-1]}
    pyproject = (ROOT / "pyproject.toml").read_text()
    readme = re.search(r'^readme = "(.+)"$', pyproject, re.M)
    assert readme is not None
    assert {"pyproject.toml", readme[1], "pytest_account_links"} <= copied
    assert DOCKERFILE.last("FROM") == "python:3.11-slim"
    assert "pip install ." in DOCKERFILE.last("RUN")
    kept = {
        line[1:] for line in (ROOT / ".dockerignore").read_text().splitlines() if line[:1] == "!"
    }
    assert copied <= kept


def _compose() -> dict[str, Any]:
    text = (ROOT / "docs" / "docker.md").read_text()
    found = re.search(r'^```yaml title="docker-compose.yml"\n(.*?)^```$', text, re.M | re.S)
    assert found is not None
    loaded: dict[str, Any] = yaml.safe_load(found[1])
    return loaded


def test_the_compose_file_names_what_the_image_reads() -> None:
    compose = _compose()
    services = compose["services"]
    fake, app = services["stripe-fake"], services["app"]
    assert "network_mode" not in json.dumps(compose)
    # Every variable given to the fake is one its command line reads.
    read = set(re.findall(r"\$\{?(\w+)", DOCKERFILE.last("CMD")))
    assert set(fake["environment"]) <= read
    assert "STRIPE_API_KEY" in fake["environment"]
    # The application calls the fake by its service name, on its port, with its one key.
    base = urlsplit(app["environment"]["STRIPE_API_BASE"])
    assert (base.hostname, str(base.port)) == ("stripe-fake", DOCKERFILE.env["STRIPE_FAKE_PORT"])
    assert app["environment"]["STRIPE_API_KEY"] == fake["environment"]["STRIPE_API_KEY"]
    assert app["depends_on"]["stripe-fake"]["condition"] == "service_healthy"
    # The fake posts events to the application by its service name, on a port it serves.
    hook = urlsplit(fake["environment"]["STRIPE_WEBHOOK_URL"])
    assert hook.hostname == "app"
    assert any(str(port).endswith(f":{hook.port}") for port in app["ports"])
    # The accounts file is mounted where the variable says.
    mounted = [volume.split(":")[1] for volume in fake["volumes"]]
    assert fake["environment"]["STRIPE_FAKE_ACCOUNTS"] in mounted
    # The hosted page's links (http://127.0.0.1:<port>/r/...) open through the same port.
    assert f"{base.port}:{base.port}" in fake["ports"]
