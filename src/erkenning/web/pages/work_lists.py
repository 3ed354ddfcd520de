"""The rest of "Mijn werk": the start page shows the first items of each list and links here for all of them
(my open tasks; recognitions whose reassessment is due), so nothing on an adviser's desk is out of reach."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from erkenning.core import clock
from erkenning.core.caller import ADVISER_ROLES
from erkenning.http.dependencies import CurrentCaller, SettingsDep
from erkenning.http.guards import requires
from erkenning.recognition.services.recognitions import RecognitionService
from erkenning.web.listing import PageNumber, Pager
from erkenning.web.rendering import page
from erkenning.web.staff import Directory
from erkenning.workflows.services.adviser_tasks import AdviserTaskService

PAGE_SIZE = 25
# An adviser's open tasks are few (one per follow-up found wanting); this bounds the page, not the work.
ALL_TASKS = 500


class WorkListPages(Controller):
    path = "/mijn-werk"
    guards = [requires(*ADVISER_ROLES)]

    @get("/taken", name="my_tasks", description="All open tasks of the adviser signed in, earliest due first.")
    async def tasks(
        self, request: Request[Any, Any, Any], adviser_tasks: NamedDependency[AdviserTaskService],
        directory: NamedDependency[Directory], caller: CurrentCaller,
    ) -> Template:
        tasks = await adviser_tasks.open_for(caller, limit=ALL_TASKS)
        known = await directory.names(caller, companies=[t.company_id for t in tasks])
        return page(request, "start/tasks.html", title="Mijn taken",
                    data={"tasks": tasks, "names": known, "more": False})

    @get("/herbeoordelingen", name="reassessments_due",
         description="Recognitions in force whose reassessment falls within the notice period or is overdue, paged.")
    async def reassessments(
        self, request: Request[Any, Any, Any], recognitions: NamedDependency[RecognitionService],
        settings: SettingsDep, pagina: PageNumber = 1,
    ) -> Template:
        days = settings.reassessment_notice_days
        items, total = await recognitions.reassessment_due(
            within_days=days, noticed_since=None, limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE
        )
        return page(request, "recognition/reassessments.html", title="Herbeoordelingen",
                    data={"due": items, "total": len(items), "days": days, "today": clock.today()},
                    pager=Pager(request, pagina, PAGE_SIZE, shown=len(items), total=total))
