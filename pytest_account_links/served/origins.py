"""Which requests the served fake answers: addressed to itself, and not from another site.

The server listens on 127.0.0.1, which every page a browser has open can reach. Two
checks keep those pages out, as Jupyter and other local servers do:

* **Host** (every request; against DNS rebinding, where a site resolves its own name
  to 127.0.0.1 and reads the answers as its own): the ``Host`` header, and the
  authority of an absolute-form target, must name the server itself:
  ``127.0.0.1:<port>``, ``localhost:<port>``, ``[::1]:<port>``, the address it is
  bound to, or a name in ``FakeServer.extra_hosts``; a server bound beyond the
  loopback (``serve --host``) also answers any address and any one-label name (a
  docker-compose service's). Anything else: 403 ``host_not_allowed``.
* **Origin** (a POST, PUT, PATCH or DELETE to a control endpoint or the hosted page's
  ``/visit``; against cross-site requests, which any page can send without a CORS
  preflight): an ``Origin`` header, or without one a ``Referer``, must be the server's
  own origin (``http://`` and an allowed host); ``Origin: null`` is another site's.
  A request with neither (a script, curl, the SDK) is not a browser's cross-site one.
  Anything else: 403 ``cross_site_request``.

What each control endpoint takes (``application/json``; the page's per-link form
token, :func:`form_token`) is checked where it is answered, in :mod:`.control`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from urllib.parse import urlsplit

#: The names of the loopback interface every local client may use.
LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: The methods whose requests change something (and so are checked for their origin).
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def split_host(value: str, default_port: int = 80) -> tuple[str, int] | None:
    """``("127.0.0.1", 8000)`` from ``127.0.0.1:8000`` (``[::1]:8000``: ``"::1"``); None
    when it is no host and port."""
    try:
        parts = urlsplit("//" + value.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or parts.path or parts.query or parts.fragment or parts.username:
        return None
    return host.lower(), default_port if port is None else port


def allowed(host: str, port: int, own_host: str, own_port: int, extra: tuple[str, ...]) -> bool:
    """Whether ``host:port`` names the server that listens on ``own_host:own_port``."""
    if port != own_port:
        return False
    if host in LOOPBACK or host == own_host.lower() or host in (h.lower() for h in extra):
        return True
    if _loopback(own_host):
        return False
    # Listening beyond this machine (serve --host, with its --api-key): other machines
    # name it by an address, or by a name of one label (a docker-compose service,
    # ``stripe-fake``); a name with dots is refused, as a rebinding site's always has.
    return _address(host) or "." not in host


def _address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def host_problem(
    target: str, headers: dict[str, str], own: tuple[str, int], extra: tuple[str, ...] = ()
) -> str | None:
    """Why the request is not addressed to the server (None: it is)."""
    named = [headers.get("host")]
    if not target.startswith("/") and "://" in target:  # absolute form: its authority counts
        named.append(urlsplit(target).netloc)
    for value in named:
        if value is None:
            continue
        split = split_host(value)
        if split is None or not allowed(*split, *own, extra):
            return (
                f"the served fake answers only requests addressed to itself (Host "
                f"{_names(own)}), got Host {value[:200]!r}: a page whose name resolves to "
                "127.0.0.1 (DNS rebinding) may not read or drive it"
            )
    return None


def origin_problem(
    method: str, headers: dict[str, str], own: tuple[str, int], extra: tuple[str, ...] = ()
) -> str | None:
    """Why an unsafe request comes from another site (None: it does not)."""
    if method not in UNSAFE:
        return None
    for name in ("origin", "referer"):
        value = headers.get(name)
        if value is None:
            continue
        parts = urlsplit(value.strip())
        split = split_host(parts.netloc) if parts.scheme == "http" else None
        if split is None or not allowed(*split, *own, extra):
            return (
                f"{method} came from another site ({name.title()}: {value[:200]!r}): the "
                f"control endpoints and the hosted page answer only the served fake's own "
                f"pages ({_origin(own)}) and clients that send no Origin (scripts, curl, "
                "the SDK)"
            )
        return None  # the Origin decides; a Referer is read only without one
    return None


def _names(own: tuple[str, int]) -> str:
    host, port = own
    names = [f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"]
    if host not in LOOPBACK and host not in ("0.0.0.0", "::", ""):
        names.append(f"{host}:{port}")
    return ", ".join(names)


def _origin(own: tuple[str, int]) -> str:
    return f"http://127.0.0.1:{own[1]}"


def form_token(secret: bytes, link_token: str) -> str:
    """The hosted page's form token for the link ``link_token``: what its form must post
    with the link's token (an HMAC under the server's own random secret, so only a
    page the server gave it to can post it)."""
    return hmac.new(secret, link_token.encode(), hashlib.sha256).hexdigest()[:32]


def form_token_ok(secret: bytes, link_token: str, posted: str) -> bool:
    return hmac.compare_digest(form_token(secret, link_token), posted)


def is_json(headers: dict[str, str]) -> bool:
    """Whether the request's ``Content-Type`` is ``application/json`` (with parameters)."""
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media == "application/json"
