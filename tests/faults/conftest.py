"""Fault tests start what they break: a private PostgreSQL cluster and Redis for the package, and per test a
database (copied from a migrated template), an SMTP catcher, and real `erkenning serve` / `erkenning worker`
processes on free local ports. The machine's own PostgreSQL and Redis are never touched.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import sqlalchemy as sa
from redis.asyncio import Redis

from erkenning.core import migrate
from erkenning.core.outbox import EventStatus, OutboxEvent
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Environment, LogFormat, Settings
from erkenning.devtools.embedded import EmbeddedPostgres, EmbeddedRedis, _pg_bindir, free_port
from tests.helpers import MailCatcher, TokenFactory

TEMPLATE = "erkenning_fault_template"
PEPPER = "fault-test-pepper"


@dataclass
class Cluster:
    pg: EmbeddedPostgres
    redis: EmbeddedRedis
    mail: MailCatcher

    def plain_url(self, database: str) -> str:
        return self.pg.url(database).replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.fixture(scope="package")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if _pg_bindir() is None:
        pytest.skip("fault tests need PostgreSQL server binaries (initdb, pg_ctl) to stop and restart a cluster")
    # pytest's own temporary folders are private to root; the postgres user must reach its data folder.
    folder = Path(tempfile.mkdtemp(prefix="erkenning-faults-"))
    folder.chmod(0o711)
    pg = EmbeddedPostgres(folder / "pg", fsync=False).start()
    redis = EmbeddedRedis(tmp_path_factory.mktemp("fault-redis")).start()
    mail = MailCatcher().start()
    try:
        asyncio.run(migrate.create_database(pg.admin_url, TEMPLATE))
        migrate.upgrade(pg.url(TEMPLATE))
        yield Cluster(pg, redis, mail)
    finally:
        mail.stop()
        redis.stop()
        pg.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


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


@pytest.fixture
async def stack(cluster: Cluster, tmp_path: Path) -> AsyncIterator[Stack]:
    name = f"fault_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(cluster.plain_url("postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    finally:
        await admin.close()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment=Environment.TEST,
        database_url=cluster.pg.url(name),
        redis_url=cluster.redis.url,
        arq_queue_name=f"erkenning:fault:{uuid.uuid4().hex[:8]}",
        smtp_host="127.0.0.1",
        smtp_port=cluster.mail.port,
        log_format=LogFormat.JSON,
        token_pepper=PEPPER,
        db_pool_timeout_s=2.0,
        db_connect_timeout_s=1.0,
        outbox_pickup_grace_s=1.0,
        outbox_retry_base_s=1.0,
    )
    runtime = Runtime.create(settings)
    cluster.mail.clear()
    s = Stack(cluster, settings, runtime, tmp_path)
    try:
        yield s
    finally:
        for p in s.procs:
            await p.stop(signal.SIGKILL if p.proc.returncode is None else signal.SIGTERM, timeout=10)
        print(s.failure_report())  # pytest shows it only when the test failed
        await runtime.close()
        redis = Redis.from_url(cluster.redis.url)
        try:
            await redis.flushall()
        except OSError:
            pass
        finally:
            await redis.aclose()
        admin = await asyncpg.connect(cluster.plain_url("postgres"))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
def tokens(stack: Stack) -> TokenFactory:
    return TokenFactory(stack.runtime)


async def eventually(probe: Callable[[], Awaitable[bool]], what: str, timeout: float = 60.0) -> None:
    """Wait until `probe` holds; fail naming `what` (a bound on hanging, not a speed check)."""
    deadline = time.monotonic() + timeout
    while not await probe():
        assert time.monotonic() < deadline, f"not reached within {timeout:.0f} s: {what}"
        await asyncio.sleep(0.2)
