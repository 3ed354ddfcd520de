"""Reports (meldingen) in the back office: the list, one report at triage, its confidential part, its steps.

Every step calls the method the JSON API calls; which steps a report offers comes from the same
transition table (`ReportService.view(...).actions`). The confidential part is shown only after an
explicit request with a purpose from the closed list, as a POST (a change to the audit trail, and
never a link a foreign page could make a browser follow).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from erkenning import vocabulary
from erkenning.core.caller import ADVISER_ROLES, STAFF_ROLES, Caller
from erkenning.core.errors import Conflict, DomainError, Forbidden, InvalidTransition, ValidationFailed
from erkenning.core.settings import Settings
from erkenning.core.states import GuardRefused
from erkenning.http.dependencies import CurrentCaller, DbSession, RuntimeDep, SettingsDep
from erkenning.http.guards import requires
from erkenning.reports.models import (
    Channel,
    Ground,
    ReadPurpose,
    ReferralBody,
    ReportConfidential,
    ReportStatus,
)
from erkenning.reports.schemas import AssignmentCreate, CompanyGivenByStaff, Referral, TriageReason
from erkenning.reports.services.intake import match_company
from erkenning.reports.services.reports import ReportFilter, ReportService
from erkenning.reports.states import MATCHABLE, handles
from erkenning.web import nav
from erkenning.web.actions import service_call
from erkenning.web.forms import Field, Form, When
from erkenning.web.listing import PageNumber, listing
from erkenning.web.rendering import after_change, flash_message, page
from erkenning.web.staff import Directory, refusal_text
from erkenning.workflows import queries as cases

ASSIGNED = flash_message("report-assigned", "De melding is toegewezen.")
MATCHED = flash_message("report-matched", "De melding is aan het bedrijf gekoppeld.")
TRIAGE_STARTED = flash_message("report-triage-started", "De beoordeling van de melding is gestart.")
TRIAGED = flash_message("report-triaged", "De uitkomst van de beoordeling is vastgelegd.")
PAGE_SIZE = 25
OUTCOMES = (ReportStatus.SUBSTANTIATED, ReportStatus.NOT_SUBSTANTIATED, ReportStatus.REFERRED)
WAITING = (ReportStatus.RECEIVED, ReportStatus.IN_TRIAGE)

Text = Annotated[str | None, QueryParameter(max_length=100)]
FILTER_FIELDS = (
    Field("status", "Status", kind="select", required=False,
          options=(("", "Alle"), ("wacht", "Wacht op beoordeling"), *vocabulary.options(ReportStatus))),
    Field("grond", "Grond", kind="select", required=False, options=(("", "Alle"), *vocabulary.options(Ground))),
    Field("kanaal", "Binnengekomen via", kind="select", required=False,
          options=(("", "Alle"), *vocabulary.options(Channel))),
    Field("toegewezen", "Toegewezen aan", kind="select", required=False,
          options=(("", "Iedereen"), ("mij", "Mij"), ("niemand", "Nog niemand"))),
    Field("van", "Ontvangen vanaf", kind="date", required=False, width="s", invalid="Vul een datum in."),
    Field("tot", "Ontvangen tot en met", kind="date", required=False, width="s", invalid="Vul een datum in."),
)

PURPOSE = Field(
    "purpose", "Doel van de inzage", kind="select", options=vocabulary.options(ReadPurpose), form_id="inzage",
    hint="Het doel wordt vastgelegd. "
         "Wie de melding deed, kan opvragen wanneer en waarvoor zijn gegevens zijn ingezien.",
    missing="Kies het doel waarvoor u de vertrouwelijke gegevens inziet.",
)
ASSIGNEE = Field("adviser_id", "Adviseur", kind="select", form_id="toewijzen", missing="Kies de adviseur.")
COMPANY_NUMBER = Field(
    "number", "Leerbedrijf-ID, KvK-nummer of vestigingsnummer", form_id="koppelen", width="m",
    inputmode="numeric", autocomplete="off", missing="Vul een nummer van het bedrijf in.",
    hint="Een KvK-nummer werkt alleen als het bedrijf één vestiging heeft.",
)
OUTCOME = Field("outcome", "Uitkomst", kind="radios", form_id="beoordeling", missing="Kies de uitkomst.")
REASON = Field(
    "reason", "Motivering", kind="textarea", form_id="beoordeling",
    hint="Kort en zonder namen of bijzondere persoonsgegevens; de motivering komt in het dossier.",
    missing="Vul de motivering in.",
)
REFERRED_TO = Field(
    "referred_to", "Doorverwijzen naar", kind="select", form_id="beoordeling", options=vocabulary.options(ReferralBody),
    missing="Kies waarnaar u doorverwijst.",
    when=When("outcome", (ReportStatus.REFERRED.value,), "Bij doorverwijzen"),
)

_NO_COMPANY = (
    "Er is geen bedrijf met dit nummer gevonden. "
    "Heeft het bedrijf meer vestigingen, gebruik dan het vestigingsnummer."
)
_REFUSALS: dict[type[DomainError], str] = {
    GuardRefused: "Alleen de adviseur aan wie de melding is toegewezen, of een senior adviseur, kan dit doen.",
    Forbidden: "Een adviseur kan een melding zelf oppakken; toewijzen aan anderen doen senior adviseurs.",
    Conflict: "Deze melding is intussen aan een andere adviseur toegewezen.",
}


def _filters(form: Form, caller: Caller) -> ReportFilter | None:
    values = {k: v.strip() for k, v in form.values.items()}
    days: dict[str, date | None] = {}
    for name in ("van", "tot"):
        try:
            days[name] = date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            form.error(name, form[name].invalid or "")
    if form.has_errors:
        return None
    status = values["status"]
    return ReportFilter(
        status=ReportStatus(status) if status in ReportStatus.__members__.values() else None,
        statuses=WAITING if status == "wacht" else (),
        ground=Ground(values["grond"]) if values["grond"] in Ground.__members__.values() else None,
        channel=Channel(values["kanaal"]) if values["kanaal"] in Channel.__members__.values() else None,
        assigned_to=caller.principal_id if values["toegewezen"] == "mij" else None,
        unassigned=values["toegewezen"] == "niemand",
        received_from=days["van"], received_until=days["tot"],
    )


nav.add("Meldingen", "/meldingen", STAFF_ROLES, order=20)


class ReportPages(Controller):
    path = "/meldingen"
    guards = [requires(*STAFF_ROLES)]

    @get("/", name="reports")
    async def list_(
        self, request: Request[Any, Any, Any], reports: NamedDependency[ReportService],
        directory: NamedDependency[Directory], caller: CurrentCaller, status: Text = None, grond: Text = None,
        kanaal: Text = None, toegewezen: Text = None, van: Text = None, tot: Text = None, pagina: PageNumber = 1,
    ) -> Template:
        entered = {"status": status, "grond": grond, "kanaal": kanaal, "toegewezen": toegewezen, "van": van, "tot": tot}
        result = await listing(
            request, FILTER_FIELDS, entered, lambda form: _filters(form, caller),
            lambda filters, limit, offset: reports.list(caller, filters, limit=limit, offset=offset),
            page=pagina, size=PAGE_SIZE,
        )
        shown = [report for report, _ in result.rows]
        known = await directory.names(caller, companies=[r.company_id for r in shown],
                                      people=[r.assigned_to for r in shown])
        return page(request, "reports/list.html", title="Meldingen", result=result, names=known,
                    may_enter=caller.role in ADVISER_ROLES,
                    status_code=result.status_code)

    @get("/{report_id:uuid}", name="report")
    async def detail(
        self, request: Request[Any, Any, Any], report_id: FromPath[UUID], session: DbSession, settings: SettingsDep,
        reports: NamedDependency[ReportService], directory: NamedDependency[Directory], caller: CurrentCaller,
    ) -> Template:
        return await _report_page(request, session, settings, reports, directory, caller, report_id)

    @post("/{report_id:uuid}/vertrouwelijk", name="report_confidential")
    async def confidential(
        self, request: Request[Any, Any, Any], report_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, reports: NamedDependency[ReportService], directory: NamedDependency[Directory],
        runtime: RuntimeDep, caller: CurrentCaller,
    ) -> Template:
        form = Form((PURPOSE,), data)
        if form.values["purpose"] not in ReadPurpose.__members__.values():
            form.error("purpose", PURPOSE.missing_message())
            return await _report_page(request, session, runtime.settings, reports, directory, caller, report_id,
                                      forms={"purpose": form}, status_code=422)
        purpose = ReadPurpose(form.values["purpose"])
        # Anyone but the assigned adviser or a senior adviser gets a 404, audited as refused by the service.
        shown = await reports.read_confidential(report_id, caller, purpose, runtime=runtime)
        return await _report_page(request, session, runtime.settings, reports, directory, caller, report_id,
                                  shown=(shown, purpose))

    @post("/{report_id:uuid}/toewijzen", guards=[requires(*ADVISER_ROLES)])
    async def assign(
        self, request: Request[Any, Any, Any], report_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, reports: NamedDependency[ReportService], directory: NamedDependency[Directory],
        settings: SettingsDep, caller: CurrentCaller,
    ) -> Template | Redirect:
        if not caller.is_senior:  # an adviser takes the report; the form has no choice to make
            data = {**data, "adviser_id": str(caller.principal_id)}
        form = Form((replace(ASSIGNEE, options=await directory.adviser_options()),), data)
        payload = form.validate(AssignmentCreate)
        if payload is None:
            return await _report_page(request, session, settings, reports, directory, caller, report_id,
                                      forms={"assign": form}, status_code=422)
        async with service_call(session, Forbidden, Conflict, InvalidTransition, ValidationFailed) as outcome:
            await reports.assign(report_id, payload.adviser_id, caller)
        return await _after(request, session, settings, reports, directory, caller, report_id, outcome.refusal,
                            ASSIGNED)

    @post("/{report_id:uuid}/koppelen", guards=[requires(*ADVISER_ROLES)])
    async def match(
        self, request: Request[Any, Any, Any], report_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, reports: NamedDependency[ReportService], directory: NamedDependency[Directory],
        settings: SettingsDep, caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form((COMPANY_NUMBER,), data)
        number = form.values["number"].strip().replace(" ", "")
        company_id = await _find_company(session, number) if number else None
        if company_id is None:
            form.error("number", _NO_COMPANY if number else COMPANY_NUMBER.missing_message())
            return await _report_page(request, session, settings, reports, directory, caller, report_id,
                                      forms={"match": form}, status_code=422)
        async with service_call(session, Forbidden, InvalidTransition, ValidationFailed) as outcome:
            await reports.match_company(report_id, company_id, caller)
        return await _after(request, session, settings, reports, directory, caller, report_id, outcome.refusal,
                            MATCHED)

    @post("/{report_id:uuid}/beoordeling-starten", guards=[requires(*ADVISER_ROLES)])
    async def start_triage(
        self, request: Request[Any, Any, Any], report_id: FromPath[UUID], session: DbSession,
        reports: NamedDependency[ReportService], directory: NamedDependency[Directory], settings: SettingsDep,
        caller: CurrentCaller,
    ) -> Template | Redirect:
        async with service_call(session, GuardRefused, Forbidden, InvalidTransition) as outcome:
            await reports.start_triage(report_id, caller)
        return await _after(request, session, settings, reports, directory, caller, report_id, outcome.refusal,
                            TRIAGE_STARTED)

    @post("/{report_id:uuid}/beoordeling", guards=[requires(*ADVISER_ROLES)])
    async def triage(
        self, request: Request[Any, Any, Any], report_id: FromPath[UUID], data: URLEncodedBody[dict[str, str]],
        session: DbSession, reports: NamedDependency[ReportService], directory: NamedDependency[Directory],
        settings: SettingsDep, caller: CurrentCaller,
    ) -> Template | Redirect:
        form = Form(_triage_fields(OUTCOMES), data)
        target = form.values["outcome"]
        if target not in {s.value for s in OUTCOMES}:
            form.error("outcome", OUTCOME.missing_message())
        referral = target == ReportStatus.REFERRED
        payload = form.validate(Referral if referral else TriageReason,
                                only=("reason", "referred_to") if referral else ("reason",))
        if payload is None or form.has_errors:
            return await _report_page(request, session, settings, reports, directory, caller, report_id,
                                      forms={"triage": form}, status_code=422)
        async with service_call(session, GuardRefused, Forbidden, InvalidTransition, ValidationFailed) as outcome:
            if isinstance(payload, Referral):
                await reports.refer(report_id, caller, reason=payload.reason, referred_to=payload.referred_to)
            elif target == ReportStatus.SUBSTANTIATED:
                await reports.substantiate(report_id, caller, reason=payload.reason)
            else:
                await reports.mark_not_substantiated(report_id, caller, reason=payload.reason)
        return await _after(request, session, settings, reports, directory, caller, report_id, outcome.refusal,
                            TRIAGED)


async def _find_company(session: AsyncSession, number: str) -> UUID | None:
    """The one company a number points at (establishment number, SBB id or a KvK number of one establishment)."""
    if not number.isdigit() or len(number) > 12:
        return None
    given = CompanyGivenByStaff.model_construct(
        company_id=None, name=None, sbb_id=number,
        establishment_number=number if len(number) == 12 else None,
        kvk_number=number if len(number) == 8 else None,
    )
    return await match_company(session, given)


def _triage_fields(allowed: tuple[ReportStatus, ...] | list[ReportStatus]) -> tuple[Field, ...]:
    return (replace(OUTCOME, options=vocabulary.options(ReportStatus, allowed)), REASON, REFERRED_TO)


async def _after(
    request: Request[Any, Any, Any], session: AsyncSession, settings: Settings, reports: ReportService,
    directory: Directory, caller: Caller, report_id: UUID, refusal: DomainError | None, flash: str,
) -> Template | Redirect:
    return await after_change(
        request, f"/meldingen/{report_id}", flash, refusal,
        lambda refused: _report_page(request, session, settings, reports, directory, caller, report_id,
                                     refusal=refused, status_code=refused.status_code),
    )


async def _report_page(
    request: Request[Any, Any, Any], session: AsyncSession, settings: Settings, reports: ReportService,
    directory: Directory, caller: Caller, report_id: UUID, *, forms: dict[str, Form] | None = None,
    shown: tuple[ReportConfidential, ReadPurpose] | None = None, refusal: DomainError | None = None,
    status_code: int = 200,
) -> Template:
    """One report as triage sees it (an audited read), with a form for each step open to this caller."""
    view = await reports.view(report_id, caller, settings)
    report = view.report
    known = await directory.names(caller, companies=[report.company_id], people=[report.assigned_to])
    company = known.company(report.company_id)
    moves = {m.to for m in view.actions}
    outcomes = [s for s in OUTCOMES if s.value in moves]
    given = forms or {}
    adviser = caller.role in ADVISER_ROLES and report.closed_at is None
    related: list[Any] = []
    own_case = None
    if company is not None and caller.role in ADVISER_ROLES:
        related, _ = await cases.list_cases(
            session, caller, cases.CaseFilter(company_id=company.id, include_closed=True), limit=10, offset=0
        )
        own_case = await cases.case_of_report(session, report.id, caller)
    return page(
        request, "reports/detail.html", title="Melding", status_code=status_code,
        view=view, report=report, company=company, names=known, own_case=own_case,
        related_cases=[c for c in related if own_case is None or c.id != own_case.id],
        repeat_window_months=settings.report_repeat_window_months,
        confidential=shown[0] if shown else None, purpose=shown[1] if shown else None,
        refusal=refusal_text(refusal, _REFUSALS) if refusal else None,
        purpose_form=given.get("purpose") or Form((PURPOSE,)),
        assign_form=(given.get("assign") or Form((replace(ASSIGNEE, options=await directory.adviser_options()),)))
        if adviser and caller.is_senior else None,
        may_take=adviser and not caller.is_senior and report.assigned_to is None,
        match_form=(given.get("match") or Form((COMPANY_NUMBER,), {"number": _given_number(report)}))
        if report.status in MATCHABLE and handles(report, caller) else None,
        may_start_triage=ReportStatus.IN_TRIAGE.value in moves,
        triage_form=(given.get("triage") or Form(_triage_fields(outcomes))) if outcomes else None,
        needs_company=report.status is ReportStatus.IN_TRIAGE and report.company_id is None and handles(report, caller),
    )


def _given_number(report: Any) -> str:
    return report.company_establishment_given or report.company_sbb_id_given or report.company_kvk_given or ""
