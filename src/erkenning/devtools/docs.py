"""The docs' tables that exist in code (transition tables, settings), rendered into `docs/**/*.md`.

A page marks a region, and this module rewrites what lies between the markers:

    <!-- generated: transitions erkenning.workflows.states.TRANSITIONS -->
    …
    <!-- /generated -->

    <!-- generated: settings -->
    …
    <!-- /generated -->

`python -m erkenning.devtools.docs` (`make docs`) rewrites every region; `--check` only lists the
stale ones and exits 1. `tests/unit/test_docs.py` fails when a region differs from the code.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin

from pydantic import SecretStr
from pydantic_settings import BaseSettings

from erkenning.core.settings import Settings
from erkenning.core.states import Rule

REGION = re.compile(
    r"(?P<start><!-- generated: (?P<kind>[a-z]+)(?: (?P<target>[\w.]+))? -->\n)"
    r"(?P<body>.*?)"
    r"(?P<end><!-- /generated -->)",
    re.DOTALL,
)
# The checkout this module belongs to (src/erkenning/devtools/docs.py), when it runs from one.
CHECKOUT = Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Region:
    """One generated region of a page: what it holds now and what the code gives."""

    path: Path
    kind: str
    target: str
    current: str
    expected: str

    @property
    def name(self) -> str:
        return f"{self.kind} {self.target}".strip()

    @property
    def stale(self) -> bool:
        return self.current != self.expected


# ---------------------------------------------------------------- cells


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _code(text: str) -> str:
    return f"`{text}`"


def _rank(member: Any) -> tuple[int, str]:
    """Where an enum declares this member (anything else by its text)."""
    return (list(type(member)).index(member), "") if isinstance(member, Enum) else (0, str(member))


def _ordered(members: Any) -> list[Any]:
    """Enum members in the order their enum declares them (sets have none)."""
    return sorted(members, key=_rank)


def _value(member: Any) -> str:
    return str(member.value if isinstance(member, Enum) else member)


def _function(fn: Callable[..., Any] | None) -> str:
    """A guard in words: its docstring's first line, else its name (a closure by the function that made it)."""
    if fn is None:
        return ""
    doc = inspect.getdoc(fn)
    if doc:
        return _cell(doc.splitlines()[0])
    qualname = getattr(fn, "__qualname__", "") or getattr(fn, "__name__", repr(fn))
    if "<locals>" in qualname:
        qualname = qualname.split(".<locals>")[0]
    return _code(qualname.rsplit(".", 1)[-1])


# ---------------------------------------------------------------- transition tables


def _load(target: str) -> Any:
    module_name, _, attribute = target.rpartition(".")
    if not module_name:
        raise LookupError(f"{target!r} names no module attribute")
    return getattr(importlib.import_module(module_name), attribute)


def _side_ready(target: str) -> Mapping[Any, Callable[..., Any]]:
    """`READY_X` beside `X_TRANSITIONS`, where a module keeps its "not yet" guards apart from the rules."""
    module_name, _, attribute = target.rpartition(".")
    if not attribute.endswith("_TRANSITIONS"):
        return {}
    found = getattr(importlib.import_module(module_name), "READY_" + attribute.removesuffix("_TRANSITIONS"), None)
    return found if isinstance(found, Mapping) else {}


def transitions(target: str) -> str:
    """A transition table as Markdown: one row per move, by the declared order of from and to."""
    table = _load(target)
    if not isinstance(table, Mapping) or not all(isinstance(rule, Rule) for rule in table.values()):
        raise LookupError(f"{target} is not a transition table (a mapping of (from, to) to Rule)")
    side = _side_ready(target)
    lines = [
        f"*Generated from `{target}` (`make docs`).*",
        "",
        "| from | to | who (else 403) | must be given (else 422) | must hold (else 403) | not yet (409) "
        "| what it does |",
        "|---|---|---|---|---|---|---|",
    ]
    # In the order the states are declared: some tables are built from sets, whose order varies per run.
    for (source, to), rule in sorted(table.items(), key=lambda item: (_rank(item[0][0]), _rank(item[0][1]))):
        guard, ready = rule.guard, getattr(rule, "ready", None)
        # Before `Rule.ready` existed, a guard that is not a permission said "not now" (409).
        if guard is not None and getattr(rule, "guard_is_permission", True) is False:
            guard, ready = None, ready or guard
        ready = ready or side.get((source, to))
        cells = [
            _code(_value(source)),
            _code(_value(to)),
            ", ".join(_value(role) for role in _ordered(rule.roles)),
            ", ".join(_code(name) for name in rule.needs),
            _function(guard),
            _function(ready),
            _cell(rule.description),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- settings


def _groups(settings: type[BaseSettings]) -> dict[str, str]:
    """Each field's group: the comment above its block of fields in the class ("" where there is none)."""
    groups: dict[str, str] = {}
    comment: list[str] = []
    current = ""
    for line in inspect.getsource(settings).splitlines():
        if line.startswith("    # "):
            comment.append(line.strip()[2:])
        elif not line.strip():
            current = ""  # a blank line ends a block of fields
        elif field := re.match(r"    (\w+):", line):
            if comment:
                current, comment = " ".join(comment), []
            if field.group(1) in settings.model_fields:
                groups[field.group(1)] = current
    return groups


def _type(annotation: Any) -> str:
    if get_origin(annotation) in (Union, UnionType):
        inner = [arg for arg in get_args(annotation) if arg is not NoneType]
        text = " or ".join(_type(arg) for arg in inner)
        return text + (" (may be unset)" if NoneType in get_args(annotation) else "")
    if get_origin(annotation) is list:
        return "JSON list"
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "one of " + ", ".join(_code(_value(member)) for member in annotation)
    names = {int: "integer", float: "number", str: "text", bool: "`true`/`false`", Path: "path", SecretStr: "secret"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _default(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        return "a development value: **set it in production**"
    if isinstance(value, bool):
        return _code(str(value).lower())
    if isinstance(value, list):
        return "none" if not value else _code(repr(value))
    return _code(_value(value))


def settings_table(settings: type[BaseSettings] = Settings) -> str:
    """Every setting as an environment variable, grouped by the comments of the settings class."""
    groups = _groups(settings)
    out = [f"*Generated from `{settings.__module__}.{settings.__qualname__}` (`make docs`).*"]
    heading: str | None = None
    for name, field in settings.model_fields.items():
        group = groups.get(name, "")
        if heading != group:
            title = group or ("General" if heading is None else "Other")
            heading = group
            out += ["", f"**{_cell(title)}**", ""]
            out += ["| variable | type | default | what it does |", "|---|---|---|---|"]
        default = field.get_default(call_default_factory=True)
        cells = [_code(name.upper()), _type(field.annotation), _default(default), _cell(field.description or "")]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- pages


def render(kind: str, target: str) -> str:
    """What the code gives for one region."""
    if kind == "transitions":
        return transitions(target)
    if kind == "settings":
        return settings_table(_load(target) if target else Settings)
    raise LookupError(f"unknown kind of generated region: {kind!r}")


def pages(root: Path) -> Iterator[Path]:
    yield from sorted((root / "docs").rglob("*.md"))


def regions(path: Path) -> list[Region]:
    """The generated regions of one page, each with what the code gives now."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in REGION.finditer(text):
        kind, target = match["kind"], match["target"] or ""
        found.append(Region(path, kind, target, match["body"], render(kind, target)))
    return found


def rewrite(path: Path) -> list[Region]:
    """Rewrite a page's generated regions from the code; returns those that changed."""
    text = path.read_text(encoding="utf-8")
    stale = [region for region in regions(path) if region.stale]
    if stale:

        def fresh(match: re.Match[str]) -> str:
            return match["start"] + render(match["kind"], match["target"] or "") + match["end"]

        path.write_text(REGION.sub(fresh, text), encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m erkenning.devtools.docs", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=CHECKOUT, help="the checkout whose docs/ to rewrite")
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when a region is stale")
    args = parser.parse_args(argv)
    if not (args.root / "docs").is_dir():
        parser.error(f"no docs/ in {args.root}; pass --root")
    stale: list[Region] = []
    for path in pages(args.root):
        stale += [region for region in regions(path) if region.stale] if args.check else rewrite(path)
    for region in stale:
        print(f"{region.path.relative_to(args.root)}: {region.name}: {'stale' if args.check else 'rewritten'}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
