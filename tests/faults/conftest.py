"""Fault tests start what they break: a private PostgreSQL cluster and Redis for the package, and per test a
database (copied from a migrated template), an SMTP catcher, and real `erkenning serve` / `erkenning worker`
processes on free local ports. The machine's own PostgreSQL and Redis are never touched.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from redis.asyncio import Redis

from erkenning.core import migrate
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Environment, LogFormat, Settings
from erkenning.devtools.embedded import EmbeddedPostgres, EmbeddedRedis, _pg_bindir
from tests.factories import TokenFactory
from tests.faults.stack import PEPPER, TEMPLATE, Cluster, Stack
from tests.helpers import MailCatcher


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
