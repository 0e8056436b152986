"""The catalogue of errors the fake answers with, and ``UnfakedRequestError``.

The public face of :mod:`.core.errors` (the catalogue's data) and of
:func:`catalogue_table`, which writes the docs' error catalogue page from the
catalogue and the endpoints' declarations. Code inside the package imports the
module that holds a name, never this one.
"""

from __future__ import annotations

from typing import Any

from pytest_account_links.core import errors as _errors
from pytest_account_links.core.errors import CATALOGUE, ErrorSpec, UnfakedRequestError

__all__ = ["CATALOGUE", "ErrorSpec", "UnfakedRequestError", "catalogue_table"]


def catalogue_table() -> str:
    """The catalogue as the Markdown table of the docs' error catalogue page."""
    from pytest_account_links.api.registry import catalogue_table as table

    return table()


def __getattr__(name: str) -> Any:
    return getattr(_errors, name)
