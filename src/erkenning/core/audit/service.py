"""Recording, chaining, querying and verifying the audit trail.

`record()` buffers a row on the session; the rows are chained and inserted just before the
transaction commits, under a transaction-scoped advisory lock. Taking the lock last keeps it
short and deadlock-free: a transaction holding it waits for nothing else but its commit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import Session, SessionTransaction
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import context
from erkenning.core.audit.models import AuditEvent
from erkenning.core.caller import Caller
from erkenning.core.db import ErkenningSession, utcnow

GENESIS = "0" * 64
_PENDING = "audit.pending"
_LOCK_KEY = 0x6175_6469_7400  # "audit"
_HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "result",
    "origin",
    "request_id",
    "purpose",
    "detail",
)


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, UUID):
        return str(value)
    return value


def digest(prev_hash: str, row: dict[str, Any]) -> str:
    """The hash of one row, chained to the previous row's hash."""
    body = json.dumps(
        {k: _canonical(row.get(k)) for k in _HASHED_FIELDS}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def _object_ref(obj: Any) -> tuple[str, str | None]:
    table = getattr(obj, "__tablename__", None) or type(obj).__name__.lower()
    ident = getattr(obj, "id", None)
    return str(table), (str(ident) if ident is not None else None)


async def record(
    session: AsyncSession,
    caller: Caller,
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    result: str = "success",
    purpose: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Audit one action in the caller's transaction. ``detail`` must hold ids and codes, never content."""
    if obj is not None:
        object_type, oid = _object_ref(obj)
        object_id = object_id if object_id is not None else oid
    session.info.setdefault(_PENDING, []).append(
        {
            "occurred_at": utcnow(),
            "actor_id": caller.principal_id,
            "actor_role": caller.role.value,
            "action": action,
            "object_type": object_type or "none",
            "object_id": str(object_id) if object_id is not None else None,
            "result": result,
            "origin": context.origin.get(),
            "request_id": context.request_id.get() or context.job_id.get(),
            "purpose": purpose,
            "detail": detail or {},
        }
    )


@event.listens_for(ErkenningSession, "before_commit")
def _write_pending(session: Session) -> None:
    if not session.info.get(_PENDING):
        return
    # The transaction's other changes first: a flush may wait for another transaction's row locks, and
    # must not while this one holds the chain's lock (that other transaction may be waiting for it).
    session.flush()
    pending: list[dict[str, Any]] = session.info.pop(_PENDING)
    conn = session.connection()
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    last = conn.execute(sa.text("SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1")).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    for row in pending:
        seq += 1
        row["seq"] = seq
        row["prev_hash"] = prev
        row["hash"] = prev = digest(prev, row)
    conn.execute(sa.insert(AuditEvent.__table__), pending)  # type: ignore[attr-defined]  # __table__ is untyped


@event.listens_for(ErkenningSession, "after_transaction_end")
def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    # A rolled-back root transaction takes its audit rows with it (a committed one already wrote them).
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


async def query(
    session: AsyncSession,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: UUID | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[AuditEvent], int]:
    """Audit rows matching every given filter, newest first, with the total count."""
    stmt = select(AuditEvent)
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    if actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if since:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    if until:
        stmt = stmt.where(AuditEvent.occurred_at < until)
    # Imported here: paging brings Litestar, which `record` (and so `erkenning import`) does not need.
    from erkenning.core import paging

    return await paging.fetch_page(session, stmt, col(AuditEvent.seq).desc(), limit=limit, offset=offset)


@dataclass(frozen=True)
class VerifyResult:
    rows_checked: int
    broken_seq: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


async def _stream(conn: AsyncConnection) -> AsyncIterator[dict[str, Any]]:
    cols = ", ".join((*_HASHED_FIELDS, "prev_hash", "hash"))
    result = await conn.stream(sa.text(f"SELECT {cols} FROM audit_event ORDER BY seq"))
    async for row in result.mappings():
        yield dict(row)


async def verify(conn: AsyncConnection) -> VerifyResult:
    """Walk the chain in order; report the first row whose link or content does not hold."""
    prev, expected_seq, checked = GENESIS, 1, 0
    async for row in _stream(conn):
        checked += 1
        if row["seq"] != expected_seq:
            return VerifyResult(checked, row["seq"], f"gap: expected seq {expected_seq}")
        if row["prev_hash"] != prev:
            return VerifyResult(checked, row["seq"], "prev_hash does not match the previous row")
        if digest(prev, row) != row["hash"]:
            return VerifyResult(checked, row["seq"], "content does not match its hash")
        prev, expected_seq = row["hash"], expected_seq + 1
    return VerifyResult(checked)
