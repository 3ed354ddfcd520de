"""Numbered pages for lists: `?pagina=N` in, links to the previous and next page out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from litestar import Request
from litestar.params import QueryParameter

PageNumber = Annotated[int, QueryParameter(ge=1, le=100_000, description="page number, from 1")]


@dataclass
class Pager:
    """Where a list is ("21–40 van 135"), with links that keep the list's other query parameters.

    Give `total` when the service counts; otherwise fetch one row more than `size` and say `more`.
    """

    request: Request[Any, Any, Any]
    page: int
    size: int
    shown: int
    total: int | None = None
    more: bool = False

    @property
    def first(self) -> int:
        return (self.page - 1) * self.size + 1 if self.shown else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * self.size + self.shown

    @property
    def has_next(self) -> bool:
        return self.page * self.size < self.total if self.total is not None else self.more

    def url(self, page: int) -> str:
        # In the order the visitor's form sent them (Litestar's parsed query does not keep it).
        params = [(k, v) for k, v in parse_qsl(self.request.url.query) if k != "pagina"]
        if page > 1:
            params.append(("pagina", str(page)))
        return self.request.url.path + ("?" + urlencode(params) if params else "")

    @property
    def previous_url(self) -> str | None:
        return self.url(self.page - 1) if self.page > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.url(self.page + 1) if self.has_next else None
