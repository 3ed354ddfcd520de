"""Authorisation in the query: every lookup by id adds the caller's scope, so a foreign id is 404.

A table says who outside SBB may see its rows by defining a class attribute
``__scope__ = owned_by_company()`` (or another rule: a function of the model and the caller). Staff see
everything; a company or school caller sees only rows its ``__scope__`` admits, and nothing of a table
without one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.core.caller import Caller, Role
from erkenning.core.errors import NotFound

T = TypeVar("T")
Q = TypeVar("Q", bound=sa.Select[*tuple[Any, ...]])  # any SELECT, SQLModel's or SQLAlchemy's
ScopeRule = Callable[[type[Any], Caller], ColumnElement[bool]]


def owned_by_company(column: str = "company_id") -> ScopeRule:
    """Rows whose `column` is the calling company's id (schools see none)."""

    def rule(model: type[Any], caller: Caller) -> ColumnElement[bool]:
        if caller.role is not Role.COMPANY or caller.company_id is None:
            return sa.false()
        attribute: InstrumentedAttribute[Any] = getattr(model, column)
        return attribute == caller.company_id

    return rule


def owned_by_school(column: str = "school_brin") -> ScopeRule:
    """Rows whose `column` is the calling school's BRIN code (companies see none)."""

    def rule(model: type[Any], caller: Caller) -> ColumnElement[bool]:
        if caller.role is not Role.SCHOOL or caller.school_brin is None:
            return sa.false()
        attribute: InstrumentedAttribute[Any] = getattr(model, column)
        return attribute == caller.school_brin

    return rule


def clause(model: type[Any], caller: Caller) -> ColumnElement[bool] | None:
    """The WHERE clause that limits `model` to what `caller` may see; None means unlimited."""
    if caller.is_staff:
        return None
    rule: ScopeRule | None = getattr(model, "__scope__", None)
    return rule(model, caller) if rule is not None else sa.false()


def scoped(stmt: Q, model: type[Any], caller: Caller) -> Q:
    """Add the caller's scope to a query over `model` (lists, exports)."""
    where = clause(model, caller)
    return stmt if where is None else stmt.where(where)


async def get_scoped(
    session: AsyncSession,
    model: type[T],
    ident: UUID,
    caller: Caller,
    *,
    for_update: bool = False,
    what: str | None = None,
) -> T:
    """The row with this id if the caller may see it, else NotFound (never 403: ids don't leak)."""
    stmt = scoped(select(model).where(model.id == ident), model, caller)  # type: ignore[attr-defined]  # tables have id
    if for_update:
        stmt = stmt.with_for_update()
    row = (await session.exec(stmt)).first()
    if row is None:
        raise NotFound(f"No such {what or getattr(model, '__tablename__', model.__name__)}")
    return row
