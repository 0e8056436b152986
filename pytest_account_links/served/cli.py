"""``python -m pytest_account_links serve``: the fake on its own, for any language.

One long-lived fake (a store and its driver, as one test's) served on
127.0.0.1 (or ``--host``) until SIGINT or SIGTERM, with the options of the fake's
own settings (``--seed``, ``--api-version``, ...), for a frontend in another
language, a docker-compose setup or a manual check. It prints its URL first; its
state is at ``/_account_links/calls``, failures are injected with
``/_account_links/fail_next`` and ``/_account_links/outage``, accounts are
declared with ``--accounts FILE`` or ``/_account_links/accounts``
(:mod:`.accounts`), and ``/_account_links/reset`` starts afresh (back to the
file's accounts; :mod:`.control`). ``--any-account-exists`` answers any
well-formed account ID as stripe-mock does; ``--api-key`` takes one key only, and
any address but loopback requires it. In-process interception is on in its
process too.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn

from pytest_account_links.core.secrets import OnlyKey, redact
from pytest_account_links.core.settings import BY_NAME, Settings
from pytest_account_links.served.server import is_loopback
from pytest_account_links.served.serving import HOST

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pytest_account_links.domain.store import Store
    from pytest_account_links.served.accounts import Declared
    from pytest_account_links.served.serving import Serving
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
#: Added to the message of an account refused as unknown, so a suite moving from
#: stripe-mock finds the flag (the message itself stays Stripe's).
UNKNOWN_ACCOUNT_HINT = (
    "(pytest-account-links: only accounts declared or created on this server exist; "
    "start it with --any-account-exists to answer any well-formed ID as stripe-mock does)"
)


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


def _address(text: str) -> str:
    """An IP address to listen on (IPv4 or IPv6); argparse words the refusal."""
    import ipaddress

    try:
        return str(ipaddress.ip_address(text.strip("[]")))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"an IP address to listen on (127.0.0.1, 0.0.0.0 for every interface, ::1, ...), "
            f"got {redact(text)!r}"
        ) from None


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
        description="Serve the fake over HTTP on 127.0.0.1, or --host (Stripe's API, the "
        "hosted onboarding page, the control endpoints) until SIGINT or SIGTERM. Prints its "
        "URL.",
    )
    serve.add_argument(
        "--port",
        type=_port,
        default=0,
        help="the port to listen on. Default: 0 (a free port).",
    )
    serve.add_argument(
        "--host",
        type=_address,
        default=HOST,
        metavar="ADDRESS",
        help="the address to listen on (0.0.0.0: every interface, as in a container). Any "
        "but loopback requires --api-key, and prints a warning. Default: 127.0.0.1.",
    )
    serve.add_argument(
        "--api-key",
        metavar="KEY",
        help="accept this key only (sk_test_...): any other is 401 'Invalid API Key "
        "provided', as Stripe answers. Default: any well-formed key.",
    )
    serve.add_argument(
        "--accounts",
        metavar="FILE",
        help="declare the connected accounts of this JSON or TOML file (the fields of "
        "@pytest.mark.stripe_accounts: accounts, v2_enabled); then any other account is "
        "not_found, as Stripe answers. Default: none.",
    )
    serve.add_argument(
        "--any-account-exists",
        action="store_true",
        help="stripe-mock's way, for a suite written for it: any well-formed account ID "
        "(acct_ and letters and digits) exists, created on first sight, besides the "
        "accounts declared or created.",
    )
    for name in SERVE_OPTIONS:
        option = BY_NAME[name]
        serve.add_argument(
            _flag(name), dest=name, metavar=option.metavar, help=_HELP.get(name, option.help)
        )
    serve.add_argument(
        "--webhook-url",
        metavar="URL",
        help="POST the fake's events, in order (signed, as Stripe does), to this URL: "
        "every event, but API v2's thin events once a thin destination takes them "
        "(--thin-webhook-url, --event-destination URL,thin). Default: nowhere.",
    )
    serve.add_argument(
        "--thin-webhook-url",
        metavar="URL",
        help="POST API v2's thin events (v2.core.account...) to this URL, signed with a "
        "secret of its own, as a thin event destination of Stripe's. Default: none.",
    )
    serve.add_argument(
        "--event-destination",
        metavar="URL,PAYLOAD[,TYPE|TYPE...]",
        action="append",
        default=[],
        help="one more event destination, each with a secret of its own: PAYLOAD is thin "
        "(API v2's events) or snapshot (API v1's); TYPEs, |-separated, limit it to those "
        "event types. Repeat for more.",
    )
    serve.add_argument(
        "--webhook-retries",
        metavar="N",
        type=_retries,
        default=0,
        help="try a failed delivery again N times, 0.5 s, 1 s, 2 s, ... apart (Stripe "
        "retries a sandbox's three times over a few hours). Default: 0.",
    )
    return main


def _retries(text: str) -> int:
    """A number of retries, 0 to 10; argparse words the refusal."""
    try:
        times = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number, got {redact(text)!r}") from None
    if not 0 <= times <= 10:
        raise argparse.ArgumentTypeError(f"0 to 10 retries, got {times}")
    return times


class Options(NamedTuple):
    """What ``serve`` runs with, checked."""

    settings: Settings
    port: int = 0
    webhook_url: str | None = None
    host: str = HOST
    only_key: OnlyKey | None = None
    declared: Declared | None = None
    thin_webhook_url: str | None = None
    #: ``--event-destination``: (url, event payload, event types or None).
    destinations: tuple[tuple[str, str, frozenset[str] | None], ...] = ()
    webhook_retries: int = 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; the exit status."""
    arguments = parser().parse_args(argv)
    try:
        options = _options(arguments)
    except ValueError as problem:
        message = redact(str(problem).removeprefix("pytest-account-links: "))
        print(f"python -m pytest_account_links serve: error: {message}", file=sys.stderr)
        return 2
    return serve(options)


def _options(arguments: argparse.Namespace) -> Options:
    """The command line's options, checked; ``ValueError`` naming the one that is wrong."""
    from pytest_account_links.served.webhooks import check_url, parse_destination

    values = {name: getattr(arguments, name) for name in SERVE_OPTIONS}
    values = {name: value for name, value in values.items() if value is not None}
    if arguments.any_account_exists:
        values["unknown_accounts"] = "exist"
    settings = Settings().updated(
        values,
        source=lambda option: _flag(option.name),
        accepted=(*SERVE_OPTIONS, "unknown_accounts"),
    )
    only_key = None
    if arguments.api_key is not None:
        try:
            only_key = OnlyKey(arguments.api_key)
        except ValueError as problem:
            raise ValueError(f"--api-key {problem}") from None
    elif not is_loopback(arguments.host):
        raise ValueError(
            f"--host {arguments.host} listens beyond this machine: give --api-key KEY too "
            "(the one key it will accept)"
        )
    declared = None
    if arguments.accounts is not None:
        from pytest_account_links.served.accounts import load

        declared = load(arguments.accounts)
    destinations = []
    for spec in arguments.event_destination:
        try:
            destinations.append(parse_destination(spec))
        except ValueError as problem:
            raise ValueError(f"--event-destination: {problem}") from None
    return Options(
        settings,
        arguments.port,
        check_url(arguments.webhook_url),
        arguments.host,
        only_key,
        declared,
        check_url(arguments.thin_webhook_url),
        tuple(destinations),
        arguments.webhook_retries,
    )


def serve(options: Options) -> int:
    """Serve one fake until SIGINT or SIGTERM; the exit status."""
    from pytest_account_links.harness.fake import FakeFactory
    from pytest_account_links.served.server import FakeServer
    from pytest_account_links.served.serving import Serving
    from pytest_account_links.transports.driver import Driver

    factory = FakeFactory()
    server = FakeServer(options.port, host=options.host)
    try:
        url = server.start()
    except OSError as problem:
        print(
            f"pytest-account-links: cannot listen on {options.host}:{options.port}: {problem}",
            file=sys.stderr,
        )
        return 1

    def fresh(old: Driver | None) -> Driver:
        if old is not None:
            old.stop()
        store = factory.store_for(NODE, options.settings)
        _prepare(store, url, options)
        driver = Driver(store)
        driver.start()
        return driver

    serving = server.attach(
        Serving(
            fresh(None),
            webhook_url=options.webhook_url,
            renew=fresh,
            thin_webhook_url=options.thin_webhook_url,
            destinations=options.destinations,
            retries=options.webhook_retries,
        )
    )
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    if not is_loopback(options.host):
        print(_warning(server, options), file=sys.stderr, flush=True)
    print("\n".join(_banner(url, serving, options)), flush=True)
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


def _prepare(store: Store, url: str, options: Options) -> None:
    """A fresh store as the command line asks: its links lead here, its key, its accounts."""
    store.hosted_base = url
    store.connect_base = url  # API v1's links (/setup/c/<acct>/<token>)
    store.only_key = options.only_key
    if options.settings.unknown_accounts != "exist":
        store.unknown_account_hint = UNKNOWN_ACCOUNT_HINT
    if options.declared is not None:
        options.declared.apply(store)


def _warning(server: Any, options: Options) -> str:
    """The start-up warning of a server that listens beyond this machine."""
    port = server.url.rpartition(":")[2]
    key = options.only_key.masked if options.only_key is not None else "none"
    return (
        f"pytest-account-links: warning: listening on {options.host} port {port}, beyond this "
        f"machine: whoever reaches it can call the fake with the key {key}, and its hosted "
        "page and control endpoints (/_account_links/...) with no key. Keep it on a private "
        "network (a container network), never a public one."
    )


def _events(serving: Serving) -> list[str]:
    """The banner's lines of events: where each destination's go, and its secret."""
    destinations = serving.destinations
    if not destinations:
        return [f"  events signed with {serving.store.webhook_secret}"]
    lines = []
    for destination in destinations:
        which = f"{destination.payload} events" if destination.payload else "events"
        if destination.events is not None:
            which += f" ({', '.join(sorted(destination.events))})"
        lines.append(
            f"  {which} signed with {destination.secret}, posted to {redact(destination.url)}"
        )
    return lines


def _banner(url: str, serving: Serving, options: Options) -> list[str]:
    """What the server prints on start-up (its URL first; no key in full)."""
    only_key = options.only_key
    keys = f"only the key {only_key.masked}" if only_key is not None else "any sk_test_ key"
    declared = options.declared
    named = f"{len(declared)} declared ({declared.source}); " if declared is not None else ""
    if options.settings.unknown_accounts == "exist":
        accounts = f"{named}any well-formed account ID exists (--any-account-exists)"
    elif declared is not None:
        accounts = f"{named}any other is not_found"
    else:
        accounts = "any well-formed ID until one is created; then only those"
    return [
        f"pytest-account-links: serving the fake on {url}",
        f"  Stripe's API: base_addresses={{'api': '{url}'}}, {keys}",
        f"  accounts: {accounts}",
        *_events(serving),
        f"  calls: GET {url}/_account_links/calls; failures: POST {url}/_account_links/fail_next"
        f"; reset: POST {url}/_account_links/reset",
        "  Ctrl+C or SIGTERM stops it",
    ]
