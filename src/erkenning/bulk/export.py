"""`erkenning export register FILE.csv`: the public register as CSV, streamed by PostgreSQL's COPY.

Only what the public may see: the company's SBB id, name, postcode and city, and each recognition
that holds today (crebo, qualification name and level, pathway, status, since when). A suspended,
withdrawn, lapsed or pending recognition is simply not listed, as the register shows it as not
recognised. No KvK or establishment number, e-mail, address, decision or investigation.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from erkenning.bulk.loaders import NO_TIMEOUT
from erkenning.core import clock
from erkenning.core.logging import get_logger

log = get_logger(__name__)

REGISTER_COLUMNS = ("sbb_id", "name", "postcode", "city", "crebo", "qualification", "level", "pathway", "status",
                    "since")


def register_query(day: date) -> str:
    return f"""
        SELECT c.sbb_id, c.name, c.postcode, c.city, q.crebo, q.name AS qualification, q.level, r.pathway,
               p.status, lower(p.during) AS since
        FROM recognition_period p
        JOIN recognition r ON r.id = p.recognition_id
        JOIN company c ON c.id = r.company_id
        JOIN qualification q ON q.id = r.qualification_id
        WHERE p.during @> DATE '{day.isoformat()}' AND p.status = 'active'
        ORDER BY c.sbb_id, q.crebo, r.pathway
    """


# The tables in the import format (`erkenning import KIND` reads these back unchanged): recognitions
# with the status and start of their latest period.
IMPORT_FORMAT_QUERIES = {
    "companies": """
        SELECT sbb_id, kvk_number, establishment_number, name, street, house_number, postcode, city, sector, email
        FROM company ORDER BY establishment_number
    """,
    "qualifications": "SELECT crebo, name, level, active FROM qualification ORDER BY crebo",
    "recognitions": """
        SELECT c.establishment_number, q.crebo, r.pathway, p.status, lower(p.during) AS since, r.granted_on,
               r.reassessment_due
        FROM recognition r
        JOIN company c ON c.id = r.company_id
        JOIN qualification q ON q.id = r.qualification_id
        JOIN LATERAL (SELECT status, during FROM recognition_period WHERE recognition_id = r.id
                      ORDER BY lower(during) DESC LIMIT 1) p ON true
        ORDER BY c.establishment_number, q.crebo, r.pathway
    """,
}


async def export_register(
    engine: AsyncEngine, path: Path, *, day: date | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Write the register as it stands on `day` (default today); returns the number of rows written."""
    rows = await export_query(engine, register_query(day or clock.today()), path, progress=progress)
    log.info("bulk.register_exported", rows=rows)
    return rows


async def export_table(
    engine: AsyncEngine, kind: str, path: Path, *, progress: Callable[[int, int], None] | None = None
) -> int:
    """Write companies, qualifications or recognitions in the format `erkenning import` reads."""
    rows = await export_query(engine, IMPORT_FORMAT_QUERIES[kind], path, progress=progress)
    log.info("bulk.exported", kind=kind, rows=rows)
    return rows


async def export_query(
    engine: AsyncEngine, query: str, path: Path, *, progress: Callable[[int, int], None] | None = None
) -> int:
    """COPY the rows of `query` to a CSV file with a header (written whole or not at all)."""
    partial = path.with_name(path.name + ".partial")
    written = 0
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        pg: asyncpg.Connection | None = raw.driver_connection
        assert pg is not None  # an open connection has its driver's
        # One snapshot for the count and the rows.
        async with pg.transaction(isolation="repeatable_read", readonly=True):
            total = await pg.fetchval(f"SELECT count(*) FROM ({query}) rows", timeout=NO_TIMEOUT)
            with open(partial, "wb") as out:

                async def sink(chunk: bytes) -> None:
                    nonlocal written
                    out.write(chunk)
                    written += chunk.count(b"\n")
                    if progress:
                        progress(max(written - 1, 0), total)  # minus the header line

                await pg.copy_from_query(query, output=sink, format="csv", header=True, timeout=NO_TIMEOUT)
    os.replace(partial, path)
    return int(total)
