import asyncio

import asyncpg

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
