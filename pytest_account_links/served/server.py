"""The fake over HTTP: a server on 127.0.0.1 that answers with one fake at a time.

A :class:`FakeServer` listens on ``127.0.0.1`` (an ephemeral port unless one is
given; the standalone server may be given another address, :attr:`FakeServer.host`)
and answers three kinds of path:

* Stripe's API (``/v1/...``, ``/v2/...``): the request becomes the
  :class:`~.._wire.WireRequest` the in-process fake would see for
  ``https://api.stripe.com<path>`` and goes to the :class:`~..transports.driver.Driver`
  attached (:meth:`FakeServer.attach`): the running test's, or the standalone
  server's. The pipeline, the recording and the report are the in-process
  fake's. With nothing attached: 503, in Stripe's error envelope.
* the hosted onboarding page (``/r/<account>``, :mod:`.page`);
* the control endpoints (``/_account_links/...``, :mod:`.control`).

Only requests addressed to the server itself are answered, and only its own pages
may post to the control endpoints (:mod:`.origins`).

An injected ``connection_refused`` drops the connection without an answer; a
``read_timeout`` answers nothing until the client gives up (closes the
connection), the test ends, the server stops, or ``stall_limit`` seconds pass.

Standard library only (``http.server``): one thread per connection, HTTP/1.1
keep-alive. :meth:`FakeServer.stop` closes every open connection and joins
every thread it started.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
import select
import socket
import struct
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pytest_account_links.core.errors import UnfakedRequestError
from pytest_account_links.core.secrets import redact
from pytest_account_links.core.wire import TransportFault, WireRequest, header_text
from pytest_account_links.served.origins import host_problem
from pytest_account_links.served.serving import (
    API_BASE,
    CONTROL,
    HOST,
    MAX_BODY,
    READ_TIMEOUT,
    Reply,
    Serving,
    path_of,
)

_log = logging.getLogger("pytest_account_links.served")

#: The start of an API v1 link's path: ``/setup/<s|e|c>/`` (then ``<account>/<token>``).
_V1_LINK_PATH = re.compile(r"^/setup/[a-z]/")
#: The HTTP methods Stripe's API takes ("GET", "POST" and "DELETE", its reference says), and
#: HEAD; any other (PUT, TRACE, PROPFIND, ...) answers as Stripe answers an unknown route.
API_METHODS = frozenset({"GET", "POST", "DELETE", "HEAD"})

#: The addresses that mean "every interface": the URL names the loopback address instead.
_ANY = {"0.0.0.0": "127.0.0.1", "::": "::1"}


def is_loopback(host: str) -> bool:
    """True for an address only this machine reaches (127.0.0.0/8, ::1)."""
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_host(host: str) -> str:
    """How a URL names the listening address ``host``: a loopback address for "every
    interface" (a client on this machine reaches it so), IPv6 in brackets."""
    shown = _ANY.get(host, host)
    return f"[{shown}]" if ":" in shown else shown


class FakeServer:
    """The fake over HTTP on 127.0.0.1 (or ``host``): start it, attach a fake, stop it."""

    def __init__(
        self,
        port: int = 0,
        *,
        host: str = HOST,
        stall_limit: float = 120.0,
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        self._port = port
        #: The address it listens on (``serve --host``): 127.0.0.1 unless told another.
        self.host = host
        #: The longest an injected ``read_timeout`` keeps a client waiting, in seconds.
        self.stall_limit = stall_limit
        #: The longest the server waits for a client's next bytes, in seconds: a request
        #: sent in part (a body shorter than its ``Content-Length``) is answered 408, an
        #: idle keep-alive connection is closed.
        self.read_timeout = read_timeout
        #: Host names beyond the loopback's and the bound address that requests may be
        #: addressed to (:mod:`.origins`: any other ``Host`` is refused).
        self.extra_hosts: tuple[str, ...] = ()
        #: The secret of the hosted page's per-link form tokens (:func:`.origins.form_token`).
        self.form_secret = secrets.token_bytes(32)
        self._serving: Serving | None = None
        self._listener: _Listener | None = None
        self._thread: threading.Thread | None = None
        #: Set when the server stops: every stalled answer ends.
        self.stopping = threading.Event()

    def __repr__(self) -> str:
        state = "stopped" if self._listener is None else self.url
        return f"<FakeServer {state}>"

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: Stripe's API base, and the hosted page's (for a
        server on every interface, ``0.0.0.0``, its loopback address)."""
        if self._listener is None:
            raise RuntimeError("pytest-account-links: the served fake is not started")
        return f"http://{url_host(self.host)}:{self._listener.server_address[1]}"

    @property
    def address(self) -> tuple[str, int]:
        """The address and port the server is bound to."""
        if self._listener is None:
            raise RuntimeError("pytest-account-links: the served fake is not started")
        host, port = self._listener.server_address[:2]
        return str(host), int(port)

    @property
    def serving(self) -> Serving | None:
        """The fake attached now, or None."""
        return self._serving

    @property
    def running(self) -> bool:
        return self._listener is not None

    def start(self) -> str:
        """Listen on :attr:`host` and answer in a thread of its own; the URL."""
        if self._listener is None:
            self.stopping.clear()
            listener = _Listener((self.host, self._port), self)
            thread = threading.Thread(
                target=listener.serve_forever,
                kwargs={"poll_interval": 0.05},
                name="account-links-served",
                daemon=True,
            )
            thread.start()
            self._listener, self._thread = listener, thread
        return self.url

    def stop(self) -> None:
        """Stop listening, close every connection, end every stall, join every thread.

        Idempotent.
        """
        listener, thread = self._listener, self._thread
        if listener is None:
            return
        self._listener = self._thread = None
        self.stopping.set()
        listener.shutdown()
        listener.close_all()
        if thread is not None:
            thread.join()
        serving = self._serving
        if serving is not None:
            serving.stop_delivering()

    def attach(self, serving: Serving) -> Serving:
        """Answer with ``serving``'s fake until :meth:`detach`."""
        self._serving = serving
        return serving

    def detach(self, serving: Serving) -> None:
        """Stop answering with ``serving``'s fake (if it is the one attached) and stop its
        deliveries; idempotent."""
        serving.ended.set()
        if self._serving is serving:
            self._serving = None
        serving.stop_delivering()

    # -- answering ------------------------------------------------------------------

    def answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        """The reply to one request; never raises (a failure is a 500, and remembered)."""
        serving = self._serving
        try:
            return self._route(serving, method, target, headers, body)
        except Exception as problem:
            failure = redact(traceback.format_exc())
            if serving is not None:
                serving.errors.append(failure)
            _log.error(  # masked here: the standalone server's log has no filter of ours
                "the served fake failed to answer %s %s\n%s", method, redact(target), failure
            )
            return Reply.error(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                "account_links_server_error",
                f"pytest-account-links: the served fake failed to answer {method} "
                f"{path_of(target)}: {type(problem).__name__}: {problem}",
                Stripe_Should_Retry="false",
            )

    def _route(
        self,
        serving: Serving | None,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes,
    ) -> Reply:
        path = path_of(target)
        refused = host_problem(target, headers, self.address, self.extra_hosts)
        if refused is not None:
            return Reply.error(
                HTTPStatus.FORBIDDEN, "host_not_allowed", f"pytest-account-links: {refused}"
            )
        if path.startswith(CONTROL):
            from pytest_account_links.served import control

            return control.answer(self, serving, method, target, headers, body)
        v1_link = _V1_LINK_PATH.match(path)
        if (path.startswith("/r/") or v1_link) and method in ("GET", "HEAD"):
            from pytest_account_links.served import page

            return page.reply(serving, path[v1_link.end() :] if v1_link else path[3:])
        if path.startswith(("/v1/", "/v2/")):
            if method not in API_METHODS:
                return unrecognized(method, path)
            if serving is None:
                return _no_test(method, path)
            return _api(serving, method, target, headers, body)
        return Reply.error(
            HTTPStatus.NOT_FOUND,
            "not_found",
            f"pytest-account-links: {method} {path}: the served fake answers Stripe's API "
            "(/v1/..., /v2/...), the hosted onboarding page (/r/<account>) and its control "
            f"endpoints ({CONTROL}...)",
        )


def unrecognized(method: str, path: str) -> Reply:
    """Stripe's answer to a method none of its endpoints takes: 404, ``invalid_request_error``
    and the message Stripe gives an unknown route (``Unrecognized request URL (PUT:
    /v1/customers)``). Stripe answers it, so it is not an unfaked request."""
    return Reply.json(
        HTTPStatus.NOT_FOUND,
        {
            "error": {
                "type": "invalid_request_error",
                "message": f"Unrecognized request URL ({method}: {path}). Please see "
                "https://stripe.com/docs or we can help at https://support.stripe.com/.",
            }
        },
    )


def _no_test(method: str, path: str) -> Reply:
    return Reply.error(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "account_links_not_in_use",
        f"pytest-account-links: {method} {path} reached the served fake while no test is using "
        "it: it answers only during a test that requests the account_links_server fixture "
        "(or run the standalone server: python -m pytest_account_links serve)",
        Stripe_Should_Retry="false",
    )


def _api(serving: Serving, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
    """A request to Stripe's API, through the attached fake exactly as in-process."""
    query = target.partition("?")[2]
    url = API_BASE + path_of(target) + (f"?{query}" if query else "")
    try:
        response = serving.driver.dispatch(WireRequest(method, url, headers, body))
    except UnfakedRequestError as refused:  # not faked: remembered, the test fails at teardown
        return Reply.error(HTTPStatus.NOT_FOUND, "unfaked_request", str(refused))
    except TransportFault as fault:
        return Reply(0, fault=fault.kind, until=serving.ended)
    return Reply(response.status, response.body, list(response.headers.items()))


# -- the HTTP server ---------------------------------------------------------------------


class _Listener(ThreadingHTTPServer):
    """``ThreadingHTTPServer`` that keeps its connections and threads, to end them all."""

    daemon_threads = True
    block_on_close = False
    #: socketserver's default backlog (5) resets clients that connect all at once.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], owner: FakeServer) -> None:
        self.owner = owner
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._workers: set[threading.Thread] = set()
        self._closing = False
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name="account-links-served-connection",
            daemon=True,
        )
        with self._lock:
            if self._closing:
                self.shutdown_request(request)
                return
            self._open.add(request)
            self._workers.add(thread)
        thread.start()

    def _serve_connection(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._lock:
                self._open.discard(request)
                self._workers.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-answer: nothing to tell anyone.
        _log.debug("connection from %s ended abruptly", client_address, exc_info=True)

    def close_all(self) -> None:
        """Close the listening socket and every open connection; join their threads."""
        with self._lock:
            self._closing = True
            connections, threads = list(self._open), list(self._workers)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.server_close()
        for thread in threads:
            thread.join(timeout=5)


_PHRASES = {status.value: status.phrase for status in HTTPStatus}


class _Handler(BaseHTTPRequestHandler):
    """Reads one request, asks the :class:`FakeServer` for the reply, writes it."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else delayed ACKs add 40 ms to a keep-alive exchange
    server: _Listener

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.owner.read_timeout)  # every read's limit

    def _answer(self) -> None:
        try:
            body = self._body()
        except TimeoutError:
            self.close_connection = True
            self._send(
                Reply.error(
                    HTTPStatus.REQUEST_TIMEOUT,
                    "request_timeout",
                    f"pytest-account-links: the request's body did not arrive within "
                    f"{self.server.owner.read_timeout} s (is its Content-Length larger than "
                    "the body sent?)",
                )
            )
            return
        except ValueError as problem:
            self.close_connection = True
            self._send(
                Reply.error(
                    HTTPStatus.BAD_REQUEST, "invalid_request", f"pytest-account-links: {problem}"
                )
            )
            return
        # raw_items(): the values as received, without the email policy's per-header work.
        headers = {name.lower(): value for name, value in self.headers.raw_items()}
        owner = self.server.owner
        reply = owner.answer(self.command, self.path, headers, body)
        serving = owner.serving
        # The events this request caused go where the webhook URL was when it was answered,
        # once the answer is sent (as Stripe delivers events), in the background.
        batch = serving.queue_new_events(held=reply.fault is None) if serving is not None else None
        if reply.fault == "read_timeout":
            self._stall(reply.until)
        elif reply.fault is not None:
            self._drop()
        else:
            try:
                self._send(reply)
            finally:
                if batch is not None:
                    batch.release()

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_OPTIONS = _answer

    def __getattr__(self, name: str) -> Any:
        # Every other method (TRACE, PROPFIND, ...) is answered too, in JSON, where
        # http.server would send its HTML "501 Unsupported method" page.
        if name.startswith("do_"):
            return self._answer
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own refusals (a malformed request line, a header too long), in
        Stripe's JSON error envelope rather than its HTML page; the connection closes."""
        self.close_connection = True
        status = HTTPStatus(code)
        self._send(
            Reply.error(
                status,
                "invalid_request",
                f"pytest-account-links: {status.value} {status.phrase}: {message or status.phrase}",
            )
        )

    def _body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._chunked()
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        size = int(length)
        if not 0 <= size <= MAX_BODY:
            raise ValueError(f"a request body must be 0 to {MAX_BODY} bytes, got {size}")
        return self.rfile.read(size)

    def _chunked(self) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                raise ValueError(f"a request body must be at most {MAX_BODY} bytes")
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _send(self, reply: Reply) -> None:
        status = reply.status
        lines = [f"HTTP/1.1 {status} {_PHRASES.get(status, '')}"]
        lines.extend(f"{name}: {header_text(value)}" for name, value in reply.headers)
        lines.append(f"Content-Length: {len(reply.body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if self.command == "HEAD" else head + reply.body)

    def _drop(self) -> None:
        """``connection_refused``: close the connection without an answer (a reset)."""
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may be gone already
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _stall(self, until: threading.Event | None) -> None:
        """``read_timeout``: answer nothing until the client gives up, the test ends, the
        server stops or ``stall_limit`` passes; then close the connection."""
        self.close_connection = True
        owner = self.server.owner
        deadline = time.monotonic() + owner.stall_limit
        connection = self.connection
        while not owner.stopping.is_set() and time.monotonic() < deadline:
            if until is not None and until.is_set():
                return
            try:
                readable, _, _ = select.select([connection], [], [], 0.05)
            except (OSError, ValueError):
                return
            if readable:  # the client timed out and closed the connection (or sent more)
                return

    def log_message(self, format: str, *args: Any) -> None:
        _log.debug("served: " + format, *args)
