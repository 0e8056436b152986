"""One small adapter per HTTP library, installed once per process by :mod:`.._interception`.

Each adapter module has ``install(module) -> list[Patch]``: it patches the library
``module`` that was just imported, and every patch consults the router of the
running test (or calls straight through when there is none). See
:mod:`pytest_account_links.transports.interception` for the two layers (answer, guard) and
``docs/architecture.md`` for how to add a library.

* :mod:`._requests`: ``requests`` (``Session.get_adapter``);
* :mod:`._httpx`: ``httpx`` sync and async (``Client._transport_for_url``);
* :mod:`._aiohttp`: ``aiohttp`` (the session's request methods, a client middleware);
* :mod:`._urllib`: ``urllib.request`` (``AbstractHTTPHandler.do_open``);
* :mod:`._stripe`: the SDK's retry sleeps and its pycurl client;
* :mod:`._guards`: ``http.client``, ``urllib3``, ``httpcore`` and ``aiohttp``'s connector.
"""

from __future__ import annotations

import importlib.util


def installed(module: str) -> bool:
    """True when ``module`` can be imported (looked up once per process)."""
    if module not in _INSTALLED:
        _INSTALLED[module] = importlib.util.find_spec(module) is not None
    return _INSTALLED[module]


_INSTALLED: dict[str, bool] = {}
