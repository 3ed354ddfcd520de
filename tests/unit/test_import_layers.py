"""The house's arrows: every import of `src/erkenning/` read with `ast` (function-level and
TYPE_CHECKING imports included), checked against the layers of docs/architecture.md, and no package
cycle at any level of the tree."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "erkenning"

CORE = {"core"}
HTTP = {"http"}
# Which top-level parts each part may import (besides itself). Domains list the domains they may read.
DOMAIN_ARROWS: dict[str, set[str]] = {
    "companies": set(),
    "recognition": {"companies"},
    "register": {"recognition", "companies"},
    "training": {"companies"},
    "reports": {"companies"},
    "workflows": {"reports", "recognition", "training", "companies"},
    "retention": {"reports", "workflows", "recognition", "companies"},
    "stagepact": {"reports", "workflows", "recognition", "training", "companies", "register", "vocabulary"},
    "bulk": {"recognition", "companies"},
}
DOMAINS = set(DOMAIN_ARROWS)
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "http": CORE,
    "admin": CORE | HTTP,
    **{name: CORE | HTTP | arrows for name, arrows in DOMAIN_ARROWS.items()},
    "vocabulary": CORE | DOMAINS - {"stagepact", "bulk", "retention"},
    "letters": CORE | HTTP | DOMAINS | {"vocabulary"},
    "web": CORE | HTTP | DOMAINS | {"vocabulary", "admin", "letters"},
    "devtools": CORE | HTTP | DOMAINS | {"models", "letters"},
    "models": CORE | HTTP | DOMAINS | {"web"},
    "app": CORE | HTTP | DOMAINS | {"admin", "web", "vocabulary", "models", "letters"},
    "worker": CORE | HTTP | DOMAINS | {"web", "models", "letters"},
    "cli": CORE | HTTP | DOMAINS | {"app", "worker", "devtools", "models", "admin", "letters"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports() -> list[tuple[str, str, str, int]]:
    """(importing module, imported module, file, line) for every import of our own code."""
    known = {_module_name(p) for p in ROOT.joinpath(PACKAGE).rglob("*.py")}
    found = []
    for path in sorted(ROOT.joinpath(PACKAGE).rglob("*.py")):
        here = _module_name(path)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = here.split(".")
                    base = base[: len(base) - node.level + (1 if path.name == "__init__.py" else 0)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                # `from erkenning.x import y` imports the module x.y when there is one, else x.
                targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in known else module for a in node.names]
            for target in targets:
                if target == PACKAGE or target.startswith(PACKAGE + "."):
                    found.append((here, target, str(path.relative_to(ROOT.parent)), node.lineno))
    return found


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "<package>"


def test_imports_follow_the_arrows() -> None:
    wrong = sorted({
        f"{file}:{line}: {here} imports {target} ({_part(here)} may not import {_part(target)})"
        for here, target, file, line in _imports()
        if _part(here) != _part(target) and _part(target) not in ALLOWED.get(_part(here), set())
    })
    assert not wrong, "imports against the arrows:\n" + "\n".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return result


def _package_graphs() -> dict[str, tuple[dict[str, set[str]], dict[tuple[str, str], tuple[str, int]]]]:
    """For every package, the graph between its subpackages, lifted from the module imports."""
    packages = {_module_name(p.parent) for p in ROOT.joinpath(PACKAGE).rglob("__init__.py")}
    graphs: dict[str, tuple[dict[str, set[str]], dict[tuple[str, str], tuple[str, int]]]] = defaultdict(
        lambda: (defaultdict(set), {})
    )
    for here, target, file, line in _imports():
        a, b = here.split("."), target.split(".")
        depth = 0
        while depth < min(len(a), len(b)) and a[depth] == b[depth]:
            depth += 1
        if depth >= min(len(a), len(b)):
            continue  # a package importing its own subpackage, or the other way round
        parent = ".".join(a[:depth])
        child_a, child_b = ".".join(a[: depth + 1]), ".".join(b[: depth + 1])
        if parent == PACKAGE or (child_a in packages and child_b in packages):
            edges, where = graphs[parent]
            edges[child_a].add(child_b)
            where.setdefault((child_a, child_b), (file, line))
    return graphs


def test_no_package_cycles() -> None:
    found = []
    for parent, (edges, where) in sorted(_package_graphs().items()):
        for cycle in _cycles(edges):
            links = [f"{a} -> {b} ({where[(a, b)][0]}:{where[(a, b)][1]})"
                     for a in cycle for b in cycle if (a, b) in where]
            found.append(f"in {parent}: " + ", ".join(cycle) + "\n    " + "\n    ".join(links))
    assert not found, "package cycles:\n" + "\n".join(found)


def test_top_level_holds_only_the_entry_points() -> None:
    loose = sorted(p.stem for p in ROOT.joinpath(PACKAGE).glob("*.py") if p.stem != "__init__")
    assert loose == ["app", "models", "vocabulary", "worker"]


@pytest.mark.parametrize("rule", ["core"])
def test_core_imports_nothing_above_it(rule: str) -> None:
    above = [
        f"{file}:{line}: {here} imports {target}"
        for here, target, file, line in _imports()
        if _part(here) == rule and _part(target) != rule
    ]
    assert not above, "\n".join(above)
