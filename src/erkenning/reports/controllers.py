"""HTTP routes for reports: the back office, a school's reporting point, and the anonymous public form."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, get, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.params import FromPath, JSONBody, QueryParameter

from erkenning.core import context
from erkenning.core.caller import ADVISER_ROLES, Role
from erkenning.core.errors import Forbidden
from erkenning.core.paging import Limit, Offset, Page
from erkenning.core.runtime import Runtime
from erkenning.core.settings import Settings
from erkenning.http.dependencies import CurrentCaller, DbSession, RuntimeDep, SettingsDep, provide
from erkenning.http.guards import current_caller, requires
from erkenning.reports.models import Channel, Ground, ReadPurpose, Report, ReportStatus
from erkenning.reports.schemas import (
    AdviserReportCreate,
    AnonymousReportCreate,
    AssignmentCreate,
    CompanyMatch,
    ConfidentialRead,
    Consultations,
    Receipt,
    ReceiptLookup,
    ReceiptStatus,
    Referral,
    ReportDetail,
    ReportRead,
    ReportReads,
    SchoolReportCreate,
    SchoolReportRead,
    TriageReason,
    report_read,
    school_report_read,
)
from erkenning.reports.services import consultations
from erkenning.reports.services.consultations import consultations_of
from erkenning.reports.services.intake import ReportIntake
from erkenning.reports.services.reports import ReportFilter, ReportService

# The public form's body: the largest valid report is ~10 kB of text; a little room for escaping.
PUBLIC_MAX_BODY_BYTES = 32_768
COMPANY_NAMED = ("Beyond the schema (422 naming the rule): the company is named by at least one of `sbb_id`, "
                 "`kvk_number`, `establishment_number` or `name`; the incident date lies between 1 January 2000 "
                 "and today.")

advisers_only = requires(*ADVISER_ROLES)

# The domain's services, injected by name into its routes and the web pages.
PROVIDERS = {"reports": provide(ReportService), "intake": provide(ReportIntake)}


async def _detail(service: ReportService, report_id: UUID, caller: Any, settings: Settings) -> ReportDetail:
    view = await service.view(report_id, caller, settings)
    return ReportDetail(
        **report_read(view.report, view.has_confidential),
        triage_reason=view.report.triage_reason,
        other_reports_recent=view.other_reports_recent,
        repeat_flag=view.repeat_flag,
        may_read_confidential=view.may_read_confidential,
        actions=view.actions,
    )


async def _changed(service: ReportService, caller: Any, settings: Settings, change: Awaitable[Report]) -> ReportDetail:
    """Make the change, then answer with the triage view as it now stands."""
    report = await change
    return await _detail(service, report.id, caller, settings)


class ReportController(Controller):
    """Back office: all staff see the non-confidential part of every report; the confidential part is
    need-to-know, and only advisers change reports."""

    path = "/reports"
    tags = ["reports"]
    dependencies = PROVIDERS

    @post("/", summary="Enter a report received by SBB staff",
          description="A report received by phone, e-mail or letter, from an anti-discrimination agency or a "
          "municipality, or through the contact form, with its channel and the day it was received "
          "(`received_on`: not in the future, not before the incident; default today). " + COMPANY_NAMED,
          guards=[advisers_only])
    async def create(
        self, data: JSONBody[AdviserReportCreate], intake: NamedDependency[ReportIntake],
        reports: NamedDependency[ReportService], caller: CurrentCaller,
    ) -> ReportRead:
        report = await intake.from_adviser(data, caller)
        return ReportRead(**report_read(report, await reports.has_confidential(report)))

    @get("/", summary="Find reports (newest first; filters combine)")
    async def list_(
        self,
        reports: NamedDependency[ReportService],
        caller: CurrentCaller,
        status: Annotated[ReportStatus | None, QueryParameter()] = None,
        ground: Annotated[Ground | None, QueryParameter()] = None,
        channel: Annotated[Channel | None, QueryParameter()] = None,
        company_id: Annotated[UUID | None, QueryParameter()] = None,
        assigned_to_me: Annotated[bool, QueryParameter()] = False,
        unassigned: Annotated[bool, QueryParameter()] = False,
        received_from: Annotated[date | None, QueryParameter(description="first day (inclusive)")] = None,
        received_until: Annotated[date | None, QueryParameter(description="last day (inclusive)")] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ReportRead]:
        filters = ReportFilter(
            status=status, ground=ground, channel=channel, company_id=company_id,
            assigned_to=caller.principal_id if assigned_to_me else None, unassigned=unassigned,
            received_from=received_from, received_until=received_until,
        )
        rows, total = await reports.list(caller, filters, limit=limit, offset=offset)
        items = [ReportRead(**report_read(report, has)) for report, has in rows]
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/{report_id:uuid}", summary="One report for triage: repeat count, flag, and the moves you may make now")
    async def get_one(
        self, report_id: FromPath[UUID], reports: NamedDependency[ReportService], caller: CurrentCaller,
        settings: SettingsDep,
    ) -> ReportDetail:
        return await _detail(reports, report_id, caller, settings)

    @get("/{report_id:uuid}/confidential",
         summary="The reporter and the student's account: assigned adviser or senior adviser only; audited")
    async def confidential(
        self,
        report_id: FromPath[UUID],
        reports: NamedDependency[ReportService],
        caller: CurrentCaller,
        runtime: RuntimeDep,
        purpose: Annotated[ReadPurpose, QueryParameter(description="why you open it (kept in the audit trail)")],
    ) -> ConfidentialRead:
        row = await reports.read_confidential(report_id, caller, purpose, runtime=runtime)
        return ConfidentialRead(
            report_id=row.report_id, reporter_name=row.reporter_name,
            reporter_contact=row.reporter_contact, narrative=row.narrative,
        )

    @post("/{report_id:uuid}/assign", status_code=200, guards=[advisers_only],
          summary="Assign to an adviser (senior adviser), or take an unassigned report yourself (adviser)")
    async def assign(
        self, report_id: FromPath[UUID], data: JSONBody[AssignmentCreate], reports: NamedDependency[ReportService],
        caller: CurrentCaller, settings: SettingsDep,
    ) -> ReportDetail:
        change = reports.assign(report_id, data.adviser_id, caller)
        return await _changed(reports, caller, settings, change)

    @post("/{report_id:uuid}/match", status_code=200, guards=[advisers_only],
          summary="Match the report to the company it is about")
    async def match(
        self, report_id: FromPath[UUID], data: JSONBody[CompanyMatch], reports: NamedDependency[ReportService],
        caller: CurrentCaller, settings: SettingsDep,
    ) -> ReportDetail:
        change = reports.match_company(report_id, data.company_id, caller)
        return await _changed(reports, caller, settings, change)

    @post("/{report_id:uuid}/start-triage", status_code=200, guards=[advisers_only],
          summary="received → in_triage")
    async def start_triage(
        self, report_id: FromPath[UUID], reports: NamedDependency[ReportService], caller: CurrentCaller,
        settings: SettingsDep,
    ) -> ReportDetail:
        change = reports.start_triage(report_id, caller)
        return await _changed(reports, caller, settings, change)

    @post("/{report_id:uuid}/substantiate", status_code=200, guards=[advisers_only],
          summary="in_triage → substantiated (the company must be matched); starts the investigation workflow")
    async def substantiate(
        self, report_id: FromPath[UUID], data: JSONBody[TriageReason], reports: NamedDependency[ReportService],
        caller: CurrentCaller, settings: SettingsDep,
    ) -> ReportDetail:
        change = reports.substantiate(report_id, caller, reason=data.reason)
        return await _changed(reports, caller, settings, change)

    @post("/{report_id:uuid}/mark-not-substantiated", status_code=200, guards=[advisers_only],
          summary="in_triage → not_substantiated (closes the report)")
    async def mark_not_substantiated(
        self, report_id: FromPath[UUID], data: JSONBody[TriageReason], reports: NamedDependency[ReportService],
        caller: CurrentCaller, settings: SettingsDep,
    ) -> ReportDetail:
        change = reports.mark_not_substantiated(report_id, caller, reason=data.reason)
        return await _changed(reports, caller, settings, change)

    @post("/{report_id:uuid}/refer", status_code=200, guards=[advisers_only],
          summary="in_triage → referred, naming the body (closes the report)")
    async def refer(
        self, report_id: FromPath[UUID], data: JSONBody[Referral], reports: NamedDependency[ReportService],
        caller: CurrentCaller, settings: SettingsDep,
    ) -> ReportDetail:
        change = reports.refer(report_id, caller, reason=data.reason, referred_to=data.referred_to)
        return await _changed(reports, caller, settings, change)


class SchoolReportController(Controller):
    """A school's reporting point: passes reports on, and follows them by coarse status only."""

    path = "/school/reports"
    tags = ["reports"]
    guards = [requires(Role.SCHOOL)]
    dependencies = PROVIDERS

    @post("/", summary="Pass a report on to SBB (the confidential part may be included; it cannot be read back)",
          description=COMPANY_NAMED)
    async def create(
        self, data: JSONBody[SchoolReportCreate], intake: NamedDependency[ReportIntake], caller: CurrentCaller,
        settings: SettingsDep,
    ) -> SchoolReportRead:
        """The answer names SBB's reference, the last day of SBB's term to assess it (`assessed_by`, in working
        days under the Algemene termijnenwet) and the next step."""
        report = await intake.from_school(data, caller)
        return school_report_read(report, settings.report_triage_term_working_days)

    @get("/", summary="The reports this school passed on, newest first, with their coarse status")
    async def list_(
        self, reports: NamedDependency[ReportService], caller: CurrentCaller, settings: SettingsDep, limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[SchoolReportRead]:
        rows, total = await reports.list(caller, ReportFilter(), limit=limit, offset=offset)
        term = settings.report_triage_term_working_days
        return Page(items=[school_report_read(r, term) for r, _ in rows], total=total, limit=limit, offset=offset)

    @get("/{report_id:uuid}", summary="One report this school passed on")
    async def get_one(
        self, report_id: FromPath[UUID], reports: NamedDependency[ReportService], caller: CurrentCaller,
        settings: SettingsDep,
    ) -> SchoolReportRead:
        return school_report_read(await reports.get(report_id, caller), settings.report_triage_term_working_days)


def _withhold_origin() -> None:
    """From here on, nothing of this request ties the report to the sender's address (audit, request log)."""
    context.origin.set(None)
    if (state := context.request_state.get()) is not None:
        state["withhold_origin"] = True


def anonymous_limited(name: str, limit_of: str, window_of: str) -> Any:
    """Guard: no token (this form is anonymous), and a strict per-address limit counted on every attempt."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if current_caller(connection) is not None:
            raise Forbidden("This form is anonymous: send no token (schools pass reports on at /school/reports)")
        runtime: Runtime = connection.app.state.runtime
        settings = runtime.settings
        address = context.origin.get() or "unknown"
        limit, window_s = getattr(settings, limit_of), getattr(settings, window_of)
        await runtime.limiter.hit(name, address, limit=limit, window_s=window_s, fail_open=False)
        _withhold_origin()

    guard.__name__ = f"anonymous_{name.replace('-', '_')}"
    return guard


class PublicReportController(Controller):
    """Anyone may report anonymously and later see a coarse status with the receipt code."""

    path = "/reports"
    tags = ["reports"]
    dependencies = PROVIDERS

    @post("/", summary="Report anonymously; the answer holds a receipt code, shown once",
          request_max_body_size=PUBLIC_MAX_BODY_BYTES, description=COMPANY_NAMED,
          guards=[anonymous_limited("report-intake", "report_intake_limit", "report_intake_window_s")])
    async def create(self, data: JSONBody[AnonymousReportCreate], intake: NamedDependency[ReportIntake]) -> Receipt:
        report, code = await intake.anonymous(data)
        return Receipt(receipt=code, status=report.coarse_status)

    # POST, not GET: the receipt code is a secret and must not travel in a URL (logs, proxies, history).
    @post("/status", status_code=200, summary="The coarse status of a report, by its receipt code",
          request_max_body_size=1024,
          guards=[anonymous_limited("report-receipt", "report_receipt_limit", "report_receipt_window_s")])
    async def status(self, data: JSONBody[ReceiptLookup], intake: NamedDependency[ReportIntake]) -> ReceiptStatus:
        report = await intake.status_by_receipt(data.receipt)
        return ReceiptStatus(status=report.coarse_status)

    @post("/consultations", status_code=200, request_max_body_size=1024,
          summary="By the receipt code: the day and purpose of each consultation of your data (GDPR art. 15)",
          guards=[anonymous_limited("report-receipt", "report_receipt_limit", "report_receipt_window_s")])
    async def consultations(
        self, data: JSONBody[ReceiptLookup], session: DbSession, intake: NamedDependency[ReportIntake]
    ) -> Consultations:
        report = await intake.status_by_receipt(data.receipt)
        return await consultations_of(session, report)


class ReportReadsController(Controller):
    """Admins: who looked at a report, when and why; and the list to give its reporter (art. 15 GDPR)."""

    path = "/admin/reports"
    tags = ["admin"]
    guards = [requires(Role.ADMIN)]

    @get("/{report_id:uuid}/reads", summary="Every read of the report and its confidential part: who, when, why")
    async def reads(
        self, report_id: FromPath[UUID], session: DbSession, caller: CurrentCaller
    ) -> ReportReads:
        return await consultations.admin_reads(session, report_id, caller)

    @get("/{report_id:uuid}/consultations",
         summary="For the reporter (GDPR art. 15): day and purpose of each consultation of their data, no one named")
    async def consultations(
        self, report_id: FromPath[UUID], session: DbSession, caller: CurrentCaller
    ) -> Consultations:
        return await consultations.admin_consultations(session, report_id, caller)
