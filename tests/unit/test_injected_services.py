"""Routes and pages take their services injected (`erkenning.http.dependencies.provide`), never build one:
a service built by hand in a handler could be given a session of its own, outside the request's transaction.
Tasks, the CLI, devtools and services calling services build them by hand (no request there)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "erkenning"


def _request_side(path: Path) -> bool:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] in ("web", "admin", "http") or "controllers" in parts or path.stem == "controllers"


def _services() -> set[str]:
    """Classes of the domains and the core whose __init__ takes the session first."""
    found = set()
    for path in PACKAGE.rglob("*.py"):
        if _request_side(path):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    names = [a.arg for a in item.args.args]
                    if names[1:2] == ["session"]:
                        found.add(node.name)
    return found


def test_the_scan_knows_the_services() -> None:
    assert {"CompanyService", "DecisionService", "ReportIntake", "AuthService", "CompletionRecorder"} <= _services()


def test_no_route_or_page_builds_a_service() -> None:
    services = _services()
    built = sorted(
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.func.id}(...)"
        for path in PACKAGE.rglob("*.py")
        if _request_side(path)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in services
    )
    assert not built, "services built by hand where a request is served (inject them):\n" + "\n".join(built)
