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


def test_every_data_file_of_the_package_ships() -> None:
    """A file the package reads (the spec's schemas, ...) is in the wheel: the editable
    install the suite runs under would not notice a missing ``package-data`` entry."""
    import ast
    import re

    pyproject = (PACKAGE.parent / "pyproject.toml").read_text()  # no tomllib on 3.10
    listed = re.search(r"^pytest_account_links = (\[.*?\])$", pyproject, re.M | re.S)
    assert listed is not None
    shipped = set(ast.literal_eval(listed.group(1)))
    data = {
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }
    assert data - shipped == set()
    assert {"domain/schemas.json", "core/spec_errors.json", "py.typed"} <= data


def test_no_file_keeps_a_merge_conflict() -> None:
    """A merge's conflict markers left in a file (the changelog once had them) fail here,
    whatever the file: mkdocs renders them and ruff skips Markdown."""
    import re
    import subprocess

    tracked = subprocess.run(
        ["git", "ls-files", "-z"],
        cwd=PACKAGE.parent,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    marker = re.compile(rb"^(<{7} |>{7} |={7}$)", re.M)
    left = [
        name.decode()
        for name in tracked
        if name
        and (PACKAGE.parent / name.decode()).is_file()
        and marker.search((PACKAGE.parent / name.decode()).read_bytes())
    ]
    assert left == []
