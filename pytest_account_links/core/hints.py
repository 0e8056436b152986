"""The one "did you mean" helper, for every message that names a misspelt thing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable


def closest(name: str, known: Iterable[str]) -> str | None:
    """The entry of ``known`` that ``name`` was most likely meant to be, or None."""
    import difflib  # only when a message needs it

    found = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return found[0] if found else None


def did_you_mean(name: str, known: Iterable[str], shown: str = "{!r}") -> str:
    """`` (did you mean 'x'?)`` when ``name`` is close to one of ``known``, else ``""``."""
    found = closest(name, known)
    return f" (did you mean {shown.format(found)}?)" if found is not None else ""
