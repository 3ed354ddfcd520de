"""Paging, once for every list: a query counted and cut into a page (services), the rows as a `Page`
(controllers), and the limit/offset query parameters that ask for it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar

import sqlalchemy as sa
from litestar.params import QueryParameter
from pydantic import BaseModel
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

Limit = Annotated[int, QueryParameter(ge=1, le=200, description="page size (1-200)")]
# `schema_extra`: Litestar leaves a bound of 0 out of the document (it tests the bound for truth).
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000, description="rows to skip", schema_extra={"minimum": 0})]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


async def count(session: AsyncSession, stmt: Any) -> int:
    """How many rows the whole query has."""
    return int((await session.exec(select(sa.func.count()).select_from(stmt.subquery()))).one())


async def fetch_page(
    session: AsyncSession, stmt: Any, *order_by: Any, limit: int, offset: int
) -> tuple[list[Any], int]:
    """The rows of one page in the given order, and how many rows the whole query has."""
    total = await count(session, stmt)
    rows = (await session.exec(stmt.order_by(*order_by).limit(limit).offset(offset))).all()
    return list(rows), total


def page_of(schema: type[M], rows: Sequence[Any], total: int, limit: int, offset: int) -> Page[M]:
    return Page(items=[schema.model_validate(r) for r in rows], total=total, limit=limit, offset=offset)
