"""The import graph of a package, its circles and the imports against its layers.

Every import counts: at the top of a module, inside a function, under
``if TYPE_CHECKING:`` (a lazy import is still a dependency). ``from pkg import
name`` depends on the module ``pkg.name`` when there is one, else on ``pkg``
(its ``__init__``). Only the package's own modules are nodes.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping, Sequence
    from pathlib import Path


@dataclass(frozen=True)
class Import:
    """``importer`` imports ``imported`` at ``line``."""

    importer: str
    imported: str
    line: int

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported} (line {self.line})"


def modules_of(root: Path) -> dict[str, Path]:
    """Every module of the package whose folder is ``root``, by dotted name."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = (root.name, *path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports_of(root: Path) -> list[Import]:
    """Every import of one of the package's modules by another."""
    modules = modules_of(root)
    found: list[Import] = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for target in _targets(node, package, modules):
                if target != name:
                    found.append(Import(name, target, node.lineno))
    return found


def _targets(
    node: ast.Import | ast.ImportFrom, package: str, modules: Mapping[str, Path]
) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in modules:
                yield alias.name
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            parts = package.split(".")
            parts = parts[: len(parts) - node.level + 1]
            base = ".".join([*parts, *([node.module] if node.module else [])])
        for alias in node.names:
            if f"{base}.{alias.name}" in modules:
                yield f"{base}.{alias.name}"
            elif base in modules:
                yield base


def cycles(imports: Sequence[Import]) -> list[list[str]]:
    """Each import circle: a strongly connected group of two or more modules, sorted."""
    graph: dict[str, set[str]] = {}
    for edge in imports:
        graph.setdefault(edge.importer, set()).add(edge.imported)
        graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for after in sorted(graph[node]):
            if after not in index:
                visit(after)
                low[node] = min(low[node], low[after])
            elif after in on_stack:
                low[node] = min(low[node], index[after])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def layer_of(module: str, layers: Sequence[Sequence[str]]) -> int | None:
    """The index of the layer (0 the top) that holds ``module``: its longest prefix wins."""
    best: tuple[int, int] | None = None
    for number, members in enumerate(layers):
        for prefix in members:
            holds = module == prefix or module.startswith(prefix + ".")
            if holds and (best is None or len(prefix) > best[0]):
                best = (len(prefix), number)
    return None if best is None else best[1]


def upward(imports: Sequence[Import], layers: Sequence[Sequence[str]]) -> list[Import]:
    """Each import of a module in a higher layer than the importer's (``layers``: top first)."""
    against = []
    for edge in imports:
        importer, imported = layer_of(edge.importer, layers), layer_of(edge.imported, layers)
        if importer is not None and imported is not None and imported < importer:
            against.append(edge)
    return against


def unplaced(root: Path, layers: Sequence[Sequence[str]]) -> list[str]:
    """The modules no layer holds."""
    return [name for name in modules_of(root) if layer_of(name, layers) is None]
