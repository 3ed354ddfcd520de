import asyncio

import asyncpg
import pytest

from erkenning.core import migrate


def _tables(url: str) -> set[str]:
    async def fetch() -> set[str]:
        conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return {r["tablename"] for r in rows}
        finally:
            await conn.close()

    return asyncio.run(fetch())


def test_upgrade_from_empty_to_head_and_back_to_empty(scratch_db: str) -> None:
    migrate.upgrade(scratch_db)
    after_upgrade = _tables(scratch_db)
    assert {"principal", "api_token", "audit_event", "outbox_event", "idempotency_key"} <= after_upgrade

    migrate.downgrade(scratch_db, "base")
    assert _tables(scratch_db) == {"alembic_version"}

    migrate.upgrade(scratch_db)  # and up again: the downgrade left nothing behind that blocks it
    assert _tables(scratch_db) == after_upgrade


def test_models_and_migrations_agree(database_url: str) -> None:
    """`alembic check`: the tables the code declares are exactly what the migrations build."""
    from alembic import command

    command.check(migrate.alembic_config(database_url))


def test_the_wederhoor_revision_up_and_down_keeps_the_reports(scratch_db: str) -> None:
    """8b645ce5e0fe: the ground `education_level` and the deadline `reporter_reaction` pass the CHECKs after
    the upgrade; the downgrade moves such reports to `other` and drops the reporting side's rows."""
    plain = scratch_db.replace("postgresql+asyncpg://", "postgresql://")
    report = ("INSERT INTO report (id, channel, company_name_given, ground, incident_date, summary, status) "
              "VALUES (gen_random_uuid(), 'phone', 'Garage', $1, '2026-01-05', 's', 'received')")

    async def run(*statements: tuple[str, ...]) -> list[object]:
        conn = await asyncpg.connect(plain)
        try:
            return [await conn.fetchval(sql, *args) for sql, *args in statements]
        finally:
            await conn.close()

    migrate.upgrade(scratch_db)
    asyncio.run(run((report, "education_level")))
    migrate.downgrade(scratch_db, "38ad4d20285a")
    assert _tables(scratch_db) >= {"report"} and "reporter_reaction" not in _tables(scratch_db)
    assert asyncio.run(run(("SELECT string_agg(ground, ',') FROM report",))) == ["other"]
    with pytest.raises(asyncpg.CheckViolationError):
        asyncio.run(run((report, "education_level")))
    migrate.upgrade(scratch_db)
    asyncio.run(run((report, "education_level")))
    assert "reporter_reaction" in _tables(scratch_db)
