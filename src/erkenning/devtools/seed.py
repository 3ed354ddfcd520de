"""`erkenning seed --companies N`: synthetic data at national scale, loaded with COPY.

Steps, each batch in its own transaction (so a large seed can be interrupted and resumed):
1. the qualification catalogue (~600 crebo codes);
2. per batch of companies: the companies, their recognitions, and each recognition's dated periods;
3. `add_decisions(conn, periods)`, in the same transaction: the decisions behind each period.

Every insert is `ON CONFLICT DO NOTHING` on the natural keys and the ids are drawn from the seed
value, so the same seed twice adds nothing the second time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from erkenning.bulk.database import driver_connection
from erkenning.bulk.loaders import NO_TIMEOUT
from erkenning.core import clock
from erkenning.core.audit import service as audit
from erkenning.core.caller import Caller
from erkenning.core.db import create_session_factory
from erkenning.core.logging import get_logger
from erkenning.devtools.seed_decisions import add_decisions
from erkenning.devtools.synthetic import Batch, Generator, SeededPeriod
from erkenning.devtools.synthetic_catalogue import catalogue
from erkenning.recognition.models import Qualification

log = get_logger(__name__)

DecisionStep = Callable[[asyncpg.Connection, list[SeededPeriod]], Awaitable[None]]
BATCH_COMPANIES = 5_000


@dataclass
class SeedReport:
    qualifications: int = 0
    companies: int = 0
    recognitions: int = 0
    periods: int = 0


async def seed(
    engine: AsyncEngine,
    *,
    companies: int,
    seed_value: int = 1,
    qualifications: int = 600,
    batch_companies: int = BATCH_COMPANIES,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    decisions: DecisionStep = add_decisions,
) -> SeedReport:
    today = today or clock.today()
    entries = catalogue(qualifications, seed_value)
    report = SeedReport()
    sessions = create_session_factory(engine)
    async with sessions() as session:
        pg = await driver_connection(session)
        report.qualifications = await _load_qualifications(pg, entries)
        rows = await session.exec(select(Qualification.crebo, Qualification.id))
        ids = {crebo: id_ for crebo, id_ in rows.all()}
        await session.commit()
    generator = Generator(seed_value, entries, ids, today)
    for start in range(0, companies, batch_companies):
        stop = min(start + batch_companies, companies)
        batch = generator.batch(start, stop)
        async with sessions() as session:
            pg = await driver_connection(session)
            await _load_batch(pg, batch, report)
            await decisions(pg, batch.periods)
            await session.commit()
        if progress:
            progress(stop, companies)
    async with sessions() as session:
        await audit.record(session, Caller.system("seed"), "bulk.seeded", object_type="company",
                           detail={"seed_value": seed_value, **report.__dict__})
        await session.commit()
    log.info("bulk.seeded", seed_value=seed_value, **report.__dict__)
    return report


async def _stage(pg: asyncpg.Connection, name: str, columns: dict[str, str], records: list[tuple[Any, ...]]) -> str:
    """COPY `records` into a temporary table `seed_<name>` (dropped at commit); returns its name."""
    staging = f"seed_{name}"
    definition = ", ".join(f"{column} {type_}" for column, type_ in columns.items())
    await pg.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staging} ({definition}) ON COMMIT DROP")
    await pg.copy_records_to_table(staging, records=records, columns=tuple(columns), timeout=NO_TIMEOUT)
    return staging


def _count(status: str) -> int:
    return int(status.rsplit(" ", 1)[-1])


QUALIFICATION_TYPES = {"crebo": "text", "name": "text", "level": "int"}
COMPANY_TYPES = {"id": "uuid", "kvk_number": "text", "establishment_number": "text", "name": "text",
                 "street": "text", "house_number": "text", "postcode": "text", "city": "text", "sector": "text",
                 "email": "text"}
RECOGNITION_TYPES = {"id": "uuid", "company_id": "uuid", "qualification_id": "uuid", "pathway": "text",
                     "status": "text", "granted_on": "date", "reassessment_due": "date"}
PERIOD_TYPES = {"id": "uuid", "recognition_id": "uuid", "status": "text", "valid_from": "date", "valid_until": "date"}


async def _load_qualifications(pg: asyncpg.Connection, entries: list[Any]) -> int:
    staging = await _stage(pg, "qualification", QUALIFICATION_TYPES, [(e.crebo, e.name, e.level) for e in entries])
    return _count(await pg.execute(
        "INSERT INTO qualification (id, crebo, name, level, active, created_at, updated_at)"
        f" SELECT gen_random_uuid(), crebo, name, level, true, now(), now() FROM {staging} ORDER BY crebo"
        " ON CONFLICT DO NOTHING"
    ))


async def _load_batch(pg: asyncpg.Connection, batch: Batch, report: SeedReport) -> None:
    columns = ", ".join(COMPANY_TYPES)
    staging = await _stage(pg, "company", COMPANY_TYPES, batch.companies)
    # sbb_id comes from its sequence, in establishment-number order.
    report.companies += _count(await pg.execute(
        f"INSERT INTO company ({columns}, version, created_at, updated_at)"
        f" SELECT {columns}, 1, now(), now() FROM {staging} ORDER BY establishment_number ON CONFLICT DO NOTHING",
        timeout=NO_TIMEOUT,
    ))
    recognitions = await _stage(pg, "recognition", RECOGNITION_TYPES, batch.recognitions)
    periods = await _stage(pg, "period", PERIOD_TYPES, [
        (p.id, p.recognition_id, p.status.value, p.valid_from, p.valid_until) for p in batch.periods
    ])
    # Only recognitions that are new and whose company is there (a company may already have been
    # registered from elsewhere under the same establishment number); their periods come with them.
    columns = ", ".join(RECOGNITION_TYPES)
    row = await pg.fetchrow(
        f"""
        WITH rec AS (
            INSERT INTO recognition ({columns}, version, created_at, updated_at)
            SELECT s.{", s.".join(RECOGNITION_TYPES)}, 1, now(), now()
            FROM {recognitions} s JOIN company c ON c.id = s.company_id
            ON CONFLICT DO NOTHING
            RETURNING id
        ), per AS (
            INSERT INTO recognition_period (id, recognition_id, status, during, created_at)
            SELECT p.id, p.recognition_id, p.status, daterange(p.valid_from, p.valid_until), now()
            FROM {periods} p JOIN rec ON rec.id = p.recognition_id
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM rec) AS recognitions, (SELECT count(*) FROM per) AS periods
        """,
        timeout=NO_TIMEOUT,
    )
    assert row is not None  # a SELECT without FROM returns one row
    report.recognitions += row["recognitions"]
    report.periods += row["periods"]
