"""What the fault tests start and break: a private PostgreSQL cluster and Redis (`Cluster`), and per test a
database, settings and real `erkenning serve` / `erkenning worker` processes (`Stack`, `Proc`)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import sqlalchemy as sa

from erkenning.core.outbox import EventStatus, OutboxEvent
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.devtools.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from tests.helpers import MailCatcher

TEMPLATE = "erkenning_fault_template"
PEPPER = "fault-test-pepper"


@dataclass
class Cluster:
    pg: EmbeddedPostgres
    redis: EmbeddedRedis
    mail: MailCatcher

    def plain_url(self, database: str) -> str:
        return self.pg.url(database).replace("postgresql+asyncpg://", "postgresql://", 1)


@dataclass
class Proc:
    """An `erkenning` subprocess whose output goes to a file (shown when a test fails)."""

    name: str
    proc: asyncio.subprocess.Process
    log: Path
    port: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def send(self, sig: int) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(sig)

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        self.send(sig)
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()

    def tail(self, lines: int = 150) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class Stack:
    """One test's database, queue, settings and processes on the package's cluster."""

    cluster: Cluster
    settings: Settings
    runtime: Runtime
    folder: Path
    procs: list[Proc] = field(default_factory=list)

    @property
    def mail(self) -> MailCatcher:
        return self.cluster.mail

    @property
    def database(self) -> str:
        return str(sa.make_url(self.settings.database_url).database)

    def env(self, **extra: Any) -> dict[str, str]:
        s = self.settings
        env = {
            **os.environ,
            "ENVIRONMENT": "test",
            "DATABASE_URL": s.database_url or "",
            "REDIS_URL": s.redis_url or "",
            "ARQ_QUEUE_NAME": s.arq_queue_name,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(s.smtp_port),
            "TOKEN_PEPPER": PEPPER,
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            "DB_POOL_TIMEOUT_S": str(s.db_pool_timeout_s),
            "DB_CONNECT_TIMEOUT_S": str(s.db_connect_timeout_s),
            # A SIGKILLed worker's job runs again after the longest job timeout + 10 s: keep them short.
            "JOB_TIMEOUT_S": "3",
            "CRON_TIMEOUT_S": "3",
            "OUTBOX_PICKUP_GRACE_S": str(s.outbox_pickup_grace_s),
            "OUTBOX_SWEEP_EVERY_S": "2",
            "OUTBOX_RETRY_BASE_S": "1",
            "WORKER_METRICS_PORT": "0",
        }
        env.update({k.upper(): str(v) for k, v in extra.items()})
        return env

    async def _spawn(self, name: str, args: list[str], env: dict[str, str], port: int | None = None) -> Proc:
        log = self.folder / f"{name}-{len(self.procs)}.log"
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "erkenning.cli", *args, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT,
            )
        p = Proc(name, proc, log, port)
        self.procs.append(p)
        return p

    async def api(self, **env: Any) -> Proc:
        """An `erkenning serve` process, returned once it answers."""
        port = free_port()
        p = await self._spawn("api", ["serve", "--port", str(port)], self.env(**env), port)
        async with httpx.AsyncClient() as client:
            deadline = time.monotonic() + 60
            while True:
                assert p.proc.returncode is None, f"the API exited:\n{p.tail()}"
                try:
                    if (await client.get(f"{p.base_url}/health/live", timeout=2)).status_code == 200:
                        return p
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"the API did not start:\n{p.tail()}"
                await asyncio.sleep(0.1)

    async def worker(self, *, ready: bool = False, **env: Any) -> Proc:
        """An `erkenning worker` process; with `ready`, returned once it polls the queue (its health mark)."""
        p = await self._spawn("worker", ["worker"], self.env(**env))
        if ready:
            redis = self.runtime.queue.redis
            await redis.delete(self.settings.arq_queue_name + ":health-check")

            async def polling() -> bool:
                assert p.proc.returncode is None, f"the worker exited:\n{p.tail()}"
                return bool(await redis.exists(self.settings.arq_queue_name + ":health-check"))

            await eventually(polling, "the worker polls its queue")
        return p

    async def psql(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.cluster.plain_url(self.database))

    async def scalar(self, sql: str, *args: Any) -> Any:
        conn = await self.psql()
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()

    async def outbox_counts(self, topic: str = "%") -> dict[str, int]:
        conn = await self.psql()
        try:
            rows = await conn.fetch(
                f"SELECT status, count(*) AS n FROM {OutboxEvent.__tablename__} WHERE topic LIKE $1 GROUP BY status",
                topic,
            )
        finally:
            await conn.close()
        return {r["status"]: r["n"] for r in rows}

    async def all_events_done(self) -> bool:
        counts = await self.outbox_counts()
        return bool(counts) and set(counts) == {EventStatus.DONE.value}

    def failure_report(self) -> str:
        return "\n".join(f"--- {p.name} (exit {p.proc.returncode}) ---\n{p.tail()}" for p in self.procs)


async def eventually(probe: Callable[[], Awaitable[bool]], what: str, timeout: float = 60.0) -> None:
    """Wait until `probe` holds; fail naming `what` (a bound on hanging, not a speed check)."""
    deadline = time.monotonic() + timeout
    while not await probe():
        assert time.monotonic() < deadline, f"not reached within {timeout:.0f} s: {what}"
        await asyncio.sleep(0.2)
