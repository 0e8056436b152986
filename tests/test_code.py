"""The code stays the shape the project promises: small functions."""

from __future__ import annotations

from pathlib import Path

from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parent.parent / "pytest_account_links"
#: The most branches one function of the package may have (radon's cyclomatic complexity).
MOST = 15


def test_no_function_is_more_complex_than_the_limit() -> None:
    too_complex = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for block in cc_visit(path.read_text()):
            if block.complexity > MOST:
                too_complex.append(f"{path.relative_to(PACKAGE)}:{block.lineno} {block.name}")

    assert too_complex == [], f"split these into named steps (complexity > {MOST})"
