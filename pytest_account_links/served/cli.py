"""``python -m pytest_account_links serve``: the fake on its own, for any language.

One long-lived fake (a store and its driver, as one test's) served on
127.0.0.1 until SIGINT or SIGTERM, with the options of the fake's own settings
(``--seed``, ``--api-version``, ...), for a frontend in another language, a
docker-compose setup or a manual check. It prints its URL first; its state is
at ``/_account_links/calls``, failures are injected with
``/_account_links/fail_next`` and ``/_account_links/outage``, and
``/_account_links/reset`` starts afresh (:mod:`.control`). In-process
interception is on in its process too.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any, NoReturn

from pytest_account_links.core.secrets import redact
from pytest_account_links.core.settings import BY_NAME, Settings

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pytest_account_links.transports.driver import Driver

#: The settings the standalone fake takes, as ``--<name>`` (the others are about tests).
SERVE_OPTIONS = ("seed", "link_lifetime", "api_version", "extra_api_versions")
#: Their help, where the settings' own speaks of tests.
_HELP = {
    "seed": "the seed of every fabricated value (IDs, link tokens, request IDs), an integer "
    "from 0 to 2**64-1: the same seed, the same values. Default: 0.",
}
#: The node ID the standalone fake's seed is derived from (with ``--seed``).
NODE = "pytest-account-links serve"


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _port(text: str) -> int:
    """A TCP port, 0 (a free one) to 65535; argparse words the refusal."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {redact(text)!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 (a free one) to 65535, got {port}")
    return port


class _Parser(argparse.ArgumentParser):
    """argparse, with any key in its messages masked (an option's value is echoed)."""

    def error(self, message: str) -> NoReturn:
        super().error(redact(message))


def parser() -> argparse.ArgumentParser:
    """The command line: ``serve`` and its options."""
    main = _Parser(
        prog="python -m pytest_account_links",
        description="pytest-account-links: an offline fake of Stripe's Connect onboarding API.",
    )
    commands = main.add_subparsers(
        dest="command", required=True, metavar="{serve}", parser_class=_Parser
    )
    serve = commands.add_parser(
        "serve",
        help="serve the fake over HTTP on 127.0.0.1 until interrupted",
        description="Serve the fake over HTTP on 127.0.0.1 (Stripe's API, the hosted "
        "onboarding page, the control endpoints) until SIGINT or SIGTERM. Prints its URL.",
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=0,
        help="the port to listen on, on 127.0.0.1 only. Default: 0 (a free port).",
    )
    for name in SERVE_OPTIONS:
        option = BY_NAME[name]
        serve.add_argument(
            _flag(name), dest=name, metavar=option.metavar, help=_HELP.get(name, option.help)
        )
    serve.add_argument(
        "--webhook-url",
        metavar="URL",
        help="POST every event of the fake, in order (signed, as Stripe does), to "
        "this URL, before the browser is sent back. Default: nowhere.",
    )
    return main


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit status."""
    arguments = parser().parse_args(argv)
    values = {name: getattr(arguments, name) for name in SERVE_OPTIONS}
    try:
        settings = Settings().updated(
            {name: value for name, value in values.items() if value is not None},
            source=lambda option: _flag(option.name),
        )
        from pytest_account_links.served.webhooks import check_url

        webhook_url = check_url(arguments.webhook_url)
    except ValueError as problem:
        message = redact(str(problem).removeprefix("pytest-account-links: "))
        print(f"python -m pytest_account_links serve: error: {message}", file=sys.stderr)
        return 2
    return serve(settings, arguments.port, webhook_url)


def serve(settings: Settings, port: int = 0, webhook_url: str | None = None) -> int:
    """Serve one fake until SIGINT or SIGTERM; the exit status."""
    from pytest_account_links.harness.fake import FakeFactory
    from pytest_account_links.served.server import FakeServer
    from pytest_account_links.served.serving import Serving
    from pytest_account_links.transports.driver import Driver

    factory = FakeFactory()
    server = FakeServer(port)
    try:
        url = server.start()
    except OSError as problem:
        print(
            f"pytest-account-links: cannot listen on 127.0.0.1:{port}: {problem}", file=sys.stderr
        )
        return 1

    def fresh(old: Driver | None) -> Driver:
        if old is not None:
            old.stop()
        store = factory.store_for(NODE, settings)
        store.hosted_base = url
        store.connect_base = url  # API v1's links (/setup/c/<acct>/<token>)
        driver = Driver(store)
        driver.start()
        return driver

    serving = server.attach(Serving(fresh(None), webhook_url=webhook_url, renew=fresh))
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    posted = f", posted to {redact(webhook_url)}" if webhook_url else ""
    lines = [
        f"pytest-account-links: serving the fake on {url}",
        f"  Stripe's API: base_addresses={{'api': '{url}'}}, any sk_test_ key",
        f"  events signed with {serving.store.webhook_secret}{posted}",
        f"  calls: GET {url}/_account_links/calls; failures: POST {url}/_account_links/fail_next"
        f"; reset: POST {url}/_account_links/reset",
        "  Ctrl+C or SIGTERM stops it",
    ]
    print("\n".join(lines), flush=True)
    try:
        while not stop.wait(0.2):
            pass
    finally:
        server.stop()
        serving.driver.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("pytest-account-links: stopped", flush=True)
    return 0
