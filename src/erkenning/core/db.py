"""Engine and session factory, metadata naming convention, base mixins for tables."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Field, Session, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core import clock
from erkenning.core.settings import Settings

# Names that Alembic can diff and that read well in error messages.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = SQLModel.metadata


def utcnow() -> datetime:
    """Now, from the service clock (see `erkenning.core.clock`)."""
    return clock.now()


class TZDateTime(sa.TypeDecorator[datetime]):
    """`timestamptz` that refuses naive datetimes instead of guessing their zone."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given for a timestamptz column")
        return value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return value.astimezone(UTC) if value is not None else None


def timestamp_field(*, nullable: bool = False, default_now: bool = False, index: bool = False) -> Any:
    """A UTC ``timestamptz`` column; ``default_now`` fills it in Python and in the database."""
    kwargs: dict[str, Any] = {"sa_type": TZDateTime, "nullable": nullable, "index": index}
    if default_now:
        kwargs["default_factory"] = utcnow
        kwargs["sa_column_kwargs"] = {"server_default": sa.func.now()}
    elif nullable:
        kwargs["default"] = None
    return Field(**kwargs)


def enum_field(
    enum: type[StrEnum], *, default: Any = ..., index: bool = False, nullable: bool = False, name: str | None = None
) -> Any:
    """A StrEnum stored as varchar with a CHECK constraint (no native PG enum: easier migrations).

    `name` names the CHECK constraint; give one when a table has two columns of the same enum.
    """
    sa_type = sa.Enum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=max(32, max(len(m.value) for m in enum)),
        values_callable=lambda e: [m.value for m in e],
        name=name or enum.__name__.lower(),
        validate_strings=True,
    )
    return Field(default=default, sa_type=sa_type, index=index, nullable=nullable)


def json_field(*, default_factory: Any = dict) -> Any:
    return Field(default_factory=default_factory, sa_type=JSONB, sa_column_kwargs={"server_default": "{}"})


class UUIDModel(SQLModel):
    """Mixin: a client-generated UUID primary key, so ids are known before flush."""

    id: UUID = Field(default_factory=uuid4, primary_key=True)


class TimestampedModel(UUIDModel):
    """Mixin: UUID key plus created/updated times."""

    created_at: datetime = timestamp_field(default_now=True)
    updated_at: datetime = timestamp_field(default_now=True)


class ErkenningSession(Session):
    """The sync session behind every AsyncSession; hooks (audit chain, outbox) listen on this class.

    `writers` write rows a hook holds outside the unit of work (the outbox's new events, written by one
    core `INSERT` instead of an ORM object each: issue 19, ADR 0014). A writer runs before every flush
    (explicit, or the autoflush before an ORM query: the rows are then visible to it, as pending ORM
    objects would be) and before every savepoint (so that rows added before it are written before it
    and survive its rollback, as SQLAlchemy flushes pending objects there); the writer's owner also
    writes before commit and drops what is unwritten when a transaction or savepoint rolls back;
    `droppers` drop it when the session is closed, reset or emptied (as pending objects are expunged).
    SQLAlchemy's own `flush` skips a session with no pending objects, and its events (`before_flush`)
    with it, and closing a session with no transaction begun fires no event: hence these overrides.
    """

    writers: ClassVar[list[Callable[[Session], None]]] = []
    droppers: ClassVar[list[Callable[[Session], None]]] = []

    def drop_held(self) -> None:
        for drop in self.droppers:
            drop(self)

    def close(self) -> None:
        self.drop_held()
        super().close()

    def reset(self) -> None:
        self.drop_held()
        super().reset()

    def invalidate(self) -> None:
        self.drop_held()
        super().invalidate()

    def expunge_all(self) -> None:
        self.drop_held()
        super().expunge_all()

    def write_held(self) -> None:
        for write in self.writers:
            write(self)

    def flush(self, objects: Sequence[Any] | None = None) -> None:
        self.write_held()
        super().flush(objects)

    def begin_nested(self) -> SessionTransaction:
        self.write_held()  # on the enclosing transaction, before the SAVEPOINT
        return super().begin_nested()


def create_engine(settings: Settings, *, pool_size: int | None = None, **kwargs: Any) -> AsyncEngine:
    url, _ = settings.require_urls()
    return create_async_engine(
        url,
        pool_size=pool_size or settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_s,
        pool_recycle=1800,
        # A failed statement's message would otherwise quote its parameters (a report's narrative,
        # a name) into the error log.
        hide_parameters=True,
        connect_args={
            "timeout": settings.db_connect_timeout_s,
            "command_timeout": settings.db_statement_timeout_ms / 1000 + 5,
            "server_settings": {
                "statement_timeout": str(settings.db_statement_timeout_ms),
                "lock_timeout": str(min(settings.db_statement_timeout_ms, 10_000)),
                "idle_in_transaction_session_timeout": "60000",
                "application_name": "erkenning",
                "timezone": "UTC",
            },
        },
        **kwargs,
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine, class_=AsyncSession, sync_session_class=ErkenningSession, expire_on_commit=False
    )


@asynccontextmanager
async def lean_connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A bare autocommit connection for hot read paths (no ORM, no explicit transaction)."""
    async with engine.connect() as conn:
        yield await conn.execution_options(isolation_level="AUTOCOMMIT")
