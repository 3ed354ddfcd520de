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


@click.command("import")
@click.argument("kind", type=click.Choice(["companies", "qualifications", "recognitions"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--delimiter", default=None, help="field separator (default: `;` if the header uses it, else `,`)")
@click.option("--errors-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="write every refused row (line,reason) to this CSV")
def import_command(kind: str, file: Path, delimiter: str | None, errors_file: Path | None) -> None:
    """Load KIND from a CSV FILE: check every row, load the good ones, report the bad ones by line.

    Safe to run twice: rows are matched on their natural key and only what differs changes. Exits
    with status 1 when any row was refused (after loading the others).
    """
    from asyncpg import PostgresError

    from erkenning.bulk.importer import ImportFailed, Progress, import_csv
    from erkenning.core.logging import configure_logging

    configure_logging(get_settings())
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
    if errors_file:
        _write_problems(errors_file, report.problems)
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in report.summary().items())
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.timings.items())
    click.echo(f"{kind}: {counts} ({time.monotonic() - started:.1f} s: {phases})")
    if report.refused:
        sys.exit(1)


def _write_problems(path: Path, problems: list[tuple[int, str]]) -> None:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["line", "reason"])
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
