"""The audit trail: written with the change, append-only in the database, hash-chained and verifiable."""

import asyncio

import asyncpg
import pytest
import sqlalchemy as sa

from erkenning.core.audit import service as audit
from erkenning.core.audit.service import verify
from erkenning.core.caller import Caller, Role
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from tests.factories import TokenFactory
from tests.helpers import run_cli


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def test_writes_are_audited_with_actor_origin_and_request_id(client, tokens: TokenFactory) -> None:
    admin = await tokens.make(Role.ADMIN)
    created = await client.post(
        "/api/v1/backoffice/admin/principals",
        json={"name": "Adviseur", "role": "adviser"},
        headers={**admin.headers, "X-Request-ID": "audit-req-1"},
    )
    principal_id = created.json()["id"]
    found = await client.get(
        "/api/v1/backoffice/admin/audit", params={"object_id": principal_id}, headers=admin.headers
    )
    assert found.status_code == 200
    rows = found.json()["items"]
    assert len(rows) == 1
    row = rows[0]
    assert row["action"] == "principal.created"
    assert row["actor_id"] == str(admin.id)
    assert row["actor_role"] == "admin"
    assert row["object_type"] == "principal"
    assert row["result"] == "success"
    assert row["origin"] == "127.0.0.1"
    assert row["request_id"] == "audit-req-1"


async def test_rolled_back_transactions_leave_no_audit_rows(runtime: Runtime) -> None:
    caller = Caller.system("test")
    with pytest.raises(RuntimeError):
        async with runtime.transaction() as session:
            await audit.record(session, caller, "thing.done", object_type="thing", object_id="rolled-back-1")
            raise RuntimeError("abort")
    async with runtime.session_factory() as session:
        rows, total = await audit.query(session, object_id="rolled-back-1")
    assert total == 0


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET action = 'forged'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ],
)
async def test_database_refuses_changes_to_the_audit_table(runtime: Runtime, settings: Settings, statement: str) -> None:
    async with runtime.transaction() as session:
        await audit.record(session, Caller.system("test"), "thing.done", object_type="thing", object_id="x")
    conn = await asyncpg.connect(_plain(settings.database_url))
    try:
        with pytest.raises(asyncpg.exceptions.InsufficientPrivilegeError, match="append-only"):
            await conn.execute(statement)
    finally:
        await conn.close()


async def test_chain_is_intact_and_concurrent_writers_keep_it(runtime: Runtime) -> None:
    async def write(i: int) -> None:
        async with runtime.transaction() as session:
            for j in range(3):
                await audit.record(session, Caller.system("t"), "thing.done", object_type="thing", object_id=f"{i}-{j}")

    await asyncio.gather(*(write(i) for i in range(20)))
    async with runtime.engine.connect() as conn:
        result = await verify(conn)
    assert result.ok, result
    assert result.rows_checked >= 60


async def test_verify_names_the_row_a_superuser_tampered_with(runtime: Runtime, settings: Settings) -> None:
    for i in range(3):
        async with runtime.transaction() as session:
            await audit.record(session, Caller.system("t"), "thing.done", object_type="thing", object_id=f"t{i}")
    async with runtime.engine.connect() as conn:
        target = (await conn.execute(sa.text("SELECT max(seq) - 1 FROM audit_event"))).scalar_one()

    code, output = await run_cli(settings, "audit", "verify")
    assert code == 0, output
    assert "intact" in output

    conn = await asyncpg.connect(_plain(settings.database_url))
    try:
        # A superuser can switch triggers off; the chain still gives the edit away.
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("UPDATE audit_event SET object_id = 'forged' WHERE seq = $1", target)
        code, output = await run_cli(settings, "audit", "verify")
        assert code == 1
        assert f"seq {target}" in output
    finally:
        # Put the row back, so later tests (and a final verify) see an honest chain.
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")
            await conn.execute("UPDATE audit_event SET object_id = 't1' WHERE seq = $1", target)
        await conn.close()
