"""A query counted and cut into a page (services), and rows turned into a `Page` (controllers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning.pagination import Page

M = TypeVar("M", bound=BaseModel)


async def fetch_page(
    session: AsyncSession, stmt: Any, *order_by: Any, limit: int, offset: int
) -> tuple[list[Any], int]:
    """The rows of one page in the given order, and how many rows the whole query has."""
    total = (await session.exec(select(sa.func.count()).select_from(stmt.subquery()))).one()
    rows = (await session.exec(stmt.order_by(*order_by).limit(limit).offset(offset))).all()
    return list(rows), int(total)


def page_of(schema: type[M], rows: Sequence[Any], total: int, limit: int, offset: int) -> Page[M]:
    return Page(items=[schema.model_validate(r) for r in rows], total=total, limit=limit, offset=offset)
