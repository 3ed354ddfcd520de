"""The start page: per role, the sections that page modules register ("my work").

A section is a template fragment plus an async loader that fetches what it shows through a
service. Later issues add theirs (open cases, reports to triage, decisions to approve, …):

    @start_section("Besluiten ter goedkeuring", "decisions/_start.html", {Role.SENIOR_ADVISER}, order=30)
    async def decisions_to_approve(session: AsyncSession, caller: Caller) -> dict[str, Any]:
        return {"decisions": await DecisionService(session).awaiting_approval(caller)}

A loader that also takes a keyword argument `settings` gets the app's settings.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from erkenning.core.caller import TOKEN_ROLES, Role
from erkenning.http.dependencies import CurrentCaller, DbSession, SettingsDep
from erkenning.http.guards import requires
from erkenning.vocabulary import ROLES
from erkenning.web import nav
from erkenning.web.rendering import page

Loader = Callable[..., Awaitable[dict[str, Any]]]  # (session, caller[, *, settings])


@dataclass(frozen=True)
class StartSection:
    title: str
    template: str
    roles: frozenset[Role]
    order: int
    load: Loader
    wants_settings: bool = False


_SECTIONS: list[StartSection] = []


def start_section(title: str, template: str, roles: set[Role] | frozenset[Role], *, order: int) -> Callable[[Loader], Loader]:
    """Register a section of the start page for `roles`; the loader's dict is the fragment's context."""

    def register(load: Loader) -> Loader:
        wants_settings = "settings" in inspect.signature(load).parameters
        _SECTIONS.append(StartSection(title, template, frozenset(roles), order, load, wants_settings))
        _SECTIONS.sort(key=lambda s: s.order)
        return load

    return register


_TITLES = {Role.ADMIN: "Mijn werk", Role.SENIOR_ADVISER: "Mijn werk", Role.ADVISER: "Mijn werk", Role.COMPANY: "Mijn bedrijf"}

nav.add("Start", "/", TOKEN_ROLES, order=0)


class StartController(Controller):
    path = "/"
    guards = [requires(*TOKEN_ROLES)]

    @get("/", name="start")
    async def start(
        self, request: Request[Any, Any, Any], session: DbSession, caller: CurrentCaller, settings: SettingsDep
    ) -> Template:
        sections = [
            (section, await (section.load(session, caller, settings=settings) if section.wants_settings
                             else section.load(session, caller)))
            for section in _SECTIONS
            if caller.role in section.roles
        ]
        title = _TITLES.get(caller.role, "Start")
        return page(request, "start/start.html", title=title, sections=sections, role_label=ROLES[caller.role])
