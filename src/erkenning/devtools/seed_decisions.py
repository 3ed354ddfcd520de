"""The decisions behind seeded periods: one sent (or final) decision per period a decision made.

Ids are the periods' ids (a decision table is another table), so a second run of the same seed
finds them and adds nothing. Two seed principals draft and approve (four eyes, as for real).
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID

import asyncpg

from erkenning.bulk.loaders import NO_TIMEOUT
from erkenning.core import calendar, clock
from erkenning.devtools.synthetic import SeededPeriod

DRAFTER = UUID("5eed0000-0000-4000-8000-000000000001")
APPROVER = UUID("5eed0000-0000-4000-8000-000000000002")
LEGAL_BASIS = "art. 7.2.10 WEB; erkenningsvoorwaarden SBB"
GROUNDS = {
    "grant": "Het leerbedrijf voldoet aan de erkenningsvoorwaarden (synthetische gegevens).",
    "suspend": "Tijdelijk niet voldaan aan de erkenningsvoorwaarden (synthetische gegevens).",
    "withdraw": "Niet langer voldaan aan de erkenningsvoorwaarden (synthetische gegevens).",
    "lapse": "Vier jaar geen studenten begeleid; de erkenning vervalt (synthetische gegevens).",
    "reinstate": "De schorsing is opgeheven (synthetische gegevens).",
}
_DECISION_COLUMNS = (
    "id", "created_at", "updated_at", "company_id", "kind", "status", "grounds", "legal_basis",
    "effective_from", "effective_until", "drafted_by", "approved_by", "approved_at", "sent_at", "sent_on",
    "objection_deadline", "final_at",
)


def _moment(day: date) -> datetime:
    return datetime.combine(day, time(10), tzinfo=clock.AMSTERDAM)


async def _principals(conn: asyncpg.Connection) -> None:
    await conn.execute(
        "INSERT INTO principal (id, created_at, updated_at, name, role, active) VALUES"
        " ($1, now(), now(), 'Seed: adviseur praktijkleren', 'adviser', false),"
        " ($2, now(), now(), 'Seed: senior adviseur', 'senior_adviser', false)"
        " ON CONFLICT (id) DO NOTHING",
        DRAFTER, APPROVER,
    )


def _rows(
    periods: list[SeededPeriod], today: date
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[UUID]]:
    decisions, links, decided = [], [], []
    previous: dict[UUID, str] = {}
    for period in sorted(periods, key=lambda p: (p.recognition_id, p.valid_from)):
        before = previous.get(period.recognition_id, "pending")
        previous[period.recognition_id] = period.status.value
        kind = period.decision_kind
        if kind is None:
            continue
        if kind == "grant" and before == "suspended":
            kind = "reinstate"  # active again after a suspension
        sent_on = min(period.valid_from, today)
        deadline = calendar.term_end(sent_on, weeks=6)
        status = "final" if deadline < today else "sent"
        until = period.valid_until if kind == "suspend" else None
        sent_at = _moment(sent_on)
        decisions.append((
            period.id, sent_at, sent_at, period.company_id, kind, status, GROUNDS[kind], LEGAL_BASIS,
            period.valid_from, until, DRAFTER, APPROVER, sent_at, sent_at, sent_on, deadline,
            _moment(deadline) if status == "final" else None,
        ))
        links.append((period.id, period.recognition_id, before, period.status.value))
        decided.append(period.id)
    return decisions, links, decided


async def add_decisions(conn: asyncpg.Connection, periods: list[SeededPeriod]) -> None:
    """A decision (and its recognition link) behind every seeded period a decision made; idempotent."""
    await _principals(conn)
    decisions, links, decided = _rows(periods, clock.today())
    if not decisions:
        return
    await conn.execute("CREATE TEMP TABLE IF NOT EXISTS seed_decision (LIKE decision) ON COMMIT DROP")
    # The kenmerk is made on the way in (the year it was sent), not copied.
    await conn.execute("ALTER TABLE seed_decision ALTER kenmerk DROP NOT NULL")
    # LIKE copies NOT NULL, not defaults: a seeded decision was never put to the company again.
    await conn.execute("ALTER TABLE seed_decision ALTER earlier_intentions SET DEFAULT '[]'")
    await conn.copy_records_to_table("seed_decision", records=decisions, columns=_DECISION_COLUMNS,
                                     timeout=NO_TIMEOUT)
    columns = ", ".join(_DECISION_COLUMNS)
    await conn.execute(
        f"INSERT INTO decision ({columns}, kenmerk) SELECT {columns}, decision_kenmerk(sent_on) FROM seed_decision"
        " ON CONFLICT (id) DO NOTHING"
    )
    await conn.execute("TRUNCATE seed_decision")
    link_columns = ("decision_id", "recognition_id", "status_before", "status_after")
    await conn.execute("CREATE TEMP TABLE IF NOT EXISTS seed_decision_link (LIKE decision_recognition) ON COMMIT DROP")
    await conn.copy_records_to_table("seed_decision_link", records=links, columns=link_columns, timeout=NO_TIMEOUT)
    await conn.execute(
        "INSERT INTO decision_recognition SELECT * FROM seed_decision_link ON CONFLICT DO NOTHING"
    )
    await conn.execute("TRUNCATE seed_decision_link")
    await conn.execute(
        "UPDATE recognition_period SET decision_id = id WHERE id = ANY($1::uuid[]) AND decision_id IS NULL",
        decided,
    )
