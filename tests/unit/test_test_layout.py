"""The tests' own layout: no module of the tests imports a test module (`test_*.py`) or a conftest, nor a
private (`_`-prefixed) name of another module of the tests. What several test modules share lives in
tests/factories.py (the makers), tests/helpers.py or a helper module beside them; fixtures in a conftest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    parts = path.relative_to(TESTS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(module: str | None, level: int, importer: str, is_package: bool) -> str:
    """The absolute name of `from <.module> import …` written in `importer`."""
    if level == 0:
        return module or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _is_test_or_conftest(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def problems(path: Path, source: str) -> list[str]:
    """What `source` (the text of `path`, a module under tests/) imports that it should not, as `file:line: …`."""
    importer = _module_name(path)
    where = path.relative_to(TESTS.parent)
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            imported = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node.module, node.level, importer, path.name == "__init__.py")
            imported = [(module, alias.name) for alias in node.names]
        else:
            continue
        for module, name in imported:
            if module != "tests" and not module.startswith("tests."):
                continue
            if _is_test_or_conftest(module):
                problem = f"{where}:{node.lineno}: imports from {module} (a test module or conftest)"
            elif name is not None and _is_test_or_conftest(name):
                problem = f"{where}:{node.lineno}: imports {module}.{name} (a test module or conftest)"
            elif name is not None and name.startswith("_") and module != importer:
                problem = f"{where}:{node.lineno}: imports the private name {name} of {module}"
            else:
                continue
            if problem not in found:
                found.append(problem)
    return found


def test_no_module_of_the_tests_imports_a_test_module_a_conftest_or_a_private_name() -> None:
    found = [p for path in sorted(TESTS.rglob("*.py")) for p in problems(path, path.read_text(encoding="utf-8"))]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("web/browser/test_x.py", "from tests.web.test_adviser_tasks import _task\n",
         "web/browser/test_x.py:1: imports from tests.web.test_adviser_tasks"),
        ("web/browser/test_x.py", "\n\nfrom tests.web.browser import test_accessibility as a11y\n",
         "web/browser/test_x.py:3: imports tests.web.browser.test_accessibility"),
        ("bulk/helpers.py", "import tests.bulk.test_import\n",
         "bulk/helpers.py:1: imports from tests.bulk.test_import"),
        ("web/test_x.py", "from .conftest import WebClient\n",
         "web/test_x.py:1: imports from tests.web.conftest"),
        ("audit/test_x.py", "from tests.recognition.conftest import World\n",
         "audit/test_x.py:1: imports from tests.recognition.conftest"),
        ("web/test_x.py", "def f():\n    from tests.helpers import _Handler\n",
         "web/test_x.py:2: imports the private name _Handler of tests.helpers"),
    ],
)
def test_the_check_names_file_and_line_of_each_forbidden_import(path: str, source: str, expected: str) -> None:
    # `expected` leaves out the leading "tests/": these files do not exist (test_docs checks paths named).
    [problem] = problems(TESTS / path, source)
    assert problem.startswith("tests/" + expected), problem


@pytest.mark.parametrize(
    "source",
    [
        "from tests.factories import make_company\nfrom tests.helpers import drain_queue\n",
        "from tests.security import access\nfrom tests.monitoring.seed import Seeder\n",
        "from erkenning.core import _private_of_the_product\nimport test_something_else\n",
    ],
)
def test_the_check_lets_shared_helpers_through(source: str) -> None:
    assert problems(TESTS / "web" / "test_x.py", source) == []
