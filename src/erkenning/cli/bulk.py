"""The bulk commands of `erkenning`: import, export, seed (with a progress bar on stderr)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from erkenning.core.settings import get_settings

SHOWN_PROBLEMS = 100


@contextmanager
def _bar(
    description: str, *, unit_bytes: bool = False
) -> Iterator[tuple[Callable[[int, int], None], Callable[[str], None]]]:
    """A rich progress bar on stderr: yields (update(done, total), rename(description))."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TransferSpeedColumn,
    )

    amount = [DownloadColumn(), TransferSpeedColumn()] if unit_bytes else [MofNCompleteColumn()]
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), *amount, TimeElapsedColumn(),
                  console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task(description, total=None)
        yield (lambda done, total: progress.update(task, completed=done, total=total),
               lambda text: progress.update(task, description=text))


def _engine() -> Any:
    from erkenning.bulk.database import bulk_engine

    return bulk_engine(get_settings())


def _run(coro_fn: Callable[[Any], Any]) -> Any:
    async def run() -> Any:
        engine = _engine()
        try:
            return await coro_fn(engine)
        finally:
            await engine.dispose()

    return asyncio.run(run())


# Dependency order: recognitions name qualifications and companies.
IMPORT_ORDER = ("qualifications", "companies", "recognitions")


def _import_targets(targets: tuple[str, ...], delimiter: str | None) -> list[tuple[str, Path]]:
    """`KIND FILE`, or `FILE...` with each file's kind read from its header; in dependency order."""
    from erkenning.bulk.csvfile import kind_of
    from erkenning.bulk.rows import KINDS

    if targets[0] in KINDS:
        if len(targets) != 2:
            raise click.UsageError("give one FILE after KIND, or several FILEs without KIND")
        named = [(targets[0], Path(targets[1]))]
    else:
        named = []
        for target in targets:
            path = Path(target)
            kind = kind_of(path, KINDS.values(), delimiter) if path.is_file() else None
            if path.is_file() and kind is None:
                raise click.UsageError(f"{path.name}: its header fits no one kind of file; name it: "
                                       f"erkenning import KIND {path}")
            named.append((kind.name if kind else "", path))
    for _, path in named:
        if not path.is_file():
            raise click.BadParameter(f"{path} is not a file", param_hint="FILE")
    kinds = [kind for kind, _ in named]
    if len(set(kinds)) != len(kinds):
        raise click.UsageError("two files of the same kind: import them one after the other")
    return sorted(named, key=lambda pair: IMPORT_ORDER.index(pair[0]))


@click.command("import")
@click.argument("targets", nargs=-1, required=True, metavar="[KIND] FILE...")
@click.option("--delimiter", default=None, help="field separator (default: `;` if the header uses it, else `,`)")
@click.option("--errors-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write every refused row (line,reason; with several files file,line,reason) to this CSV")
def import_command(targets: tuple[str, ...], delimiter: str | None, errors_file: Path | None) -> None:
    """Load CSV files: `import KIND FILE`, or `import FILE...` with each file's kind (companies,
    qualifications, recognitions) read from its header. Check every row, load the good ones, report
    the bad ones by line.

    Several files load in one process, in dependency order (qualifications, companies,
    recognitions), each in a transaction of its own: a file that cannot be read stops the command,
    and the files before it stay loaded. Safe to run twice: rows are matched on their natural key and
    only what differs changes. Exits with status 1 when any row was refused (after loading the others).
    """
    from erkenning.core.logging import configure_logging

    configure_logging(get_settings())
    named = _import_targets(targets, delimiter)
    problems: list[tuple[str, int, str]] = []
    for kind, file in named:
        problems += [(file.name, line, reason) for line, reason in _import_one(kind, file, delimiter, errors_file)]
    if errors_file:
        if len(named) > 1:
            _write_problems(errors_file, ["file", "line", "reason"], problems)
        else:
            _write_problems(errors_file, ["line", "reason"], [p[1:] for p in problems])
    if problems:
        sys.exit(1)


def _import_one(kind: str, file: Path, delimiter: str | None, errors_file: Path | None) -> list[tuple[int, str]]:
    """Import one file, print its problems and summary; returns its refused rows."""
    from asyncpg import PostgresError

    from erkenning.bulk.importer import ImportFailed, Progress, import_csv

    started = time.monotonic()
    try:
        with _bar(f"reading {file.name}", unit_bytes=True) as (update, rename):
            report = _run(lambda engine: import_csv(
                engine, kind, file, delimiter=delimiter, progress=Progress(read=update, phase=rename)
            ))
    except ImportFailed as exc:
        raise click.ClickException(f"{file.name}: {exc}; nothing was loaded") from None
    except PostgresError as exc:  # e.g. a concurrent change won a race for the same key
        raise click.ClickException(f"{file.name}: the database refused the load ({exc}); nothing was loaded") from None
    for line, reason in report.problems[:SHOWN_PROBLEMS]:
        click.echo(f"line {line}: {reason}", err=True)
    if report.refused > SHOWN_PROBLEMS:
        click.echo(f"… and {report.refused - SHOWN_PROBLEMS} more refused rows"
                   + ("" if errors_file else " (--errors-file FILE lists them all)"), err=True)
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in report.summary().items())
    phases = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.timings.items())
    if report.steps:  # no parentheses: the bench reads this line
        phases += "; upsert: " + ", ".join(f"{name} {seconds:.2f} s" for name, seconds in report.steps.items())
    click.echo(f"{kind}: {counts} ({time.monotonic() - started:.2f} s: {phases})")
    return report.problems


def _write_problems(path: Path, header: list[str], problems: list[tuple[Any, ...]]) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(problems)


@click.group("export")
def export_group() -> None:
    """Export data as CSV."""


@export_group.command("register")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_register_command(file: Path) -> None:
    """The public register as CSV: recognitions that hold today, with only what the public may see."""
    from erkenning.bulk.export import REGISTER_COLUMNS, export_register
    from erkenning.core.logging import configure_logging

    configure_logging(get_settings())
    with _bar(f"writing {file.name}") as (update, _):
        rows = _run(lambda engine: export_register(engine, file, progress=update))
    click.echo(f"register: {rows} rows written to {file} ({', '.join(REGISTER_COLUMNS)})")


@export_group.command("table")
@click.argument("kind", type=click.Choice(["companies", "qualifications", "recognitions"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_table_command(kind: str, file: Path) -> None:
    """KIND in the CSV format that `erkenning import KIND` reads (a round trip changes nothing)."""
    from erkenning.bulk.export import export_table
    from erkenning.core.logging import configure_logging

    configure_logging(get_settings())
    with _bar(f"writing {file.name}") as (update, _):
        rows = _run(lambda engine: export_table(engine, kind, file, progress=update))
    click.echo(f"{kind}: {rows} rows written to {file}")


@click.command("seed")
@click.option("--companies", type=click.IntRange(min=0), required=True, help="how many companies to make")
@click.option("--seed-value", type=int, default=1, show_default=True, help="same value, same data")
@click.option("--qualifications", type=click.IntRange(min=1), default=600, show_default=True,
              help="size of the qualification catalogue")
def seed_command(companies: int, seed_value: int, qualifications: int) -> None:
    """Make realistic synthetic data: companies, ~600 qualifications, ~3 recognitions a company with periods.

    Idempotent for a seed value: running it again adds nothing.
    """
    from erkenning.core.logging import configure_logging
    from erkenning.devtools.seed import seed

    configure_logging(get_settings())
    started = time.monotonic()
    with _bar("seeding companies") as (update, _):
        report = _run(lambda engine: seed(
            engine, companies=companies, seed_value=seed_value, qualifications=qualifications, progress=update
        ))
    click.echo(
        f"seeded: {report.qualifications} qualifications, {report.companies} companies, "
        f"{report.recognitions} recognitions, {report.periods} periods ({time.monotonic() - started:.1f} s)"
    )


COMMANDS = (import_command, export_group, seed_command)
