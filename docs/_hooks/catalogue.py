"""mkdocs hook: tables generated from the code at build time, so the site cannot drift.

- ``errors.md``: the error catalogue, from ``errors.CATALOGUE`` and the endpoints;
- ``architecture.md``: the pipeline's stages, from ``_pipeline.STEPS`` and ``AFTER``;
- ``validation.md``: the API versions the fake accepts, from ``_versions``;
- ``configuration.md``: the settings, from ``_settings.OPTIONS``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pytest_account_links.api.pipeline import stages_table
from pytest_account_links.core.settings import settings_table
from pytest_account_links.core.versions import versions_table
from pytest_account_links.errors import catalogue_table

if TYPE_CHECKING:
    from collections.abc import Callable

_GENERATED: dict[str, tuple[str, Callable[[], str]]] = {
    "errors.md": ("catalogue", catalogue_table),
    "architecture.md": ("stages", stages_table),
    "validation.md": ("versions", versions_table),
    "configuration.md": ("settings", settings_table),
}


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    generated = _GENERATED.get(page.file.src_path)
    if generated is None:
        return markdown
    marker, table = generated
    pattern = re.compile(rf"<!-- {marker} -->.*?<!-- /{marker} -->", re.S)
    if not pattern.search(markdown):
        raise ValueError(f"docs/{page.file.src_path} lost its <!-- {marker} --> markers")
    block = f"<!-- {marker} -->\n{table()}\n<!-- /{marker} -->"
    return pattern.sub(lambda _: block, markdown)


def regenerate() -> None:
    """Rewrite the committed copies of the tables: ``python docs/_hooks/catalogue.py``."""
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent
    for page, (marker, table) in _GENERATED.items():
        path = docs / page
        pattern = re.compile(rf"<!-- {marker} -->.*?<!-- /{marker} -->", re.S)
        block = f"<!-- {marker} -->\n{table()}\n<!-- /{marker} -->"
        path.write_text(pattern.sub(lambda _, block=block: block, path.read_text()))


if __name__ == "__main__":
    regenerate()
