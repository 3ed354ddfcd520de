"""The benchmark's own environment: PostgreSQL and Redis, its databases, and API server processes.

PostgreSQL and Redis: DATABASE_URL / REDIS_URL if set, else servers answering on 127.0.0.1:5432 /
:6379, else embedded ones kept under `.data/bench` (so a seeded database survives between runs).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from erkenning.core import migrate
from erkenning.devtools.embedded import EmbeddedPostgres, EmbeddedRedis, free_port, port_answers

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
# What a seeded database depends on: when any of these change, the cached one is rebuilt.
SEED_SOURCES = (
    "src/erkenning/devtools/seed.py",
    "src/erkenning/devtools/synthetic.py",
    "src/erkenning/devtools/synthetic_catalogue.py",
)


def say(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


@dataclass
class Environment:
    admin_url: str
    redis_url: str
    embedded: list[EmbeddedPostgres | EmbeddedRedis] = field(default_factory=list)

    def url_for(self, database: str) -> str:
        return make_url(self.admin_url).set(database=database).render_as_string(hide_password=False)

    def libpq_url(self, database: str) -> str:
        """The same database as a libpq URL (for psql)."""
        return self.url_for(database).replace("postgresql+asyncpg://", "postgresql://", 1)

    def close(self) -> None:
        for server in reversed(self.embedded):
            server.stop()

    # -- databases

    async def admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.libpq_url("postgres"))

    async def ready(self, name: str) -> bool:
        conn = await self.admin()
        try:
            comment = await conn.fetchval(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", name
            )
            return comment == "complete"
        finally:
            await conn.close()

    async def mark_ready(self, name: str) -> None:
        conn = await self.admin()
        try:
            await conn.execute(f"COMMENT ON DATABASE \"{name}\" IS 'complete'")
        finally:
            await conn.close()

    async def recreate(self, name: str, template: str | None = None) -> None:
        await migrate.drop_database(self.admin_url, name)
        conn = await self.admin()
        try:
            await conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        finally:
            await conn.close()

    async def drop(self, name: str) -> None:
        await migrate.drop_database(self.admin_url, name)

    async def server_version(self) -> str:
        conn = await self.admin()
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()


def start(data_dir: Path) -> Environment:
    embedded: list[EmbeddedPostgres | EmbeddedRedis] = []
    admin = os.environ.get("DATABASE_URL")
    if admin:
        url = make_url(admin.replace("postgresql://", "postgresql+asyncpg://", 1)).set(database="postgres")
        admin = url.render_as_string(hide_password=False)
    elif port_answers("127.0.0.1", 5432):
        admin = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    else:
        say(f"starting embedded PostgreSQL under {data_dir / 'postgres'}")
        pg = EmbeddedPostgres(data_dir / "postgres").start()
        embedded.append(pg)
        admin = pg.admin_url
    redis = os.environ.get("REDIS_URL")
    if not redis:
        if port_answers("127.0.0.1", 6379):
            redis = "redis://127.0.0.1:6379/0"
        else:
            server = EmbeddedRedis(data_dir / "redis").start()
            embedded.append(server)
            redis = server.url
    return Environment(admin_url=admin, redis_url=redis, embedded=embedded)


# Scratch databases (dropped and made again by each run) end in BENCH_SCRATCH_SUFFIX, so two benches on
# one PostgreSQL (two checkouts) do not drop each other's; the seeded and template databases are shared.
SCRATCH_SUFFIX = os.environ.get("BENCH_SCRATCH_SUFFIX", "")


def fingerprint() -> str:
    """Migrations and seeder source: a cached database is reused only while these are unchanged."""
    digest = hashlib.sha256(",".join(sorted(migrate.heads())).encode())
    for source in SEED_SOURCES:
        digest.update((ROOT / source).read_bytes())
    return digest.hexdigest()[:10]


def cli_env(env: Environment, database: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": env.url_for(database), "REDIS_URL": env.redis_url, **extra}


# The production rate limits stay on (every request pays for them), set so high that one address and
# one school under load never reach them.
NEVER_REACHED = str(10**9)


@contextlib.contextmanager
def api_server(env: Environment, database: str, *, log: Path) -> Iterator[str]:
    """One API server process (uvicorn) on a free port: the product's app with the benchmark's ceiling
    routes besides (`bench.ceilings`), served as `erkenning serve` serves the product, its register
    rate limits on."""
    environ = cli_env(env, database, LOG_LEVEL="WARNING", ENVIRONMENT="development", PYTHONUNBUFFERED="1",
                      REGISTER_SCHOOL_LIMIT=NEVER_REACHED, REGISTER_BATCH_LIMIT=NEVER_REACHED,
                      REGISTER_ANON_LIMIT=NEVER_REACHED)
    with _serving("bench.ceilings", environ, log) as base:
        yield base


@contextlib.contextmanager
def raw_server(env: Environment, database: str, *, log: Path) -> Iterator[str]:
    """The minimal Litestar + asyncpg app (`bench.rawapp`) on the same database, served the same way."""
    with _serving("bench.rawapp", cli_env(env, database, PYTHONUNBUFFERED="1"), log) as base:
        yield base


@contextlib.contextmanager
def _serving(module: str, environ: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, "--host", "127.0.0.1", "--port", str(port)],
            env=environ, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{module} exited ({proc.returncode}); see {log}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/health/live", timeout=1).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{module} did not answer within 60 s; see {log}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(coro):
    return asyncio.run(coro)
