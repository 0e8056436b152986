"""The standalone server (``python -m pytest_account_links serve``) in a process of its own,
for the tests that drive it with clients no one here wrote (Node, schemathesis)."""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator


def free_port() -> int:
    """A port free on 127.0.0.1 now (for a listener another process opens)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def serving(*args: str) -> Iterator[str]:
    """Start ``serve *args`` on a free port; its URL. Stopped (SIGTERM, then SIGKILL) on
    the way out, whatever happened."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_account_links", "serve", *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        found = re.fullmatch(r"pytest-account-links: serving the fake on (http://\S+)\n", first)
        assert found is not None, first
        yield found[1]
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover - it stops on SIGTERM
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
