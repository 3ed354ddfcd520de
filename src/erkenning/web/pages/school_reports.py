"""A school's reporting point passes a report on to SBB (with its confidential part), and follows the
reports it passed on by their coarse status only (never the triage outcome or an investigation)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template

from erkenning.core.caller import Role
from erkenning.http.dependencies import CurrentCaller
from erkenning.http.guards import requires
from erkenning.reports.schemas import SchoolReportCreate, school_report_read
from erkenning.reports.services.intake import ReportIntake
from erkenning.reports.services.reports import ReportFilter, ReportService
from erkenning.web import nav
from erkenning.web.forms import Field, Form
from erkenning.web.listing import PageNumber, Pager
from erkenning.web.pages.report_fields import COMPANY_FIELDS, FACT_FIELDS, NARRATIVE, REPORTER_FIELDS, validate_report
from erkenning.web.rendering import flash_message, page, redirect

PAGE_SIZE = 25
PASSED_ON = flash_message(
    "school-report-passed-on",
    "De melding is doorgegeven aan SBB. Het vertrouwelijke deel kunt u hierna niet meer inzien.",
)
REFERENCE = Field(
    "school_reference", "Uw eigen zaaknummer", required=False, width="m", autocomplete="off",
    hint="Zo herkent u de melding terug in het overzicht.",
    invalid="Een zaaknummer bestaat uit letters, cijfers en _ . / - (hoogstens 50 tekens).",
)
CONFIDENTIAL_FIELDS = (*REPORTER_FIELDS, NARRATIVE)
FIELDS = (*COMPANY_FIELDS, *FACT_FIELDS, REFERENCE, *CONFIDENTIAL_FIELDS)

nav.add("Meldingen", "/school/meldingen", {Role.SCHOOL}, order=40)


def _form_page(request: Request[Any, Any, Any], form: Form, status: int = 200) -> Template:
    return page(request, "school/report_form.html", title="Melding doorgeven aan SBB", form=form,
                company_fields=[f.name for f in COMPANY_FIELDS], fact_fields=[f.name for f in FACT_FIELDS],
                confidential_fields=[f.name for f in CONFIDENTIAL_FIELDS], status_code=status)


class SchoolReportPages(Controller):
    """Het meldpunt van een school: meldingen doorgeven en volgen."""

    path = "/school/meldingen"
    guards = [requires(Role.SCHOOL)]

    @get("/", name="school_reports")
    async def list_(
        self, request: Request[Any, Any, Any], reports: NamedDependency[ReportService], caller: CurrentCaller,
        pagina: PageNumber = 1,
    ) -> Template:
        rows, total = await reports.list(
            caller, ReportFilter(), limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE
        )
        return page(request, "school/reports.html", title="Meldingen",
                    reports=[school_report_read(r) for r, _ in rows],
                    pager=Pager(request, pagina, PAGE_SIZE, shown=len(rows), total=total))

    @get("/nieuw", name="school_report_new")
    async def new(self, request: Request[Any, Any, Any]) -> Template:
        return _form_page(request, Form(FIELDS))

    @post("/nieuw")
    async def create(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[dict[str, str]],
        intake: NamedDependency[ReportIntake], caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(FIELDS, data)
        payload = validate_report(form, SchoolReportCreate, CONFIDENTIAL_FIELDS)
        if payload is None:
            return _form_page(request, form, 422)
        await intake.from_school(payload, caller)
        return redirect(request, "/school/meldingen", flash=PASSED_ON)
