"""The public register's reads: exact-key search, a company's card, and verification (single and batch).

"Recognised on date D" is read from the dated periods, never from the status column: the period
whose range contains D decides, and only `active` counts. `since`/`until` are the bounds of the
unbroken run of periods with that status around D (adjacent periods of one status are one run).
A suspension or withdrawal also answers its decision's transition arrangement (`placements_until`:
placements running when it took effect may continue until that day), read with one join to the
decision only for those answers. Verification reads these from the read model `register_answer` that
the database keeps from the periods (ADR 0016); the card and the searches read the source tables.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Any

from erkenning.core import clock
from erkenning.core.errors import NotFound, ValidationFailed
from erkenning.core.runtime import Runtime
from erkenning.recognition.models import Pathway, RecognitionStatus
from erkenning.register import lean
from erkenning.register.schemas import (
    BatchItem,
    RegisterCard,
    RegisterCompany,
    RegisterRecognition,
    VerifyAnswer,
)
from erkenning.register.services import find

ESTABLISHMENT_DIGITS = 12


def company_column(key: str) -> str:
    """A 12-digit key is an establishment number; anything shorter an SBB company id."""
    return "establishment_number" if len(key) == ESTABLISHMENT_DIGITS else "sbb_id"


# A recognition's periods grouped into runs per status (range_agg merges adjacent ranges into one),
# read in one index-only scan (ix_recognition_period_runs); the caller keeps the run containing D.
# (The company's card reads the source tables; verification reads the read model below.)
_RUNS = """
    CROSS JOIN LATERAL (
        SELECT s.status, range_agg(s.during) AS runs FROM recognition_period s
        WHERE s.recognition_id = r.id {only} GROUP BY s.status
    ) AS g
    CROSS JOIN LATERAL unnest(g.runs) AS run
"""

# Verification reads `register_answer` (ADR 0016): the period holding the day, with the run of its status
# around it, found by one descent of one covering index on (SBB id, crebo, pathway). An establishment number
# is resolved to its company's SBB id first (one unique-index look-up, only for such a key). The transition
# arrangement of a suspension or withdrawal (`placements_until`) is read from the period's decision, by its
# primary key, only for those answers: an active answer, the usual one, costs nothing more.
_ANSWER = """
    SELECT a.status, a.since, a.until,
           CASE WHEN a.status IN ('suspended', 'withdrawn')
                THEN (SELECT d.placements_until FROM decision d WHERE d.id = a.decision_id) END AS placements_until
    FROM register_answer a
    WHERE a.sbb_id = {sbb_id} AND a.crebo = {crebo} AND a.pathway = {pathway} AND a.during @> {day}
"""
_BY_ESTABLISHMENT = "(SELECT c.sbb_id FROM company c WHERE c.establishment_number = {key})"

_VERIFY = {
    "sbb_id": _ANSWER.format(sbb_id="$1", crebo="$2", pathway="$3", day="$4::date"),
    "establishment_number": _ANSWER.format(
        sbb_id=_BY_ESTABLISHMENT.format(key="$1"), crebo="$2", pathway="$3", day="$4::date"
    ),
}

# One statement per chunk of the batch: the items as comma-separated text parameters split into arrays
# in SQL (the keys, crebos, pathways and ISO dates are validated digits, letters and dashes, so no comma
# can be in one), each looked up as verify does; LATERAL ... LIMIT 1 keeps the planner on verify's per-item
# index path instead of guessing at a thousand-row join. Text rather than array parameters: asyncpg checks
# every element of an array parameter with an abstract-base-class `isinstance` (timed alone: 1.2 ms of CPU
# for a batch's five arrays of 1,000, 0.3 ms for the four texts).
_VERIFY_BATCH = f"""
    SELECT i.n, v.status, v.since, v.until, v.placements_until
    FROM unnest(string_to_array($1, ','), string_to_array($2, ','), string_to_array($3, ','),
                string_to_array($4, ',')::date[])
         WITH ORDINALITY AS i(company, crebo, pathway, day, n)
    CROSS JOIN LATERAL ({_ANSWER.format(
        sbb_id=f"CASE WHEN length(i.company) = {ESTABLISHMENT_DIGITS} THEN "
               f"{_BY_ESTABLISHMENT.format(key='i.company')} ELSE i.company END",
        crebo="i.crebo", pathway="i.pathway", day="i.day",
    )} LIMIT 1) AS v
"""

_CARD_COMPANY = {
    column: f"SELECT id, sbb_id, name, city, postcode FROM company WHERE {column} = $1"
    for column in ("sbb_id", "establishment_number")
}

_CARD_RECOGNITIONS = f"""
    SELECT q.crebo, q.name AS qualification, q.level, r.pathway, lower(run) AS since
    FROM recognition r
    JOIN qualification q ON q.id = r.qualification_id
    {_RUNS.format(only="AND s.status = 'active'")}
    WHERE r.company_id = $1 AND run @> $2::date
    ORDER BY q.crebo, r.pathway
"""

_ACTIVE_FOR_CREBO = """
    EXISTS (
        SELECT 1 FROM recognition r
        JOIN qualification q ON q.id = r.qualification_id
        JOIN recognition_period p ON p.recognition_id = r.id
        WHERE r.company_id = c.id AND q.crebo = $2 AND p.status = 'active' AND p.during @> $3::date
    )
"""

# Exactly these key sets may be searched with; there is no listing of everything.
_SEARCHES: dict[frozenset[str], str] = {
    frozenset({"kvk_number"}): "c.kvk_number = $1",
    frozenset({"establishment_number"}): "c.establishment_number = $1",
    frozenset({"sbb_id"}): "c.sbb_id = $1",
    frozenset({"name", "postcode"}): "c.postcode = $1 AND lower(c.name) = lower($2)",
    frozenset({"crebo", "postcode"}): "c.postcode = $1 AND " + _ACTIVE_FOR_CREBO,
}
_SEARCH_ARGS: dict[frozenset[str], tuple[str, ...]] = {
    frozenset({"kvk_number"}): ("kvk_number",),
    frozenset({"establishment_number"}): ("establishment_number",),
    frozenset({"sbb_id"}): ("sbb_id",),
    frozenset({"name", "postcode"}): ("postcode", "name"),
    frozenset({"crebo", "postcode"}): ("postcode", "crebo", "today"),
}
SEARCH_KEYS_HELP = (
    "search with exactly one of: number; name_contains (+ town); kvk_number; establishment_number; sbb_id; "
    "name + postcode; crebo + postcode"
)
_FIND = (frozenset({"number"}), frozenset({"name_contains"}), frozenset({"name_contains", "town"}))


@dataclass(frozen=True)
class SearchKeys:
    kvk_number: str | None = None
    establishment_number: str | None = None
    sbb_id: str | None = None
    name: str | None = None
    postcode: str | None = None
    crebo: str | None = None
    number: str | None = None
    name_contains: str | None = None
    town: str | None = None

    def given(self) -> frozenset[str]:
        return frozenset(k for k, v in self.__dict__.items() if v is not None and v != "")


async def search(runtime: Runtime, keys: SearchKeys, *, limit: int, offset: int) -> find.Found:
    """One page of the companies the keys find (exactly one of the key sets in `SEARCH_KEYS_HELP`)."""
    given = keys.given()
    if given == _FIND[0] and keys.number:
        return await find.by_number(runtime, keys.number, limit=limit, offset=offset)
    if given in _FIND[1:] and keys.name_contains:
        return await find.by_name(runtime, keys.name_contains, keys.town, limit=limit, offset=offset,
                                  cap=runtime.settings.register_name_search_cap)
    where = _SEARCHES.get(given)
    if where is None:
        fields = sorted(given) or ["query"]
        raise ValidationFailed([{"field": f, "message": SEARCH_KEYS_HELP} for f in fields])
    values = {**keys.__dict__, "today": clock.today()}
    args: list[Any] = [values[a] for a in _SEARCH_ARGS[given]]
    n = len(args)
    base = f"FROM company c WHERE {where}"
    sql = (
        f"SELECT c.sbb_id, c.name, c.city, c.postcode, count(*) OVER () AS total {base} "
        f"ORDER BY lower(c.name), c.sbb_id LIMIT ${n + 1} OFFSET ${n + 2}"
    )
    async with lean.connection(runtime) as conn:
        rows = await conn.fetch(sql, *args, limit, offset)
        if rows:
            total = rows[0]["total"]
        else:
            total = await conn.fetchval(f"SELECT count(*) {base}", *args) if offset else 0
    items = [RegisterCompany(sbb_id=r["sbb_id"], name=r["name"], city=r["city"], postcode=r["postcode"]) for r in rows]
    return find.Found(items, int(total))


async def card(runtime: Runtime, company: str) -> RegisterCard:
    today = clock.today()
    async with lean.connection(runtime) as conn:
        head = await conn.fetchrow(_CARD_COMPANY[company_column(company)], company)
        if head is None:
            raise NotFound("No such company in the register")
        rows = await conn.fetch(_CARD_RECOGNITIONS, head["id"], today)
    return RegisterCard(
        sbb_id=head["sbb_id"],
        name=head["name"],
        city=head["city"],
        postcode=head["postcode"],
        recognitions=[RegisterRecognition(**dict(r)) for r in rows],
    )


_STATUSES = {status.value: status for status in RecognitionStatus}


def _answer(company: str, crebo: str, pathway: Pathway, on: date, row: Any) -> VerifyAnswer:
    if row is None:
        return VerifyAnswer(
            company=company, crebo=crebo, pathway=pathway, date=on,
            recognised=False, status=None, since=None, until=None,
        )
    status = _STATUSES[row["status"]]  # a dict look-up: the enum's call costs a microsecond, a thousand a batch
    return VerifyAnswer(
        company=company,
        crebo=crebo,
        pathway=pathway,
        date=on,
        recognised=status is RecognitionStatus.ACTIVE,
        status=status,
        since=row["since"],
        until=row["until"],
        placements_until=row["placements_until"],
    )


async def verify(runtime: Runtime, company: str, crebo: str, pathway: Pathway, on: date | None) -> VerifyAnswer:
    """One answer; an unknown company, qualification or recognition is simply not recognised."""
    on = on or clock.today()
    row = await lean.fetchrow(runtime, _VERIFY[company_column(company)], company, crebo, pathway.value, on)
    return _answer(company, crebo, pathway, on, row)


def batch_chunks(count: int, pool_size: int) -> int:
    """How many statements, run at once on as many of the read pool's connections, answer `count` items.

    A chunk holds at least `BATCH_CHUNK_MIN` items (below that the round trip and the statement's start-up
    cost more than running the items alongside saves), and one batch takes at most a third of the pool
    (`REGISTER_DB_POOL_SIZE` // 3, at least one): with the default 10, a batch of 1,000 runs as three
    statements on three connections, and seven stay for single verifies and other batches. Batches are
    rare beside verifies (30 a minute per school at most, `REGISTER_BATCH_LIMIT`), and a batch waits for a
    connection like any request does, so no batch holds the pool while others wait for it to start."""
    return max(1, min(-(-count // BATCH_CHUNK_MIN), pool_size // 3))


BATCH_CHUNK_MIN = 250


async def verify_batch(runtime: Runtime, items: list[BatchItem]) -> list[VerifyAnswer]:
    """One answer per item, in order: the items split in `batch_chunks` consecutive chunks, each answered by
    one statement, the statements run at once on the read pool (a thousand per-item index look-ups are
    the batch's cost, issue 19; PostgreSQL runs each statement on one core). Each chunk turns its rows into
    answers as soon as they arrive, while the other chunks' statements still run."""
    today = clock.today()
    count = len(items)
    chunks = batch_chunks(count, runtime.settings.register_db_pool_size)
    size = -(-count // chunks)
    today_iso = today.isoformat()

    async def chunk(start: int) -> list[VerifyAnswer]:
        part = items[start:start + size]
        # A pathway is a StrEnum member, itself a str: joined as it is (its `.value` is a property, which
        # cost 0.4 ms a thousand); most items name no date, and today is written out once.
        rows = await lean.fetch(
            runtime, _VERIFY_BATCH,
            ",".join([i.company for i in part]), ",".join([i.crebo for i in part]),
            ",".join([i.pathway for i in part]),
            ",".join([today_iso if i.date is None else i.date.isoformat() for i in part]),
        )
        found: list[Any] = [None] * len(part)
        for row in rows:
            found[row["n"] - 1] = row  # `n` counts the chunk's items from 1
        return [
            _answer(i.company, i.crebo, i.pathway, i.date or today, row) for i, row in zip(part, found, strict=True)
        ]

    if chunks == 1:
        return await chunk(0)
    done = await asyncio.gather(*(chunk(start) for start in range(0, count, size)), return_exceptions=True)
    answers: list[VerifyAnswer] = []
    for outcome in done:  # every statement has ended (its connection is back in the pool) before this raises
        if isinstance(outcome, BaseException):
            raise outcome
        answers += outcome
    return answers
