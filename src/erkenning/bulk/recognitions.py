"""Loading recognitions: resolve company and crebo, upsert the recognition, keep its dated periods.

A row says "this recognition has status S from `since` on". Against the recognition's latest period:
- none yet: a period [since, ∞) is written;
- it starts on `since`: it becomes S from `since` on (a correction of the current period);
- it starts before `since` with another status: it ends on `since` and [since, ∞) follows;
- it starts before `since` with the same status and no end: refused (it already says so, from earlier);
- it starts after `since`: refused (earlier history is changed by decisions, not by an import).
So importing the same file twice writes no second period, and periods never overlap (the database's
exclusion constraint guarantees it in any case). A period the import changes keeps what it said in
`recognition_period_history` (the database's trigger), recorded until the import's time.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from erkenning.bulk.loaders import (
    NO_TIMEOUT,
    STAGING,
    Outcome,
    first_load,
    is_empty,
    refuse,
    refuse_later_duplicates,
    timed,
    upsert_counts,
)

RESOLVED = "bulk_recognition_resolved"
PLAN = "bulk_recognition_plan"


async def load_recognitions(conn: asyncpg.Connection, now: datetime) -> Outcome:
    out = Outcome()
    # The periods' recorded time is the import's (the service clock), as for changes the service makes.
    await conn.execute("SELECT set_config('erkenning.recorded_at', $1, true)", now.isoformat())
    with timed(out, "resolve"):
        await _resolve(conn, out)
    with timed(out, "plan"):
        await _plan(conn, out)
    if await is_empty(conn, "recognition", "recognition_period"):  # a first load: nothing to conflict with
        # The register's read model is filled by the periods' trigger (ADR 0016): its look-up index too is
        # built once over all rows rather than entry by entry.
        async with first_load(conn, "recognition", "recognition_period", "register_answer", out=out):
            await _write(conn, now, out, upsert=False)
    else:
        await _write(conn, now, out, upsert=True)
    return out


async def _resolve(conn: asyncpg.Connection, out: Outcome) -> None:
    """Each row's company and qualification; rows naming none (or two different companies) are refused.

    Companies are looked up by SBB id only when a row gives one (a file without the column, as
    `export table` writes, would otherwise cost a second pass over every company for nothing)."""
    by_sbb = await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {STAGING} WHERE sbb_id IS NOT NULL)")
    await conn.execute(
        f"""
        CREATE TEMP TABLE {RESOLVED} ON COMMIT DROP AS
        SELECT s.*, ce.id AS by_establishment, {"cs.id" if by_sbb else "NULL::uuid"} AS by_sbb,
               {"coalesce(ce.id, cs.id)" if by_sbb else "ce.id"} AS company_id, q.id AS qualification_id
        FROM {STAGING} s
        LEFT JOIN company ce ON ce.establishment_number = s.establishment_number
        {"LEFT JOIN company cs ON cs.sbb_id = s.sbb_id" if by_sbb else ""}
        LEFT JOIN qualification q ON q.crebo = s.crebo;
        ANALYZE {RESOLVED};
        """,
        timeout=NO_TIMEOUT,
    )
    out.problems += await refuse(
        conn,
        f"""
        WITH bad AS (
            SELECT line, concat_ws('; ',
                CASE WHEN establishment_number IS NOT NULL AND by_establishment IS NULL
                     THEN 'establishment_number: no company with this establishment number' END,
                CASE WHEN sbb_id IS NOT NULL AND by_sbb IS NULL THEN 'sbb_id: no company with this SBB id' END,
                CASE WHEN by_establishment <> by_sbb THEN 'sbb_id: names another company than establishment_number' END,
                CASE WHEN qualification_id IS NULL THEN 'crebo: not in the qualification catalogue' END
            ) AS reason
            FROM {RESOLVED}
        )
        DELETE FROM {RESOLVED} r USING bad WHERE r.line = bad.line AND bad.reason <> ''
        RETURNING r.line, bad.reason
        """,
    )
    out.problems += await refuse_later_duplicates(
        conn, RESOLVED, "company_id, qualification_id, pathway", "company, crebo and pathway"
    )


async def _plan(conn: asyncpg.Connection, out: Outcome) -> None:
    """What each row does to its recognition and its latest period; rows that would rewrite history are refused."""
    # The registered recognition (a new one gets its id here) and its latest period, in one pass.
    await conn.execute(
        f"""
        CREATE TEMP TABLE {PLAN} ON COMMIT DROP AS
        SELECT r.line, r.company_id, r.qualification_id, r.pathway, r.status, r.since, r.granted_on,
               r.reassessment_due, coalesce(x.id, gen_random_uuid()) AS recognition_id, x.id IS NULL AS is_new,
               x.status AS old_status, x.granted_on AS old_granted, x.reassessment_due AS old_due,
               lp.id AS period_id, lower(lp.during) AS period_from, upper_inf(lp.during) AS period_open,
               lp.status AS period_status
        FROM {RESOLVED} r
        LEFT JOIN recognition x
               ON (x.company_id, x.qualification_id, x.pathway) = (r.company_id, r.qualification_id, r.pathway)
        LEFT JOIN (SELECT DISTINCT ON (recognition_id) recognition_id, id, during, status FROM recognition_period
                   ORDER BY recognition_id, lower(during) DESC) lp ON lp.recognition_id = x.id;
        ANALYZE {PLAN};
        """,
        timeout=NO_TIMEOUT,
    )
    out.problems += await refuse(
        conn,
        f"""
        DELETE FROM {PLAN}
        WHERE since < period_from OR (since > period_from AND status = period_status AND period_open)
        RETURNING line, CASE WHEN since < period_from
            THEN 'since: before the current period, which began on ' || period_from
                 || ' (earlier history is changed by decisions)'
            ELSE 'since: already ' || status || ' since ' || period_from END AS reason
        """,
    )


async def _write(conn: asyncpg.Connection, now: datetime, out: Outcome, *, upsert: bool) -> None:
    """The recognitions of the plan, then their periods (the latest one corrected or ended, a new one added)."""
    granted = "coalesce(p.granted_on, p.old_granted, CASE WHEN p.status = 'active' THEN p.since END)"
    due = "coalesce(p.reassessment_due, p.old_due)"
    conflict = """
        ON CONFLICT (company_id, qualification_id, pathway) DO UPDATE SET
            status = EXCLUDED.status, granted_on = EXCLUDED.granted_on, reassessment_due = EXCLUDED.reassessment_due,
            version = t.version + 1, updated_at = $1
        WHERE (t.status, t.granted_on, t.reassessment_due)
              IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.granted_on, EXCLUDED.reassessment_due)
        RETURNING (xmax = 0) AS inserted
    """ if upsert else "ORDER BY p.recognition_id"  # the primary key grows at its edge
    if upsert:
        with timed(out, "lock"):
            await lock_recognitions(conn)
    with timed(out, "recognitions"):
        out.inserted, out.updated = await _recognitions(conn, now, granted, due, conflict, upsert=upsert)
    if upsert:
        with timed(out, "periods changed"):
            out.periods_changed = await _periods_changed(conn)
    with timed(out, "periods"):
        out.periods_added = await _periods_added(conn, now)


async def lock_recognitions(conn: asyncpg.Connection) -> None:
    """Lock the registered recognitions whose periods the plan changes, in id order, as a decision locks the
    ones it changes (`recognition.effects.lock`): whoever changes a recognition's periods holds its row lock,
    so the database's rewrite of its rows in `register_answer` (ADR 0016) never interleaves with another's,
    and an import and a decision on one recognition wait for each other instead of deadlocking. New
    recognitions need none (no one else can see them yet); a first load has its tables to itself."""
    await conn.execute(
        f"""
        SELECT count(*) FROM (
            SELECT 1 FROM recognition r JOIN {PLAN} p ON p.recognition_id = r.id
            WHERE NOT p.is_new AND (p.period_id IS NULL OR p.since > p.period_from
                                    OR p.status IS DISTINCT FROM p.period_status OR NOT p.period_open)
            ORDER BY r.id FOR UPDATE OF r
        ) AS locked
        """,
        timeout=NO_TIMEOUT,
    )


async def _recognitions(
    conn: asyncpg.Connection, now: datetime, granted: str, due: str, conflict: str, *, upsert: bool
) -> tuple[int, int]:
    """(inserted, updated). A first load only inserts: its count is the statement's, with no row returned."""
    count = upsert_counts if upsert else _inserted
    return await count(
        conn,
        f"""
        INSERT INTO recognition AS t (id, company_id, qualification_id, pathway, status, granted_on,
                                      reassessment_due, version, created_at, updated_at)
        SELECT p.recognition_id, p.company_id, p.qualification_id, p.pathway, p.status, {granted}, {due}, 1, $1, $1
        FROM {PLAN} p
        WHERE p.is_new OR (p.old_status, p.old_granted, p.old_due) IS DISTINCT FROM (p.status, {granted}, {due})
        {conflict}
        """,
        now,
    )


async def _periods_changed(conn: asyncpg.Connection) -> int:
    return await _execute_count(
        conn,
        f"""
        UPDATE recognition_period rp SET
            status = CASE WHEN p.since = p.period_from THEN p.status ELSE rp.status END,
            during = CASE WHEN p.since = p.period_from THEN daterange(p.since, NULL)
                          ELSE daterange(lower(rp.during), p.since) END
        FROM {PLAN} p
        WHERE rp.id = p.period_id AND (
            (p.since = p.period_from AND (rp.status <> p.status OR NOT upper_inf(rp.during)))
            OR (p.since > p.period_from AND (upper_inf(rp.during) OR upper(rp.during) > p.since)))
        """,
    )


async def _periods_added(conn: asyncpg.Connection, now: datetime) -> int:
    """New periods, recorded from the import's time: given here, the value the column's default
    (`erkenning_recorded_at()`, reading the `erkenning.recorded_at` set above) would give, so that function
    is not called once per row (1.0 to 1.2 s for 756,000 rows in one measurement; `psql \\copy` of the
    final rows, which carry the value, never calls it)."""
    return await _execute_count(
        conn,
        f"""
        INSERT INTO recognition_period (id, recognition_id, status, during, created_at, recorded_from)
        SELECT * FROM (SELECT gen_random_uuid(), p.recognition_id, p.status, daterange(p.since, NULL), $1::timestamptz,
                              $1::timestamptz
                       FROM {PLAN} p WHERE p.period_id IS NULL OR p.since > p.period_from) n
        ORDER BY 1
        """,
        now,
    )


async def _inserted(conn: asyncpg.Connection, sql: str, *args: object) -> tuple[int, int]:
    return await _execute_count(conn, sql, *args), 0


async def _execute_count(conn: asyncpg.Connection, sql: str, *args: object) -> int:
    status = await conn.execute(sql, *args, timeout=NO_TIMEOUT)
    return int(status.rsplit(" ", 1)[-1])
