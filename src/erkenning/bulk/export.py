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

from sqlalchemy.ext.asyncio import AsyncEngine

from erkenning import clock
from erkenning.bulk.loaders import NO_TIMEOUT
from erkenning.logging import get_logger

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


async def export_register(
    engine: AsyncEngine, path: Path, *, day: date | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Write the register as it stands on `day` (default today); returns the number of rows written."""
    query = register_query(day or clock.today())
    partial = path.with_name(path.name + ".partial")
    written = 0
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        pg = raw.driver_connection
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
    log.info("bulk.register_exported", rows=total)
    return int(total)
