"""Every titled Python example in the docs and the README runs, and passes, as a user's test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r'^```python title="(?P<name>[\w.]+)"\n(?P<code>.*?)^```$', re.M | re.S)


def _examples(page: Path) -> dict[str, str]:
    return {m["name"]: m["code"] for m in BLOCK.finditer(page.read_text())}


def test_the_docs_have_examples() -> None:
    assert sum(len(_examples(page)) for page in PAGES) >= 8


@pytest.mark.parametrize(
    "page", [p for p in PAGES if _examples(p)], ids=lambda p: str(p.relative_to(ROOT))
)
def test_examples_pass(pytester: pytest.Pytester, page: Path) -> None:
    examples = _examples(page)
    pytester.makepyfile(**{name.removesuffix(".py"): code for name, code in examples.items()})
    expected = sum(len(re.findall(r"^def test_", code, re.M)) for code in examples.values())

    result = pytester.runpytest()

    result.assert_outcomes(passed=expected)


def _generated(page: str, marker: str) -> str:
    text = (ROOT / "docs" / page).read_text()
    return text.split(f"<!-- {marker} -->\n", 1)[1].split(f"\n<!-- /{marker} -->", 1)[0]


def test_the_catalogue_page_matches_the_catalogue() -> None:
    from pytest_account_links.errors import catalogue_table

    assert _generated("errors.md", "catalogue") == catalogue_table()


def test_the_architecture_page_lists_the_pipelines_stages() -> None:
    from pytest_account_links.api.pipeline import stages_table

    assert _generated("architecture.md", "stages") == stages_table()


def test_the_validation_page_lists_the_versions_of_the_table() -> None:
    from pytest_account_links.core.versions import versions_table

    assert _generated("validation.md", "versions") == versions_table()


def test_the_configuration_page_lists_the_settings() -> None:
    from pytest_account_links.core.settings import settings_table

    assert _generated("configuration.md", "settings") == settings_table()


def test_every_module_the_architecture_page_names_exists() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text()
    named = set(re.findall(r"`(pytest_account_links/[\w/]+(?:\.py)?)`", page))

    assert len(named) >= 25
    assert [path for path in sorted(named) if not (ROOT / path).exists()] == []
    package = ROOT / "pytest_account_links"
    modules = {
        str(path.relative_to(ROOT))
        for path in package.glob("*.py")
        if path.name not in ("__init__.py",)
    }
    assert sorted(modules - named) == []  # every module has its line
