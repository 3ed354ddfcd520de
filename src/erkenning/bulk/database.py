"""The database side of bulk work: an engine without the API's short time limits, and COPY access."""

from __future__ import annotations

from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from erkenning.core.db import create_engine
from erkenning.core.settings import Settings

# A bulk statement may run for minutes; the API's engine stops statements after seconds.
BULK_STATEMENT_TIMEOUT_MS = 6 * 3600 * 1000


def bulk_engine(settings: Settings) -> AsyncEngine:
    """An engine for imports, exports and seeding (Redis is not needed for any of them)."""
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL is not set")
    return create_engine(
        settings.model_copy(
            update={
                "redis_url": settings.redis_url or "redis://unused",
                "db_statement_timeout_ms": BULK_STATEMENT_TIMEOUT_MS,
                "db_pool_size": 2,
                "db_max_overflow": 0,
            }
        )
    )


async def driver_connection(session: Any) -> asyncpg.Connection:
    """The asyncpg connection under a session, inside the session's transaction (COPY needs the driver)."""
    connection = await session.connection()
    # The driver adapter opens its transaction lazily, at the first statement: open it now, so what we
    # send on the bare connection is part of it (and ON COMMIT DROP tables live until the commit).
    await connection.exec_driver_sql("SELECT 1")
    raw = await connection.get_raw_connection()
    pg: asyncpg.Connection | None = raw.driver_connection
    assert pg is not None  # an open connection has its driver's
    return pg
