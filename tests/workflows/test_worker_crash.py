"""A worker killed (SIGKILL) while it opens a case: after a restart the case exists once, mailed once."""

import asyncio
import os
import sys
import time

import asyncpg
import sqlalchemy as sa
from sqlmodel import select

from erkenning.runtime import Runtime
from erkenning.settings import Settings
from erkenning.workflows.models import Investigation
from tests.helpers import MailCatcher
from tests.reports.conftest import assigned_report
from tests.workflows.conftest import substantiate


def _worker_env(settings: Settings) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "ARQ_QUEUE_NAME": settings.arq_queue_name,
        "SMTP_PORT": str(settings.smtp_port),
        "TOKEN_PEPPER": settings.token_pepper.get_secret_value(),
        # Short timeouts: arq re-runs a killed worker's job once its in-progress mark expires (timeout + 10 s).
        "JOB_TIMEOUT_S": "3",
        "CRON_TIMEOUT_S": "3",
        "LOG_FORMAT": "json",
    }


async def _start_worker(settings: Settings) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "erkenning.cli", "worker", env=_worker_env(settings),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )


async def _eventually(probe, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not await probe():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.2)


async def test_killed_mid_opening_then_restarted_gives_one_case_and_one_mail(
    client, runtime: Runtime, settings: Settings, adviser, company, mail: MailCatcher
) -> None:
    plain = settings.database_url.replace("postgresql+asyncpg://", "postgresql://")
    blocker = await asyncpg.connect(plain)
    hold = blocker.transaction()
    await hold.start()
    # The worker will claim the event and then wait on this lock, half-way through opening the case.
    await blocker.execute("LOCK TABLE investigation IN ACCESS EXCLUSIVE MODE")
    report_id = await assigned_report(client, adviser, company)
    await substantiate(client, adviser, report_id)

    first = await _start_worker(settings)
    try:
        async def worker_is_waiting() -> bool:
            return bool(await blocker.fetchval(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE NOT l.granted AND c.relname = 'investigation'"
            ))

        await _eventually(worker_is_waiting)
    finally:
        first.kill()
        await first.wait()
    await hold.rollback()
    await blocker.close()

    async def cases() -> int:
        async with runtime.session_factory() as session:
            return (await session.exec(select(sa.func.count()).select_from(Investigation))).one()

    def opened_mails() -> list:
        return [m for m in mail.to("adviseur@sbb.example") if m["Subject"].startswith("Onderzoek geopend")]

    assert await cases() == 0
    second = await _start_worker(settings)
    try:
        async def done() -> bool:
            return await cases() == 1 and len(opened_mails()) == 1

        await _eventually(done)
        await asyncio.sleep(3)  # and nothing more follows
    finally:
        second.terminate()
        await second.wait()
    assert await cases() == 1
    assert len(opened_mails()) == 1
