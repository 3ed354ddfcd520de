"""Administration: who looked at a report, when and why, and the list for its reporter (GDPR art. 15)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import QueryParameter
from litestar.response import Template

from erkenning.core.caller import Role
from erkenning.core.errors import NotFound
from erkenning.http.dependencies import CurrentCaller, DbSession
from erkenning.http.guards import requires
from erkenning.reports.models import ReadPurpose
from erkenning.reports.services import consultations
from erkenning.reports.services.reports import CONFIDENTIAL_READ
from erkenning.vocabulary import term
from erkenning.web import nav
from erkenning.web.forms import Field, Form
from erkenning.web.rendering import page

REPORT_FIELD = Field(
    "melding", "Melding (id)", width="l", missing="Vul het id van de melding in.",
    invalid="Een id ziet eruit als 0b7c1e9a-3f2d-4c8e-9a51-2d6f0e4b7c13.",
)
_ACTIONS = {"report.read": "melding bekeken", CONFIDENTIAL_READ: "vertrouwelijke gegevens"}

nav.add("Inzage meldingen", "/beheer/inzage", {Role.ADMIN}, order=95)


def _purpose(code: str | None) -> str:
    return term(ReadPurpose(code)) if code is not None and code in ReadPurpose.__members__.values() else (code or "–")


class ReportReadPages(Controller):
    path = "/beheer/inzage"
    guards = [requires(Role.ADMIN)]

    @get("/", name="report_reads")
    async def reads(
        self, request: Request[Any, Any, Any], session: DbSession, caller: CurrentCaller,
        melding: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Template:
        form = Form((REPORT_FIELD,), {"melding": melding or ""})
        context: dict[str, Any] = {"form": form, "reads": None, "consultations": None}
        status = 200
        if melding is not None:
            try:
                report_id = UUID(melding.strip())
                context["reads"] = [
                    {**entry.model_dump(), "action": _ACTIONS.get(entry.action, entry.action),
                     "purpose": _purpose(entry.purpose)}
                    for entry in (await consultations.admin_reads(session, report_id, caller)).reads
                ]
                answer = await consultations.admin_consultations(session, report_id, caller)
                context["consultations"] = [(c.on, term(c.purpose)) for c in answer.consultations]
            except ValueError:
                form.error("melding", REPORT_FIELD.invalid or "")
                status = 422
            except NotFound:
                form.error("melding", "Er is geen melding met dit id.")
                status = 404
        return page(request, "admin/report_reads.html", title="Inzage meldingen", status_code=status, **context)
