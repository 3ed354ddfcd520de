"""Paging on the web, in one place: numbered pages (`?pagina=N` in, a `Pager` with links to the previous
and next page out), and a filtered, paged list page: the filter form from the query, the asked page of
rows, the pager.

    result = await listing(
        request, FILTER_FIELDS, {"naam": naam, ...}, to_filters,
        lambda filters, limit, offset: companies.list(caller, filters, limit=limit, offset=offset),
        page=pagina, size=25,
    )
    return page(request, "companies/list.html", title="Bedrijven", result=result, status_code=result.status_code)

`to_filters(form)` turns the entered strings into the service's filters, or records errors on the
form and returns None; then no query runs and the page shows the error summary (status 400).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlencode

from litestar import Request
from litestar.params import QueryParameter

from erkenning.web.forms import Field, Form

F = TypeVar("F")
T = TypeVar("T")

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



@dataclass
class Listing(Generic[T]):
    form: Form
    rows: list[T]
    pager: Pager | None  # None when the filters were wrong

    @property
    def status_code(self) -> int:
        return 400 if self.form.has_errors else 200


async def listing(
    request: Request[Any, Any, Any],
    fields: tuple[Field, ...],
    entered: dict[str, str | None],
    to_filters: Callable[[Form], F | None],
    fetch: Callable[[F, int, int], Awaitable[tuple[list[T], int]]],
    *,
    page: int,
    size: int,
) -> Listing[T]:
    form = Form(fields, {name: value or "" for name, value in entered.items()})
    filters = to_filters(form)
    if filters is None:
        return Listing(form, [], None)
    rows, total = await fetch(filters, size, (page - 1) * size)
    return Listing(form, rows, Pager(request, page, size, shown=len(rows), total=total))
