"""Back-office figures (issue 8): the outbox worker, the deadline sweep, and the case list under load.

- Outbox: one arq worker (the app's own worker settings, burst mode) runs N outbox events of a no-op
  topic (claim under a row lock, handler, mark done: the outbox's own cost) against the same worker
  running N trivial arq jobs (the ceiling: arq and Redis alone). Ratio: events/s ÷ jobs/s.
- Deadline sweep: one `deadlines.sweep` with 100,000 open deadlines of which 100 are due, against
  the same sweep with 1,000 open deadlines of which 100 are due. Ratio: time ÷ time (goal ≤ 2).
- Case list: `GET /api/v1/backoffice/investigations/?mine=true` (my cases, overdue first) with
  10,000 cases, under wrk load with an adviser's token, against the ceiling endpoint (one plain
  SELECT of a page of my cases through the same router, guards and session). Ratio: p99 ÷ p99.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from bench.env import OUT, ROOT, Environment, cli_env, say
from bench.register import WrkResult, wrk
from erkenning.core import migrate

WORK_DB = "erkenning_bench_backoffice"
CASES = 10_000
ADVISERS = 20
DEADLINES_BIG, DEADLINES_SMALL, DUE = 100_000, 1_000, 100
NOOP_TOPIC = "bench.noop"
CASE_LIST = "/api/v1/backoffice/investigations/?mine=true"
CASE_CEILING = "/api/v1/backoffice/investigations-ceiling/"


@dataclass
class BackofficeFigures:
    outbox_events: int = 0
    outbox_s: list[float] = field(default_factory=list)
    arq_s: list[float] = field(default_factory=list)
    sweep_big_s: list[float] = field(default_factory=list)  # per run: the median of its sweeps
    sweep_small_s: list[float] = field(default_factory=list)
    case_list: list[WrkResult] = field(default_factory=list)
    case_ceiling: list[WrkResult] = field(default_factory=list)
    deadlines: int = 0  # open deadlines of the big sweep
    cases: int = 0
    mine: int = 0
    skipped: list[str] = field(default_factory=list)


def _settings(env: Environment, database: str, queue: str) -> Any:
    from erkenning.core.settings import Settings

    return Settings(_env_file=None, database_url=env.url_for(database), redis_url=env.redis_url,
                    arq_queue_name=queue, log_level="WARNING")


# ------------------------------------------------------------------ data


async def _fresh(env: Environment, name: str, template: str) -> asyncpg.Connection:
    await env.recreate(name, template=template)
    return await asyncpg.connect(env.libpq_url(name))


_COMPANIES = """
    INSERT INTO company (id, sbb_id, kvk_number, establishment_number, name, postcode, city, sector, version,
                         created_at, updated_at)
    SELECT gen_random_uuid(), (100000000 + g)::text, lpad(g::text, 8, '0'), lpad(g::text, 12, '0'),
           'Bedrijf ' || g, '1234 AB', 'Utrecht', 'handel', 1, now(), now()
    FROM generate_series(1, $1) g
"""
_CASES = """
    INSERT INTO investigation (id, company_id, status, assigned_to, opened_at, recommended_topics, recognition_ids,
                               version, created_at, updated_at)
    SELECT gen_random_uuid(), c.id, (ARRAY['open', 'hearing', 'assessment', 'proposed'])[1 + n % 4],
           ($2::uuid[])[1 + n % array_length($2::uuid[], 1)], now() - (n % 300) * interval '1 day', '{}', '{}', 1,
           now(), now()
    FROM (SELECT id, row_number() OVER (ORDER BY sbb_id) AS n FROM company) c
    WHERE c.n <= $1
"""
# One open lead-time deadline per case; the first $1 (by company) are due (reminder and deadline passed).
_DEADLINES = """
    INSERT INTO deadline (id, investigation_id, kind, status, due_at, remind_at, created_at)
    SELECT gen_random_uuid(), i.id, 'lead_time', 'open',
           CASE WHEN n <= $1 THEN now() - interval '1 day' ELSE now() + (1 + n % 90) * interval '1 day' END,
           CASE WHEN n <= $1 THEN now() - interval '2 days' ELSE now() + (1 + n % 60) * interval '1 day' END, now()
    FROM (SELECT i.id, row_number() OVER (ORDER BY c.sbb_id) AS n
          FROM investigation i JOIN company c ON c.id = i.company_id) i
"""


async def _cases(conn: asyncpg.Connection, n: int, due: int, advisers: list[UUID]) -> None:
    await conn.execute(_COMPANIES, n, timeout=None)
    await conn.execute(_CASES, n, advisers, timeout=None)
    await conn.execute(_DEADLINES, due, timeout=None)
    await conn.execute("VACUUM (ANALYZE)", timeout=None)


async def _principals(conn: asyncpg.Connection, n: int) -> list[UUID]:
    ids = [uuid4() for _ in range(n)]
    await conn.executemany(
        "INSERT INTO principal (id, name, role, active, created_at, updated_at) VALUES ($1, $2, 'adviser', true,"
        " now(), now())",
        [(i, f"Adviseur {k}") for k, i in enumerate(ids)],
    )
    return ids


# ------------------------------------------------------------------ outbox


async def _noop_event(ctx: Any) -> None:
    """The benchmark topic's handler: nothing, so what is measured is the outbox's own work."""


_NOOP_RUNS = [0]


async def _noop_job(ctx: dict[str, Any], _arg: str) -> None:
    """The ceiling: an arq job that does nothing (but count that it ran), given an argument as an event is."""
    _NOOP_RUNS[0] += 1


async def _burst(settings: Any, jobs: list[tuple[str, str]]) -> float:
    """Enqueue `jobs` (function, argument), then time one burst worker with the app's settings running them
    (the app's wiring, and the no-op topic's handler besides)."""
    from arq.connections import create_pool
    from arq.worker import func

    from erkenning.core import outbox
    from erkenning.worker import build_worker, wiring, worker_options

    redis = await create_pool(worker_options(settings)["redis_settings"])
    try:
        await redis.delete(settings.arq_queue_name)
        for name, arg in jobs:
            await redis.enqueue_job(name, arg, _job_id=arg, _queue_name=settings.arq_queue_name)
    finally:
        await redis.aclose()
    wired = wiring().with_handlers(outbox.Handler(NOOP_TOPIC, _noop_event))
    options = worker_options(settings, wired)
    # The worker's startup configures logging from `settings` (WARNING): no per-event log lines.
    worker = build_worker(settings, wired, functions=[*options["functions"], func(_noop_job, name="bench_noop")],
                          cron_jobs=[], burst=True, handle_signals=False)
    started = time.perf_counter()
    try:
        await worker.main()
    finally:
        await worker.close()
    return time.perf_counter() - started


async def measure_outbox(env: Environment, template: str, figures: BackofficeFigures, *,
                         events: int, runs: int) -> None:
    settings = _settings(env, WORK_DB, f"bench-outbox-{uuid4().hex[:8]}")
    figures.outbox_events = events
    for run in range(1, runs + 1):
        conn = await _fresh(env, WORK_DB, template)
        try:
            ids = await conn.fetch(
                "INSERT INTO outbox_event (id, topic, payload, status, attempts, created_at, available_at, enqueued_at)"
                " SELECT gen_random_uuid(), $1, '{}', 'pending', 0, now(), now(), now() FROM generate_series(1, $2)"
                " RETURNING id::text",
                NOOP_TOPIC, events,
            )
            await conn.execute("VACUUM (ANALYZE) outbox_event")
            figures.outbox_s.append(await _burst(settings, [("process_event", r[0]) for r in ids]))
            done = await conn.fetchval("SELECT count(*) FROM outbox_event WHERE status = 'done'")
            if done != events:
                raise RuntimeError(f"outbox benchmark: {done} of {events} events done")
        finally:
            await conn.close()
        _NOOP_RUNS[0] = 0
        figures.arq_s.append(await _burst(settings, [("bench_noop", uuid4().hex) for _ in range(events)]))
        if _NOOP_RUNS[0] != events:
            raise RuntimeError(f"outbox benchmark: {_NOOP_RUNS[0]} of {events} no-op jobs ran")
        say(f"outbox run {run}/{runs}: {events} events {figures.outbox_s[-1]:.2f} s, "
            f"{events} no-op jobs {figures.arq_s[-1]:.2f} s")


# ------------------------------------------------------------------ deadline sweep


async def _sweep_once(runtime: Any, conn: asyncpg.Connection) -> float:
    from erkenning.workflows import deadlines

    started = time.perf_counter()
    reminded, passed = await deadlines.sweep(runtime)
    elapsed = time.perf_counter() - started
    if passed != DUE:
        raise RuntimeError(f"deadline sweep: {passed} passed, expected {DUE}")
    # Back to the same state for the next sweep: the due ones unmarked, their events gone.
    await conn.execute("UPDATE deadline SET reminded_at = NULL, passed_at = NULL WHERE passed_at IS NOT NULL")
    await conn.execute("DELETE FROM outbox_event")
    await runtime.queue.redis.delete(runtime.settings.arq_queue_name)
    return elapsed


async def measure_sweep(env: Environment, template: str, figures: BackofficeFigures, *, runs: int,
                        sweeps: int = 7, big: int = DEADLINES_BIG) -> None:
    from erkenning.core.runtime import Runtime

    figures.deadlines = big
    databases = {"big": (f"{WORK_DB}_sweep_big", big), "small": (f"{WORK_DB}_sweep_small", DEADLINES_SMALL)}
    conns, runtimes = {}, {}
    try:
        for key, (name, n) in databases.items():
            conns[key] = await _fresh(env, name, template)
            await _cases(conns[key], n, DUE, await _principals(conns[key], 1))
            runtimes[key] = Runtime.create(_settings(env, name, f"bench-sweep-{uuid4().hex[:8]}"))
            await _sweep_once(runtimes[key], conns[key])  # warm: connections, plans, caches
        for run in range(1, runs + 1):
            times: dict[str, list[float]] = {"big": [], "small": []}
            for _ in range(sweeps):  # interleaved, so both see the same machine
                for key in ("big", "small"):
                    times[key].append(await _sweep_once(runtimes[key], conns[key]))
            figures.sweep_big_s.append(statistics.median(times["big"]))
            figures.sweep_small_s.append(statistics.median(times["small"]))
            say(f"sweep run {run}/{runs}: {big:,} open {figures.sweep_big_s[-1] * 1000:.1f} ms, "
                f"{DEADLINES_SMALL:,} open {figures.sweep_small_s[-1] * 1000:.1f} ms")
    finally:
        for runtime in runtimes.values():
            await runtime.close()
        for conn in conns.values():
            await conn.close()
        for name, _ in databases.values():
            await migrate.drop_database(env.admin_url, name)


# ------------------------------------------------------------------ case list


def _adviser_token(env: Environment, database: str) -> tuple[str, UUID]:
    done = subprocess.run(
        [sys.executable, "-m", "erkenning.cli", "token", "create", "--name", "Benchmark adviseur", "--role",
         "adviser", "--days", "1"],
        env=cli_env(env, database), cwd=ROOT, capture_output=True, text=True, check=True,
    )
    lines = done.stdout.strip().splitlines()
    principal = UUID(next(line for line in lines if line.startswith("principal ")).split()[1])
    return lines[-1], principal


async def prepare_cases(env: Environment, template: str, cases: int = CASES) -> tuple[str, UUID]:
    """A database with `cases` open cases over ADVISERS advisers (one of them ours, with a token)."""
    conn = await _fresh(env, WORK_DB, template)
    await conn.close()
    token, me = _adviser_token(env, WORK_DB)
    conn = await asyncpg.connect(env.libpq_url(WORK_DB))
    try:
        others = await _principals(conn, ADVISERS - 1)
        await _cases(conn, cases, cases // 10, [me, *others])  # a tenth overdue
    finally:
        await conn.close()
    return token, me


def _lua(path: str, token: str) -> str:
    return f"""
local headers = {{ ["Authorization"] = "Bearer {token}" }}
request = function()
  return wrk.format("GET", "{path}", headers)
end
"""


async def count_mine(env: Environment, me: UUID) -> int:
    conn = await asyncpg.connect(env.libpq_url(WORK_DB))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM investigation WHERE assigned_to = $1", me))
    finally:
        await conn.close()


def measure_case_list(base: str, token: str, figures: BackofficeFigures, *, runs: int, seconds: int,
                      connections: int) -> None:
    import httpx

    scripts: dict[str, Path] = {}
    for name, path in (("cases", CASE_LIST), ("cases_ceiling", CASE_CEILING)):
        answer = httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        if answer.status_code != 200:
            figures.skipped.append(f"case list: GET {path} answered {answer.status_code}")
            return
        scripts[name] = OUT / f"wrk-{name}.lua"
        scripts[name].write_text(_lua(path, token))
    for _ in range(runs):
        figures.case_ceiling.append(wrk(base, scripts["cases_ceiling"], connections=connections, seconds=seconds))
        figures.case_list.append(wrk(base, scripts["cases"], connections=connections, seconds=seconds))


def drop_work(env: Environment) -> None:
    asyncio.run(migrate.drop_database(env.admin_url, WORK_DB))
