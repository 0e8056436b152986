"""Where requests are caught: the active router, and the patches that consult it.

Each supported HTTP library is patched once per process, when it is imported
(now, or later by the test or the application: an import hook watches for it),
never per test. Every patch asks :func:`active` what to do and, when no test is
routing requests, calls straight through to what it replaced. So a patch whose
test has ended always steps aside, whatever order other patchers (``monkeypatch``,
``responses``, ``pytest-httpx``, ...) restore their own in.

Two layers, for each library:

* **answer**, as high as the library allows (``requests``: the session's choice
  of adapter; ``httpx``: the client's choice of transport; ``aiohttp``: the
  session's request methods; ``urllib``: its HTTP handler; the SDK's pycurl
  client): a request the router :meth:`~Router.serves` is answered here, above
  any mock the user started, in whatever order;
* **guard**, as low as is cheap (``http.client`` and ``urllib3`` connections,
  ``httpcore`` pools, ``aiohttp`` connectors): a request that got this far is
  about to leave the process, and :meth:`~Router.check` stops it when it must
  not (a Stripe host), whichever mock or pass-through let it down there.

Routers are pushed and popped per test (the fake, or the guard of a test that
does not use it). This module is loaded with the plugin and imports only the
standard library, so its stack is one per process even when pytester reloads
the plugin's other modules.
"""

from __future__ import annotations

import importlib
import sys
import threading
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

    from pytest_account_links.api.registry import Route
    from pytest_account_links.core.wire import WireRequest, WireResponse


class Router(Protocol):
    """What the patches ask of whoever routes requests for the running test."""

    def serves(self, method: str, url: str) -> Route | None:
        """The faked endpoint that answers the request by :meth:`dispatch`, or None. The
        patch hands it on with the request (``WireRequest(..., route=...)``), so the
        request is routed once."""

    def dispatch(self, request: WireRequest) -> WireResponse:
        """Answer a request :meth:`serves`; may raise ``TransportFault``."""

    def check(self, method: str, url: str, library: str) -> None:
        """Raise (``UnfakedRequestError``) when a request about to leave must not."""

    def retry_sleep(self, seconds: float) -> float:
        """How long the stripe SDK really sleeps before a retry it asked ``seconds`` for."""


_stack: list[Router] = []
_stack_lock = threading.Lock()


def active() -> Router | None:
    """The router of the running test, or None (every patch calls through)."""
    stack = _stack
    return stack[-1] if stack else None


def push(router: Router) -> Router:
    """Route requests through ``router`` until :func:`pop`; returns it, as the token."""
    with _stack_lock:
        _stack.append(router)
    return router


def pop(router: Router) -> None:
    """Stop routing through ``router`` (wherever it is in the stack); idempotent."""
    with _stack_lock:
        for index in range(len(_stack) - 1, -1, -1):
            if _stack[index] is router:
                del _stack[index]
                return


# -- patches, applied when a library is imported ------------------------------------

#: For each module, the adapter modules that patch it (imported only when it is). A
#: package is patched once it has finished loading, so its submodules are all there.
WATCHED: dict[str, tuple[str, ...]] = {
    "requests": ("pytest_account_links.transports._requests",),
    "httpx": ("pytest_account_links.transports._httpx",),
    "aiohttp": (
        "pytest_account_links.transports._aiohttp",
        "pytest_account_links.transports._guards",
    ),
    "urllib.request": ("pytest_account_links.transports._urllib",),
    "stripe": ("pytest_account_links.transports._stripe",),
    "http.client": ("pytest_account_links.transports._guards",),
    "urllib3": ("pytest_account_links.transports._guards",),
    "httpcore": ("pytest_account_links.transports._guards",),
}


class Patch:
    """One attribute replaced on a class; undone only if it is still ours."""

    __slots__ = ("name", "original", "owner", "replacement")

    def __init__(self, owner: Any, name: str, replacement: Any) -> None:
        self.owner = owner
        self.name = name
        self.original = owner.__dict__[name]
        self.replacement = replacement
        setattr(owner, name, replacement)

    def undo(self) -> None:
        # Someone patched over ours and has not restored it yet: theirs stays, and
        # ours (which calls through when no test routes) is restored by them later.
        if self.owner.__dict__.get(self.name) is self.replacement:
            setattr(self.owner, self.name, self.original)


_patches: list[Patch] = []
_patched: set[int] = set()  # ids of module objects already patched
_patched_modules: list[ModuleType] = []  # keeps those ids valid
_users = 0
_lock = threading.RLock()


def _patch(module: ModuleType) -> None:
    adapters = WATCHED.get(module.__name__)
    if adapters is None or id(module) in _patched:
        return
    with _lock:
        if id(module) in _patched:
            return
        _patched.add(id(module))
        _patched_modules.append(module)
        for adapter_name in adapters:
            adapter = importlib.import_module(adapter_name)
            installed: Sequence[Patch] = adapter.install(module)
            _patches.extend(installed)


class _Loader:
    """Wraps a watched module's loader: runs it, then patches the module."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        create: Callable[[ModuleSpec], ModuleType | None] | None = getattr(
            self._loader, "create_module", None
        )
        return create(spec) if create is not None else None

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        if _users:
            _patch(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


class _Watcher:
    """A ``sys.meta_path`` finder that only wraps the loaders of watched modules."""

    def __init__(self) -> None:
        self._busy = threading.local()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in WATCHED or getattr(self._busy, "name", None) == fullname:
            return None
        self._busy.name = fullname
        try:
            spec = _find_with_others(self, fullname, path, target)
        finally:
            self._busy.name = None
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _Loader(spec.loader)  # type: ignore[assignment]
        return spec

    def invalidate_caches(self) -> None:
        pass


def _find_with_others(
    watcher: _Watcher, fullname: str, path: Sequence[str] | None, target: ModuleType | None
) -> ModuleSpec | None:
    for finder in list(sys.meta_path):
        if finder is watcher:
            continue
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        spec: ModuleSpec | None = find(fullname, path, target)
        if spec is not None:
            return spec
    return None


_watcher = _Watcher()


def install() -> None:
    """Patch the watched libraries already imported and watch for the others.

    Counted: a nested pytest session (pytester) installs again and
    :func:`uninstall` undoes the patches only when the last one ends.
    """
    global _users
    with _lock:
        _users += 1
        if _watcher not in sys.meta_path:
            sys.meta_path.insert(0, _watcher)
        for name in WATCHED:
            module = sys.modules.get(name)
            if module is not None:
                _patch(module)


def uninstall() -> None:
    """Undo :func:`install` once every session that installed has ended."""
    global _users
    with _lock:
        _users = max(0, _users - 1)
        if _users:
            return
        if _watcher in sys.meta_path:
            sys.meta_path.remove(_watcher)
        for patch in reversed(_patches):
            patch.undo()
        _patches.clear()
        _patched.clear()
        _patched_modules.clear()
