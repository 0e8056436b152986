"""The package's imports run one way: no circle, and no import of a higher layer.

The layers, top first (docs/architecture.md draws them). A module may import
its own layer's modules and any lower layer's, never a higher one's; and no
group of modules, in one layer or across several, imports itself round.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.import_graph import cycles, imports_of, unplaced, upward

PACKAGE = Path(__file__).resolve().parent.parent / "pytest_account_links"

P = "pytest_account_links"
LAYERS: tuple[tuple[str, ...], ...] = (
    # The public faces and the pytest entry point.
    (
        P,
        f"{P}.__main__",
        f"{P}.plugin",
        f"{P}.hooks",
        f"{P}.errors",
        f"{P}.models",
        f"{P}.provider",
        f"{P}._marker_options",
    ),
    (f"{P}.served",),  # the fake over HTTP: server, hosted page, control endpoints
    (f"{P}.harness",),  # what a test holds: the fake, markers, report
    (f"{P}.transports",),  # in-process interception: routers, patches, guards
    (f"{P}.api",),  # generations, endpoints, the registry, the pipeline
    (f"{P}.domain",),  # accounts, links, events, idempotency, the store
    (f"{P}.core",),  # wire, ids, clock, keys, versions, settings, the catalogue's data
)


def test_every_module_has_a_layer() -> None:
    assert unplaced(PACKAGE, LAYERS) == []


def test_the_package_has_no_import_circle() -> None:
    assert cycles(imports_of(PACKAGE)) == []


def test_no_module_imports_a_higher_layer() -> None:
    assert [str(edge) for edge in upward(imports_of(PACKAGE), LAYERS)] == []


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(
    "where",
    [
        "from pkg.low import b\n",  # at the top
        "def f():\n    from pkg.low import b\n",  # lazily
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.low.b import X\n",
        "from pkg import low\nfrom . import low as again\n",  # the module, not pkg's init
    ],
)
def test_the_checker_reports_a_circle_naming_its_modules(tmp_path: Path, where: str) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": where,
            "low/__init__.py": "",
            "low/b.py": "import pkg.a\n",
        },
    )
    if "from pkg import low" in where:
        (root / "low" / "__init__.py").write_text("from pkg import a\n")
        expected = [["pkg.a", "pkg.low"]]
    else:
        expected = [["pkg.a", "pkg.low.b"]]

    assert cycles(imports_of(root)) == expected


def test_the_checker_reports_a_circle_within_a_layer(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "one.py": "from pkg.two import x\n",
            "two.py": "def f():\n    from pkg.three import y\n",
            "three.py": "from pkg import one\n",
            "four.py": "from pkg import one\n",
        },
    )

    assert cycles(imports_of(root)) == [["pkg.one", "pkg.three", "pkg.two"]]


def test_the_checker_reports_an_upward_import_naming_both_modules(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "top/__init__.py": "",
            "top/glue.py": "from pkg.low import rules\n",
            "low/__init__.py": "",
            "low/rules.py": "def f():\n    from pkg.top.glue import g\n",
        },
    )
    layers = (("pkg", "pkg.top"), ("pkg.low",))

    assert [str(e) for e in upward(imports_of(root), layers)] == [
        "pkg.low.rules -> pkg.top.glue (line 2)"
    ]
    assert cycles(imports_of(root)) == [["pkg.low.rules", "pkg.top.glue"]]


def test_the_checker_passes_a_package_whose_imports_run_down(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "__init__.py": "",
            "top/__init__.py": "",
            "top/glue.py": "from pkg.low import rules\nfrom pkg.low.rules import f\n",
            "low/__init__.py": "",
            "low/rules.py": "import json\n",
        },
    )
    layers = (("pkg", "pkg.top"), ("pkg.low",))

    assert upward(imports_of(root), layers) == []
    assert cycles(imports_of(root)) == []
