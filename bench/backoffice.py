"""Back-office figures (issue 8): the outbox worker, the deadline sweep, and the case list under load.

- Outbox, burst: one arq worker (the app's own worker settings, burst mode) runs N pre-filled outbox
  events of a no-op topic (claim under a row lock, handler, mark done: the outbox's own cost) against
  the same worker running N trivial arq jobs (the ceiling: arq and Redis alone). Ratio: events/s ÷ jobs/s.
- Outbox, one at a time: the same worker runs while a producer in a process of its own writes one
  event per transaction through the product's path (`Runtime.transaction`, `outbox.add`, commit,
  enqueue), with `OUTBOX_BATCH=1` (as e-mail and webhook events, which are never batched), against
  the same worker while a producer enqueues one no-op arq job at a time. Ratio: events/s ÷ jobs/s,
  each timed from the first write to the last one done.
- Deadline sweep: `deadlines.sweep` with 1, 100 and 10,000 due among 100,000 open deadlines, against
  one set-based SQL statement making the same state changes (marks and outbox rows) for the same due
  deadlines. The statement puts nothing on the arq queue; the sweep's time includes putting its
  events' triggers there (two per due deadline here), so the baseline is the database's work alone.
  Ratio: sweep time ÷ statement time at each size; the goal is on the cost per due deadline (the
  slope between the smallest and the largest size).
- Case list: `GET /api/v1/backoffice/investigations/?mine=true` (my cases, overdue first) with
  10,000 cases, under wrk load with an adviser's token, against the ceiling endpoint (one plain
  SELECT of a page of my cases through the same router, guards and session). Ratio: p99 ÷ p99.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg

from bench.env import OUT, ROOT, SCRATCH_SUFFIX, Environment, cli_env, say
from bench.register import WrkResult, wrk
from erkenning.core import migrate

WORK_DB = "erkenning_bench_backoffice" + SCRATCH_SUFFIX
CASES = 10_000
ADVISERS = 20
DEADLINES_BIG = 100_000
DUE_SIZES = (1, 100, 10_000)
NOOP_TOPIC = "bench.noop"
CASE_LIST = "/api/v1/backoffice/investigations/?mine=true"
CASE_CEILING = "/api/v1/backoffice/investigations-ceiling/"


@dataclass
class BackofficeFigures:
    outbox_events: int = 0
    outbox_s: list[float] = field(default_factory=list)
    arq_s: list[float] = field(default_factory=list)
    trickle_events: int = 0
    trickle_s: list[float] = field(default_factory=list)  # one event per transaction, OUTBOX_BATCH=1
    trickle_producer_s: list[float] = field(default_factory=list)  # the events' producer alone, no worker
    trickle_arq_s: list[float] = field(default_factory=list)  # one no-op arq job at a time
    # due deadlines -> per run: the median of its sweeps, and of the set-based statement's runs
    sweep_due_s: dict[int, list[float]] = field(default_factory=dict)
    setbased_due_s: dict[int, list[float]] = field(default_factory=dict)
    case_list: list[WrkResult] = field(default_factory=list)
    case_ceiling: list[WrkResult] = field(default_factory=list)
    deadlines: int = 0  # open deadlines of the big sweep
    cases: int = 0
    mine: int = 0
    skipped: list[str] = field(default_factory=list)


def _settings(env: Environment, database: str, queue: str, **more: Any) -> Any:
    from erkenning.core.settings import Settings

    return Settings(_env_file=None, database_url=env.url_for(database), redis_url=env.redis_url,
                    arq_queue_name=queue, log_level="WARNING", **more)


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


@contextlib.contextmanager
def _as_served() -> Any:
    """The worker's heap frozen once it is built, as `erkenning worker` freezes it (ADR 0015), for the
    events' runs and the no-op jobs' alike; unfrozen after, for the bench's next figures."""
    from erkenning.core.runtime import freeze_startup_heap

    freeze_startup_heap()
    try:
        yield
    finally:
        gc.unfreeze()


_EVENT_RUNS = [0]


async def _noop_event(ctx: Any) -> None:
    """The benchmark topic's handler: nothing (but count that it ran, as the no-op job does), so what is
    measured is the outbox's own work."""
    _EVENT_RUNS[0] += 1


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
    with _as_served():
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


def _produce(kind: str, settings: Any, n: int, ready: Any, go: Any, done: Any = None) -> None:
    """The producer of the one-at-a-time runs, in a process of its own (as the API is to the worker)."""
    asyncio.run(_produce_async(kind, settings, n, ready, go, done))


async def _produce_async(kind: str, settings: Any, n: int, ready: Any, go: Any, done: Any) -> None:
    """Set up (imports, connections), say so, wait for the start signal, then write one at a time (and say
    when the last is written, if asked)."""
    from erkenning.core import outbox
    from erkenning.core.runtime import Runtime, freeze_startup_heap

    if kind == "outbox":
        runtime = Runtime.create(settings)
        try:
            async with runtime.transaction() as session:  # connected and warm, as an API process is
                await session.connection()
            freeze_startup_heap()  # as the served API's is
            ready.set()
            await asyncio.to_thread(go.wait)
            for _ in range(n):
                async with runtime.transaction() as session:  # insert, commit, then enqueue its trigger
                    outbox.add(session, NOOP_TOPIC)
            if done is not None:
                done.set()
        finally:
            await runtime.close()
        return
    from arq.connections import create_pool

    from erkenning.worker import worker_options

    redis = await create_pool(worker_options(settings)["redis_settings"])
    try:
        await redis.ping()
        freeze_startup_heap()
        ready.set()
        await asyncio.to_thread(go.wait)
        for _ in range(n):
            await redis.enqueue_job("bench_noop", uuid4().hex, _queue_name=settings.arq_queue_name)
    finally:
        await redis.aclose()


async def _trickle(settings: Any, kind: str, n: int, finished: Any) -> float:
    """Run the app's worker (not in burst mode) while a producer process writes `n` events or jobs one at
    a time; the time from the producer's start until `finished()` says all `n` are done."""
    from erkenning.core import outbox
    from erkenning.worker import build_worker, wiring, worker_options

    wired = wiring().with_handlers(outbox.Handler(NOOP_TOPIC, _noop_event))
    options = worker_options(settings, wired)
    worker = build_worker(settings, wired, functions=[*options["functions"], func_noop()],
                          cron_jobs=[], handle_signals=False)
    with _as_served():
        return await _trickle_served(kind, settings, n, worker, finished)


async def _started_producer(kind: str, settings: Any, n: int, done: Any = None) -> tuple[Any, Any]:
    """A producer process (`_produce`), set up and waiting: (the process, its start signal)."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")
    ready, go = spawn.Event(), spawn.Event()
    producer = spawn.Process(target=_produce, args=(kind, settings, n, ready, go, done))
    producer.start()
    if not await asyncio.to_thread(ready.wait, 120):
        producer.kill()
        raise RuntimeError(f"outbox benchmark: the {kind} producer did not start")
    return producer, go


async def _drop_triggers(redis: Any, queue_name: str, job_ids: list[str]) -> None:
    """A queue and its jobs' data, which would otherwise stay in Redis for a day."""
    from arq.constants import job_key_prefix

    await redis.delete(queue_name)
    for start in range(0, len(job_ids), 1000):
        await redis.delete(*(job_key_prefix + job_id for job_id in job_ids[start:start + 1000]))


async def _trickle_served(kind: str, settings: Any, n: int, worker: Any, finished: Any) -> float:
    running = asyncio.create_task(worker.main())
    await asyncio.sleep(1.0)  # the worker started and polling
    producer, go = await _started_producer(kind, settings, n)
    started = time.perf_counter()
    go.set()
    try:
        while not await finished():
            if running.done():
                running.result()
                raise RuntimeError("outbox benchmark: the worker stopped")
            if producer.exitcode not in (None, 0):
                raise RuntimeError(f"outbox benchmark: the {kind} producer failed ({producer.exitcode})")
            await asyncio.sleep(0.01)
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.to_thread(producer.join, 60)
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        # A job still finishing when the worker was cancelled ends cancelled, and arq's close gathers it.
        with contextlib.suppress(asyncio.CancelledError):
            await worker.close()
    return elapsed


async def _producer_alone(settings: Any, n: int) -> float:
    """The events' producer by itself, no worker running: how fast the product writes `n` events one at a
    time. It bounds the one-at-a-time figure from above (no event is done before it is written), and it
    competes with the worker for the same cores when both run. The triggers it queued are taken away."""
    import multiprocessing

    from arq.connections import create_pool

    from erkenning.worker import worker_options

    done = multiprocessing.get_context("spawn").Event()
    producer, go = await _started_producer("outbox", settings, n, done)
    try:
        started = time.perf_counter()
        go.set()
        if not await asyncio.to_thread(done.wait, 600):
            raise RuntimeError("outbox benchmark: the producer alone did not finish")
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.to_thread(producer.join, 60)
        if producer.is_alive():
            producer.kill()
    redis = await create_pool(worker_options(settings)["redis_settings"])
    try:
        jobs = await redis.zrange(settings.arq_queue_name, 0, -1)
        await _drop_triggers(redis, settings.arq_queue_name, [job.decode() for job in jobs])
    finally:
        await redis.aclose()
    return elapsed


def _events_done(conn: asyncpg.Connection, events: int) -> Any:
    """Done when the database says all `events` are; asked only once the handler has run that often, so
    that the polling costs the worker's process no more than the no-op jobs' counter does."""
    _EVENT_RUNS[0] = 0

    async def done() -> bool:
        if _EVENT_RUNS[0] < events:
            return False
        return int(await conn.fetchval("SELECT count(*) FROM outbox_event WHERE status = 'done'")) >= events

    return done


def func_noop() -> Any:
    from arq.worker import func

    return func(_noop_job, name="bench_noop")


async def measure_trickle(env: Environment, template: str, figures: BackofficeFigures, *,
                          events: int, runs: int) -> None:
    """Events arriving one at a time against no-op arq jobs arriving one at a time (see the module's doc)."""
    figures.trickle_events = events
    for run in range(1, runs + 1):
        settings = _settings(env, WORK_DB, f"bench-trickle-{uuid4().hex[:8]}", outbox_batch=1)
        conn = await _fresh(env, WORK_DB, template)
        try:
            figures.trickle_s.append(await _trickle(settings, "outbox", events, _events_done(conn, events)))
        finally:
            await conn.close()
        _NOOP_RUNS[0] = 0

        async def jobs_done() -> bool:
            return _NOOP_RUNS[0] >= events

        figures.trickle_arq_s.append(await _trickle(settings, "arq", events, jobs_done))
        await env.recreate(WORK_DB, template=template)
        alone = _settings(env, WORK_DB, f"bench-alone-{uuid4().hex[:8]}", outbox_batch=1)
        figures.trickle_producer_s.append(await _producer_alone(alone, events))
        say(f"outbox one at a time, run {run}/{runs}: {events} events {figures.trickle_s[-1]:.2f} s, "
            f"{events} no-op jobs {figures.trickle_arq_s[-1]:.2f} s, "
            f"{events} events written with no worker {figures.trickle_producer_s[-1]:.2f} s")


# ------------------------------------------------------------------ deadline sweep


# One statement making the sweep's state changes for every due deadline: reminders marked, passed
# deadlines marked (and reminded, too late), one outbox row per reminder and per passed deadline.
SET_BASED_SWEEP = """
    WITH due AS (
        SELECT d.id, d.reminded_at IS NULL AND d.remind_at <= $1 AS remind,
               d.passed_at IS NULL AND d.due_at <= $1 AS pass
        FROM deadline d
        WHERE d.status = 'open'
          AND (d.reminded_at IS NULL AND d.remind_at <= $1 OR d.passed_at IS NULL AND d.due_at <= $1)
          AND NOT EXISTS (SELECT 1 FROM investigation i WHERE i.id = d.investigation_id AND i.status = 'on_hold')
        FOR UPDATE OF d SKIP LOCKED
    ), marked AS (
        UPDATE deadline d
        SET reminded_at = coalesce(d.reminded_at, $1), passed_at = CASE WHEN due.pass THEN $1 ELSE d.passed_at END
        FROM due WHERE d.id = due.id
        RETURNING d.id, due.remind, due.pass
    )
    INSERT INTO outbox_event (id, topic, payload, status, attempts, created_at, available_at)
    SELECT gen_random_uuid(), t.topic, jsonb_build_object('deadline_id', m.id::text), 'pending', 0, $1, $1
    FROM marked m CROSS JOIN LATERAL (VALUES ('deadline.remind', m.remind), ('deadline.passed', m.pass)) t(topic, yes)
    WHERE t.yes
"""
# Every deadline not due, then the first `k` (by id) due: reminder and deadline passed.
_NONE_DUE = """
    UPDATE deadline SET due_at = now() + interval '30 days', remind_at = now() + interval '20 days',
                        reminded_at = NULL, passed_at = NULL
    WHERE due_at <= now() OR remind_at <= now() OR reminded_at IS NOT NULL OR passed_at IS NOT NULL
"""
_MAKE_DUE = """
    UPDATE deadline SET due_at = now() - interval '1 day', remind_at = now() - interval '2 days'
    WHERE id IN (SELECT id FROM deadline ORDER BY id LIMIT $1)
"""


async def _due(conn: asyncpg.Connection, runtime: Any, k: int) -> None:
    """Exactly `k` due, no events, an empty queue: the previous sweep's triggers (their job data
    included, which would otherwise pile up in Redis for a day, 20,000 a sweep) are taken away."""
    await conn.execute(_NONE_DUE, timeout=None)
    events = [str(row[0]) for row in await conn.fetch("DELETE FROM outbox_event RETURNING id")]
    await _drop_triggers(runtime.queue.redis, runtime.settings.arq_queue_name, events)
    await conn.execute(_MAKE_DUE, k)


async def _sweep_once(runtime: Any, conn: asyncpg.Connection, due: int) -> float:
    from erkenning.workflows import deadlines

    await _due(conn, runtime, due)
    started = time.perf_counter()
    reminded, passed = await deadlines.sweep(runtime)
    elapsed = time.perf_counter() - started
    if passed != due:
        raise RuntimeError(f"deadline sweep: {passed} passed, expected {due}")
    return elapsed


async def _set_based_once(runtime: Any, conn: asyncpg.Connection, due: int) -> float:
    await _due(conn, runtime, due)
    started = time.perf_counter()
    async with conn.transaction():
        status = await conn.execute(SET_BASED_SWEEP, datetime.now(UTC))
    elapsed = time.perf_counter() - started
    if status != f"INSERT 0 {2 * due}":
        raise RuntimeError(f"set-based sweep: {status}, expected {2 * due} events")
    return elapsed


async def measure_sweep(env: Environment, template: str, figures: BackofficeFigures, *, runs: int,
                        sweeps: int = 5, big: int = DEADLINES_BIG, due_sizes: tuple[int, ...] = DUE_SIZES) -> None:
    from erkenning.core.runtime import Runtime

    figures.deadlines = big
    name = f"{WORK_DB}_sweep"
    conn = await _fresh(env, name, template)
    runtime = None
    try:
        await _cases(conn, big, 0, await _principals(conn, 1))
        runtime = Runtime.create(_settings(env, name, f"bench-sweep-{uuid4().hex[:8]}"))
        await _sweep_once(runtime, conn, due_sizes[0])  # warm: connections, plans, caches
        await _set_based_once(runtime, conn, due_sizes[0])
        for run in range(1, runs + 1):
            for due in due_sizes:
                times: dict[str, list[float]] = {"sweep": [], "set": []}
                for _ in range(sweeps if due < 1000 else max(1, sweeps // 2)):  # alternately: the same machine
                    times["sweep"].append(await _sweep_once(runtime, conn, due))
                    times["set"].append(await _set_based_once(runtime, conn, due))
                figures.sweep_due_s.setdefault(due, []).append(statistics.median(times["sweep"]))
                figures.setbased_due_s.setdefault(due, []).append(statistics.median(times["set"]))
                say(f"sweep run {run}/{runs}: {due:,} due of {big:,} open: sweep "
                    f"{figures.sweep_due_s[due][-1] * 1000:.1f} ms, one statement "
                    f"{figures.setbased_due_s[due][-1] * 1000:.1f} ms")
            await conn.execute("VACUUM (ANALYZE) deadline, outbox_event", timeout=None)
    finally:
        if runtime is not None:
            await runtime.close()
        await conn.close()
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
