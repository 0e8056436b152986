"""mkdocs hook: the error catalogue page's table is generated from the plugin's own
catalogue at build time, so the site cannot drift from the code."""

from __future__ import annotations

import re
from typing import Any

from pytest_account_links.errors import catalogue_table

_TABLE = re.compile(r"<!-- catalogue -->.*?<!-- /catalogue -->", re.S)


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    if page.file.src_path != "errors.md":
        return markdown
    if not _TABLE.search(markdown):
        raise ValueError("docs/errors.md lost its <!-- catalogue --> markers")
    table = f"<!-- catalogue -->\n{catalogue_table()}\n<!-- /catalogue -->"
    return _TABLE.sub(lambda _: table, markdown)
