"""Keys out of everything pytest writes: tracebacks, captured output, logs, junitxml.

The fake never records or answers a full key (:mod:`._secrets`), and its own
frames are hidden from tracebacks. But a failing test's traceback also shows the
frames of the HTTP library it called, with their arguments (``headers={...
'Bearer sk_live_...'}``), and with ``-l`` their locals; the ``stripe`` SDK logs
the bodies it posts at DEBUG. So each test's report is masked before any
reporter (terminal, ``-rA``, junitxml, xdist) reads it: every string in its
traceback representation and its captured sections, and the lines pytest's
live-logging and log-file handlers write.

Cheap when there is nothing to mask: a substring test per section.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pytest_account_links.core.secrets import redact

if TYPE_CHECKING:
    import pytest

_MAX_DEPTH = 12


def mask_report(report: pytest.TestReport | pytest.CollectReport) -> None:
    """Mask every key in ``report``'s traceback and captured sections, in place."""
    sections = report.sections
    if any("k_" in text for _, text in sections):
        report.sections = [(title, redact(text)) for title, text in sections]
    longrepr = report.longrepr
    if longrepr is None:
        return
    if isinstance(longrepr, str):
        report.longrepr = redact(longrepr)
    elif isinstance(longrepr, tuple):
        report.longrepr = tuple(
            redact(part) if isinstance(part, str) else part for part in longrepr
        )  # type: ignore[assignment]
    else:
        _mask_object(longrepr, 0)


def _mask_value(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        value[:] = [_mask_value(item, depth + 1) for item in value]
        return value
    if isinstance(value, tuple):
        return tuple(_mask_value(item, depth + 1) for item in value)
    _mask_object(value, depth + 1)
    return value


def _mask_object(value: Any, depth: int) -> None:
    """Mask the strings of pytest's traceback representation objects, recursively."""
    if depth > _MAX_DEPTH or not type(value).__module__.startswith("_pytest."):
        return
    fields = getattr(value, "__dict__", None)
    if fields is None:
        return
    for name, item in list(fields.items()):
        masked = _mask_value(item, depth)
        if masked is not item:
            object.__setattr__(value, name, masked)


class RedactingFilter(logging.Filter):
    """Masks every key in a log record before a handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:  # formatted here, masked: handlers
            record.exc_text = _FORMATTER.formatException(record.exc_info)  # reuse exc_text
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


_FORMATTER = logging.Formatter()


def mask_logging(config: pytest.Config) -> None:
    """Add :class:`RedactingFilter` to pytest's live-logging and log-file handlers."""
    plugin = config.pluginmanager.get_plugin("logging-plugin")
    for name in ("log_cli_handler", "log_file_handler"):
        handler = getattr(plugin, name, None)
        if isinstance(handler, logging.Handler):
            handler.addFilter(RedactingFilter())
