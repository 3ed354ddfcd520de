"""A filtered, paged list page: the filter form from the query, the asked page of rows, the pager.

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
from typing import Any, Generic, TypeVar

from litestar import Request

from erkenning.web.forms import Field, Form
from erkenning.web.pagination import Pager

F = TypeVar("F")
T = TypeVar("T")


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
