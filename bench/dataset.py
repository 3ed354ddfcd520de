"""The seeded database (built once, then reused while migrations and seeder are unchanged) and its CSV files."""

from __future__ import annotations

import asyncio
import shutil
import time
from pathlib import Path

import asyncpg

from bench.env import OUT, Environment, fingerprint, say
from erkenning.bulk.database import bulk_engine
from erkenning.bulk.export import export_table
from erkenning.core import migrate
from erkenning.core.settings import Settings
from erkenning.devtools.seed import seed

KINDS = ("qualifications", "companies", "recognitions")


def settings_for(env: Environment, database: str) -> Settings:
    return Settings(_env_file=None, database_url=env.url_for(database), redis_url=env.redis_url)


async def _drop_stale(env: Environment, prefix: str, keep: str) -> None:
    """Cached databases (and their CSV files) of earlier migrations or seeders: rebuilt, never reused."""
    conn = await env.admin()
    try:
        stale = await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2",
                                 prefix.replace("_", "\\_") + "%", keep)
    finally:
        await conn.close()
    for (name,) in stale:
        await env.drop(name)
        shutil.rmtree(OUT / f"csv-{name}", ignore_errors=True)


async def _migrated(env: Environment, name: str) -> None:
    await env.recreate(name)
    await asyncio.to_thread(migrate.upgrade, env.url_for(name))


async def empty_template(env: Environment) -> str:
    """A migrated, empty database to copy fresh import targets from (CREATE DATABASE … TEMPLATE)."""
    name = f"erkenning_bench_empty_{fingerprint()}"
    if not await env.ready(name):
        await _drop_stale(env, "erkenning_bench_empty_", name)
        await _migrated(env, name)
        await env.mark_ready(name)
    return name


async def seeded_database(env: Environment, companies: int, seed_value: int) -> str:
    name = f"erkenning_bench_{companies}_{seed_value}_{fingerprint()}"
    if await env.ready(name):
        say(f"reusing the seeded database {name}")
        return name
    say(f"seeding {companies:,} companies into {name} (once; later runs reuse it)")
    await _drop_stale(env, f"erkenning_bench_{companies}_{seed_value}_", name)
    await _migrated(env, name)
    engine = bulk_engine(settings_for(env, name))
    started, shown = time.monotonic(), [0]

    def progress(done: int, total: int) -> None:
        if done * 10 // total > shown[0] or done == total:
            shown[0] = done * 10 // total
            say(f"  seeded {done:,}/{total:,} companies ({time.monotonic() - started:.0f} s)")

    try:
        report = await seed(engine, companies=companies, seed_value=seed_value, progress=progress)
    finally:
        await engine.dispose()
    await _vacuum(env, name)
    await env.mark_ready(name)
    say(f"seeded {report.companies:,} companies, {report.recognitions:,} recognitions, {report.periods:,} periods "
        f"in {time.monotonic() - started:.0f} s")
    return name


async def _vacuum(env: Environment, name: str) -> None:
    conn = await asyncpg.connect(env.libpq_url(name))
    try:
        await conn.execute("VACUUM (ANALYZE)", timeout=None)
    finally:
        await conn.close()


async def csv_files(env: Environment, database: str) -> dict[str, Path]:
    """The seeded data in the import format (written once per seeded database)."""
    folder = OUT / f"csv-{database}"
    files = {kind: folder / f"{kind}.csv" for kind in KINDS}
    if (folder / "complete").exists():
        return files
    folder.mkdir(parents=True, exist_ok=True)
    engine = bulk_engine(settings_for(env, database))
    try:
        for kind, path in files.items():
            rows = await export_table(engine, kind, path)
            say(f"exported {rows:,} {kind} to {path.relative_to(OUT.parent.parent)}")
    finally:
        await engine.dispose()
    (folder / "complete").touch()
    return files


def count_rows(path: Path) -> int:
    """Data rows of a CSV written by COPY (no quoted newlines in our data): lines minus the header."""
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1
