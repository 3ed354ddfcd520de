"""A page of results with its total, and the limit/offset query parameters that ask for it."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from litestar.params import QueryParameter
from pydantic import BaseModel

T = TypeVar("T")

Limit = Annotated[int, QueryParameter(ge=1, le=200, description="page size (1-200)")]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000, description="rows to skip")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
