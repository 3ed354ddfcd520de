"""The start page: per role, the sections that page modules register ("my work").

A section is a template fragment plus an async loader that fetches what it shows through a
service. Later issues add theirs (open cases, reports to triage, decisions to approve, …):

    @start_section("Besluiten ter goedkeuring", "decisions/_start.html", {Role.SENIOR_ADVISER}, order=30)
    async def decisions_to_approve(caller: Caller, decisions: DecisionService) -> dict[str, Any]:
        return {"decisions": await decisions.awaiting_approval(caller)}

A loader names what it needs as a handler does (`caller`, `session`, `settings`, or a service the pages
are given, see `erkenning.web.providers`), and is given it for the request.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.response import Template

from erkenning.core.caller import TOKEN_ROLES, Caller, Role
from erkenning.http.dependencies import CurrentCaller, provide_calling
from erkenning.http.guards import requires
from erkenning.vocabulary import ROLES
from erkenning.web import nav
from erkenning.web.rendering import page

Loader = Callable[..., Awaitable[dict[str, Any]]]  # (caller, and what else it names), a fragment's context


@dataclass(frozen=True)
class StartSection:
    title: str
    template: str
    roles: frozenset[Role]
    order: int
    load: Loader
    wants: tuple[str, ...] = ()


_SECTIONS: list[StartSection] = []


def start_section(
    title: str, template: str, roles: set[Role] | frozenset[Role], *, order: int
) -> Callable[[Loader], Loader]:
    """Register a section of the start page for `roles`; the loader's dict is the fragment's context."""

    def register(load: Loader) -> Loader:
        wants = tuple(inspect.signature(load).parameters)
        _SECTIONS.append(StartSection(title, template, frozenset(roles), order, load, wants))
        _SECTIONS.sort(key=lambda s: s.order)
        return load

    return register


def sections_provider() -> Provide:
    """The caller's sections with their contexts: a provider that is given what every section names."""

    async def start_sections(caller: Caller, **given: Any) -> list[tuple[StartSection, dict[str, Any]]]:
        given["caller"] = caller
        return [
            (section, await section.load(**{name: given[name] for name in section.wants}))
            for section in _SECTIONS
            if caller.role in section.roles
        ]

    return provide_calling(start_sections, ["caller", *(name for s in _SECTIONS for name in s.wants)])


_TITLES = {
    Role.ADMIN: "Mijn werk", Role.SENIOR_ADVISER: "Mijn werk", Role.ADVISER: "Mijn werk", Role.COMPANY: "Mijn bedrijf"
}

nav.add("Start", "/", TOKEN_ROLES, order=0)


class StartController(Controller):
    path = "/"
    guards = [requires(*TOKEN_ROLES)]

    @get("/", name="start")
    async def start(
        self, request: Request[Any, Any, Any], caller: CurrentCaller,
        start_sections: NamedDependency[list[tuple[StartSection, dict[str, Any]]]],
    ) -> Template:
        title = _TITLES.get(caller.role, "Start")
        return page(request, "start/start.html", title=title, sections=start_sections, role_label=ROLES[caller.role])
