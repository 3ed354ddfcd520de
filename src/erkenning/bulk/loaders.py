"""From the staging table into the real tables: set-based checks, then one upsert per table.

Each loader runs on the import's asyncpg connection inside its transaction. Rows that break a rule
only the database can see (a duplicate within the file, an unknown company or crebo) are deleted
from staging and returned as (line, reason); the rest go in with `INSERT … SELECT … ON CONFLICT
(natural key) DO UPDATE`, which touches a row only where something differs, so re-running an import
changes nothing (no `updated_at`, no `version` bump). An empty cell keeps what is registered.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

STAGING = "bulk_staging"
NO_TIMEOUT = 6 * 3600.0  # seconds; the import's statements may run long (the engine's default is short)

Problems = list[tuple[int, str]]


@dataclass
class Outcome:
    """What a load did: rows inserted and updated, periods written, and the rows refused with why."""

    inserted: int = 0
    updated: int = 0
    periods_added: int = 0
    periods_changed: int = 0
    problems: Problems = field(default_factory=list)
    # Seconds per step of the load (the database's checks, lookups, inserts, rebuilding what a first load
    # set aside), printed by `erkenning import` and shown by the bench as where the merge's time goes.
    timings: dict[str, float] = field(default_factory=dict)


@contextmanager
def timed(out: Outcome, step: str) -> Iterator[None]:
    """Adds the time spent inside to `out.timings[step]`."""
    started = time.perf_counter()
    try:
        yield
    finally:
        out.timings[step] = out.timings.get(step, 0.0) + time.perf_counter() - started


async def refuse(conn: asyncpg.Connection, sql: str, *args: object) -> Problems:
    rows = await conn.fetch(sql, *args, timeout=NO_TIMEOUT)
    return [(r["line"], r["reason"]) for r in rows]


async def refuse_later_duplicates(conn: asyncpg.Connection, table: str, key: str, label: str) -> Problems:
    """Of rows sharing `key`, the first in the file wins; the others are refused naming its line."""
    return await refuse(
        conn,
        f"""
        DELETE FROM {table} s USING (
            SELECT line, min(line) OVER (PARTITION BY {key}) AS first FROM {table} WHERE ({key}) IS NOT NULL
        ) d
        WHERE s.line = d.line AND d.line <> d.first
        RETURNING s.line, '{label}: also on line ' || d.first AS reason
        """,
    )


# ------------------------------------------------------------------ a first load into an empty table

_DEFERRABLE_INDEXES = """
    SELECT format('DROP INDEX %s', i.indexrelid::regclass), pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid = $1::regclass AND NOT i.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""
# Unique and exclusion constraints no other table's foreign key leans on, and foreign keys between the
# tables loaded (not those to tables already in use: dropping one would lock that table too).
_DEFERRABLE_CONSTRAINTS = """
    SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
           format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
    FROM pg_constraint c
    WHERE c.conrelid = $1::regclass
      AND (c.contype = 'f' AND c.confrelid::regclass::text = ANY($2::text[])
           OR c.contype IN ('u', 'x') AND NOT EXISTS (SELECT 1 FROM pg_constraint r
                                                      WHERE r.contype = 'f' AND r.conindid = c.conindid))
    ORDER BY c.contype = 'f'
"""


async def is_empty(conn: asyncpg.Connection, *tables: str) -> bool:
    """Whether `tables` are empty, for a first load; if so they stay locked (and empty) until the commit.

    Locked before looking again, so two first loads at once cannot both find the tables empty.
    """
    async def empty() -> bool:
        return not await conn.fetchval("SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {t})" for t in tables))

    if not await empty():
        return False
    await conn.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE", timeout=NO_TIMEOUT)
    return await empty()


async def deferrable_ddl(conn: asyncpg.Connection, *tables: str) -> list[tuple[str, str]]:
    """(drop, add back) for what a first load of `tables` rebuilds: foreign keys last, to drop first."""
    ddl: list[tuple[str, str]] = []
    for table in tables:
        ddl += [(r[0], r[1]) for r in await conn.fetch(_DEFERRABLE_CONSTRAINTS, table, list(tables))]
        ddl += [(r[0], r[1]) for r in await conn.fetch(_DEFERRABLE_INDEXES, table)]
    return ddl


@asynccontextmanager
async def first_load(conn: asyncpg.Connection, *tables: str, out: Outcome | None = None) -> AsyncIterator[None]:
    """Around the first load of empty `tables`: their secondary indexes, unique and exclusion constraints
    and the foreign keys among them are dropped, then rebuilt once over all rows (a sort or one scan
    each, instead of one index entry and one key lookup per row). Every rule is checked again when
    its constraint is added back, so a bad row still fails the import; primary keys and foreign keys
    to other tables stay. All inside the import's transaction: only these (empty) tables are locked
    until it commits, and nothing is changed if it fails."""
    out = out or Outcome()
    with timed(out, "set aside"):
        ddl = await deferrable_ddl(conn, *tables)
        for drop, _ in reversed(ddl):  # foreign keys first
            await conn.execute(drop)
    yield
    await conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _, create in ddl:
        with timed(out, _rebuild_step(create)):
            await conn.execute(create, timeout=NO_TIMEOUT)


def _rebuild_step(create: str) -> str:
    """The name the time of adding `create` back is shown under: the periods' exclusion constraint (the
    largest single cost of a first recognitions load), foreign keys, or the other indexes and keys."""
    if " EXCLUDE " in create:
        return "exclusion constraint"
    return "foreign keys" if " FOREIGN KEY " in create else "indexes and keys"


async def upsert_counts(conn: asyncpg.Connection, sql: str, *args: object) -> tuple[int, int]:
    row = await conn.fetchrow(
        f"WITH up AS ({sql}) SELECT count(*) FILTER (WHERE inserted) AS i, count(*) FILTER (WHERE NOT inserted) AS u"
        " FROM up",
        *args,
        timeout=NO_TIMEOUT,
    )
    assert row is not None  # an aggregate without GROUP BY returns one row
    return int(row["i"]), int(row["u"])


# ------------------------------------------------------------------ companies


def _company_same(reg: str, new: str) -> str:
    """SQL: the registered row `reg` already holds what `new` says (an empty optional cell keeps the old value)."""
    return f"""
        ({reg}.kvk_number, {reg}.name, {reg}.street, {reg}.house_number, {reg}.postcode, {reg}.city, {reg}.sector,
         {reg}.email)
        IS NOT DISTINCT FROM
        ({new}.kvk_number, {new}.name, coalesce({new}.street, {reg}.street),
         coalesce({new}.house_number, {reg}.house_number), {new}.postcode, {new}.city, {new}.sector,
         coalesce({new}.email, {reg}.email))
    """


async def load_companies(conn: asyncpg.Connection, now: datetime) -> Outcome:
    out = Outcome()
    with timed(out, "refuse"):
        await _refuse_companies(conn, out)
    # Rows identical to what is registered are left out before the upsert, so they are not even locked.
    # An SBB id is drawn from the sequence only for a company that is new (coalesce stops at the first value);
    # in file order, as the sequence is read after sorting.
    select = f"""
        SELECT gen_random_uuid(), coalesce(s.sbb_id, x.sbb_id, nextval('company_sbb_id_seq')::text),
               s.kvk_number, s.establishment_number, s.name, s.street, s.house_number, s.postcode, s.city,
               s.sector, s.email, 1, $1::timestamptz, $1::timestamptz
        FROM {STAGING} s LEFT JOIN company x ON x.establishment_number = s.establishment_number
        WHERE x.id IS NULL OR NOT {_company_same("x", "s")}
        ORDER BY s.line
    """
    insert = """INSERT INTO company AS c (id, sbb_id, kvk_number, establishment_number, name, street, house_number,
                                          postcode, city, sector, email, version, created_at, updated_at)"""
    if await is_empty(conn, "company"):  # nothing to conflict with: the keys are unique within the file
        async with first_load(conn, "company", out=out):
            # In id order, so the primary key grows at its right edge instead of at random places.
            with timed(out, "insert"):  # only inserts: the count is the statement's, with no row returned
                status = await conn.execute(f"{insert} SELECT * FROM ({select}) n ORDER BY 1", now, timeout=NO_TIMEOUT)
                out.inserted = int(status.rsplit(" ", 1)[-1])
        return out
    with timed(out, "upsert"):
        out.inserted, out.updated = await upsert_counts(
            conn,
            f"""
            {insert} {select}
            ON CONFLICT (establishment_number) DO UPDATE SET
                kvk_number = EXCLUDED.kvk_number, name = EXCLUDED.name, street = coalesce(EXCLUDED.street, c.street),
                house_number = coalesce(EXCLUDED.house_number, c.house_number), postcode = EXCLUDED.postcode,
                city = EXCLUDED.city, sector = EXCLUDED.sector, email = coalesce(EXCLUDED.email, c.email),
                version = c.version + 1, updated_at = $1
            WHERE NOT {_company_same("c", "EXCLUDED")}
            RETURNING (xmax = 0) AS inserted
        """,
            now,
        )
    return out


async def _refuse_companies(conn: asyncpg.Connection, out: Outcome) -> None:
    """What only the database can see: a key twice in the file, an SBB id that names another company."""
    out.problems += await refuse_later_duplicates(conn, STAGING, "establishment_number", "establishment_number")
    out.problems += await refuse_later_duplicates(conn, STAGING, "sbb_id", "sbb_id")
    out.problems += await refuse(
        conn,
        f"""
        DELETE FROM {STAGING} s USING company c
        WHERE s.sbb_id IS NOT NULL AND c.sbb_id = s.sbb_id AND c.establishment_number <> s.establishment_number
        RETURNING s.line, 'sbb_id: in use by another company' AS reason
        """,
    )
    out.problems += await refuse(
        conn,
        f"""
        DELETE FROM {STAGING} s USING company c
        WHERE s.sbb_id IS NOT NULL AND c.establishment_number = s.establishment_number AND c.sbb_id <> s.sbb_id
        RETURNING s.line, 'sbb_id: this establishment is registered under SBB id ' || c.sbb_id AS reason
        """,
    )


# ------------------------------------------------------------------ qualifications


async def load_qualifications(conn: asyncpg.Connection, now: datetime) -> Outcome:
    out = Outcome()
    out.problems += await refuse_later_duplicates(conn, STAGING, "crebo", "crebo")
    same = "(q.name, q.level, q.active) IS NOT DISTINCT FROM ({n}.name, {n}.level, coalesce({n}.active, q.active))"
    out.inserted, out.updated = await upsert_counts(
        conn,
        f"""
        INSERT INTO qualification AS q (id, crebo, name, level, active, created_at, updated_at)
        SELECT gen_random_uuid(), s.crebo, s.name, s.level, coalesce(s.active, x.active, true), $1, $1
        FROM {STAGING} s LEFT JOIN qualification x ON x.crebo = s.crebo
        WHERE x.id IS NULL OR NOT {same.replace("q.", "x.").format(n="s")}
        ON CONFLICT (crebo) DO UPDATE SET
            name = EXCLUDED.name, level = EXCLUDED.level, active = EXCLUDED.active, updated_at = $1
        WHERE NOT {same.format(n="EXCLUDED")}
        RETURNING (xmax = 0) AS inserted
        """,
        now,
    )
    return out


Loader = Callable[[asyncpg.Connection, datetime], Awaitable[Outcome]]
