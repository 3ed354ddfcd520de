"""A school's reporting point passes a report on to SBB (with its confidential part), follows the reports it
passed on by their coarse status only (never the triage outcome), and answers SBB's questions about the
company's side of them (wederhoor): the adviser's wording of the company's answer, with a term."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from erkenning.core.caller import Caller, Role
from erkenning.core.errors import InvalidTransition, NotFound
from erkenning.core.states import GuardRefused
from erkenning.http.dependencies import CurrentCaller, DbSession, SettingsDep
from erkenning.http.guards import requires
from erkenning.reports.schemas import SchoolReportCreate, school_report_read
from erkenning.reports.services.intake import ReportIntake
from erkenning.reports.services.reports import ReportFilter, ReportService
from erkenning.web import nav, wording
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form
from erkenning.web.listing import PageNumber, Pager
from erkenning.web.pages.report_fields import COMPANY_FIELDS, FACT_FIELDS, NARRATIVE, REPORTER_FIELDS, validate_report
from erkenning.web.privacy import statement
from erkenning.web.rendering import after_change, flash_message, page, redirect
from erkenning.workflows.schemas import ReactionIn
from erkenning.workflows.services.reporter_reactions import ReporterReactionService

PAGE_SIZE = 25
PASSED_ON = flash_message(
    "school-report-passed-on",
    "De melding is doorgegeven aan SBB. Bewaar het kenmerk; het vertrouwelijke deel kunt u niet meer inzien.",
)
REFERENCE = Field(
    "school_reference", "Uw eigen zaaknummer", required=False, width="m", autocomplete="off",
    hint="Zo herkent u de melding terug in het overzicht.",
    invalid="Een zaaknummer bestaat uit letters, cijfers en _ . / - (hoogstens 50 tekens).",
)
CONFIDENTIAL_FIELDS = (*REPORTER_FIELDS, NARRATIVE)
REACTED = flash_message("school-reaction-sent", "Uw reactie is naar SBB gestuurd. SBB neemt die mee in het onderzoek.")
_CLOSED = "Reageren kan niet meer: er is al gereageerd, of de termijn is voorbij."
QUESTIONS_SHOWN = 20


def reaction_fields(report_id: UUID | str) -> tuple[Field, ...]:
    """The reaction form of one report's question (its own ids: several can be on the page)."""
    return (
        Field("reaction", "Uw reactie", kind="textarea", form_id=f"reactie-{report_id}",
              hint="Wat zegt de melder (of uw meldpunt) over wat het bedrijf zegt? Hoogstens 2.000 tekens.",
              missing="Schrijf de reactie op.",
              invalid="De reactie mag hoogstens 2.000 tekens lang zijn."),
    )
FIELDS = (*COMPANY_FIELDS, *FACT_FIELDS, REFERENCE, *CONFIDENTIAL_FIELDS)

nav.add("Meldingen", "/school/meldingen", {Role.SCHOOL}, order=40)


def _form_page(request: Request[Any, Any, Any], form: Form, status: int = 200) -> Template:
    return page(request, "school/report_form.html", title="Melding doorgeven aan SBB", form=form,
                company_fields=[f.name for f in COMPANY_FIELDS], fact_fields=[f.name for f in FACT_FIELDS],
                confidential_fields=[f.name for f in CONFIDENTIAL_FIELDS],
                privacy=statement(request.app.state.runtime.settings), status_code=status)


async def _list_page(
    request: Request[Any, Any, Any], reports: ReportService, reactions: ReporterReactionService, caller: Caller,
    pagina: int = 1, *, forms: dict[str, Form] | None = None, refusal: str | None = None, status: int = 200,
) -> Template:
    rows, total = await reports.list(caller, ReportFilter(), limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE)
    term = request.app.state.runtime.settings.report_triage_term_working_days
    questions, _ = await reactions.for_school(caller, limit=QUESTIONS_SHOWN, offset=0)
    given = forms or {}
    asked = [(q, given.get(str(q.report_id)) or Form(reaction_fields(q.report_id)) if q.open_for_reaction else None)
             for q in questions]
    return page(request, "school/reports.html", title="Meldingen",
                reports=[school_report_read(r, term) for r, _ in rows], asked=asked, refusal=refusal,
                privacy=statement(request.app.state.runtime.settings),
                pager=Pager(request, pagina, PAGE_SIZE, shown=len(rows), total=total), status_code=status)


class SchoolReportPages(Controller):
    """Het meldpunt van een school: meldingen doorgeven en volgen."""

    path = "/school/meldingen"
    guards = [requires(Role.SCHOOL)]

    @get("/", name="school_reports")
    async def list_(
        self, request: Request[Any, Any, Any], reports: NamedDependency[ReportService],
        reporter_reactions: NamedDependency[ReporterReactionService], caller: CurrentCaller, pagina: PageNumber = 1,
    ) -> Template:
        return await _list_page(request, reports, reporter_reactions, caller, pagina)

    @post("/{report_id:uuid}/reactie", name="school_report_reaction")
    async def react(
        self, request: Request[Any, Any, Any], report_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, reports: NamedDependency[ReportService],
        reporter_reactions: NamedDependency[ReporterReactionService], caller: CurrentCaller,
    ) -> Template | Redirect:
        """The school's reaction to SBB's question about one of its reports (another school's: 404)."""
        await reports.get(report_id, caller)  # a foreign id is 404 before anything
        form = Form(reaction_fields(report_id), data)
        payload = form.validate(ReactionIn)
        if payload is None:
            return await _list_page(request, reports, reporter_reactions, caller, forms={str(report_id): form},
                                    status=422)
        async with service_call(session, NotFound, InvalidTransition, GuardRefused) as outcome:
            await reporter_reactions.answer_as_school(report_id, caller, payload.reaction)

        async def again(refused: Any) -> Template:
            return await _list_page(request, reports, reporter_reactions, caller, refusal=_CLOSED,
                                    status=refused.status_code)

        return await after_change(request, "/school/meldingen", REACTED, outcome.refusal, again)

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
        report = await intake.from_school(payload, caller)
        return redirect(request, f"/school/meldingen/{report.id}", flash=PASSED_ON)

    @get("/{report_id:uuid}", name="school_report")
    async def detail(
        self, request: Request[Any, Any, Any], report_id: FromPath[UUID], reports: NamedDependency[ReportService],
        settings: SettingsDep, caller: CurrentCaller,
    ) -> Template:
        """One report this school passed on: SBB's reference, its term to assess it, and what happens next."""
        found = school_report_read(await reports.get(report_id, caller), settings.report_triage_term_working_days)
        return page(request, "school/report.html", title=f"Melding {found.reference}", report=found,
                    next_step=wording.school_report_next_step(found.status),
                    term_days=settings.report_triage_term_working_days, privacy=statement(settings))
