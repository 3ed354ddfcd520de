"""`erkenning import KIND FILE.csv`: stream, check every row, COPY the good ones, upsert in one transaction.

The file is read in batches; each batch is checked row by row (the API's rules) and sent with
asyncpg's binary COPY into a temporary staging table, so memory holds one batch, not the file. Then
the kind's loader checks what only the database can see and upserts (see `loaders`). Everything,
including the one audit row that records the import, commits together or not at all.
"""

from __future__ import annotations

import asyncio
import csv
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from erkenning import audit, clock
from erkenning.auth.models import Caller
from erkenning.bulk.csvfile import CsvSource, HeaderError
from erkenning.bulk.database import driver_connection
from erkenning.bulk.loaders import NO_TIMEOUT, STAGING, Loader, Outcome, load_companies, load_qualifications
from erkenning.bulk.recognitions import load_recognitions
from erkenning.bulk.rows import KINDS, Kind, check_batch
from erkenning.db import create_session_factory
from erkenning.logging import get_logger

log = get_logger(__name__)

LOADERS: dict[str, tuple[Loader, str]] = {
    "companies": (load_companies, "company"),
    "qualifications": (load_qualifications, "qualification"),
    "recognitions": (load_recognitions, "recognition"),
}
BATCH_ROWS = 10_000
PARALLEL_FROM_BYTES = 2_000_000  # smaller files are checked in-process (starting workers costs more)
Checked = tuple[list[tuple[Any, ...]], list[tuple[int, str]]]


class ImportFailed(Exception):
    """The file cannot be read as a whole (bad header, broken quoting): nothing was loaded."""


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    inserted: int = 0
    updated: int = 0
    periods_added: int = 0
    periods_changed: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def refused(self) -> int:
        return len(self.problems)

    @property
    def unchanged(self) -> int:
        return self.rows - self.refused - self.inserted - self.updated

    def summary(self) -> dict[str, int]:
        counts = {"rows": self.rows, "inserted": self.inserted, "updated": self.updated,
                  "unchanged": self.unchanged, "refused": self.refused}
        if self.kind == "recognitions":
            counts |= {"periods_added": self.periods_added, "periods_changed": self.periods_changed}
        return counts


@dataclass
class Progress:
    """Callbacks for a progress display: bytes read of the file, then the name of each later phase."""

    read: Callable[[int, int], None] = lambda done, total: None
    phase: Callable[[str], None] = lambda name: None


async def import_csv(
    engine: AsyncEngine,
    kind_name: str,
    path: Path,
    *,
    delimiter: str | None = None,
    batch_rows: int = BATCH_ROWS,
    jobs: int | None = None,
    progress: Progress | None = None,
    caller: Caller | None = None,
) -> ImportReport:
    """Import one CSV file of `kind_name`; rows are checked in `jobs` processes (default: one per core)."""
    kind = KINDS[kind_name]
    loader, object_type = LOADERS[kind_name]
    progress = progress or Progress()
    report = ImportReport(kind=kind_name)
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    pool = None
    if jobs > 1 and path.stat().st_size >= PARALLEL_FROM_BYTES:
        # Forked now, before any connection or event-loop work, so the workers inherit none of it.
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))
        pool.submit(int).result()
    try:
        async with create_session_factory(engine)() as session:
            pg = await driver_connection(session)
            await pg.execute("SET LOCAL statement_timeout = 0; SET LOCAL work_mem = '64MB'")
            await pg.execute(_staging_ddl(kind))
            started = time.perf_counter()
            try:
                with CsvSource(path, kind, delimiter) as source:
                    await _stage(pg, source, batch_rows, report, progress, pool, jobs)
            except (HeaderError, csv.Error, UnicodeDecodeError) as exc:
                raise ImportFailed(_fatal(exc)) from None
            report.timings["read and check"] = time.perf_counter() - started
            progress.phase("checking and upserting")
            started = time.perf_counter()
            await pg.execute(f"ANALYZE {STAGING}", timeout=NO_TIMEOUT)
            outcome: Outcome = await loader(pg, clock.now())
            report.inserted, report.updated = outcome.inserted, outcome.updated
            report.periods_added, report.periods_changed = outcome.periods_added, outcome.periods_changed
            report.problems = sorted(report.problems + outcome.problems)
            await audit.record(
                session, caller or Caller.system("import"), f"bulk.{kind_name}_imported",
                object_type=object_type, detail=report.summary(),
            )
            report.timings["upsert"] = time.perf_counter() - started
            progress.phase("committing")
            started = time.perf_counter()
            await session.commit()
            report.timings["commit"] = time.perf_counter() - started
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    log.info("bulk.imported", kind=kind_name, **report.summary())
    return report


async def _stage(
    pg: Any, source: CsvSource, batch_rows: int, report: ImportReport, progress: Progress,
    pool: ProcessPoolExecutor | None, jobs: int,
) -> None:
    """Read batches, check them (in the pool, a few batches ahead), and COPY the good rows to staging."""
    kind = source.kind
    columns = ("line", *kind.columns)
    loop = asyncio.get_running_loop()
    pending: deque[asyncio.Future[Checked]] = deque()

    async def copy_next() -> None:
        records, problems = await pending.popleft()
        report.problems.extend(problems)
        if records:
            await pg.copy_records_to_table(STAGING, records=records, columns=columns, timeout=NO_TIMEOUT)

    for batch in source.batches(batch_rows):
        report.rows += len(batch)
        if pool is None:
            future: asyncio.Future[Checked] = loop.create_future()
            future.set_result(kind.check_batch(source.columns, batch))
        else:
            future = loop.run_in_executor(pool, check_batch, kind.name, source.columns, batch)
        pending.append(future)
        while len(pending) > 2 * jobs:
            await copy_next()
        progress.read(source.position, source.size)
    while pending:
        await copy_next()
    progress.read(source.size, source.size)


def _staging_ddl(kind: Kind) -> str:
    columns = ", ".join(f"{name} {type_}" for name, type_ in zip(kind.columns, kind.staging_types, strict=True))
    return f"CREATE TEMP TABLE {STAGING} (line integer NOT NULL, {columns}) ON COMMIT DROP"


def _fatal(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"the file is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV"
    return str(exc)

