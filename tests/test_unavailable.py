"""Which database failures mean "try again shortly" (503), against the real PostgreSQL."""

import pytest
import sqlalchemy as sa

from erkenning.core.errors import is_unavailable
from erkenning.core.runtime import Runtime


async def _failure(runtime: Runtime, *statements: str) -> Exception:
    with pytest.raises(Exception) as caught:
        async with runtime.engine.connect() as conn:
            for statement in statements:
                await conn.execute(sa.text(statement))
    return caught.value


async def test_statement_timeout_and_lock_timeout_are_unavailable(runtime: Runtime) -> None:
    assert is_unavailable(await _failure(runtime, "SET statement_timeout = 10", "SELECT pg_sleep(1)"))
    async with runtime.engine.connect() as holder:
        await holder.execute(sa.text("LOCK TABLE outbox_event IN ACCESS EXCLUSIVE MODE"))
        assert is_unavailable(
            await _failure(runtime, "SET lock_timeout = 10", "SELECT count(*) FROM outbox_event")
        )
        await holder.rollback()


async def test_a_killed_connection_is_unavailable(runtime: Runtime) -> None:
    exc = await _failure(runtime, "SELECT pg_terminate_backend(pg_backend_pid())", "SELECT 1")
    assert is_unavailable(exc)


async def test_errors_of_the_request_itself_are_not(runtime: Runtime) -> None:
    assert not is_unavailable(await _failure(runtime, "SELEC 1"))
    assert not is_unavailable(await _failure(runtime, "SELECT 1 / 0"))
    assert not is_unavailable(ValueError("no"))
