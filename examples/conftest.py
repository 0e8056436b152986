"""The example suite never reaches the network: no host name but the loopback's resolves.

(The plugin's guard already refuses every request to Stripe from a test that does not use
the fake; this makes sure nothing else leaves either.)
"""

from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING, Any

import pytest

# The Django example's settings, for pytest-django (which does nothing without them):
# set here, where only the example suite reads them, rather than in the project's pytest
# configuration, which the plugin's own suite shares. pytest-django reads the variable
# before this file is loaded, so Django is set up here.
try:
    import django
except ImportError:  # pragma: no cover - the test extra has it
    pass
else:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "django_app.settings")
    django.setup()

if TYPE_CHECKING:
    from collections.abc import Iterator

_resolve = socket.getaddrinfo


def _loopback_only(host: object, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else str(host)
    if name not in ("localhost", "127.0.0.1", "::1"):
        raise socket.gaierror(socket.EAI_NONAME, f"the examples never reach the network ({name})")
    return _resolve(host, *args, **kwargs)


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    socket.getaddrinfo = _loopback_only
    try:
        yield
    finally:
        socket.getaddrinfo = _resolve
