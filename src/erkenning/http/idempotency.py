"""Idempotency-Key on POSTs that create: the same key and body replay the first answer.

The key row is inserted in the request's own transaction before the handler runs. A concurrent
duplicate blocks on the unique index until the first transaction ends, then finds its stored
answer; if the first failed (rolled back), the duplicate simply runs. So concurrent duplicates
create one row, and nothing is stored for requests that failed.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Field, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.db import UUIDModel, timestamp_field, utcnow
from erkenning.core.errors import DomainError, Unprocessable

HEADER = "idempotency-key"
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")
RETENTION = timedelta(hours=24)


class IdempotencyKey(UUIDModel, table=True):
    __tablename__ = "idempotency_key"
    __table_args__ = (sa.UniqueConstraint("principal_id", "key"),)

    principal_id: UUID
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)
    status_code: int | None = Field(default=None)
    media_type: str | None = Field(default=None, max_length=100)
    body: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    created_at: datetime = timestamp_field(default_now=True, index=True)


class IdempotencyKeyReused(Unprocessable):
    type = "idempotency-key-reused"
    title = "Idempotency-Key reused with a different request"


class Replay(DomainError):
    """Not an error: carries the stored answer of an earlier request with the same key."""

    def __init__(self, status_code: int, media_type: str, body: bytes) -> None:
        super().__init__("replay")
        self.status_code = status_code
        self.media_type = media_type
        self.body = body


def validate_key(raw: str) -> str:
    if not _KEY_RE.fullmatch(raw):
        raise DomainError("Idempotency-Key must be 1-255 visible ASCII characters")
    return raw


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\0".join((method.encode(), path.encode(), body))).hexdigest()


async def begin(session: AsyncSession, principal_id: UUID, key: str, fp: str) -> UUID:
    """Claim the key for this request, or raise Replay / IdempotencyKeyReused."""
    table = IdempotencyKey.__table__  # type: ignore[attr-defined]  # __table__ is untyped
    stmt = (
        insert(table)
        .values(id=sa.func.gen_random_uuid(), principal_id=principal_id, key=key, fingerprint=fp)
        .on_conflict_do_nothing(index_elements=["principal_id", "key"])
        .returning(table.c.id)
    )
    claimed: UUID | None = (await session.exec(stmt)).scalar_one_or_none()
    if claimed is not None:
        return claimed
    stored_fp, status_code, media_type, body = (
        await session.exec(
            select(table.c.fingerprint, table.c.status_code, table.c.media_type, table.c.body).where(
                table.c.principal_id == principal_id, table.c.key == key
            )
        )
    ).one()
    if stored_fp != fp:
        raise IdempotencyKeyReused("This Idempotency-Key was used for a different request body or route")
    if status_code is None:  # pragma: no cover - only while the first is still running elsewhere
        raise DomainError("A request with this Idempotency-Key is still being processed")
    raise Replay(status_code, media_type or "application/json", body or b"")


async def store(session: AsyncSession, row_id: UUID, status_code: int, media_type: str, body: bytes) -> None:
    await session.exec(
        sa.update(IdempotencyKey)
        .where(col(IdempotencyKey.id) == row_id)
        .values(status_code=status_code, media_type=media_type, body=body)
    )


async def release(session: AsyncSession, row_id: UUID) -> None:
    """Forget a key whose request did not succeed, so that a retry runs again."""
    await session.exec(sa.delete(IdempotencyKey).where(col(IdempotencyKey.id) == row_id))


async def purge(session: AsyncSession) -> int:
    result = await session.exec(
        sa.delete(IdempotencyKey).where(col(IdempotencyKey.created_at) < utcnow() - RETENTION)
    )
    return int(result.rowcount or 0)

