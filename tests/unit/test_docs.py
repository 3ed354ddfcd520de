"""The docs cannot drift: generated tables match the code, every transition table is documented, the
architecture page shows the import test's arrows, and what the docs name (paths, `erkenning.…` names,
links) exists inside the repository."""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
import runpy
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

import erkenning
from erkenning.core.states import Rule
from erkenning.devtools import docs

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *docs.pages(ROOT)]


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _marked() -> list[tuple[Path, str, str]]:
    """(page, kind, target) of every generated region, found without rendering anything."""
    found = []
    for page in docs.pages(ROOT):
        for match in docs.REGION.finditer(page.read_text(encoding="utf-8")):
            found.append((page, match["kind"], match["target"] or ""))
    return found


MARKED = _marked()


@pytest.mark.parametrize(
    ("page", "kind", "target"), MARKED, ids=[f"{_rel(p)}:{k} {t}".strip() for p, k, t in MARKED]
)
def test_generated_region_matches_the_code(page: Path, kind: str, target: str) -> None:
    region = next(r for r in docs.regions(page) if (r.kind, r.target) == (kind, target))
    diff = "\n".join(difflib.unified_diff(
        region.current.splitlines(), region.expected.splitlines(), "in the page", "from the code", lineterm="", n=0
    ))
    if region.stale:
        pytest.fail(
            f"{_rel(page)}: the generated table `{region.name}` differs from what the code gives now; "
            f"run `make docs`\n{diff}",
            pytrace=False,
        )


def _transition_tables() -> Iterator[str]:
    """Every module-level mapping of (from, to) to Rule in a `states` module of the package."""
    for info in pkgutil.walk_packages(erkenning.__path__, "erkenning."):
        if info.name.rsplit(".", 1)[-1] != "states" or info.name == "erkenning.core.states":
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, Mapping) and value and all(isinstance(rule, Rule) for rule in value.values()):
                yield f"{info.name}.{name}"


def test_every_transition_table_and_the_settings_are_in_the_docs() -> None:
    documented = {target for _, kind, target in MARKED if kind == "transitions"}
    tables = set(_transition_tables())
    assert tables, "found no transition table in any erkenning.*.states module"
    missing = sorted(tables - documented)
    assert not missing, (
        "transition tables in no page of docs/ (add a `<!-- generated: transitions NAME -->` … "
        "`<!-- /generated -->` region and run `make docs`): " + ", ".join(missing)
    )
    assert any(kind == "settings" for _, kind, _ in MARKED), "no page of docs/ holds the generated settings table"


def _architecture_arrows() -> dict[str, set[str]]:
    """The table "| part | may import |" of docs/architecture.md, with "every domain" spelled out."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    table = text.split("| part | may import |", 1)[1].split("\n\n", 1)[0]
    rows: dict[str, set[str]] = {}
    for line in table.splitlines()[2:]:
        part, allowed = (cell.strip() for cell in line.strip("|").split("|"))
        every = {"every domain"} if "every domain" in allowed else set()
        rows[part.strip("`")] = set(re.findall(r"`(\w+)`", allowed)) | every
    return rows


def test_architecture_page_shows_the_arrows_the_import_test_allows() -> None:
    # Read the table from the file (running it, not importing it: test modules do not import each other).
    layers = runpy.run_path(str(ROOT / "tests" / "unit" / "test_import_layers.py"))
    allowed: dict[str, set[str]] = layers["ALLOWED"]
    domains: set[str] = layers["DOMAINS"]
    page = {
        part: (names - {"every domain"}) | (domains if "every domain" in names else set())
        for part, names in _architecture_arrows().items()
    }
    differences = [
        f"  {part}: page {sorted(page.get(part, set()))}, test {sorted(allowed.get(part, set()))}"
        for part in sorted(set(page) | set(allowed))
        if page.get(part) != allowed.get(part)
    ]
    assert not differences, (
        "docs/architecture.md says other arrows than tests/unit/test_import_layers.py:\n" + "\n".join(differences)
    )


# Paths named in prose: a top-level folder of the repository, then the rest of the path.
PATH = re.compile(r"(?<![\w./-])(?:src|tests|docs|bench|migrations)/[\w./-]*\w/?")
NAME = re.compile(r"(?<![\w./@-])erkenning(?:\.\w+)+")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _sources() -> list[Path]:
    """Code and templates whose docstrings and comments name paths."""
    found = [p for p in (ROOT / "src").rglob("*") if p.suffix in {".py", ".html", ".txt"} and ".egg-info" not in str(p)]
    return sorted(found + list((ROOT / "tests").rglob("*.py")))


def test_paths_named_in_docs_and_docstrings_exist() -> None:
    missing = [
        f"{_rel(path)}: {name}"
        for path in [*PAGES, *_sources()]
        for name in PATH.findall(path.read_text(encoding="utf-8"))
        if not (ROOT / name).exists()
    ]
    assert not missing, "named but not in the repository:\n" + "\n".join(missing)


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(obj, attribute):
                return False
            obj = getattr(obj, attribute)
        return True
    return False


def test_code_names_in_the_docs_exist() -> None:
    missing = sorted({
        f"{_rel(page)}: {name}"
        for page in PAGES
        for name in NAME.findall(page.read_text(encoding="utf-8"))
        if not _resolves(name)
    })
    assert not missing, "names in the docs that the code does not have:\n" + "\n".join(missing)


def test_links_stay_inside_the_repository() -> None:
    wrong = []
    for page in PAGES:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            resolved = (page.parent / target.split("#", 1)[0]).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                wrong.append(f"{_rel(page)}: {target}")
    assert not wrong, "links that lead nowhere or out of the repository:\n" + "\n".join(wrong)


def test_nothing_points_outside_the_repository() -> None:
    outside = re.compile(r"\.\./shared|(?<![\w.])shared/|/work/")
    files = [*PAGES, *_sources(), *(ROOT / name for name in ("Makefile", "Dockerfile", "pyproject.toml"))]
    found = [
        f"{_rel(path)}:{number}: {line.strip()}"
        for path in files
        if path != Path(__file__).resolve()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if outside.search(line)
    ]
    assert not found, "points outside the repository:\n" + "\n".join(found)
